"""A Teams channel's webhook (Workflows: "Post to a channel when a webhook request is
received"): the team's stand-up summary, escalations and over-limit moves as Adaptive Cards,
through the same endpoints, deliveries and retries as any webhook."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from lean.boards import services as boards
from lean.core.extensions import db
from lean.models import Stage, StandupItem
from lean.standups import services as standups
from lean.webhooks.services import EndpointValues, create_endpoint
from tests.conftest import make_improvement
from tests.webhook_receiver import Receiver


@pytest.fixture
def receiver(app):
    app.config["WEBHOOK_ALLOWED_HOSTS"] = ("127.0.0.1",)
    with Receiver() as running:
        yield running


def card_of(request) -> dict:
    message = request.json
    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    return card


def texts(card: dict) -> str:
    """Every text of the card's body, facts and actions, as one string."""
    return json.dumps(card, ensure_ascii=False)


def test_a_teams_channel_gets_the_standup_summary_escalations_and_over_limit_moves(world, receiver):
    endpoint, _secret = create_endpoint(
        world.users["coordinator"],
        world.organization,
        EndpointValues(
            "Tiimin kanava",
            receiver.url(),
            "teams",
            world.team.id,
            ["standup_finished", "escalated", "moved"],
        ),
    )
    supervisor = world.users["supervisor"]
    world.team.plan_wip_limit = 1
    db.session.commit()
    other = make_improvement(world.team, supervisor, title="Toinen kortti")
    # A move within the limit is not the channel's business.
    boards.move_improvement(supervisor, other, Stage.PLAN)
    db.session.commit()
    assert receiver.requests == []

    standup, _created = standups.start_standup(supervisor, world.team)
    db.session.commit()
    if (
        db.session.scalar(
            select(StandupItem).where(
                StandupItem.standup_id == standup.id,
                StandupItem.improvement_id == world.improvement.id,
            )
        )
        is None
    ):
        db.session.add(
            StandupItem(
                standup_id=standup.id,
                improvement_id=world.improvement.id,
                reason="new",
                position=9,
                decision="",
            )
        )
    standups.move_card(supervisor, standup, world.improvement, Stage.PLAN, "Asiakas odottaa tätä")
    standups.record_decision(supervisor, standup, world.improvement, "Aino hoitaa perjantaina")
    standups.escalate_card(supervisor, standup, world.improvement, "Saako tähän budjettia?")
    db.session.commit()
    standups.finish_standup(
        supervisor,
        standup,
        standup.version,
        attendee_ids=[supervisor.id],
        guests="",
        note="",
        plus="",
        delta="",
    )
    db.session.commit()

    moved, escalated, summary = (card_of(request) for request in receiver.requests)
    assert "Oma kortti" in texts(moved)
    assert "Asiakas odottaa tätä" in texts(moved)
    assert "Saako tähän budjettia?" in texts(escalated)
    assert f"/improvements/{world.improvement.id}" in texts(escalated)
    summary_text = texts(summary)
    assert "Opintotoimisto" in summary_text
    assert "Aino hoitaa perjantaina" in summary_text
    assert "Saako tähän budjettia?" in summary_text
    # The column over its limit, in the installation's language (Finnish).
    assert "Suunnittele" in summary_text
    assert f"/standups/{standup.id}" in summary["actions"][0]["url"]
    # The same headers as any webhook: a channel ignores them, a relay may check them.
    assert receiver.requests[2].headers["webhook-id"].startswith(f"msg_{endpoint.id}_")
