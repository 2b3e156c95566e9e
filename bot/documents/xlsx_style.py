"""The look of every XLSX the bot writes: rows as tall as their wrapped text, printed landscape
A4 one page wide with the header rows on every page."""

from __future__ import annotations

from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

XLSX_LINE_POINTS = 15  # one line of 11 pt text


def fit_rows(sheet: Worksheet, start: int) -> None:
    """Give each row the height its wrapped text needs. A spreadsheet stores no heights of its
    own for wrapped text, and LibreOffice (printing, converting) then shows one line of each
    cell, the rest hidden under the next row; Excel fits rows only when a cell is edited."""
    for row in sheet.iter_rows(min_row=start):
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or cell.column_letter not in sheet.column_dimensions:
                continue
            merged = any(cell.coordinate in r for r in sheet.merged_cells.ranges)
            width = sheet.column_dimensions[cell.column_letter].width or 10
            per_line = max(int(width * (4 if merged else 1)), 1)
            lines = max(lines, sum(-(-max(len(p), 1) // per_line) for p in cell.value.split("\n")))
        if row[0].row is not None:
            sheet.row_dimensions[row[0].row].height = lines * XLSX_LINE_POINTS


def print_landscape(sheet: Worksheet, title_rows: str | None) -> None:
    """Printed as the DOCX is: landscape A4, all columns on the page's width, the header rows
    (e.g. "2:2") on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    if title_rows:
        sheet.print_title_rows = title_rows
