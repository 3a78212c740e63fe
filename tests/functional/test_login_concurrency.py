"""Parallel wrong passwords cannot check more passwords than the lockout allows."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from lean.models import LoginFailure
from tests.conftest import make_user

ATTEMPTS = 12


def attempt_in_parallel(app, emails: list[str]) -> Counter:
    """One thread per email, each with its own app context, session and connection, all
    sending their wrong password at the same moment; the status codes they got."""
    start = threading.Barrier(len(emails))
    statuses: list[int] = []

    def attempt(email: str) -> None:
        client = app.test_client()
        start.wait()
        response = client.post("/login", data={"email": email, "password": "vaara-salasana-1"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == len(emails)
    return Counter(statuses)


@pytest.mark.slow
def test_parallel_wrong_passwords_for_one_account_check_at_most_the_limit(app, world, db):
    member = world.users["member"]
    # A real (slow) scrypt hash: while one attempt checks it, the others check theirs and count.
    member.set_password("oikea-salasana-42")
    emails = [member.email] * ATTEMPTS
    db.session.commit()  # and hold no transaction (on SQLite, no write lock) from here on

    statuses = attempt_in_parallel(app, emails)

    # 422 "Wrong email or password" means the password's answer was given; 429 that it was not.
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert statuses == {422: limit, 429: ATTEMPTS - limit}
    db.session.rollback()
    recorded = db.session.scalar(select(func.count(LoginFailure.id)))
    assert recorded == limit


@pytest.mark.slow
def test_parallel_wrong_passwords_from_one_address_check_at_most_its_limit(app, world, db):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 4
    users = [make_user(world.organization) for _ in range(ATTEMPTS)]
    for user in users:
        user.set_password("oikea-salasana-42")
    emails = [user.email for user in users]
    db.session.commit()

    statuses = attempt_in_parallel(app, emails)

    assert statuses == {422: 4, 429: ATTEMPTS - 4}
    db.session.rollback()
    assert db.session.scalar(select(func.count(LoginFailure.id))) == 4
