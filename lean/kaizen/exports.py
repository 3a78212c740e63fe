"""The kaizen log as CSV (UTF-8 with BOM, comma or semicolon) and as XLSX."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from lean.models import KaizenEntry
from lean.shared import spreadsheets
from lean.shared.web import name_in_language


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
        _("Before photo"),
        _("After photo"),
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
            _photo_address(entry, "before"),
            _photo_address(entry, "after"),
        ]
        for entry in entries
    ]


def _photo_address(entry: KaizenEntry, role: str) -> str:
    """Where the before or after photo opens, side by side in the sheet, for those who may
    read the log (the address asks for their login)."""
    photo = entry.photo(role)
    return url_for("kaizen.attachment", attachment_id=photo.id, _external=True) if photo else ""


def as_csv(entries: list[KaizenEntry], separator: str = ",") -> bytes:
    return spreadsheets.as_csv(headers(), rows(entries), separator)


def as_xlsx(entries: list[KaizenEntry]) -> bytes:
    return spreadsheets.as_xlsx(_("Kaizens"), headers(), rows(entries))
