"""Boards brought over from Microsoft Planner (an Excel export of a plan) and Trello (a board's
JSON export): the file read and checked, its values mapped to stages, themes and people, a
preview of what would be made, and the cards written in one transaction.

read_planner() and read_trello() only read the file; preview() only reads the database;
import_cards() writes every card of a preview, flushing, and the request commits it all or
nothing. A card remembers where it came from (Improvement.import_key), so the same file
imported twice makes no second card.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import time
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Mapping as ReadOnlyMapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from lean.boards.checklists import add_checklist_items
from lean.core.extensions import db
from lean.models import CardComment, FocusArea, Improvement, Stage, Team, Theme, User
from lean.models.base import utcnow
from lean.shared.events import EventKind, record_event
from lean.shared.lookups import active_themes

PLANNER = "planner"
TRELLO = "trello"
SOURCE_NAMES = {PLANNER: "Microsoft Planner", TRELLO: "Trello"}
# An export of a large plan or board stays well under this; the request limit is above it.
MAX_BYTES = 3 * 1024 * 1024
# An .xlsx is a zip: its parts together may not unpack to more than this (a zip bomb).
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_CARDS = 2000
# Rows Planner writes before its header row (plan name, plan id, date exported...).
MAX_PREAMBLE_ROWS = 20
TITLE_LENGTH = 200
ZONE = ZoneInfo("Europe/Helsinki")

PLANNER_COLUMNS = (
    "Task ID",
    "Task Name",
    "Bucket Name",
    "Progress",
    "Priority",
    "Assigned To",
    "Created By",
    "Created Date",
    "Start Date",
    "Due Date",
    "Late",
    "Completed Date",
    "Completed By",
    "Description",
    "Completed Checklist Items",
    "Checklist Items",
    "Labels",
)
PLANNER_REQUIRED = ("Task ID", "Task Name", "Bucket Name", "Progress")
PROGRESS_VALUES = ("Not started", "In progress", "Completed")
COMPLETED = "Completed"
# Stages suggested for a bucket or list by the words of its name (Finnish, Swedish, English).
STAGE_WORDS = (
    (Stage.DONE, ("valmi", "tehty", "klar", "färdig", "done", "complete", "finished")),
    (Stage.ACT, ("vakiin", "standard", "act", "etabl")),
    (Stage.CHECK, ("tarkist", "arvioi", "kontroll", "check", "review", "granska")),
    (Stage.DO, ("työn alla", "tekeillä", "toteut", "käynnissä", "doing", "in progress", "pågår")),
    (Stage.PLAN, ("suunnit", "plan", "to do", "todo", "tehtävä", "att göra", "backlog")),
    (Stage.IDEA, ("idea", "ehdotu", "förslag", "ajatu")),
)
PROGRESS_STAGES = {"Not started": Stage.IDEA, "In progress": Stage.DO, "Completed": Stage.DONE}
STORED_NAME = re.compile(r"\A[0-9a-f]{32}\.(xlsx|json)\Z")
# A stored upload nobody confirmed is removed after this long.
STORED_FOR = timedelta(days=1)


class ImportRefused(ValueError):
    """The file cannot be read as an export at all; the message tells the user why."""


@dataclass
class ImportedComment:
    author: str
    body: str
    at: datetime | None


@dataclass
class ImportedCard:
    """One task or card as the file has it, with why it is refused if it is."""

    key: str
    line: str
    title: str
    description: str = ""
    bucket: str = ""
    progress: str = ""
    priority: str = ""
    labels: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    created: datetime | None = None
    started: date | None = None
    due: date | None = None
    completed: datetime | None = None
    checklist: list[tuple[str, bool]] = field(default_factory=list)
    comments: list[ImportedComment] = field(default_factory=list)
    refused: str = ""


@dataclass
class ImportFile:
    """What an export holds: its cards and the distinct values that need mapping."""

    source: str
    name: str
    cards: list[ImportedCard]

    @property
    def source_name(self) -> str:
        return SOURCE_NAMES[self.source]

    @property
    def buckets(self) -> list[str]:
        return _distinct(card.bucket for card in self.cards if not card.refused)

    @property
    def labels(self) -> list[str]:
        return _distinct(label for card in self.cards if not card.refused for label in card.labels)

    @property
    def people(self) -> list[str]:
        return _distinct(
            [name for card in self.cards if not card.refused for name in card.assignees]
            + [
                comment.author
                for card in self.cards
                if not card.refused
                for comment in card.comments
            ]
        )


def _distinct(values) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


# ---- reading the files -------------------------------------------------------------------


def read_upload(data: bytes, filename: str) -> ImportFile:
    """An uploaded export, told apart by its content: a workbook is Planner's, JSON Trello's."""
    if not data:
        raise ImportRefused(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("The file is larger than 3 MB; export a smaller plan or board."))
    if data.startswith(b"PK\x03\x04"):
        return read_planner(data)
    if data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"{":  # maybe after a BOM
        return read_trello(data)
    raise ImportRefused(
        _(
            "%(name)s is neither a Planner export (.xlsx) nor a Trello export (.json).",
            name=filename or _("The file"),
        )
    )


def read_planner(data: bytes) -> ImportFile:
    """A Planner plan exported to Excel: preamble rows, then the header row, then a task a row."""
    import openpyxl  # only imports need it

    not_a_workbook = ImportRefused(_("The file is not an Excel workbook that can be read."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(part.file_size for part in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise not_a_workbook
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportRefused:
        raise
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise not_a_workbook from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        plan_name, header = "", None
        for _number, row in zip(range(MAX_PREAMBLE_ROWS), rows, strict=False):
            cells = [_text(value) for value in row]
            if "Task ID" in cells and "Task Name" in cells:
                header = cells
                break
            if len(cells) > 1 and cells[0] in ("Plan name", "Plan Name") and not plan_name:
                plan_name = cells[1]
        if header is None:
            raise ImportRefused(
                _(
                    "The workbook has no header row with Task ID and Task Name: "
                    "is it a Planner export?"
                )
            )
        missing = [name for name in PLANNER_REQUIRED if name not in header]
        if missing:
            raise ImportRefused(
                _("The header row has no column %(names)s.", names=", ".join(missing))
            )
        columns = {name: header.index(name) for name in PLANNER_COLUMNS if name in header}
        header_line = _number + 1
        cards: list[ImportedCard] = []
        seen: dict[str, str] = {}
        for line, row in enumerate(rows, start=header_line + 1):
            values = {name: _cell(row, index) for name, index in columns.items()}
            if not any(_text(value) for value in values.values()):
                continue
            if len(cards) >= MAX_CARDS:
                raise ImportRefused(_("The file has more than %(count)d tasks.", count=MAX_CARDS))
            cards.append(_planner_card(values, str(line), seen))
    except ImportRefused:
        raise
    except Exception as error:
        raise not_a_workbook from error
    finally:
        workbook.close()
    if not cards:
        raise ImportRefused(_("The file has no tasks."))
    return ImportFile(PLANNER, plan_name, cards)


def _planner_card(values: dict[str, Any], line: str, seen: dict[str, str]) -> ImportedCard:
    task_id = _text(values.get("Task ID"))
    card = ImportedCard(
        key=f"{PLANNER}:{task_id}"[:100],
        line=line,
        title=_text(values.get("Task Name"))[:TITLE_LENGTH],
        description=_text(values.get("Description"), keep_lines=True),
        bucket=_text(values.get("Bucket Name")),
        progress=_text(values.get("Progress")),
        priority=_text(values.get("Priority")),
        labels=_list(values.get("Labels")),
        assignees=_list(values.get("Assigned To")),
    )
    completed_items = _list(values.get("Completed Checklist Items"))
    items = _list(values.get("Checklist Items"))
    if len(completed_items) == 1 and re.fullmatch(r"\d+/\d+", completed_items[0]):
        completed_items = []  # some exports count the ticked items instead of naming them
    card.checklist = [(item, item in completed_items) for item in items] + [
        (item, True) for item in completed_items if item not in items
    ]
    if not task_id:
        card.refused = _("It has no Task ID.")
    elif task_id in seen:
        card.refused = _("Its Task ID is the same as on line %(line)s.", line=seen[task_id])
    elif not card.title:
        card.refused = _("It has no task name.")
    elif not card.bucket:
        card.refused = _("It has no bucket.")
    seen.setdefault(task_id, line)
    for name, attribute in (
        ("Created Date", "created"),
        ("Start Date", "started"),
        ("Due Date", "due"),
        ("Completed Date", "completed"),
    ):
        raw = values.get(name)
        day = _day(raw)
        if day is None and _text(raw):
            card.refused = card.refused or _(
                "Its %(column)s “%(value)s” is not a date.", column=name, value=_text(raw)
            )
            continue
        if day is None:
            continue
        setattr(
            card, attribute, _moment(day) if attribute in ("created", "completed") else _date(day)
        )
    return card


def read_trello(data: bytes) -> ImportFile:
    """A Trello board exported as JSON: its lists, cards, checklists, members and comments."""
    try:
        board = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ImportRefused(_("The file is not JSON that can be read.")) from error
    if (
        not isinstance(board, dict)
        or not isinstance(board.get("cards"), list)
        or not isinstance(board.get("lists"), list)
    ):
        raise ImportRefused(
            _("The JSON file is not a Trello board export: it has no lists and cards.")
        )
    if len(board["cards"]) > MAX_CARDS:
        raise ImportRefused(_("The file has more than %(count)d cards.", count=MAX_CARDS))
    lists = {
        item.get("id"): _text(item.get("name")) for item in board["lists"] if isinstance(item, dict)
    }
    members = {
        item.get("id"): _text(item.get("fullName") or item.get("username"))
        for item in _objects(board.get("members"))
    }
    checklists: dict[str, list[tuple[float, list[tuple[str, bool]]]]] = {}
    for checklist in _objects(board.get("checklists")):
        items = sorted(_objects(checklist.get("checkItems")), key=_position)
        checklists.setdefault(_text(checklist.get("idCard")), []).append(
            (
                _position(checklist),
                [
                    (_text(item.get("name")), item.get("state") == "complete")
                    for item in items
                    if _text(item.get("name"))
                ],
            )
        )
    comments: dict[str, list[ImportedComment]] = {}
    for action in _objects(board.get("actions")):
        if action.get("type") != "commentCard" or not isinstance(action.get("data"), dict):
            continue
        about = action["data"]
        card_id = _text((about.get("card") or {}).get("id"))
        writer = action.get("memberCreator") or {}
        author = _text(writer.get("fullName") or writer.get("username")) or members.get(
            action.get("idMemberCreator"), ""
        )
        body = _text(about.get("text"), keep_lines=True)
        if card_id and body:
            comments.setdefault(card_id, []).append(
                ImportedComment(author or "Trello", body, _instant(action.get("date")))
            )
    cards = []
    for number, item in enumerate(_objects(board["cards"]), start=1):
        card_id = _text(item.get("id"))
        card = ImportedCard(
            key=f"{TRELLO}:{card_id}"[:100],
            line=str(number),
            title=_text(item.get("name"))[:TITLE_LENGTH],
            description=_text(item.get("desc"), keep_lines=True),
            bucket=lists.get(item.get("idList"), ""),
            labels=_distinct(
                _text(label.get("name") or label.get("color"))
                for label in _objects(item.get("labels"))
            ),
            assignees=_distinct(members.get(member, "") for member in item.get("idMembers") or []),
            created=_created_from_id(card_id),
            due=_date(_instant(item.get("due"))),
            completed=_instant(item.get("dateLastActivity")),
            checklist=[
                entry
                for _order, entries in sorted(checklists.get(card_id, []), key=lambda c: c[0])
                for entry in entries
            ],
            comments=sorted(
                comments.get(card_id, []), key=lambda c: c.at or datetime.min.replace(tzinfo=UTC)
            ),
        )
        if not card_id:
            card.refused = _("It has no id.")
        elif item.get("closed"):
            card.refused = _("It is archived in Trello.")
        elif not card.title:
            card.refused = _("It has no name.")
        elif not card.bucket:
            card.refused = _("Its list is not in the file.")
        cards.append(card)
    if not cards:
        raise ImportRefused(_("The file has no cards."))
    return ImportFile(TRELLO, _text(board.get("name")), cards)


def _objects(value) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _position(item: dict) -> float:
    value = item.get("pos")
    return float(value) if isinstance(value, int | float) else 0.0


def _text(value: Any, keep_lines: bool = False) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    if keep_lines:
        return "\n".join(line.rstrip() for line in text.strip().splitlines())
    return " ".join(text.split())


def _list(value: Any) -> list[str]:
    return _distinct(_text(part) for part in _text(value).split(";"))


def _cell(row: tuple, index: int) -> Any:
    return row[index] if index < len(row) else None


def _day(value: Any) -> date | datetime | None:
    """A date of a Planner cell: Excel's own, or text as Planner writes it in its locales."""
    if isinstance(value, datetime | date):
        return value
    text = _text(value)
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(ZONE).date() if value.tzinfo else value.date()
    return value


