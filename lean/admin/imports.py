"""Bulk import of people and their teams from a CSV file: a preview first, then all or nothing.

parse_import() only reads: it decides for every row what importing would do. apply_import()
writes a preview's changes in one transaction, and only when no row was refused.
"""

from __future__ import annotations

import codecs
import csv
import enum
import hashlib
import io
import re
import secrets
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.security import generate_password_hash

from lean.auth.services import normalize_email
from lean.core.extensions import db
from lean.models import Membership, Organization, Team, TeamRole, User
from lean.shared.events import EventKind, record_admin_event

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254

# Header names in English, Finnish and Swedish, compared case-insensitively.
COLUMN_NAMES = {
    "name": {"name", "nimi", "namn"},
    "email": {"email", "e-mail", "sähköposti", "sahkoposti", "e-post", "epost"},
    "team": {"team", "tiimi"},
    "role": {"role", "rooli", "roll"},
    "language": {"language", "kieli", "språk", "sprak"},
}
REQUIRED_COLUMNS = ("name", "email", "team")
ROLE_NAMES = {
    "member": TeamRole.MEMBER,
    "jäsen": TeamRole.MEMBER,
    "medlem": TeamRole.MEMBER,
    "supervisor": TeamRole.SUPERVISOR,
    "esihenkilö": TeamRole.SUPERVISOR,
    "esimies": TeamRole.SUPERVISOR,
    "chef": TeamRole.SUPERVISOR,
}
# A person's language: their invitation and their pages are in it (empty: the inviter's).
LANGUAGE_NAMES = {
    "fi": "fi",
    "suomi": "fi",
    "finnish": "fi",
    "finska": "fi",
    "sv": "sv",
    "ruotsi": "sv",
    "svenska": "sv",
    "swedish": "sv",
    "en": "en",
    "englanti": "en",
    "english": "en",
    "engelska": "en",
}
SEPARATORS = ",;"
# Excel writes this first line when asked to name the separator of a CSV file.
EXCEL_SEPARATOR_LINE = re.compile(r"\A\s*sep=([,;])\s*\r?\n")
# Long enough SQL IN lists stay within every database's limit on bound parameters.
QUERY_CHUNK = 500


class ImportRefused(ValueError):
    """The file cannot be read or imported at all; the message tells the user why."""


class ImportConflict(RuntimeError):
    """Someone changed the organization's people while the import was being written."""


class Decision(enum.StrEnum):
    CREATE = "create"  # a new user and their membership
    ADD = "add"  # a new membership for a user of this organization (or one created above)
    CHANGE = "change"  # an existing membership gets another role
    UNCHANGED = "unchanged"
    REFUSED = "refused"


class Encoding(enum.StrEnum):
    UTF8 = "utf-8"
    UTF8_BOM = "utf-8-sig"
    LATIN1 = "cp1252"


@dataclass
class ImportRow:
    """One line of the file and what importing it would do."""

    line: int
    name: str
    email: str
    team_name: str
    role_text: str
    language_text: str = ""
    language: str | None = None
    role: TeamRole | None = None
    team_id: int | None = None
    user_id: int | None = None
    membership_id: int | None = None
    old_role: TeamRole | None = None
    decision: Decision = Decision.REFUSED
    reasons: list[Any] = field(default_factory=list)

    def refuse(self, reason) -> None:
        self.reasons.append(reason)


@dataclass
class ImportPreview:
    organization_id: int
    encoding: Encoding
    separator: str
    rows: list[ImportRow]

    @property
    def counts(self) -> dict[Decision, int]:
        counted = Counter(row.decision for row in self.rows)
        return {decision: counted.get(decision, 0) for decision in Decision}

    @property
    def refused_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.decision == Decision.REFUSED]

    @property
    def users_to_create(self) -> int:
        return self.counts[Decision.CREATE]

    @property
    def changes(self) -> int:
        """Rows that would write something."""
        counts = self.counts
        return counts[Decision.CREATE] + counts[Decision.ADD] + counts[Decision.CHANGE]

    @property
    def fingerprint(self) -> str:
        """Changes when any decision does, so a confirmation matches the preview it saw."""
        digest = hashlib.sha256()
        for row in self.rows:
            digest.update(f"{row.line}\t{row.email}\t{row.team_id}\t{row.decision}\n".encode())
        return digest.hexdigest()


