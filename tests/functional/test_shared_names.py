"""People of another organization see a person's name only where that person shows it to the
network: in the inbox, on "My work" and in the e-mail digest too."""

from __future__ import annotations

import pytest

from lean.a3 import services as a3
from lean.conversation import digests
from lean.core.extensions import db
from lean.models.base import utcnow
from lean.network import services as network_services
from tests.conftest import publish_world_card
from tests.functional.test_links import app, inbox, smtp_server  # noqa: F401  (real SMTP)

HOME = "Järvilaakson koulutuskuntayhtymä"
FOREIGN = "Rannikon ammattiopisto"


@pytest.fixture
def conversation_across_organizations(world):
    """The foreign member coaches the card's A3 and comments on the practice it became; the
    member comments on the A3, so the coach hears of it; the publisher hears of the comment."""
    member, coordinator = world.users["member"], world.users["coordinator"]
    coach = world.users["foreign_member"]
    sheet = a3.start_a3(member, world.improvement)
    a3.name_peer_coach(coordinator, sheet, coach)
    a3.add_comment(member, sheet, "background", "Mitä mieltä olet taustasta?")
    practice = publish_world_card(world)
    network_services.comment_on_practice(coach, practice, "Kokeilimme samaa.")
    return member, coach, coordinator


def test_the_inbox_names_people_of_another_organization_only_as_they_allow(
    world, login, conversation_across_organizations
):
    member, coach, coordinator = conversation_across_organizations
    coach_inbox = login(coach).get("/notifications").get_data(as_text=True)
    assert member.name not in coach_inbox
    assert f"A member of {HOME}" in coach_inbox
    publisher_inbox = login(coordinator).get("/notifications").get_data(as_text=True)
    assert coach.name not in publisher_inbox
    assert f"A member of {FOREIGN}" in publisher_inbox

    # Once the member shows their name to the network, the coach sees it with the organization.
    member.show_name_to_network = True
    db.session.commit()
    coach_inbox = login(coach).get("/notifications").get_data(as_text=True)
    assert f"{member.name} · {HOME}" in coach_inbox


def test_the_digest_names_people_of_another_organization_only_as_they_allow(
    app,  # noqa: F811
    world,
    inbox,  # noqa: F811
    conversation_across_organizations,
):
    member, coach, coordinator = conversation_across_organizations
    coach.language, coach.digest_frequency = "en", "daily"
    coordinator.language, coordinator.digest_frequency = "en", "daily"
    db.session.commit()
    assert digests.send_digests(utcnow()) >= 2
    [to_coach] = inbox.to(coach.email)
    assert member.name not in to_coach.get_content()
    assert f"A member of {HOME}" in to_coach.get_content()
    [to_publisher] = inbox.to(coordinator.email)
    assert coach.name not in to_publisher.get_content()
    assert f"A member of {FOREIGN}" in to_publisher.get_content()