def _moment(day: date | datetime) -> datetime:
    """A day of the file as a moment: nine in the morning in Finland."""
    if isinstance(day, datetime):
        return day.replace(tzinfo=ZONE).astimezone(UTC) if day.tzinfo is None else day
    return datetime.combine(day, time_of_day(9), tzinfo=ZONE).astimezone(UTC)


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _created_from_id(card_id: str) -> datetime | None:
    """Trello's ids begin with the moment they were made, in seconds, as 8 hex digits."""
    if not re.fullmatch(r"[0-9a-f]{24}", card_id):
        return None
    return datetime.fromtimestamp(int(card_id[:8], 16), UTC)


# ---- keeping the upload between the preview and the confirmation -------------------------


def _folder() -> Path:
    folder = Path(
        current_app.config.get("BOARD_IMPORT_FOLDER") or Path(current_app.instance_path) / "imports"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(data: bytes, source: str) -> dict[str, str]:
    """Keep the uploaded file under a random name; the session keeps the name and its hash,
    so the confirmation reads the very file that was previewed, never one the client sends."""
    folder = _folder()
    cutoff = time.time() - STORED_FOR.total_seconds()
    for old in folder.iterdir():
        if STORED_NAME.match(old.name) and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    name = f"{secrets.token_hex(16)}.{'xlsx' if source == PLANNER else 'json'}"
    (folder / name).write_bytes(data)
    return {"file": name, "sha256": hashlib.sha256(data).hexdigest()}


def stored_upload(pending: ReadOnlyMapping[str, Any]) -> bytes | None:
    """The stored file the session names, if it is still there and unchanged."""
    name = str(pending.get("file", ""))
    if not STORED_NAME.match(name):
        return None
    try:
        data = (_folder() / name).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != pending.get("sha256"):
        return None
    return data


def remove_upload(pending: ReadOnlyMapping[str, Any]) -> None:
    name = str(pending.get("file", ""))
    if STORED_NAME.match(name):
        (_folder() / name).unlink(missing_ok=True)


# ---- mapping the file's values -----------------------------------------------------------


@dataclass
class Choices:
    """What the file's values may be mapped to: the active themes and the organization's
    people."""

    themes: list[Theme]
    people: list[User]

    @classmethod
    def of(cls, team: Team) -> Choices:
        people = db.session.scalars(
            select(User)
            .where(
                User.organization_id == team.organization_id,
                User.active.is_(True),
                User.anonymised.is_(False),
            )
            .order_by(User.stored_name, User.id)
        )
        return cls(active_themes(), list(people))

    def theme_value(self, value: str) -> tuple[Theme, FocusArea | None] | None:
        """ "theme-<id>" or "focus-<id>" as the theme (and focus area) it names."""
        kind, _sep, number = value.partition("-")
        for theme in self.themes:
            if kind == "theme" and str(theme.id) == number:
                return theme, None
            for area in theme.focus_areas:
                if kind == "focus" and str(area.id) == number:
                    return theme, area
        return None

    def person(self, value: str) -> User | None:
        return next((person for person in self.people if str(person.id) == value), None)


@dataclass
class Mapping:
    """The importer's choices, as the form's values: by position of each value in the file's
    lists (bucket-3, label-0, person-2), so no name of the file becomes a field's name."""

    stage_by: str = "bucket"
    stages: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)
    default_theme: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def stage_of(self, card: ImportedCard) -> Stage | None:
        if card.progress == COMPLETED and card.completed is not None:
            return Stage.DONE  # a completed task is done, whatever its bucket
        value = self.stages.get(
            f"progress:{card.progress}" if self.stage_by == "progress" else f"bucket:{card.bucket}"
        )
        return Stage(value) if value in {stage.value for stage in Stage} else None


