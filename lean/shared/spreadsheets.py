"""Tables as downloads: CSV (UTF-8 with BOM, comma or semicolon) and XLSX, safe to open.

Shared by the kaizen log's and the dashboard's exports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import cast

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from lean.shared.downloads import content_disposition

# Spreadsheet programs run a cell that starts with these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Columns are as wide as their longest value, within these limits (in characters).
MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT = "yyyy-mm-dd"  # unambiguous in every language; the cell itself is a real date


def defused(value):
    """A text cell that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value, separator: str):
    # Text first: most cells are text, and an export has some 30,000 cells.
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if separator == ";" and isinstance(value, Decimal | float):
        return str(value).replace(".", ",")  # the semicolon file is for Finnish Excel
    return value  # numbers and empty cells: never a formula


def as_csv(headers: Sequence[str], rows: Iterable[Sequence], separator: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(value, separator) for value in row])
    # The byte order mark makes Excel read the file as UTF-8 (ä and ö intact).
    return buffer.getvalue().encode("utf-8-sig")


def _shown_length(value) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return len(DATE_FORMAT)
    return max((len(line) for line in str(value).splitlines()), default=0)


def as_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A sheet ready to read: bold frozen headers, an autofilter, fitted widths, typed cells."""
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook has one sheet, a worksheet
    sheet.title = title[:31]
    sheet.append(list(headers))
    widths = [len(str(header)) for header in headers]
    for row in rows:
        sheet.append([float(value) if isinstance(value, Decimal) else value for value in row])
        for index, cell in enumerate(sheet[sheet.max_row]):
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
            elif isinstance(cell.value, str) and cell.value.startswith(("https://", "http://")):
                cell.hyperlink = cell.value
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            widths[index] = max(widths[index], _shown_length(cell.value))
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for index, width in enumerate(widths, start=1):
        # +2: room for the autofilter's drop-down button next to the heading.
        sheet.column_dimensions[get_column_letter(index)].width = min(
            MAX_WIDTH, max(MIN_WIDTH, width + 2)
        )
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(body: bytes, filename: str, file_format: str):
    """A response tuple that saves the file under its name (see downloads.download_name)."""
    mimetype = XLSX_TYPE if file_format == "xlsx" else "text/csv; charset=utf-8"
    return (
        body,
        200,
        {
            "Content-Type": mimetype,
            "Content-Disposition": content_disposition(f"{filename}.{file_format}"),
        },
    )
