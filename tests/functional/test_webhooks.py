"""Webhooks: an organization's events delivered, signed, at least once and in order per
endpoint, to a real receiver on 127.0.0.1 (the installation's allow-list lets the tests
reach it); retries with jitter, taking an endpoint out of use, the filters, and the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from lean.boards import services as boards
from lean.core.extensions import db
from lean.models import Event, Notification, Stage
from lean.models.connect import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from lean.webhooks import delivery
from lean.webhooks.services import EndpointValues, create_endpoint
from tests.conftest import make_improvement
from tests.functional.test_links import smtp_server  # noqa: F401  (a real SMTP server)
from tests.webhook_receiver import Receiver


@pytest.fixture
def receiver(app):
    app.config["WEBHOOK_ALLOWED_HOSTS"] = ("127.0.0.1", "localhost")
    with Receiver() as running:
        yield running


def register(world, url, kinds=("created", "moved"), team=None, format="standard"):
    endpoint, secret = create_endpoint(
        world.users["coordinator"],
        world.organization,
        EndpointValues(
            name="Integraatio",
            url=url,
            format=format,
            team_id=team.id if team else None,
            kinds=list(kinds),
        ),
    )
    db.session.commit()
    return endpoint, secret


def run_pending() -> None:
    """The minute's job, as the worker runs it; the test's own transaction ends first (on
    SQLite it would hold the write lock the job needs)."""
    db.session.commit()
    delivery.deliver_pending()


def deliveries(endpoint) -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.event_id)
        )
    )


def test_a_committed_event_arrives_signed_as_standard_webhooks(world, receiver, clock):
    endpoint, secret = register(world, receiver.url())
    card = make_improvement(world.team, world.users["member"], title="Uusi kortti")

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    payload = Webhook(secret).verify(request.body, request.headers)
    event = db.session.scalar(select(Event).where(Event.subject_id == card.id))
    assert payload["type"] == "created"
    assert payload["data"]["event_id"] == event.id
    assert payload["data"]["organization_id"] == world.organization.id
    assert payload["data"]["team_id"] == world.team.id
    assert payload["data"]["actor_id"] == world.users["member"].id
    assert payload["data"]["improvement"]["title"] == "Uusi kortti"
    assert payload["data"]["improvement"]["url"].endswith(f"/improvements/{card.id}")
    assert payload["timestamp"].endswith("Z")
    assert request.headers["webhook-id"] == f"msg_{endpoint.id}_{event.id}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "Vertaa-Webhooks/1"
    [row] = deliveries(endpoint)
    assert row.status == DeliveryStatus.DELIVERED
    assert row.attempts == 1
    assert row.last_status_code == 200
    # The cursor passes the event once it has settled (a minute), not before.
    assert db.session.get(WebhookEndpoint, endpoint.id).last_event_id < event.id
    clock.shift(timedelta(seconds=61))
    run_pending()
    assert db.session.get(WebhookEndpoint, endpoint.id).last_event_id == event.id
    assert len(receiver.requests) == 1  # and it is not sent again


def test_a_new_endpoint_starts_at_the_newest_event_not_the_history(world, receiver):
    make_improvement(world.team, world.users["member"], title="Ennen")
    _endpoint, _secret = register(world, receiver.url())
    run_pending()
    assert receiver.requests == []
    make_improvement(world.team, world.users["member"], title="Jälkeen")
    assert [r.json["data"]["improvement"]["title"] for r in receiver.requests] == ["Jälkeen"]


def test_a_failed_delivery_is_tried_again_and_the_later_events_wait_for_it(world, receiver, clock):
    endpoint, secret = register(world, receiver.url())
    receiver.answers = [500]
    first = make_improvement(world.team, world.users["member"], title="Ensimmäinen")
    [row] = deliveries(endpoint)
    assert row.status == DeliveryStatus.PENDING
    assert row.attempts == 1
    assert row.last_status_code == 500
    assert "500" in row.last_error
    # The first retry is due after 5 seconds, ±20 %.
    wait = row.next_attempt_at - row.last_attempt_at
    assert timedelta(seconds=4) <= wait <= timedelta(seconds=6)

    second = make_improvement(world.team, world.users["member"], title="Toinen")
    assert len(receiver.requests) == 1  # the second waits behind the first
    run_pending()
    assert len(receiver.requests) == 1  # and the first's retry is not due yet

    clock.shift(timedelta(seconds=7))
    run_pending()
    titles = [r.json["data"]["improvement"]["title"] for r in receiver.requests]
    assert titles == ["Ensimmäinen", "Ensimmäinen", "Toinen"]
    # A retry carries the same webhook-id, and a signature of its own that verifies.
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
    for request in receiver.requests[1:]:
        Webhook(secret).verify(request.body, request.headers)
    rows = deliveries(endpoint)
    assert [(r.status, r.attempts) for r in rows] == [
        (DeliveryStatus.DELIVERED, 2),
        (DeliveryStatus.DELIVERED, 1),
    ]
    assert db.session.get(WebhookEndpoint, endpoint.id).failing_since is None
    assert {first.id, second.id} == {r.json["data"]["subject_id"] for r in receiver.requests}


def test_the_retry_schedule_spreads_over_about_a_day_with_jitter(world, receiver, clock):
    endpoint, _secret = register(world, receiver.url())
    receiver.default = 503
    make_improvement(world.team, world.users["member"])
    expected = [5, 300, 1800, 7200, 18000, 36000, 36000, 36000]
    for attempt, seconds in enumerate(expected, start=1):
        [row] = deliveries(endpoint)
        assert row.attempts == attempt
        wait = (row.next_attempt_at - row.last_attempt_at).total_seconds()
        assert seconds * 0.8 - 0.01 <= wait <= seconds * 1.2 + 0.01, (attempt, wait)
        clock.move_to(row.next_attempt_at + timedelta(seconds=1))
        run_pending()
    # Some 1.6 days of trying so far, and still in use.
    assert db.session.get(WebhookEndpoint, endpoint.id).active


def test_the_jitter_stays_within_a_fifth_of_each_delay():
    import random

    rng = random.Random(4)
    for attempts, seconds in enumerate(delivery.RETRY_SCHEDULE, start=1):
        waits = [delivery.retry_delay(attempts, rng).total_seconds() for _ in range(200)]
        assert seconds * 0.8 <= min(waits) < seconds * 0.9
        assert seconds * 1.1 < max(waits) <= seconds * 1.2


def test_410_gone_takes_the_endpoint_out_of_use_and_tells_the_admins(
    app,
    world,
    receiver,
    login_as,
    smtp_server,  # noqa: F811
):
    controller, mails = smtp_server
    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    language = world.users["coordinator"].language
    world.users["coordinator"].language = "sv"  # told in their own language
    endpoint, _secret = register(world, receiver.url())
    receiver.answers = [410]
    make_improvement(world.team, world.users["member"])
    db.session.expire_all()
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert not endpoint.active
    assert endpoint.disabled_reason == delivery.GONE
    [row] = deliveries(endpoint)
    assert row.status == DeliveryStatus.FAILED
    told = db.session.scalars(select(Notification.user_id)).all()
    assert told == [world.users["coordinator"].id]
    [mail] = mails.to(world.users["coordinator"].email)
    assert mail["Subject"] == "Vertaa: webhooken ”Integraatio” togs ur bruk"
    text = mail.get_content()
    assert "Mottagaren svarade 410 Gone" in text
    assert f"/admin/webhooks/{endpoint.id}" in text
    world.users["coordinator"].language = language

    # Nothing more goes while it is out of use.
    make_improvement(world.team, world.users["member"])
    assert len(receiver.requests) == 1

    coordinator = login_as("coordinator")
    inbox = coordinator.get("/notifications").get_data(as_text=True)
    assert "webhook taken out of use" in inbox
    page = coordinator.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Out of use" in page
    assert "410 Gone" in page

    # Used again: the delivery it stopped on goes first, then the one that waited.
    response = coordinator.post(f"/admin/webhooks/{endpoint.id}/enable")
    assert response.status_code == 303
    assert len(receiver.requests) == 3
    assert [r.status for r in deliveries(endpoint)] == [DeliveryStatus.DELIVERED] * 2
    assert db.session.get(WebhookEndpoint, endpoint.id).active


def test_three_days_of_failures_take_the_endpoint_out_of_use(world, receiver, clock):
    endpoint, _secret = register(world, receiver.url())
    receiver.default = 500
    make_improvement(world.team, world.users["member"])
    started = deliveries(endpoint)[0].last_attempt_at
    for _ in range(30):
        db.session.expire_all()
        if not db.session.get(WebhookEndpoint, endpoint.id).active:
            break
        [row] = deliveries(endpoint)
        clock.move_to(row.next_attempt_at + timedelta(seconds=1))
        run_pending()
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert not endpoint.active
    assert endpoint.disabled_reason == delivery.FAILING
    [row] = deliveries(endpoint)
    assert row.status == DeliveryStatus.FAILED
    assert row.last_attempt_at - started >= timedelta(days=3)
    assert row.last_attempt_at - started < timedelta(days=3, hours=13)
    assert db.session.scalar(select(Notification.reason)) == delivery.DISABLED_REASON


def test_a_team_filter_sends_only_that_teams_events(world, receiver, clock):
    endpoint, _secret = register(world, receiver.url(), team=world.team)
    make_improvement(world.other_team, title="Toisen tiimin")
    make_improvement(world.foreign_team, title="Vieraan")
    make_improvement(world.team, world.users["member"], title="Oman tiimin")
    assert [r.json["data"]["improvement"]["title"] for r in receiver.requests] == ["Oman tiimin"]
    clock.shift(timedelta(seconds=61))
    run_pending()
    newest = db.session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))
    assert db.session.get(WebhookEndpoint, endpoint.id).last_event_id == newest


def test_only_the_kinds_wanted_are_sent_and_the_cursor_passes_the_others(world, receiver):
    _endpoint, _secret = register(world, receiver.url(), kinds=("moved",))
    card = make_improvement(world.team, world.users["member"])
    assert receiver.requests == []
    boards.move_improvement(world.users["member"], card, Stage.PLAN)
    db.session.commit()
    [request] = receiver.requests
    assert request.json["type"] == "moved"
    assert request.json["data"]["details"] == {"from": "idea", "to": "plan"}
    assert request.json["data"]["improvement"]["stage"] == "plan"


def test_a_rolled_back_change_sends_nothing(world, receiver):
    endpoint, _secret = register(world, receiver.url())
    boards.create_improvement(
        world.users["member"], world.team, title="Peruttu", theme=world.improvement.theme
    )
    db.session.flush()
    db.session.rollback()
    run_pending()
    assert receiver.requests == []
    assert deliveries(endpoint) == []


def test_a_redirect_is_not_followed(world, receiver):
    endpoint, _secret = register(world, receiver.url())
    receiver.answers = [302]
    receiver.location = receiver.url("/elsewhere")
    make_improvement(world.team, world.users["member"])
    assert [r.path for r in receiver.requests] == ["/hook"]
    [row] = deliveries(endpoint)
    assert row.status == DeliveryStatus.PENDING
    assert row.last_status_code == 302


def test_a_name_is_resolved_and_the_checked_address_is_connected_to(world, receiver):
    register(world, receiver.url(host="localhost"))
    make_improvement(world.team, world.users["member"])
    [request] = receiver.requests
    assert request.headers["host"] == f"localhost:{receiver.port}"


def test_without_the_allow_list_loopback_is_not_sent_to(app, world, receiver):
    endpoint, _secret = register(world, receiver.url())
    app.config["WEBHOOK_ALLOWED_HOSTS"] = ()
    make_improvement(world.team, world.users["member"])
    assert receiver.arrivals == []
    [row] = deliveries(endpoint)
    assert row.status == DeliveryStatus.PENDING
    assert row.last_error.startswith("refused: not_https")


def test_sending_again_from_the_log(world, receiver, login_as):
    endpoint, secret = register(world, receiver.url())
    make_improvement(world.team, world.users["member"])
    [row] = deliveries(endpoint)
    coordinator = login_as("coordinator")
    page = coordinator.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Card created" in page and "Delivered" in page
    response = coordinator.post(f"/admin/webhooks/deliveries/{row.id}/resend")
    assert response.status_code == 303
    assert len(receiver.requests) == 2
    assert receiver.requests[1].headers["webhook-id"] == receiver.requests[0].headers["webhook-id"]
    Webhook(secret).verify(receiver.requests[1].body, receiver.requests[1].headers)
    assert deliveries(endpoint)[0].attempts == 2


def test_only_one_sender_per_endpoint_and_a_lease_that_ran_out_is_taken_over(world, receiver):
    import time

    from lean.core import jobs

    endpoint, _secret = register(world, receiver.url())
    key = f"webhook-endpoint-lease-{endpoint.id}"
    # Another worker, on another machine, is sending to this endpoint.
    jobs.queue.put(key, {"holder": "elsewhere:4242:1", "until": time.time() + 60})
    make_improvement(world.team, world.users["member"])
    assert receiver.arrivals == []
    assert jobs.queue.get(f"webhook-endpoint-wish-{endpoint.id}", peek=True) == 1
    # Its lease runs out without its being renewed: that worker is gone.
    jobs.queue.put(key, {"holder": "elsewhere:4242:1", "until": time.time() - 1})
    run_pending()
    assert len(receiver.requests) == 1
    assert jobs.queue.get(key, peek=True) is None  # let go again


def test_the_log_keeps_a_delivered_event_for_30_days_and_what_failed_for_good(world, receiver):
    endpoint, _secret = register(world, receiver.url())
    make_improvement(world.team, world.users["member"])
    receiver.default = 500
    make_improvement(world.team, world.users["member"])
    delivered, waiting = deliveries(endpoint)
    assert (delivered.status, waiting.status) == (DeliveryStatus.DELIVERED, DeliveryStatus.PENDING)
    assert delivery.prune_delivery_log(delivered.delivered_at + timedelta(days=29)) == 0
    assert delivery.prune_delivery_log(delivered.delivered_at + timedelta(days=31)) == 1
    db.session.commit()
    assert [row.id for row in deliveries(endpoint)] == [waiting.id]


def test_an_event_that_commits_after_a_later_one_is_still_sent(world, receiver, clock):
    """On PostgreSQL an event's id is drawn when it is written: a change that commits a
    moment after a later one has the lower id. The cursor waits for events to settle."""
    from lean.models.base import utcnow

    endpoint, _secret = register(world, receiver.url())
    cursor = endpoint.last_event_id

    def event(event_id: int, title: str) -> None:
        db.session.add(
            Event(
                id=event_id,
                at=utcnow(),
                actor_id=world.users["member"].id,
                organization_id=world.organization.id,
                team_id=world.team.id,
                subject_type="improvement",
                subject_id=world.improvement.id,
                kind="created",
                data={"title": title},
            )
        )
        db.session.commit()

    event(cursor + 100, "kirjoitettu toisena")
    event(cursor + 50, "kirjoitettu ensin, tallennettu toisena")
    assert [r.json["data"]["details"]["title"] for r in receiver.requests] == [
        "kirjoitettu toisena",
        "kirjoitettu ensin, tallennettu toisena",
    ]
    clock.shift(timedelta(seconds=61))
    run_pending()
    assert db.session.get(WebhookEndpoint, endpoint.id).last_event_id == cursor + 100
    assert len(receiver.requests) == 2