def suggested_mapping(upload: ImportFile, choices: Choices, language: str) -> Mapping:
    """Stages guessed from the buckets' or lists' names, labels from the themes' and focus
    areas' names, people by e-mail or name; what cannot be guessed stays unmapped."""
    mapping = Mapping(default_theme=f"theme-{choices.themes[0].id}" if choices.themes else "")
    for bucket in upload.buckets:
        guess = _stage_for_name(bucket)
        mapping.stages[f"bucket:{bucket}"] = guess.value if guess else ""
    for progress in PROGRESS_VALUES:
        mapping.stages[f"progress:{progress}"] = PROGRESS_STAGES[progress].value
    for label in upload.labels:
        mapping.labels[label] = _theme_for_name(label, choices)
    for name in upload.people:
        person = _person_for_name(name, choices)
        mapping.people[name] = str(person.id) if person else ""
    return mapping


def read_mapping(form: ReadOnlyMapping[str, str], upload: ImportFile, choices: Choices) -> Mapping:
    """The mapping the preview's form sent, each value checked against what it may be."""
    mapping = Mapping(stage_by="progress" if form.get("stage_by") == "progress" else "bucket")
    stage_values = {stage.value for stage in Stage}
    if upload.source != PLANNER:
        mapping.stage_by = "bucket"
    for number, bucket in enumerate(upload.buckets):
        value = form.get(f"bucket-{number}", "")
        mapping.stages[f"bucket:{bucket}"] = value if value in stage_values else ""
    for number, progress in enumerate(PROGRESS_VALUES):
        value = form.get(f"progress-{number}", "")
        mapping.stages[f"progress:{progress}"] = value if value in stage_values else ""
    for number, label in enumerate(upload.labels):
        value = form.get(f"label-{number}", "")
        mapping.labels[label] = value if choices.theme_value(value) else ""
    for number, name in enumerate(upload.people):
        value = form.get(f"person-{number}", "")
        mapping.people[name] = value if choices.person(value) else ""
    default = form.get("default_theme", "")
    mapping.default_theme = default if choices.theme_value(default) else ""
    if not mapping.default_theme:
        mapping.errors["default_theme"] = _("Choose the theme of cards without a mapped label.")
    prefix = "progress:" if mapping.stage_by == "progress" else "bucket:"
    if any(not value for key, value in mapping.stages.items() if key.startswith(prefix)):
        mapping.errors["stages"] = _("Choose a stage for each value marked “not mapped”.")
    return mapping


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _stage_for_name(name: str) -> Stage | None:
    folded = _fold(name)
    for stage, words in STAGE_WORDS:
        if any(word in folded for word in words):
            return stage
    return None


