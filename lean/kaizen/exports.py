"""The kaizen log as CSV (UTF-8 with BOM, comma or semicolon) and as XLSX."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook

from lean.models import KaizenEntry
from lean.web import name_in_language

# Spreadsheet programs run a cell that starts with these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def headers() -> list[str]:
    return [
        _("Date"),
        _("Team"),
        _("Title"),
        _("Before"),
        _("After"),
        _("Effect"),
        _("Theme"),
        _("Hours saved per month"),
        _("Author"),
        _("Attachments"),
    ]


def rows(entries: list[KaizenEntry]) -> list[list]:
    return [
        [
            entry.done_on,
            entry.team.name,
            entry.title,
            entry.before,
            entry.after,
            entry.effect,
            name_in_language(entry.theme),
            entry.hours_saved_per_month,
            entry.author.name,
            len(entry.attachments),
        ]
        for entry in entries
    ]


def defused(value):
    """A text cell that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value, separator: str):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal) and separator == ";":
        return str(value).replace(".", ",")  # the semicolon file is for Finnish Excel
    return defused(value)


def as_csv(entries: list[KaizenEntry], separator: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(headers())
    for row in rows(entries):
        writer.writerow([csv_cell(value, separator) for value in row])
    # The byte order mark makes Excel read the file as UTF-8 (ä and ö intact).
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(entries: list[KaizenEntry]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Kaizens")[:31]
    sheet.append(headers())
    for row in rows(entries):
        sheet.append([float(value) if isinstance(value, Decimal) else value for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
        sheet.cell(row=sheet.max_row, column=1).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
