"""The demo's card files: a card in Do carries a photo, its cover on the board, and a PDF, so
the card page and the board show them. Written as a day after the card entered its stage, so
that they are no change since the team's last stand-up."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select, update

from lean.boards import files
from lean.core.extensions import db
from lean.models import Event, Improvement, Stage, Team
from lean.models.base import utcnow
from lean.shared.uploads import PDF_TYPE, CheckedUpload

PHOTO_DESCRIPTION = "Jonotusnumerolaite palvelupisteen ovella"
# The smallest PDF a reader opens: one empty page.
ONE_PAGE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _photo() -> bytes:
    """A drawn stand-in for a photo: a ticket machine on a wall."""
    picture = Image.new("RGB", (1200, 900), (214, 222, 230))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 640, 1200, 900), fill=(120, 128, 138))
    draw.rectangle((470, 180, 730, 640), fill=(11, 92, 173))
    draw.rectangle((510, 230, 690, 330), fill=(240, 240, 240))
    draw.ellipse((560, 400, 640, 480), fill=(245, 163, 0))
    draw.rectangle((540, 540, 660, 560), fill=(27, 31, 36))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def seed_files_demo(team: Team) -> None:
    card = db.session.scalar(
        select(Improvement)
        .where(Improvement.team_id == team.id, Improvement.stage == Stage.DO.value)
        .order_by(Improvement.position, Improvement.id)
        .limit(1)
    )
    if card is None:
        return
    actor = card.owner or card.created_by
    if actor is None:
        return
    # Drawn here without metadata and small enough: stored as it is, its thumbnail made.
    photo = files.add_card_file(
        actor,
        card,
        CheckedUpload(
            "jonotusnumerolaite.jpg", _photo(), "image/jpeg", description=PHOTO_DESCRIPTION
        ),
    )
    files.add_card_file(
        actor, card, CheckedUpload("Asiakasohje.pdf", ONE_PAGE_PDF, PDF_TYPE, description="")
    )
    files.set_cover(actor, photo, True)
    entered = card.stage_entered_at or card.created_at
    moment = min(entered + timedelta(days=1), utcnow() - timedelta(hours=1))
    db.session.execute(
        update(Event)
        .where(
            Event.subject_type == "improvement",
            Event.subject_id == card.id,
            Event.kind.in_(("file_added", "cover_changed")),
        )
        .values(at=moment)
    )
    db.session.expire_all()