def _theme_for_name(label: str, choices: Choices) -> str:
    folded = _fold(label)
    for theme in choices.themes:
        for area in theme.focus_areas:
            if folded in {_fold(area.name_fi), _fold(area.name_sv), _fold(area.name_en)}:
                return f"focus-{area.id}"
        if folded in {_fold(theme.name_fi), _fold(theme.name_sv), _fold(theme.name_en)}:
            return f"theme-{theme.id}"
    return ""


def _person_for_name(name: str, choices: Choices) -> User | None:
    folded = _fold(name)
    if "@" in folded:
        found = [person for person in choices.people if person.email.casefold() == folded]
    else:
        found = [person for person in choices.people if _fold(person.name) == folded]
    return found[0] if len(found) == 1 else None


# ---- the preview -------------------------------------------------------------------------


@dataclass
class Preview:
    """What importing would do: cards per stage, and the rows that are not imported."""

    upload: ImportFile
    mapping: Mapping
    per_stage: Counter[str]
    refused: list[ImportedCard]
    already_imported: int
    # Cards whose bucket, list or progress has no stage yet.
    unmapped: int

    @property
    def to_make(self) -> int:
        return sum(self.per_stage.values())

    @property
    def ready(self) -> bool:
        return not self.mapping.errors and self.to_make > 0


