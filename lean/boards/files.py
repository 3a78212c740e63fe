"""A card's photos and documents, and its cover: the reads and the changes, each change
recording its Event on the card.

The files go through the same checks and shrinking as a kaizen's (lean/shared/uploads.py).
A file written for a change goes again when the change is rolled back; a removed file's goes
only once its removal is committed. Cards are archived, never deleted, so their files stay
with them as long as the card does.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select, update

from lean.core.extensions import db
from lean.models import Attachment, Improvement, User
from lean.shared.events import EventKind, record_event
from lean.shared.uploads import (
    CheckedUpload,
    files_kept_only_with_the_change,
    new_attachment,
    remove_after_commit,
    stored_names,
)


class TooManyFiles(Exception):
    """The card already has as many files as a card may carry."""


class NotAPhoto(Exception):
    """Only a photo can be a card's cover."""


def card_files(improvement: Improvement) -> list[Attachment]:
    """The card's files in the order they were added (one statement)."""
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.improvement_id == improvement.id)
            .order_by(Attachment.id)
        )
    )


def files_limit() -> int:
    return current_app.config["CARD_FILES_MAX"]


def has_room(improvement: Improvement) -> bool:
    """Whether one more file may join the card."""
    count = db.session.scalar(
        select(func.count()).where(Attachment.improvement_id == improvement.id)
    )
    return (count or 0) < files_limit()


def add_card_file(actor: User, improvement: Improvement, upload: CheckedUpload) -> Attachment:
    """Store a checked file on the card; raise TooManyFiles when it is full, FilesNotStored
    when the upload folder refuses it."""
    _lock_card(improvement)
    if not has_room(improvement):
        raise TooManyFiles()
    with files_kept_only_with_the_change() as written:
        attachment = new_attachment(upload, written)
        attachment.improvement_id = improvement.id
        db.session.add(attachment)
        db.session.flush()
        record_event(
            actor,
            EventKind.FILE_ADDED,
            improvement,
            attachment_id=attachment.id,
            name=attachment.original_name,
            photo=attachment.is_image,
        )
    return attachment


def remove_card_file(actor: User, attachment: Attachment) -> None:
    """Remove a file from its card; its file on disk goes once the removal is committed."""
    improvement = _card_of(attachment)
    record_event(
        actor,
        EventKind.FILE_REMOVED,
        improvement,
        attachment_id=attachment.id,
        name=attachment.original_name,
        photo=attachment.is_image,
        cover=attachment.is_cover,
    )
    db.session.delete(attachment)
    remove_after_commit(stored_names([attachment]))


def describe_card_file(actor: User, attachment: Attachment, description: str) -> bool:
    """Give a file its new description (a photo's alt text); False when it was that already."""
    description = description.strip()
    if attachment.description == description:
        return False
    attachment.description = description
    record_event(
        actor,
        EventKind.FILE_DESCRIBED,
        _card_of(attachment),
        attachment_id=attachment.id,
        name=attachment.original_name,
        photo=attachment.is_image,
        description=description,
    )
    return True


def set_cover(actor: User, attachment: Attachment, cover: bool) -> bool:
    """Make a photo the card's cover (any other cover of the card stops being one), or stop it
    being the cover; False when it already was as asked."""
    improvement = _card_of(attachment)
    if cover and not attachment.is_image:
        raise NotAPhoto()
    # Two people choosing covers at once take turns, so the card ends with one.
    _lock_card(improvement)
    db.session.refresh(attachment)
    if attachment.is_cover == cover:
        return False
    # The old cover stops being one before the new one starts: the database keeps one cover
    # per card (a unique index), checked row by row within a statement.
    db.session.execute(
        update(Attachment)
        .where(Attachment.improvement_id == improvement.id, Attachment.is_cover.is_(True))
        .values(is_cover=False)
        .execution_options(synchronize_session="fetch")
    )
    if cover:
        db.session.execute(
            update(Attachment)
            .where(Attachment.id == attachment.id)
            .values(is_cover=True)
            .execution_options(synchronize_session="fetch")
        )
    record_event(
        actor,
        EventKind.COVER_CHANGED,
        improvement,
        attachment_id=attachment.id,
        name=attachment.original_name,
        cover=cover,
    )
    return True


def _card_of(attachment: Attachment) -> Improvement:
    if attachment.improvement is None:
        raise ValueError("not a card's file")
    return attachment.improvement


def _lock_card(improvement: Improvement) -> None:
    """Serialize the changes of one card's files (PostgreSQL; SQLite's write lock already
    does): its count of files and its one cover."""
    db.session.execute(
        select(Improvement.id).where(Improvement.id == improvement.id).with_for_update()
    )
