"""Leases: what only one worker may do at a time, when several share one PostgreSQL database.

The outbox's materialiser and its sender run in the worker that holds the outbox lease: one
materialiser writes what came due (never two writing the same reminder), and one sender keeps
Telegram's per-bot limits (its sliding window is the only one sending on the bot's own). The
other workers handle updates only, and try for the lease again at every scheduler run and
every idle turn of their sender (a few seconds).

On PostgreSQL a lease is a session-level advisory lock (`pg_try_advisory_lock`) held on a
connection of its own. The server releases it the moment that connection ends, however the
worker ends (a crash, `kill -9`, a power cut: the kernel closes the socket), so another worker
takes it at its next try; nothing has to expire, and no clock of any worker is trusted. While
holding it a worker checks the connection before each use (`hold`): a connection lost means
the lease may be another's, and the worker stops until it takes it again.

Why not a job engine on PostgreSQL (Procrastinate, PgQueuer): see README, "Several workers".

On SQLite there is one process (`bot.runtime.app.one_process`), which always holds the lease.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

# Keys of the advisory locks (64-bit; any constant the database does not use for else).
OUTBOX = 0x6361_6974_6965_6E01  # "caitien" + 1


class Lease:
    """One named lease for this process; `hold` takes it when free and says whether it is
    held (safe to call from several threads)."""

    def __init__(self, engine: Engine, key: int = OUTBOX, name: str = "outbox") -> None:
        self.engine, self.key, self.name = engine, key, name
        self.shared = engine.dialect.name == "postgresql"
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        # Times this worker took the lease: what was done under an earlier taking (e.g. the
        # sender's recovery) is done again under a new one.
        self.taken = 0 if self.shared else 1

    @property
    def held(self) -> bool:
        """Whether this worker held the lease at the last `hold` (no database call)."""
        return not self.shared or self._conn is not None

    def hold(self) -> bool:
        """True when this worker holds the lease now (taking it if nobody does)."""
        if not self.shared:
            return True
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.execute(text("SELECT 1"))
                    self._conn.commit()
                    return True
                except DBAPIError:
                    log.warning(
                        "the %s lease's connection was lost; trying to take it again", self.name
                    )
                    self._forget()
            return self._take()

    def _take(self) -> bool:
        conn = self.engine.connect()
        try:
            taken = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
            )
            conn.commit()  # the lock is the session's: it outlives the transaction
        except DBAPIError:
            conn.invalidate()
            conn.close()
            log.warning("could not ask for the %s lease; trying again later", self.name)
            return False
        if not taken:
            conn.close()
            return False
        self._conn = conn
        self.taken += 1
        log.info("this worker holds the %s lease now", self.name)
        return True

    def _forget(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()  # never back to the pool with the lock on it
                self._conn.close()
            except DBAPIError:  # pragma: no cover - the connection is gone either way
                pass
            self._conn = None

    def release(self) -> None:
        """Give the lease up (at a clean stop), so another worker takes it at once."""
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                self._conn.commit()
            except DBAPIError:
                pass
            self._forget()