def imported_keys(team: Team, upload: ImportFile) -> set[str]:
    keys = [card.key for card in upload.cards]
    found: set[str] = set()
    for start in range(0, len(keys), 500):  # within every database's bound-parameter limit
        found.update(
            db.session.scalars(
                select(Improvement.import_key).where(
                    Improvement.team_id == team.id,
                    Improvement.import_key.in_(keys[start : start + 500]),
                )
            )
        )
    return found


def preview(team: Team, upload: ImportFile, mapping: Mapping) -> Preview:
    """Counts per stage as mapped; refused rows and those already on the board left out."""
    existing = imported_keys(team, upload)
    per_stage: Counter[str] = Counter()
    unmapped = 0
    for card in upload.cards:
        if card.refused or card.key in existing:
            continue
        stage = mapping.stage_of(card)
        if stage is None:
            unmapped += 1
        else:
            per_stage[stage.value] += 1
    return Preview(
        upload=upload,
        mapping=mapping,
        per_stage=per_stage,
        refused=[card for card in upload.cards if card.refused],
        already_imported=sum(1 for card in upload.cards if card.key in existing),
        unmapped=unmapped,
    )


# ---- writing the cards -------------------------------------------------------------------


class NothingToImport(Exception):
    """Every card of the file is refused, or already on the board."""


