"""Changes to kaizens, one function per change, each recording its Event.

The request (or command) commits once at its end (lean/core/unit_of_work.py); files follow
the change's fate: a file written for it goes again when it is rolled back, a file it frees
goes only once it is committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lean.boards.services import create_improvement
from lean.core.extensions import db
from lean.models import Improvement, KaizenEntry, Stage, Team, Theme, User
from lean.models.base import utcnow
from lean.shared.conflicts import EditConflict
from lean.shared.events import EventKind, jsonable, record_event
from lean.shared.uploads import (
    CheckedUpload,
    files_kept_only_with_the_change,
    new_attachment,
    remove_after_commit,
    stored_names,
)

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
    with files_kept_only_with_the_change() as written:
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
    # A new before or after photo takes the place of the entry's photo of that role.
    replaced_roles = {upload.role for upload in uploads if upload.role}
    removed = [
        a
        for a in entry.attachments
        if a.id in remove_attachment_ids or (a.role and a.role in replaced_roles)
    ]
    described = []
    for attachment in entry.attachments:
        text = (descriptions or {}).get(attachment.id)
        if attachment not in removed and text is not None and text != attachment.description:
            attachment.description = text
            described.append(attachment.original_name)
    with files_kept_only_with_the_change() as written:
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
    remove_after_commit(stored_names(removed))


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
    files = stored_names(attachment for entry in expired for attachment in entry.attachments)
    for entry in expired:
        record_event(None, EventKind.PURGED, entry)
        for attachment in entry.attachments:
            db.session.delete(attachment)
        db.session.delete(entry)
    # Files go only once the rows are gone: a failed commit leaves both in place.
    remove_after_commit(files)
    return len(expired)


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
    entry.attachments.append(new_attachment(upload, written))
