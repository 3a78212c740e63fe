"""Changes to kaizens, one function per change, each recording its Event.

The request (or command) commits once at its end (lean/core/unit_of_work.py); files follow
the change's fate: a file written for it goes again when it is rolled back, a file it frees
goes only once it is committed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lean.boards.services import create_improvement
from lean.core import unit_of_work
from lean.core.extensions import db
from lean.kaizen.uploads import CheckedUpload, remove_stored, store_upload
from lean.models import Attachment, Improvement, KaizenEntry, Stage, Team, Theme, User
from lean.models.base import utcnow
from lean.shared.conflicts import EditConflict
from lean.shared.events import EventKind, jsonable, record_event

EDITABLE_FIELDS = (
    "title",
    "before",
    "after",
    "effect",
    "theme_id",
    "hours_saved_per_month",
    "done_on",
)


def log_kaizen(
    actor: User,
    team: Team,
    *,
    title: str,
    before: str,
    after: str,
    theme: Theme,
    effect: str | None = "",
    hours_saved_per_month: Decimal | None = None,
    done_on: date | None = None,
    uploads: Sequence[CheckedUpload] = (),
) -> KaizenEntry:
    entry = KaizenEntry(
        team=team,
        author=actor,
        title=title.strip(),
        before=before.strip(),
        after=after.strip(),
        effect=(effect or "").strip(),
        theme=theme,
        hours_saved_per_month=hours_saved_per_month,
        done_on=done_on or utcnow().date(),
    )
    db.session.add(entry)
    db.session.flush()
    with _files_kept_only_with_the_change() as written:
        for upload in uploads:
            _attach(entry, upload, written)
        record_event(actor, EventKind.CREATED, entry, attachments=len(uploads))
    return entry


def update_kaizen(
    actor: User,
    entry: KaizenEntry,
    expected_version: int,
    changes: dict[str, Any],
    *,
    uploads: Sequence[CheckedUpload] = (),
    remove_attachment_ids: AbstractSet[int] = frozenset(),
    descriptions: dict[int, str] | None = None,
) -> None:
    """Save an edit; raise EditConflict when someone saved the entry after the form was loaded.

    `descriptions` gives kept attachments their new description (alt text), by id."""
    if entry.version != expected_version:
        raise EditConflict(entry)
    changed = {}
    for name in EDITABLE_FIELDS:
        if name in changes and getattr(entry, name) != changes[name]:
            changed[name] = [jsonable(getattr(entry, name)), jsonable(changes[name])]
            setattr(entry, name, changes[name])
    removed = [a for a in entry.attachments if a.id in remove_attachment_ids]
    described = []
    for attachment in entry.attachments:
        text = (descriptions or {}).get(attachment.id)
        if attachment not in removed and text is not None and text != attachment.description:
            attachment.description = text
            described.append(attachment.original_name)
    with _files_kept_only_with_the_change() as written:
        for attachment in removed:
            entry.attachments.remove(attachment)
        for upload in uploads:
            _attach(entry, upload, written)
        if not (changed or removed or uploads or described):
            return
        entry.updated_at = utcnow()  # an attachment-only change still bumps the version
        record_event(
            actor,
            EventKind.EDITED,
            entry,
            fields=changed,
            added=[u.download_name for u in uploads],
            removed=[a.original_name for a in removed],
            described=described,
        )
    freed = [name for a in removed for name in (a.stored_name, a.thumbnail_name)]
    unit_of_work.after_commit(lambda: remove_stored(*freed))


def delete_kaizen(actor: User, entry: KaizenEntry) -> None:
    """Hide the entry; a supervisor can restore it within the recovery period."""
    entry.deleted_at = utcnow()
    record_event(actor, EventKind.DELETED, entry)


def restore_kaizen(actor: User, entry: KaizenEntry) -> None:
    entry.deleted_at = None
    record_event(actor, EventKind.RESTORED, entry)


def recovery_deadline():
    """Entries deleted before this moment can no longer be restored."""
    return utcnow() - timedelta(days=current_app.config["KAIZEN_RECOVERY_DAYS"])


def purge_deleted_kaizens() -> int:
    """Remove for good the entries deleted before the recovery deadline, and their files.

    Their 'deleted' events stay in the history; the text and the photos do not, because a
    deleted kaizen must not be kept longer than the promised recovery period.
    """
    expired = db.session.scalars(
        select(KaizenEntry)
        .where(KaizenEntry.deleted_at < recovery_deadline())
        .options(selectinload(KaizenEntry.attachments), selectinload(KaizenEntry.team))
    ).all()
    files = [
        name
        for entry in expired
        for attachment in entry.attachments
        for name in (attachment.stored_name, attachment.thumbnail_name)
    ]
    for entry in expired:
        record_event(None, EventKind.PURGED, entry)
        for attachment in entry.attachments:
            db.session.delete(attachment)
        db.session.delete(entry)
    # Files go only once the rows are gone: a failed commit leaves both in place.
    unit_of_work.after_commit(lambda: remove_stored(*files))
    return len(expired)


# The names store_upload gives files: a uuid4 in hex, a thumbnail's with "-thumb".
STORED_NAME = re.compile(r"[0-9a-f]{32}(-thumb)?")


def remove_orphaned_files(older_than: timedelta = timedelta(hours=1)) -> int:
    """Remove stored files that no attachment names, left by a worker killed between writing
    them and its commit (nothing else leaves one); files younger than `older_than` may belong
    to a request still running and stay."""
    referenced: set[str | None] = set()
    for stored_name, thumbnail_name in db.session.execute(
        select(Attachment.stored_name, Attachment.thumbnail_name)
    ):
        referenced.update((stored_name, thumbnail_name))
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    if not folder.is_dir():
        return 0
    cutoff = (utcnow() - older_than).timestamp()
    orphans = [
        path.name
        for path in folder.iterdir()
        if STORED_NAME.fullmatch(path.name)
        and path.name not in referenced
        and path.stat().st_mtime < cutoff
    ]
    remove_stored(*orphans)
    return len(orphans)


def promote_kaizen(actor: User, entry: KaizenEntry) -> Improvement:
    """It was bigger than it looked: a new card in Plan with the kaizen's text, linked both ways."""
    improvement = create_improvement(
        actor,
        entry.team,
        title=entry.title,
        theme=entry.theme,
        stage=Stage.PLAN,
        problem=entry.before,
        what_was_tried=entry.after,
        expected_effect=entry.effect,
        hours_saved_per_month=entry.hours_saved_per_month,
    )
    entry.promoted_to = improvement
    record_event(actor, EventKind.PROMOTED, entry, improvement_id=improvement.id)
    return improvement


def _attach(entry: KaizenEntry, upload: CheckedUpload, written: list[str]) -> None:
    stored_name, thumbnail_name = store_upload(upload, written)
    entry.attachments.append(
        Attachment(
            original_name=upload.download_name,
            description=upload.description,
            stored_name=stored_name,
            thumbnail_name=thumbnail_name,
            content_type=upload.content_type,
            size=len(upload.data),
        )
    )


class FilesNotStored(Exception):
    """The upload folder refused a file (full, read-only, gone): nothing was saved."""


@contextmanager
def _files_kept_only_with_the_change() -> Iterator[list[str]]:
    """Files written inside the block are deleted again if the change is not kept.

    Whatever fails — writing a file (a full disk, a read-only folder), the database, the
    request's commit — the transaction is rolled back and every file begun is removed with
    it, so no file is left without its row nor a row without its file. A failed write
    becomes FilesNotStored, for the view to tell the user; other errors go on as they were.
    """
    written: list[str] = []
    unit_of_work.after_rollback(lambda: remove_stored(*written))
    try:
        yield written
    except OSError as error:
        # Rolled back before the view answers, so its page does not show the unsaved entry.
        db.session.rollback()
        raise FilesNotStored() from error
