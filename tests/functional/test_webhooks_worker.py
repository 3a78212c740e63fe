"""Webhooks with a real worker (tests/jobs_worker.py) on the SQLite queue and on Redis: a
worker killed in the middle of a delivery loses nothing. The cursor moves only after a
success, and the next worker, as it starts, sends the event again with the same webhook-id,
then what came after it, in order."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from sqlalchemy import select

from lean.core.extensions import db as _db
from lean.models.connect import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from lean.webhooks.services import EndpointValues, create_endpoint
from tests.conftest import empty_tables, make_improvement
from tests.webhook_receiver import Receiver

ALLOWED = "127.0.0.1"


@pytest.fixture
def app(database, job_queue):
    """An app whose jobs wait in a real queue (SQLite or Redis) for a worker."""
    from tests.conftest import make_app

    app = make_app(database, JOBS_IMMEDIATE=False, WEBHOOK_ALLOWED_HOSTS=(ALLOWED,), **job_queue)
    with app.app_context():
        yield app
        _db.session.remove()
        empty_tables()
        _db.engine.dispose()


def signed_by(secret: str, received) -> bool:
    """The Standard Webhooks signature, checked by hand: the worker signs at the real time,
    while the test's clock stands in November (the package would call it too old)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    headers = received.headers
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + received.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return headers["webhook-signature"] == f"v1,{expected}"


def rows(endpoint_id: int) -> list[tuple[str, int]]:
    try:
        return [
            (row.status, row.event_id)
            for row in _db.session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.endpoint_id == endpoint_id)
                .order_by(WebhookDelivery.event_id)
            )
        ]
    finally:
        _db.session.rollback()  # on SQLite even a read holds the write lock


def test_a_worker_killed_mid_delivery_loses_nothing(app, world, jobs_worker):
    with Receiver() as receiver:
        endpoint, secret = create_endpoint(
            world.users["coordinator"],
            world.organization,
            EndpointValues("Kestävä", receiver.url(), "standard", None, ["created"]),
        )
        _db.session.commit()
        endpoint_id = endpoint.id
        worker = jobs_worker(WEBHOOK_ALLOWED_HOSTS=ALLOWED)

        receiver.hold.clear()  # the receiver takes the request and does not answer
        make_improvement(world.team, world.users["member"], title="Ensimmäinen")
        worker.wait_for(lambda: receiver.arrivals, timeout=30)
        first_id = receiver.arrivals[0]
        worker.kill()  # in the middle of the delivery

        assert rows(endpoint_id) == [(DeliveryStatus.PENDING, int(first_id.split("_")[2]))]
        assert _db.session.get(WebhookEndpoint, endpoint_id).last_event_id < int(
            first_id.split("_")[2]
        )
        _db.session.rollback()
        # Meanwhile a second change waits in the queue.
        make_improvement(world.team, world.users["member"], title="Toinen")
        receiver.hold.set()  # the killed worker's request gets its answer, to nobody

        worker.start()
        worker.wait_for(
            lambda: (
                [status for status, _event in rows(endpoint_id)] == [DeliveryStatus.DELIVERED] * 2
            ),
            timeout=60,
        )
        assert receiver.arrivals[0] == receiver.arrivals[1] == first_id
        assert len(receiver.arrivals) == 3
        answered = [r for r in receiver.requests if r.headers["webhook-id"] != first_id]
        assert [r.json["data"]["improvement"]["title"] for r in answered] == ["Toinen"]
        assert all(signed_by(secret, r) for r in receiver.requests)
        # The same event went out again with the same id, once the killed worker's lease was
        # seen to be its dead process's.
        assert "taking over the stale lease" in worker.log()
        delivered = _db.session.get(WebhookEndpoint, endpoint_id)
        assert delivered.last_event_id == rows(endpoint_id)[-1][1]


@pytest.mark.parametrize("job_queue", ["sqlite"], indirect=True)
def test_the_worker_tries_a_failed_delivery_again_when_it_is_due(app, world, jobs_worker):
    with Receiver() as receiver:
        endpoint, secret = create_endpoint(
            world.users["coordinator"],
            world.organization,
            EndpointValues("Sitkeä", receiver.url(), "standard", None, ["created"]),
        )
        _db.session.commit()
        worker = jobs_worker(WEBHOOK_ALLOWED_HOSTS=ALLOWED)
        receiver.answers = [503]
        make_improvement(world.team, world.users["member"])
        # The first retry is due some 5 seconds later: a job scheduled for then sends it.
        worker.wait_for(
            lambda: [status for status, _event in rows(endpoint.id)] == [DeliveryStatus.DELIVERED],
            timeout=30,
        )
        first, second = receiver.requests
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        waited = int(second.headers["webhook-timestamp"]) - int(first.headers["webhook-timestamp"])
        assert 4 <= waited <= 9  # 5 s ± 20 %, and the scheduler looks once a second
        assert signed_by(secret, second)
