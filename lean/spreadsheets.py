"""Tables as downloads: CSV (UTF-8 with BOM, comma or semicolon) and XLSX, safe to open.

Shared by the kaizen log's and the dashboard's exports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from openpyxl import Workbook

# Spreadsheet programs run a cell that starts with these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def defused(value):
    """A text cell that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value, separator: str):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal | float) and separator == ";":
        return str(value).replace(".", ",")  # the semicolon file is for Finnish Excel
    return defused(value)


def as_csv(headers: Sequence[str], rows: Iterable[Sequence], separator: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(value, separator) for value in row])
    # The byte order mark makes Excel read the file as UTF-8 (ä and ö intact).
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for row in rows:
        sheet.append([float(value) if isinstance(value, Decimal) else value for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(body: bytes, filename: str, file_format: str):
    """A response tuple that saves the file under its name."""
    mimetype = XLSX_TYPE if file_format == "xlsx" else "text/csv; charset=utf-8"
    return (
        body,
        200,
        {
            "Content-Type": mimetype,
            "Content-Disposition": f'attachment; filename="{filename}.{file_format}"',
        },
    )
