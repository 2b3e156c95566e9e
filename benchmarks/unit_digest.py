"""The unit digest of a province (`caitien unit digest`): time and peak memory, against a bare SQL
read of the same counts in the same run.

A generated Sở (default 1 000 schools × 50 rows = 50 000 rows) is bulk-inserted (Core inserts,
no ORM object per row): every school linked to one province unit, 12 members each (some on
leave, some removed), one or two owners per row, due dates spread from October to May (nearly
half past at the moment, Monday 18/01/2027 08:00), a few timelines awaiting the writer's
confirmation, a fifth of the plans in the Biểu 2 layout (some rows written "Hoàn thành"), one
school in fifty without a plan for the year (its rows are last year's, which the digest must
not count), and zero to three progress reports per row (latest: done, in progress, stuck, not
started; a quarter never reported; most before the mid-year prompt of 10/01, so silent).

Timed, best of `--repeat` runs: `bot.services.unit_digest.build` (what the command line and
the chat read) against the baseline, hand-written SQL over the DB-API connection that reads
the same facts and nothing else: the unit's schools and plans; per plan the rows by latest
status, overdue rows and the last report; the silent owners; the Biểu 2 rows written done.
The two must agree to the last count (checked). Peak Python memory of each (tracemalloc) in
separate runs. Target (issue 13): the digest within 2 × the bare read, and under 2 s on SQLite.

    python -m benchmarks.unit_digest                         # --schools 1000 --rows 50, SQLite
    python -m benchmarks.unit_digest --postgres postgresql+psycopg://caitien:caitien@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from bot.domain.templates import TT57, template_of
from bot.services import unit_digest
from db.models import (
    Member,
    Plan,
    PlanRow,
    ProgressReport,
    RowOwner,
    School,
    SupervisingUnit,
    UnitSchool,
)
from db.session import Database

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AT = dt.datetime(2027, 1, 18, 8, 0, tzinfo=TZ)  # a Monday; the mid-year prompt was 10/01
YEAR = "2026-2027"
STAFF = 12
CODES = ("1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1", "3.2", "4.1", "5.1", "5.2", "5.3")
CHUNK = 20_000


def _chunks(items: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def generate(db: Database, schools: int, rows_per_school: int, seed: int = 13) -> int:
    """Bulk-insert the province; returns the unit's id."""
    rng = random.Random(seed)
    created = dt.datetime(2026, 8, 20, tzinfo=dt.UTC)
    first_due = dt.date(2026, 10, 1)
    span = (dt.date(2027, 5, 31) - first_due).days
    first_report = dt.datetime(2026, 10, 1, 8, tzinfo=TZ)
    report_span = (AT - first_report).total_seconds() - 3600
    written_done = template_of(TT57).implementation("done") or "Hoàn thành"
    tables: dict[Any, list[dict[str, Any]]] = {
        m: [] for m in (School, Member, Plan, UnitSchool, PlanRow, RowOwner, ProgressReport)
    }
    row_id = report_id = 0
    for s in range(1, schools + 1):
        tt57 = s % 5 == 0
        tables[School].append(
            {
                "id": s,
                "name": f"Trường THCS số {s}",
                "level": "thcs",
                "regulation": "TT57-2026" if tt57 else "TT18-2018",
                "timezone": "Asia/Ho_Chi_Minh",
                "settings": {},
                "created_at": created,
            }
        )
        tables[UnitSchool].append(
            {"unit_id": 1, "school_id": s, "kind": "province", "linked_at": created}
        )
        for m in range(STAFF):
            tables[Member].append(
                {
                    "id": (s - 1) * STAFF + m + 1,
                    "school_id": s,
                    "display_name": f"Giáo viên {s}-{m + 1}",
                    "role": "principal" if m == 0 else "staff",
                    "active": rng.random() > 0.02,
                    "on_leave_until": dt.date(2027, 1, 31) if rng.random() < 0.05 else None,
                    "created_at": created,
                }
            )
        # Last year's plan (the digest must not count it), then this year's.
        tables[Plan].append(
            {
                "id": 2 * s - 1,
                "school_id": s,
                "school_year": "2025-2026",
                "regulation": "TT18-2018",
                "template": "2018",
                "created_at": created,
            }
        )
        if s % 50 == 7:  # no plan for the year yet: its rows are last year's
            plan_id = 2 * s - 1
        else:
            plan_id = 2 * s
            tables[Plan].append(
                {
                    "id": plan_id,
                    "school_id": s,
                    "school_year": YEAR,
                    "regulation": "TT57-2026" if tt57 else "TT18-2018",
                    "template": TT57 if tt57 else "2018",
                    "created_at": created,
                }
            )
        for r in range(rows_per_school):
            row_id += 1
            reported = rng.random() > 0.25
            tables[PlanRow].append(
                {
                    "id": row_id,
                    "plan_id": plan_id,
                    "status": "draft" if r == rows_per_school - 1 and s % 3 == 0 else "active",
                    "position": r + 1,
                    "standard": 1,
                    "criterion_code": CODES[r % len(CODES)],
                    "content": f"Nội dung cải tiến {r + 1}" if tt57 else None,
                    "implementation_text": (
                        written_done if tt57 and not reported and rng.random() < 0.3 else None
                    ),
                    "due_date": first_due + dt.timedelta(days=rng.randrange(span)),
                    "timeline_flags": ["before_school_year"] if rng.random() < 0.01 else [],
                    "budget_flags": [],
                    "created_at": created,
                    "updated_at": created,
                }
            )
            owners = rng.sample(range(2, STAFF + 1), rng.choice((1, 1, 2)))
            for m in owners:
                tables[RowOwner].append({"row_id": row_id, "member_id": (s - 1) * STAFF + m})
            if not reported:
                continue
            count = rng.choice((1, 1, 2, 3))
            moments = sorted(rng.uniform(0, report_span) for _ in range(count))
            last = rng.choices(
                ("done", "in_progress", "difficulty", "not_started"), (35, 40, 10, 15)
            )[0]
            for i, seconds in enumerate(moments):
                report_id += 1
                tables[ProgressReport].append(
                    {
                        "id": report_id,
                        "row_id": row_id,
                        "member_id": (s - 1) * STAFF + owners[0],
                        "period": "any",
                        "status": last if i == count - 1 else "in_progress",
                        "text": None,
                        "created_at": first_report + dt.timedelta(seconds=seconds),
                    }
                )
    with db.transaction() as session:
        session.execute(
            insert(SupervisingUnit),
            [
                {
                    "id": 1,
                    "name": "Sở GD&ĐT (benchmark)",
                    "kind": "province",
                    "link_code": "BENC-HMAR-KSOO",
                    "timezone": "Asia/Ho_Chi_Minh",
                    "settings": {},
                    "created_at": created,
                }
            ],
        )
        for model, items in tables.items():
            for chunk in _chunks(items):
                session.execute(insert(model), chunk)
    return 1


