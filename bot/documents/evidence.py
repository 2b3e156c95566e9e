"""Evidence files as the reports list them: what a file is called, a photo made small for the
page, a name safe in an archive. Shared by the 2018 report (`report`) and the TT57 one
(`report_tt57`)."""

from __future__ import annotations

import io
import re

from PIL import Image, ImageOps, UnidentifiedImageError

from db.models import Evidence

PICTURE_WIDTH_CM = 4.5
# What the runtime names a Telegram photo (it has no name of its own): "anh-<file id>.jpg".
_PHOTO_NAME = re.compile(r"^anh-[A-Za-z0-9_-]+\.jpg$")


def evidence_title(evidence: Evidence) -> str:
    """What the evidence is: the words sent with it, else the file's own name; a photo sent
    without words has no name of its own (Telegram gives it none): "Ảnh"."""
    if evidence.caption and evidence.caption.strip():
        return evidence.caption.strip()
    if _PHOTO_NAME.match(evidence.file_name):
        return "Ảnh"
    return evidence.file_name


def thumbnail(content: bytes) -> bytes | None:
    """A photo made small for the page (JPEG, 600 px wide at most); None if it is not one
    Pillow can read (a damaged file is listed, without its picture)."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            picture = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    picture.thumbnail((600, 600))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return out.getvalue()


def is_image(evidence: Evidence) -> bool:
    return (evidence.mime_type or "").startswith("image/") or bool(
        re.search(r"\.(jpe?g|png|gif|bmp|webp|heic)$", evidence.file_name, re.IGNORECASE)
    )


def safe_name(name: str) -> str:
    """A file or folder name an archive and every system can hold."""
    return re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "_", name).strip() or "file"