@dataclass
class ImportSummary:
    users_created: int = 0
    memberships_added: int = 0
    roles_changed: int = 0
    created_user_ids: list[int] = field(default_factory=list)


# ---- reading the file ------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, Encoding]:
    """The text of the file: UTF-8 (with or without a byte order mark), else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportRefused(
            _l("The file is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8” instead.")
        )
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), Encoding.UTF8_BOM
        except UnicodeDecodeError:
            data = data[len(codecs.BOM_UTF8) :]
    else:
        try:
            return data.decode("utf-8"), Encoding.UTF8
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("cp1252"), Encoding.LATIN1
    except UnicodeDecodeError:
        # The five bytes Windows-1252 leaves undefined are Latin-1's control characters.
        return data.decode("latin-1"), Encoding.LATIN1


def column_key(header: str) -> str | None:
    name = header.strip().strip('"').strip().casefold()
    for key, names in COLUMN_NAMES.items():
        if name in names:
            return key
    return None


def detect_separator(text: str) -> str:
    """The separator that makes the header line's names known; csv.Sniffer breaks a tie."""
    header = text.split("\n", 1)[0]
    known = {
        sep: sum(column_key(cell) is not None for cell in header.split(sep)) for sep in SEPARATORS
    }
    if known[","] != known[";"]:
        return max(known, key=known.__getitem__)
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=SEPARATORS).delimiter
    except csv.Error:
        return ";" if header.count(";") > header.count(",") else ","