# The baseline: the same facts with bare SQL. {plans} is the list of the year's plan ids the
# first statement read (integers, written into the text); other names are parameters, marked
# in the driver's own style.
SCHOOLS_SQL = """
    SELECT s.id, p.id, p.template
    FROM unit_schools us
    JOIN schools s ON s.id = us.school_id
    LEFT JOIN plans p ON p.school_id = s.id AND p.school_year = {year}
    WHERE us.unit_id = {unit}"""
_LATEST = """
    latest AS (  -- each row's latest report
        SELECT row_id, status, created_at FROM (
            SELECT pr.row_id, pr.status, pr.created_at,
                   row_number() OVER (PARTITION BY pr.row_id
                                      ORDER BY pr.created_at DESC, pr.id DESC) AS n
            FROM progress_reports pr JOIN plan_rows r ON r.id = pr.row_id
            WHERE r.plan_id IN ({plans})
        ) ranked WHERE n = 1
    )"""
# The counts per plan, then (same statement, the latest reports read once) one line per plan
# and silent owner: the name column is NULL on the counts' lines.
COUNTS_SQL = (
    "WITH"
    + _LATEST
    + """,
    present AS (  -- per row with owners, the owners not on leave
        SELECT o.row_id,
               sum(CASE WHEN m.on_leave_until IS NULL OR m.on_leave_until < {today}
                   THEN 1 ELSE 0 END) AS n
        FROM row_owners o
        JOIN members m ON m.id = o.member_id
        JOIN plan_rows r ON r.id = o.row_id
        WHERE r.plan_id IN ({plans})
        GROUP BY o.row_id
    )
    SELECT r.plan_id, count(*),
        sum(CASE WHEN l.status = 'done' THEN 1 ELSE 0 END),
        sum(CASE WHEN l.status = 'in_progress' THEN 1 ELSE 0 END),
        sum(CASE WHEN l.status IS NULL OR l.status = 'not_started' THEN 1 ELSE 0 END),
        sum(CASE WHEN l.status = 'difficulty' THEN 1 ELSE 0 END),
        sum(CASE WHEN r.due_date < {today} AND coalesce(l.status, '') <> 'done'
            AND NOT (CAST(r.timeline_flags AS TEXT) LIKE '%"before_school_year"%'
                     AND CAST(r.timeline_flags AS TEXT) NOT LIKE '%"before_school_year_confirmed"%')
            AND (present.row_id IS NULL OR present.n > 0)
            THEN 1 ELSE 0 END),
        max(l.created_at),
        NULL
    FROM plan_rows r
    LEFT JOIN latest l ON l.row_id = r.id
    LEFT JOIN present ON present.row_id = r.id
    WHERE r.plan_id IN ({plans}) AND r.status = 'active'
    GROUP BY r.plan_id
    UNION ALL
    SELECT r.plan_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, m.display_name
    FROM plan_rows r
    JOIN row_owners o ON o.row_id = r.id
    JOIN members m ON m.id = o.member_id
    LEFT JOIN latest l ON l.row_id = r.id
    WHERE r.plan_id IN ({plans}) AND r.status = 'active'
      AND m.active AND coalesce(l.status, '') <> 'done'
      AND (l.created_at IS NULL OR l.created_at < {since})
    GROUP BY r.plan_id, m.display_name"""
)
WRITTEN_SQL = """
    SELECT r.plan_id, r.implementation_text
    FROM plan_rows r
    WHERE r.plan_id IN ({tt57_plans})
      AND r.status = 'active' AND r.implementation_text IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM progress_reports pr WHERE pr.row_id = r.id)"""


