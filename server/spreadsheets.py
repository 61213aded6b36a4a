"""Tables as CSV or XLSX files, safe to open in a spreadsheet, and XLSX files read back as rows."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is prefixed with a quote (CSV injection); control
    characters that XML cannot hold are dropped (the API refuses them, but a stored value may predate that)."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if v is None else _safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read Chinese correctly


def to_xlsx(rows: list[list[object]], sheet_title: str) -> bytes:
    return to_xlsx_sheets({sheet_title: rows})


def to_xlsx_sheets(sheets: dict[str, list[list[object]]]) -> bytes:
    """A workbook with one worksheet per entry, titled by its key, in order."""
    workbook = Workbook()
    active = workbook.active
    assert active is not None
    workbook.remove(active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([_safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class UnreadableSheet(ValueError):
    pass


def read_xlsx(content: bytes) -> list[list[Any]]:
    """The first sheet's rows as plain values; an unreadable file raises UnreadableSheet."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors) for files that are not XLSX
        raise UnreadableSheet(str(exc)) from None
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows
