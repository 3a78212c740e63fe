"""The organization admin's webhook pages: registering (the secret shown once), the address
refused by the guard, editing, removing, and another organization's endpoint (404)."""

from __future__ import annotations

import re

from sqlalchemy import select
from standardwebhooks import Webhook

from lean.core.extensions import db
from lean.core.keys import decrypt_secret
from lean.models.connect import WebhookEndpoint
from tests.conftest import make_improvement
from tests.webhook_receiver import Receiver


def form(url, **overrides):
    values = {
        "name": "Power Automate",
        "url": url,
        "format": "standard",
        "team_id": "",
        "kinds": ["created", "moved"],
    }
    values.update(overrides)
    return values


def test_registering_shows_the_secret_once_and_it_signs_what_is_sent(app, world, login_as):
    app.config["WEBHOOK_ALLOWED_HOSTS"] = ("127.0.0.1",)
    coordinator = login_as("coordinator")
    organization_page = coordinator.get(f"/admin/organizations/{world.organization.id}")
    assert f"/admin/organizations/{world.organization.id}/webhooks" in organization_page.text
    page = coordinator.get(f"/admin/organizations/{world.organization.id}/webhooks/new")
    assert page.status_code == 200
    assert "Stand-up finished, with its summary" in page.text
    assert "Microsoft Teams channel (Workflows webhook)" in page.text

    with Receiver() as receiver:
        response = coordinator.post(
            f"/admin/organizations/{world.organization.id}/webhooks/new",
            data=form(receiver.url(), team_id=str(world.team.id)),
        )
        assert response.status_code == 200
        endpoint = db.session.scalar(select(WebhookEndpoint))
        secret = decrypt_secret(endpoint.secret_encrypted)
        assert secret.startswith("whsec_")
        assert len(secret) >= len("whsec_") + 32  # base64 of 24 bytes or more
        assert secret in response.text
        assert endpoint.team_id == world.team.id
        assert endpoint.kinds.splitlines() == ["created", "moved"]

        shown_again = coordinator.get(f"/admin/webhooks/{endpoint.id}")
        assert secret not in shown_again.text
        listing = coordinator.get(f"/admin/organizations/{world.organization.id}/webhooks")
        assert "Power Automate" in listing.text and "In use" in listing.text

        make_improvement(world.team, world.users["member"])
        [request] = receiver.requests
        Webhook(secret).verify(request.body, request.headers)


def test_an_address_the_guard_refuses_is_told_and_the_form_keeps_what_was_typed(world, login_as):
    coordinator = login_as("coordinator")
    url = f"/admin/organizations/{world.organization.id}/webhooks/new"
    cases = {
        "http://example.com/hook": "only over https",
        "https://127.0.0.1/hook": "private or local network",
        "https://10.0.0.5/hook": "private or local network",
        "https://169.254.169.254/latest": "private or local network",
        "ftp://example.com/": "starts with https://",
    }
    for address, words in cases.items():
        response = coordinator.post(url, data=form(address, name="Kokeilu"))
        assert response.status_code == 422, address
        assert words in response.text, address
        assert 'value="Kokeilu"' in response.text
        assert address in response.text
    response = coordinator.post(url, data=form("https://hooks.example.com/x", kinds=[]))
    assert response.status_code == 422
    assert "Choose at least one kind of event." in response.text
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_editing_and_removing_an_endpoint(app, world, login_as):
    app.config["WEBHOOK_ALLOWED_HOSTS"] = ("127.0.0.1",)
    coordinator = login_as("coordinator")
    coordinator.post(
        f"/admin/organizations/{world.organization.id}/webhooks/new",
        data=form("http://127.0.0.1:9/hook"),
    )
    endpoint = db.session.scalar(select(WebhookEndpoint))
    page = coordinator.get(f"/admin/webhooks/{endpoint.id}/edit")
    assert 'value="Power Automate"' in page.text
    assert 'id="kind-moved" checked' in page.text
    version = re.search(r'name="version" type="hidden" value="(\w+)"', page.text).group(1)
    response = coordinator.post(
        f"/admin/webhooks/{endpoint.id}/edit",
        data=form(
            "http://127.0.0.1:9/other",
            name="Teams",
            format="teams",
            kinds=["escalated"],
            version=version,
        ),
    )
    assert response.status_code == 303
    db.session.expire_all()
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert (endpoint.name, endpoint.url, endpoint.format, endpoint.kinds) == (
        "Teams",
        "http://127.0.0.1:9/other",
        "teams",
        "escalated",
    )
    assert (
        "Remove the webhook Teams?" in coordinator.get(f"/admin/webhooks/{endpoint.id}/delete").text
    )
    response = coordinator.post(f"/admin/webhooks/{endpoint.id}/delete")
    assert response.status_code == 303
    assert db.session.scalar(select(WebhookEndpoint)) is None
    # Each change is in the audit log, without the address (a Teams one carries a secret).
    audit = coordinator.get("/admin/audit").text
    assert audit.count("saved a webhook") == 2
    assert "removed a webhook" in audit
    assert "127.0.0.1:9" not in audit


