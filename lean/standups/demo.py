"""Stand-ups of the demo network: a weekly rhythm, a past stand-up and an open question."""

from datetime import time, timedelta

from sqlalchemy import select

from lean.core.extensions import db
from lean.models import (
    Escalation,
    Improvement,
    Membership,
    Standup,
    StandupAttendee,
    StandupItem,
    Team,
    TeamRole,
)
from lean.models.base import utcnow


def seed_standups_demo(team: Team) -> None:
    """The team meets on Mondays and Thursdays at 9:00; last week's stand-up is on record,
    and one of its questions still waits for the coordinators."""
    team.standup_weekdays = "1,4"
    team.standup_time = time(9, 0)
    team.standup_minutes = 15
    memberships = db.session.scalars(select(Membership).where(Membership.team_id == team.id)).all()
    leader = next((m.user for m in memberships if m.role == TeamRole.SUPERVISOR), None)
    cards = db.session.scalars(
        select(Improvement)
        .where(Improvement.team_id == team.id, Improvement.stage.in_(("plan", "do", "check")))
        .order_by(Improvement.id)
        .limit(3)
    ).all()
    started = utcnow() - timedelta(days=6, hours=1)
    standup = Standup(
        team_id=team.id,
        led_by_id=leader.id if leader else None,
        started_at=started,
        finished_at=started + timedelta(minutes=14),
        planned_minutes=15,
        guests="Opintopalvelupäällikkö",
        note="Käytiin läpi estetyt ja myöhässä olevat kortit.",
        plus="Pysyttiin aikataulussa.",
        delta="Uudet ideat ehditään käydä läpi vain nopeasti.",
    )
    db.session.add(standup)
    db.session.flush()
    for membership in memberships:
        db.session.add(StandupAttendee(standup_id=standup.id, user_id=membership.user_id))
    decisions = ["Jatketaan kokeilua kaksi viikkoa.", "", "Pyydetään päätös rahoituksesta."]
    for position, (card, decision) in enumerate(zip(cards, decisions, strict=False), start=1):
        db.session.add(
            StandupItem(
                standup_id=standup.id,
                improvement_id=card.id,
                reason="aged" if position == 1 else "changed",
                position=position,
                reviewed_at=started + timedelta(minutes=3 * position),
                decision=decision,
            )
        )
    if cards:
        db.session.add(
            Escalation(
                improvement_id=cards[-1].id,
                team_id=team.id,
                standup_id=standup.id,
                question="Tarvitsemme päätöksen: katetaanko kokeilun kulut kehittämisrahasta?",
                asked_by_id=leader.id if leader else None,
                asked_at=started + timedelta(minutes=10),
            )
        )
