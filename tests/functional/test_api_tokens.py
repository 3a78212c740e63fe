"""Personal access tokens: made with a secret shown once and only its hash kept, lasting until
the end of the chosen day in Helsinki, refused once revoked or expired or when their person may
no longer log in, marked when used, and counted per token in a window that every worker shares."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from lean.api import queries, services
from lean.core.extensions import db as _db
from lean.models import Event
from lean.models.connect import ApiToken
from tests.conftest import FIXED_NOW, make_organization, make_team, make_user


def _now() -> datetime:
    return datetime.now(UTC)


def test_a_token_is_shown_once_and_only_its_hash_is_kept(app, world):
    member = world.users["member"]
    token, raw = services.create_token(member, "  Power BI  ", False, date(2027, 2, 14))
    _db.session.commit()

    assert raw.startswith("vta_") and len(raw) > 40
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:12]
    assert token.name == "Power BI"
    assert token.can_write is False
    assert token.last_used_at is None
    stored = _db.session.execute(select(ApiToken.__table__)).one()._mapping
    assert raw not in [str(value) for value in stored.values()]
    # The end of 14 February 2027 in Helsinki (UTC+2 in winter) is 22:00 UTC that day.
    assert token.expires_at == datetime(2027, 2, 14, 22, 0, tzinfo=UTC)
    # Two tokens are never the same.
    _, other = services.create_token(member, "Excel", True, date(2027, 2, 14))
    assert other != raw


def test_making_and_revoking_a_token_is_in_the_audit_log(app, world):
    member, coordinator = world.users["member"], world.users["coordinator"]
    token, _ = services.create_token(member, "Excel", True, date(2027, 1, 1))
    services.revoke_token(coordinator, token)
    services.revoke_token(coordinator, token)  # once revoked, nothing more happens
    _db.session.commit()

    events = _db.session.scalars(select(Event).order_by(Event.id)).all()
    kinds = [(e.kind, e.actor_id, e.subject_type, e.subject_id) for e in events[-2:]]
    assert kinds == [
        ("token_created", member.id, "user", member.id),
        ("token_revoked", coordinator.id, "user", member.id),
    ]
    assert events[-1].organization_id == world.organization.id
    assert events[-2].data["name"] == "Excel"
    assert token.revoked_at is not None


def test_a_working_token_authenticates_and_is_marked_used(app, world):
    member = world.users["member"]
    token, raw = services.create_token(member, "Excel", False, date(2027, 1, 1))
    _db.session.commit()

    found = services.authenticate(raw, FIXED_NOW)
    assert found is not None and found.id == token.id
    assert found.user.id == member.id
    _db.session.commit()
    _db.session.expire_all()
    assert _db.session.get(ApiToken, token.id).last_used_at == FIXED_NOW


def test_unknown_revoked_and_expired_tokens_are_refused(app, world, clock):
    member = world.users["member"]
    token, raw = services.create_token(member, "Excel", False, FIXED_NOW.date())
    _db.session.commit()

    assert services.authenticate("vta_" + "x" * 43, FIXED_NOW) is None
    assert services.authenticate("", FIXED_NOW) is None
    assert services.authenticate(raw[:-1], FIXED_NOW) is None
    assert services.authenticate(raw.removeprefix("vta_"), FIXED_NOW) is None

    # It works until the end of its last day in Helsinki (22:00 UTC in November) ...
    last_moment = datetime(2026, 11, 16, 21, 59, 59, tzinfo=UTC)
    assert services.authenticate(raw, last_moment) is not None
    # ... and not a second later.
    assert services.authenticate(raw, datetime(2026, 11, 16, 22, 0, tzinfo=UTC)) is None

    services.revoke_token(member, token)
    _db.session.commit()
    assert services.authenticate(raw, FIXED_NOW) is None


def test_a_person_who_may_not_log_in_has_no_working_token(app):
    organization = make_organization()
    deactivated = make_user(organization, active=False)
    anonymised = make_user(organization, anonymised=True)
    of_closed = make_user(make_organization(active=False))
    raws = []
    for person in (deactivated, anonymised, of_closed):
        raws.append(services.create_token(person, "Excel", False, date(2027, 1, 1))[1])
    _db.session.commit()

    assert [services.authenticate(raw, FIXED_NOW) for raw in raws] == [None, None, None]


def test_requests_are_counted_in_a_fixed_window(app, world):
    token, _ = services.create_token(world.users["member"], "Excel", False, date(2027, 1, 1))
    _db.session.commit()
    start = FIXED_NOW

    # Three requests a minute are allowed: the fourth is told when the window ends.
    assert [services.count_request(token, start, 3, 60) for _ in range(3)] == [None] * 3
    assert services.count_request(token, start + timedelta(seconds=20), 3, 60) == 40
    assert services.count_request(token, start + timedelta(seconds=59.5), 3, 60) == 1
    assert token.window_requests == 5
    # A new window starts once the old one has passed.
    assert services.count_request(token, start + timedelta(seconds=60), 3, 60) is None
    assert token.window_started_at == start + timedelta(seconds=60)
    assert token.window_requests == 1


def test_the_count_is_the_rows_not_a_workers(app, world):
    """Another worker's requests, counted in the database meanwhile, are counted with ours,
    even though this worker's copy of the token does not know of them."""
    token, _ = services.create_token(world.users["member"], "Excel", False, date(2027, 1, 1))
    _db.session.commit()
    token_id = token.id
    session = _db.session()
    session.expire_on_commit = False  # this worker keeps its copy of the token as it was
    try:
        assert services.count_request(token, FIXED_NOW, 10, 60) is None
        _db.session.commit()

        table = ApiToken.__table__
        with _db.engine.begin() as other_worker:
            other_worker.execute(
                update(table)
                .where(table.c.id == token_id)
                .values(window_requests=table.c.window_requests + 9)
            )
        assert token.window_requests == 1  # this worker's copy is stale ...
        # ... yet the eleventh request of the window is over the limit.
        assert services.count_request(token, FIXED_NOW + timedelta(seconds=30), 10, 60) == 30
        assert token.window_requests == 11
    finally:
        session.expire_on_commit = True


def test_a_persons_tokens_newest_first_and_an_organizations_with_their_people(app, world, clock):
    member, supervisor = world.users["member"], world.users["supervisor"]
    foreign = world.users["foreign_member"]
    first, _ = services.create_token(member, "First", False, date(2027, 1, 1))
    clock.shift(timedelta(minutes=1))
    second, _ = services.create_token(member, "Second", True, date(2027, 1, 1))
    clock.shift(timedelta(minutes=1))
    theirs, _ = services.create_token(supervisor, "Theirs", False, date(2027, 1, 1))
    services.create_token(foreign, "Foreign", False, date(2027, 1, 1))
    lone = make_user(world.organization)  # in the organization, on no team
    clock.shift(timedelta(minutes=1))
    lonely, _ = services.create_token(lone, "Lone", False, date(2027, 1, 1))
    services.create_token(make_user(make_team().organization), "Elsewhere", False, date(2027, 1, 1))
    _db.session.commit()
    lone_email, organization = lone.email, world.organization
    ids = [lonely.id, theirs.id, second.id, first.id]

    assert [t.name for t in queries.tokens_of(member)] == ["Second", "First"]
    _db.session.expunge_all()
    _db.session.add(organization)
    listed = queries.tokens_of_organization(organization)
    assert [t.name for t in listed] == ["Lone", "Theirs", "Second", "First"]
    assert [t.id for t in listed] == ids
    assert listed[0].user.email == lone_email  # loaded with the list