Counts = dict[int, tuple[Any, ...]]


def bare_read(db: Database, unit_id: int) -> Counts:
    """The facts the digest reads, with bare SQL over the DB-API connection: per school
    (plan id, rows, done, in progress, not started, difficulty, overdue, last report, silent
    owners, Biểu 2 rows written done). Every school of the generated province shares the
    digest's moment facts (today, the mid-year prompt day)."""
    sqlite = db.engine.dialect.name == "sqlite"
    today = AT.date()
    since = dt.datetime(2027, 1, 10, tzinfo=TZ).astimezone(dt.UTC)
    values: dict[str, Any] = {
        "unit": unit_id,
        "year": YEAR,
        "today": today.isoformat() if sqlite else today,
        # SQLite holds moments as SQLAlchemy writes them (UTC, no offset).
        "since": since.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else since,
    }
    mark = "?" if sqlite else "%s"

    def run(cursor: Any, sql: str, lists: dict[str, list[int]] | None = None) -> list[Any]:
        names: list[str] = []

        class Marks(dict[str, str]):
            def __missing__(self, key: str) -> str:
                names.append(key)
                return mark

        for key, ids in (lists or {}).items():
            sql = sql.replace("{" + key + "}", ",".join(str(int(i)) for i in ids) or "NULL")
        if not sqlite:
            sql = sql.replace("%", "%%")  # a literal % for psycopg
        cursor.execute(sql.format_map(Marks()), [values[n] for n in names])
        return list(cursor.fetchall())

    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        found: Counts = {}
        plans: dict[int, int] = {}
        tt57: list[int] = []
        for school_id, plan_id, template in run(cursor, SCHOOLS_SQL):
            found[school_id] = (None, 0, 0, 0, 0, 0, 0, None, (), 0)
            if plan_id is not None:
                plans[plan_id] = school_id
                if template == TT57:
                    tt57.append(plan_id)
        lists = {"plans": list(plans), "tt57_plans": tt57}
        word = " ".join((template_of(TT57).implementation("done") or "").split()).casefold()
        written: dict[int, int] = {}
        for plan_id, words in run(cursor, WRITTEN_SQL, lists):
            if " ".join((words or "").split()).casefold() == word:
                written[plan_id] = written.get(plan_id, 0) + 1
        lines: dict[int, tuple[Any, ...]] = {}
        silent: dict[int, list[str]] = {}
        for plan_id, *counts, last, name in run(cursor, COUNTS_SQL, lists):
            if name is None:
                lines[plan_id] = (*(int(c) for c in counts), _utc(last))
            else:
                silent.setdefault(plan_id, []).append(name)
        for plan_id, line in lines.items():
            found[plans[plan_id]] = (
                plan_id,
                *line,
                tuple(sorted(silent.get(plan_id, ()))),
                written.get(plan_id, 0),
            )
        cursor.close()
    finally:
        connection.close()
    return found


