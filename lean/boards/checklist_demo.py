"""The demo's checklists: a few cards of a team carry the steps of their work, some ticked, so
the card pages and the board's "2/5" show them. Written as a day after each card entered its
stage, so that they are no change since the team's last stand-up."""

from datetime import timedelta

from sqlalchemy import select, update

from lean.boards import checklists
from lean.core.extensions import db
from lean.models import ChecklistItem, Event, Improvement, Stage, Team
from lean.models.base import utcnow

# (stage of the card, its items, how many of them are done)
CHECKLISTS = [
    (
        Stage.PLAN,
        ["Kysy palaute opiskelijoilta", "Kokoa nykytilan luvut", "Sovi mittari ja tavoite"],
        1,
    ),
    (
        Stage.DO,
        [
            "Kokeile uutta käytäntöä kahden viikon ajan",
            "Pidä kirjaa yhteydenotoista",
            "Kerro muutoksesta opiskelijoille",
            "Kokoa kokemukset taulupalaveriin",
            "Päivitä ohje",
        ],
        2,
    ),
    (Stage.CHECK, ["Vertaa tuloksia tavoitteeseen", "Esittele tulokset tiimille"], 2),
]


def seed_checklist_demo(team: Team) -> None:
    for stage, texts, done in CHECKLISTS:
        card = db.session.scalar(
            select(Improvement)
            .where(Improvement.team_id == team.id, Improvement.stage == stage.value)
            .order_by(Improvement.position, Improvement.id)
            .limit(1)
        )
        if card is None:
            continue
        person = card.owner or card.created_by
        if person is None:
            continue
        items = checklists.add_checklist_items(person, card, texts)
        for item in items[:done]:
            checklists.tick_checklist_item(person, item)
        entered = card.stage_entered_at or card.created_at
        moment = min(entered + timedelta(days=1), utcnow() - timedelta(hours=1))
        db.session.execute(
            update(Event)
            .where(
                Event.subject_type == "improvement",
                Event.subject_id == card.id,
                Event.kind.like("checklist%"),
            )
            .values(at=moment)
        )
        db.session.execute(
            update(ChecklistItem)
            .where(ChecklistItem.improvement_id == card.id)
            .values(created_at=moment)
        )
        db.session.execute(
            update(ChecklistItem)
            .where(ChecklistItem.improvement_id == card.id, ChecklistItem.done.is_(True))
            .values(done_at=moment)
        )
    db.session.expire_all()