def import_cards(actor: User, team: Team, upload: ImportFile, mapping: Mapping) -> int:
    """Write the file's cards onto the team's board as mapped; flush only, the request commits
    them all or none. Cards already imported from the same file are skipped. Returns how many
    were made."""
    db.session.execute(select(Team.id).where(Team.id == team.id).with_for_update())
    choices = Choices.of(team)
    existing = imported_keys(team, upload)
    default = choices.theme_value(mapping.default_theme)
    if default is None:
        raise NothingToImport
    now = utcnow()
    positions: dict[str, int] = {}
    made = 0
    for card in upload.cards:
        stage = mapping.stage_of(card)
        if card.refused or card.key in existing or stage is None:
            continue
        if stage.value not in positions:
            last = db.session.scalar(
                select(func.max(Improvement.position)).where(
                    Improvement.team_id == team.id, Improvement.stage == stage.value
                )
            )
            positions[stage.value] = last or 0
        positions[stage.value] += 1
        _make_card(actor, team, card, stage, positions[stage.value], mapping, choices, default, now)
        existing.add(card.key)
        made += 1
    if not made:
        raise NothingToImport
    db.session.flush()
    return made


def _make_card(
    actor: User,
    team: Team,
    card: ImportedCard,
    stage: Stage,
    position: int,
    mapping: Mapping,
    choices: Choices,
    default: tuple[Theme, FocusArea | None],
    now: datetime,
) -> Improvement:
    theme, area = next(
        (
            found
            for label in card.labels
            if (found := choices.theme_value(mapping.labels.get(label, "")))
        ),
        default,
    )
    owner = next(
        (
            person
            for name in card.assignees
            if (person := choices.person(mapping.people.get(name, "")))
        ),
        None,
    )
    created = min(card.created or now, now)
    improvement = Improvement(
        team=team,
        title=card.title,
        problem=_description(card),
        theme=theme,
        focus_area=area,
        owner=owner,
        created_by=actor,
        created_at=created,
        due_date=card.due,
        position=position,
        import_key=card.key,
    )
    # Stage times from the file's dates where it has them: a done card was completed then,
    # a started one has worked since its start date.
    if stage == Stage.DONE:
        entered = card.completed or now
    elif stage != Stage.IDEA and card.started is not None:
        entered = _moment(card.started)
    else:
        entered = created
    entered = min(max(entered, created), now)
    improvement.enter_stage(stage, entered)
    if stage != Stage.IDEA and card.started is not None:
        improvement.first_started_at = min(max(_moment(card.started), created), entered)
    db.session.add(improvement)
    db.session.flush()
    record_event(
        actor,
        EventKind.IMPORTED,
        improvement,
        source=SOURCE_NAMES[_source_of(card)],
        stage=stage.value,
        created=created,
        assigned=", ".join(card.assignees),
    ).at = now
    items = add_checklist_items(actor, improvement, [text for text, _done in card.checklist])
    ticked = {text for text, done in card.checklist if done}
    for item in items:
        if item.text in ticked:
            # The file says who finished the task, not who ticked each item: its owner here,
            # else the importer.
            item.done = True
            item.done_at = min(card.completed or now, now)
            item.done_by = owner or actor
    for comment in card.comments:
        author = choices.person(mapping.people.get(comment.author, ""))
        db.session.add(
            CardComment(
                improvement=improvement,
                author=author or actor,
                body=comment.body,
                created_at=min(comment.at or now, now),
                original_author="" if author else comment.author[:200],
            )
        )
    return improvement


def _source_of(card: ImportedCard) -> str:
    return card.key.partition(":")[0]


def _description(card: ImportedCard) -> str:
    """The card's description, with its priority and checklist kept as text."""
    parts = [card.description] if card.description else []
    if card.priority:
        parts.append(_("Priority: %(priority)s", priority=card.priority))
    if card.checklist:
        lines = [f"[{'x' if done else ' '}] {text}" for text, done in card.checklist]
        parts.append(_("Checklist:") + "\n" + "\n".join(lines))
    return "\n\n".join(parts)
