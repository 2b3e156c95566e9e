"""Staff lists as schools keep them (CSV or XLSX, Vietnamese headers) → members to invite.

Columns are found by their header, with or without diacritics: "Họ và tên", "Chức vụ",
"Tổ", "Điện thoại", "Ghi chú" (STT is ignored). The position decides the role: Hiệu trưởng →
principal, Phó hiệu trưởng → vice_principal, Tổ trưởng … → council, anything else → staff.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from bot.domain.parsing import fold
from db.models import Role


class StaffListError(ValueError):
    """The file is not a staff list we can read."""


@dataclass(frozen=True)
class StaffEntry:
    name: str
    position: str | None
    group: str | None
    phone: str | None
    note: str | None

    @property
    def role(self) -> str:
        return role_for_position(self.position)


def role_for_position(position: str | None) -> str:
    folded = fold(position or "")
    if folded.startswith("pho hieu truong"):
        return Role.VICE_PRINCIPAL
    if folded.startswith("hieu truong"):
        return Role.PRINCIPAL
    if folded.startswith("to truong"):
        return Role.COUNCIL
    return Role.STAFF


HEADERS = {
    "name": ("ho va ten", "ho ten", "ten"),
    "position": ("chuc vu", "vi tri", "chuc danh"),
    "group": ("to", "to chuyen mon", "bo phan"),
    "phone": ("dien thoai", "so dien thoai", "sdt"),
    "note": ("ghi chu",),
}


def _rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "cp1258", "latin-1"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t") if text.strip() else "excel"
        return [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    if suffix == ".xlsx":
        try:
            sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # any unreadable workbook is the same to the user
            raise StaffListError(f"cannot read {path.name} as an Excel workbook") from exc
        rows = sheet.iter_rows(values_only=True)
        return [["" if c is None else str(c) for c in row] for row in rows]
    raise StaffListError(f"{path.name}: use a .csv or .xlsx file")


def read_staff_list(path: Path) -> list[StaffEntry]:
    rows = [r for r in _rows(path) if any(c.strip() for c in r)]
    at = 0
    for at, header in enumerate(rows[:10]):  # noqa: B007 - `at` is used after the loop
        folded = [fold(c) for c in header]
        columns = {
            key: next((i for i, h in enumerate(folded) if h in names), None)
            for key, names in HEADERS.items()
        }
        if columns["name"] is not None:
            break
    else:
        raise StaffListError(f"{path.name}: no 'Họ và tên' column found")

    def cell(row: list[str], key: str) -> str | None:
        i = columns[key]
        value = row[i].strip() if i is not None and i < len(row) else ""
        return value or None

    entries = []
    for row in rows[at + 1 :]:
        name = cell(row, "name")
        if name:
            entries.append(
                StaffEntry(
                    name,
                    cell(row, "position"),
                    cell(row, "group"),
                    cell(row, "phone"),
                    cell(row, "note"),
                )
            )
    if not entries:
        raise StaffListError(f"{path.name}: the list is empty")
    return entries