def _utc(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def digest(db: Database, unit_id: int) -> unit_digest.UnitDigest:
    with db.transaction() as session:
        found = unit_digest.build(session, unit_id, AT)
    assert found is not None
    return found


def agree(found: unit_digest.UnitDigest, bare: Counts) -> None:
    """The digest and the bare read count the same, school by school."""
    assert len(found.schools) == len(bare), (len(found.schools), len(bare))
    for line in found.schools:
        _plan, rows, done, in_progress, not_started, difficulty, overdue, last, silent, written = (
            bare[line.school_id]
        )
        mine = (
            line.plan.rows if line.plan else 0,
            line.done,
            line.in_progress,
            line.not_started,
            line.difficulty,
            line.overdue,
            line.last_report_at,
            line.silent_owners,
            line.indicator_14,
        )
        theirs = (
            rows,
            done,
            in_progress,
            not_started,
            difficulty,
            overdue,
            last,
            silent,
            (done + written, rows),
        )
        assert mine == theirs, (line.school_id, mine, theirs)


def best(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return min(samples)


def peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


@contextmanager
def database(postgres: str | None) -> Iterator[Database]:
    """A fresh, upgraded database: a temp SQLite file, or a new database on the server."""
    if postgres is None:
        tmp = Path(tempfile.mkdtemp())
        db = Database(f"sqlite:///{tmp / 'province.db'}")
        try:
            db.upgrade()
            yield db
        finally:
            db.dispose()
            shutil.rmtree(tmp, ignore_errors=True)
        return
    server = make_url(postgres)
    name = f"caitien_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(server.set(database=name).render_as_string(hide_password=False))
    try:
        db.upgrade()
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def measure(schools: int, rows: int, repeat: int, postgres: str | None = None) -> dict[str, float]:
    """Generate, check the digest against the bare read, time both and measure their peak
    memory; prints the figures and returns them."""
    with database(postgres) as db:
        started = time.perf_counter()
        unit_id = generate(db, schools, rows)
        with db.engine.connect() as conn:
            counts = [
                conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("schools", "plan_rows", "row_owners", "progress_reports")
            ]
        print(
            f"{db.engine.dialect.name}: generated {counts[0]} schools, {counts[1]} rows, "
            f"{counts[2]} owner links, {counts[3]} reports in {time.perf_counter() - started:.1f} s"
        )
        if postgres:  # planner statistics after the bulk load, as autovacuum gives them
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        agree(digest(db, unit_id), bare_read(db, unit_id))
        base = best(lambda: bare_read(db, unit_id), repeat)
        mine = best(lambda: digest(db, unit_id), repeat)
        base_mib = peak_mib(lambda: bare_read(db, unit_id))
        mine_mib = peak_mib(lambda: digest(db, unit_id))
    figures = {
        "digest_s": mine,
        "bare_s": base,
        "ratio": mine / base,
        "digest_mib": mine_mib,
        "bare_mib": base_mib,
    }
    print(f"counts agree, school by school (digest = bare SQL read); best of {repeat} runs:")
    print(f"bare SQL read of the same counts: {base * 1000:7.0f} ms, peak {base_mib:6.1f} MiB")
    print(f"unit digest (unit_digest.build):  {mine * 1000:7.0f} ms, peak {mine_mib:6.1f} MiB")
    print(
        f"ratio digest / bare read: {mine / base:.2f} (target ≤ 2); "
        f"digest {'under' if mine < 2 else 'OVER'} 2 s"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=50, help="rows per school")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each, the best counts")
    parser.add_argument(
        "--postgres", metavar="URL", help="a PostgreSQL server (a database is created on it)"
    )
    args = parser.parse_args()
    measure(args.schools, args.rows, args.repeat, args.postgres)


if __name__ == "__main__":
    main()