def test_another_organizations_endpoint_is_not_found(world, login, login_as):
    from lean.webhooks.services import EndpointValues, create_endpoint
    from tests.conftest import make_user

    foreign_coordinator = make_user(world.foreign_organization, is_coordinator=True)
    endpoint, _secret = create_endpoint(
        foreign_coordinator,
        world.foreign_organization,
        EndpointValues("Vieras", "https://hooks.example.com/", "standard", None, ["created"]),
    )
    db.session.commit()
    coordinator = login_as("coordinator")
    assert coordinator.get(f"/admin/webhooks/{endpoint.id}").status_code == 404
    assert coordinator.post(f"/admin/webhooks/{endpoint.id}/delete").status_code == 404
    listing = coordinator.get(f"/admin/organizations/{world.foreign_organization.id}/webhooks")
    assert listing.status_code == 404
    assert login(foreign_coordinator).get(f"/admin/webhooks/{endpoint.id}").status_code == 200
    member = login_as("member")
    assert member.get(f"/admin/organizations/{world.organization.id}/webhooks").status_code == 403


def test_every_kind_of_event_can_be_chosen_once():
    from lean.shared.events import EventKind
    from lean.webhooks.labels import KIND_GROUPS

    listed = [kind for _title, kinds in KIND_GROUPS for kind, _label in kinds]
    assert sorted(listed) == sorted(EventKind)


def test_the_pages_run_as_many_statements_whatever_the_number_of_webhooks(
    app, world, login_as, query_counter
):
    from lean.models import Event
    from lean.models.connect import WebhookDelivery
    from lean.webhooks.services import EndpointValues, create_endpoint

    coordinator = login_as("coordinator")

    def add(count: int) -> WebhookEndpoint:
        for number in reversed(range(count)):  # the last one made has no team filter
            endpoint, _secret = create_endpoint(
                world.users["coordinator"],
                world.organization,
                EndpointValues(
                    f"Koukku {number}",
                    "https://hooks.example.com/",
                    "teams" if number % 2 else "standard",
                    world.team.id if number % 2 else None,
                    ["created"],
                ),
            )
            for event_id in db.session.scalars(select(Event.id)):
                db.session.add(WebhookDelivery(endpoint_id=endpoint.id, event_id=event_id))
        db.session.commit()
        return endpoint

    def statements(path: str) -> int:
        with query_counter() as count:
            assert coordinator.get(path).status_code == 200
        return count.value

    listing = f"/admin/organizations/{world.organization.id}/webhooks"
    endpoint = add(1)
    few = statements(listing), statements(f"/admin/webhooks/{endpoint.id}")
    make_improvement(world.team, world.users["member"])
    make_improvement(world.other_team)
    endpoint = add(4)
    many = statements(listing), statements(f"/admin/webhooks/{endpoint.id}")
    assert few == many


def test_a_save_over_someone_elses_is_told_and_keeps_what_was_typed(app, world, login, login_as):
    from lean.webhooks.services import EndpointValues, create_endpoint

    app.config["WEBHOOK_ALLOWED_HOSTS"] = ("127.0.0.1",)
    endpoint, _secret = create_endpoint(
        world.users["coordinator"],
        world.organization,
        EndpointValues("Alku", "http://127.0.0.1:9/a", "standard", None, ["created"]),
    )
    db.session.commit()
    first, second = login_as("coordinator"), login(world.users["admin"])
    url = f"/admin/webhooks/{endpoint.id}/edit"
    pattern = r'name="version" type="hidden" value="(\w+)"'
    first_version = re.search(pattern, first.get(url).text).group(1)
    second_version = re.search(pattern, second.get(url).text).group(1)
    saved = second.post(
        url, data=form("http://127.0.0.1:9/b", name="Toisen", version=second_version)
    )
    assert saved.status_code == 303
    refused = first.post(
        url, data=form("http://127.0.0.1:9/c", name="Ensimmäisen", version=first_version)
    )
    assert refused.status_code == 409
    assert "Someone else saved this webhook while you were editing it." in refused.text
    assert 'value="Ensimmäisen"' in refused.text
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).name == "Toisen"
    # Saved again, the person's own changes go in.
    again = re.search(pattern, refused.text).group(1)
    resaved = first.post(url, data=form("http://127.0.0.1:9/c", name="Ensimmäisen", version=again))
    assert resaved.status_code == 303
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).name == "Ensimmäisen"
