"""The names downloads are saved under: what the link said, whose it is and which period.

"Kehittämiskohteet (XLSX)" on the dashboard saves as
vertaa-kehittämiskohteet-järvilaakson-koulutuskuntayhtymä-2026-08-01--2026-11-16.xlsx: the
link's words in the reader's language (the same translated text the link shows), the team's
or organization's name and the period, so that a folder of downloads reads like the pages they
came from.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from urllib.parse import quote

# A part of a file name taken from what people wrote (a title, an organization's name) is cut
# to this many characters: the whole name then stays within the 255 bytes file systems allow.
NAME_PART_LENGTH = 60
# The semicolon CSV (for Excel set to Finnish or Swedish) gets its own name, so that it never
# overwrites the comma file in the downloads folder.
SEMICOLON_SUFFIX = "excel"
# A link's text is "<what> (<format>)": the words before the brackets name the file.
_FORMAT_NOTE = re.compile(r"\s*\([^()]*\)\s*$")


def file_name_part(text: str) -> str:
    """ "Järvilaakson koulutuskuntayhtymä" -> "järvilaakson-koulutuskuntayhtymä": its words in
    lower case, joined by hyphens, cut after a whole word."""
    composed = unicodedata.normalize("NFC", text).lower()  # "ä" one letter, not "a" and two dots
    part = "-".join("".join(c if c.isalnum() else " " for c in composed).split())
    if len(part) > NAME_PART_LENGTH:
        part = part[: NAME_PART_LENGTH + 1].rsplit("-", 1)[0][:NAME_PART_LENGTH]
    return part


def link_words(link_text: str) -> str:
    """ "Kehittämiskohteet (CSV suomalaiseen Exceliin)" -> "Kehittämiskohteet"."""
    return _FORMAT_NOTE.sub("", link_text).strip()


def period_part(start: date | None, end: date | None) -> str:
    """2026-08-01--2026-11-16; an open end stays empty (2026-08-01--)."""
    if not start and not end:
        return ""
    return f"{start.isoformat() if start else ''}--{end.isoformat() if end else ''}"


def download_name(
    link_text: str,
    *subjects: str,
    start: date | None = None,
    end: date | None = None,
    day: date | None = None,
    separator: str | None = None,
) -> str:
    """vertaa-<the link's words>-<whose>-<period>, without the extension.

    `link_text` is the translated text of the link that downloads the file; `subjects` name
    the team, organization, sheet or person it is of; `day` is a single date instead of a
    period; the semicolon CSV ends in "-excel".
    """
    parts = ["vertaa", file_name_part(link_words(link_text))]
    parts += [file_name_part(subject) for subject in subjects if subject]
    parts.append(day.isoformat() if day else period_part(start, end))
    if separator == ";":
        parts.append(SEMICOLON_SUFFIX)
    return "-".join(part for part in parts if part)


def content_disposition(filename: str) -> str:
    """An attachment saved as `filename`.

    Browsers that read RFC 6266's filename* keep the name as written (ä, å, ö); the plain
    filename, for the others, has the same letters without their marks (ä -> a), in ASCII.
    """
    letters = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9._-]", "", letters)
    disposition = f'attachment; filename="{plain}"'
    if plain != filename:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return disposition