def _read_table(text: str, separator: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as error:
        raise ImportRefused(
            _l("Line %(line)d cannot be read as CSV: %(error)s", line=reader.line_num, error=error)
        ) from error


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = column_key(cell)
        if key is not None and key not in columns:
            columns[key] = index
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        raise ImportRefused(
            _l(
                "The first line must name the columns name, email and team (role is optional); "
                "missing: %(missing)s.",
                missing=", ".join(missing),
            )
        )
    return columns


def _cell(cells: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def read_rows(data: bytes) -> tuple[list[ImportRow], Encoding, str]:
    """The file's rows as written, before any decision; refuse a file that cannot be read."""
    if not data.strip():
        raise ImportRefused(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ImportRefused(_l("The file is larger than 1 MB. Split it into smaller files."))
    if data.startswith(b"PK\x03\x04"):
        raise ImportRefused(_l("This is an Excel workbook. Save it as CSV and upload that file."))
    text, encoding = decode(data)
    # Names typed on a Mac may arrive decomposed (a + ¨); compare them as one character.
    text = unicodedata.normalize("NFC", text)
    separator_line = EXCEL_SEPARATOR_LINE.match(text)
    if separator_line:
        separator = separator_line.group(1)
        text = text[separator_line.end() :]
    else:
        separator = detect_separator(text)

    table = _read_table(text, separator)
    columns = None
    rows: list[ImportRow] = []
    for line, cells in table:
        if not any(cell.strip() for cell in cells):
            continue
        if columns is None:
            columns = _columns(cells)
            continue
        if len(rows) == MAX_ROWS:
            raise ImportRefused(
                _l(
                    "The file has more than %(count)d rows. Split it into smaller files.",
                    count=MAX_ROWS,
                )
            )

        rows.append(
            ImportRow(
                line=line,
                name=" ".join(_cell(cells, columns, "name").split()),
                email=normalize_email(_cell(cells, columns, "email")),
                team_name=_cell(cells, columns, "team"),
                role_text=_cell(cells, columns, "role"),
                language_text=_cell(cells, columns, "language"),
            )
        )
    if columns is None:
        raise ImportRefused(_l("The file is empty."))
    if not rows:
        raise ImportRefused(_l("The file has a header line but no people."))
    return rows, encoding, separator


# ---- deciding --------------------------------------------------------------------------------


def _chunks(items: list, size: int = QUERY_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _users_by_email(emails: Iterable[str]) -> dict[str, User]:
    users: dict[str, User] = {}
    for chunk in _chunks(sorted(set(emails))):
        query = select(User).where(User.email.in_(chunk)).options(selectinload(User.memberships))
        users.update((user.email, user) for user in db.session.scalars(query))
    return users


def _is_valid_email(email: str) -> bool:
    if len(email) > MAX_EMAIL_LENGTH:
        return False
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


class _TeamFinder:
    """The organization's teams by name, case-insensitively; an exact spelling wins a tie."""

    def __init__(self, organization: Organization):
        teams = db.session.scalars(select(Team).where(Team.organization_id == organization.id))
        self.by_name: dict[str, list[Team]] = {}
        for team in teams:
            self.by_name.setdefault(team.name.strip().casefold(), []).append(team)

    def find(self, name: str) -> tuple[Team | None, Any]:
        candidates = self.by_name.get(name.casefold(), [])
        exact = [team for team in candidates if team.name == name]
        active = [team for team in candidates if not team.archived]
        if exact:
            team = exact[0]
        elif len(active) == 1:
            team = active[0]
        elif len(active) > 1:
            return None, _l(
                "Several teams are called “%(team)s”; write the name exactly.", team=name
            )
        elif candidates:
            team = candidates[0]
        else:
            return None, _l("No team called “%(team)s” in this organization.", team=name)
        if team.archived:
            return None, _l("The team “%(team)s” is archived.", team=team.name)
        return team, None


def parse_import(data: bytes, organization: Organization) -> ImportPreview:
    """What importing the file would do, row by row. Reads only; nothing is written."""
    rows, encoding, separator = read_rows(data)
    teams = _TeamFinder(organization)
    users = _users_by_email(row.email for row in rows if row.email)
    first_line_of: dict[tuple[str, int | str], int] = {}
    name_of: dict[str, tuple[str, int]] = {}
    created: set[str] = set()

    for row in rows:
        if not row.name:
            row.refuse(_l("The name is missing."))
        elif len(row.name) > MAX_NAME_LENGTH:
            row.refuse(_l("The name is longer than 200 characters."))
        if not row.email:
            row.refuse(_l("The email address is missing."))
        elif not _is_valid_email(row.email):
            row.refuse(_l("“%(email)s” is not a valid email address.", email=row.email))
        if not row.team_name:
            row.refuse(_l("The team is missing."))
        else:
            team, reason = teams.find(row.team_name)
            if team is None:
                row.refuse(reason)
            else:
                row.team_id = team.id
        role_text = row.role_text.casefold()
        row.role = ROLE_NAMES.get(role_text) if role_text else TeamRole.MEMBER
        if row.role is None:
            row.refuse(
                _l(
                    "Unknown role “%(role)s”: write member or supervisor "
                    "(jäsen or esihenkilö, medlem or chef).",
                    role=row.role_text,
                )
            )

        if row.language_text:
            row.language = LANGUAGE_NAMES.get(row.language_text.casefold())
            if row.language is None:
                row.refuse(
                    _l(
                        "Unknown language “%(language)s”: write fi, sv or en "
                        "(suomi, svenska or English).",
                        language=row.language_text,
                    )
                )

        user = users.get(row.email)
        if user is not None and user.organization_id != organization.id:
            row.refuse(_l("This email belongs to a user of another organization."))
        if row.email:
            key = (row.email, row.team_id or row.team_name.casefold())
            if key in first_line_of:
                row.refuse(_l("Same email and team as line %(line)d.", line=first_line_of[key]))
            else:
                first_line_of[key] = row.line
            if row.name:
                first_name, first_line = name_of.setdefault(row.email, (row.name, row.line))
                if first_name.casefold() != row.name.casefold():
                    row.refuse(
                        _l(
                            "Line %(line)d gives this email the name “%(name)s”.",
                            line=first_line,
                            name=first_name,
                        )
                    )

        if row.reasons:
            row.decision = Decision.REFUSED
        elif user is None:
            row.decision = Decision.ADD if row.email in created else Decision.CREATE
            created.add(row.email)
        else:
            row.user_id = user.id
            membership = next((m for m in user.memberships if m.team_id == row.team_id), None)
            if membership is None:
                row.decision = Decision.ADD
            elif membership.role != row.role:
                row.decision = Decision.CHANGE
                row.membership_id = membership.id
                row.old_role = membership.role
            else:
                row.decision = Decision.UNCHANGED
    return ImportPreview(organization.id, encoding, separator, rows)


# ---- writing ---------------------------------------------------------------------------------


def unusable_password_hash() -> str:
    """A hash of a secret no one knows: the person sets a password through a one-time link.

    The secret has 256 random bits, so stretching it protects nothing; scrypt would cost
    a quarter of a second per user, minutes for a large file.
    """
    return generate_password_hash(secrets.token_urlsafe(32), method="pbkdf2:sha256:1")


def apply_import(actor: User, organization: Organization, preview: ImportPreview) -> ImportSummary:
    """Write the preview's changes and their audit events in one transaction; all or nothing."""
    if preview.organization_id != organization.id:
        raise ValueError("the preview is of another organization")
    if preview.refused_rows:
        raise ImportRefused(
            _l("%(count)d rows are refused; nothing was imported.", count=len(preview.refused_rows))
        )
    summary = ImportSummary()
    try:
        new_users: dict[str, User] = {}
        for row in preview.rows:
            if row.decision == Decision.CREATE:
                user = User(
                    organization_id=organization.id,
                    name=row.name,
                    email=row.email,
                    password_hash=unusable_password_hash(),
                    language=row.language,
                )
                db.session.add(user)
                new_users[row.email] = user
        db.session.flush()
        for user in new_users.values():
            record_admin_event(
                actor,
                EventKind.CREATED,
                "user",
                user.id,
                organization.id,
                email=user.email,
                source="import",
            )
        summary.users_created = len(new_users)
        summary.created_user_ids = [user.id for user in new_users.values()]

        changed_ids = [row.membership_id for row in preview.rows if row.decision == Decision.CHANGE]
        memberships: dict[int | None, Membership] = {}  # by the rows' membership_id
        for chunk in _chunks(changed_ids):
            query = select(Membership).where(Membership.id.in_(chunk))
            memberships.update((m.id, m) for m in db.session.scalars(query))

        for row in preview.rows:
            if row.team_id is None or row.role is None:
                continue  # refused: no team or no role to import
            if row.decision in (Decision.CREATE, Decision.ADD):
                user_id = new_users[row.email].id if row.user_id is None else row.user_id
                db.session.add(Membership(user_id=user_id, team_id=row.team_id, role=row.role))
                record_admin_event(
                    actor,
                    EventKind.MEMBER_ADDED,
                    "team",
                    row.team_id,
                    organization.id,
                    row.team_id,
                    user_id=user_id,
                    role=row.role.value,
                    source="import",
                )
                summary.memberships_added += 1
            elif row.decision == Decision.CHANGE:
                membership = memberships.get(row.membership_id)
                if membership is None or membership.role != row.old_role:
                    raise ImportConflict(row.line)
                membership.role = row.role
                record_admin_event(
                    actor,
                    EventKind.ROLE_CHANGED,
                    "team",
                    row.team_id,
                    organization.id,
                    row.team_id,
                    user_id=row.user_id,
                    role=row.role.value,
                    source="import",
                )
                summary.roles_changed += 1
        db.session.flush()
    except IntegrityError as error:
        # Another request created one of these users or memberships since the preview.
        db.session.rollback()
        raise ImportConflict(str(error.orig)) from error
    except BaseException:
        # Nothing of the import stays, also for the page that answers the refusal and reads
        # the organization's people again.
        db.session.rollback()
        raise
    return summary
