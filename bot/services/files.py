"""Evidence files kept by the bot on disk (not only as Telegram file ids): one directory per
school and row, names prefixed by the content hash, written atomically."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
# File systems allow 255 bytes to a name (not characters: "ệ" is 3 bytes, "🎓" 4); the stored
# name also carries a 13-byte hash prefix.
MAX_NAME_BYTES = 200


def safe_name(name: str) -> str:
    """The sender's file name as a name on disk: no path or control characters, at most 120
    characters and MAX_NAME_BYTES bytes, its extension kept."""
    cleaned = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "_", name).strip(" .")
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or len(extension) > 10:
        stem, extension = cleaned, ""
    suffix = f".{extension}" if extension else ""
    stem = stem[: 120 - len(suffix)]
    while stem and len((stem + suffix).encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem + suffix).strip(" .") or "file"


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, school_id: int, row_id: int, name: str, content: bytes) -> tuple[str, str]:
        """Store `content`; returns (path relative to the store, sha256)."""
        digest = hashlib.sha256(content).hexdigest()
        relative = Path(str(school_id)) / str(row_id) / f"{digest[:12]}-{safe_name(name)}"
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        return relative.as_posix(), digest

    def read(self, relative: str) -> bytes:
        path = (self.root / relative).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("path outside the file store")
        return path.read_bytes()
