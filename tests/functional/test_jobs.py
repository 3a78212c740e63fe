"""The job queue for real: jobs enqueued only after commit, mails sent by a real worker on the
SQLite queue and on Redis, a mail server that is down costs the page nothing, and what
cannot be sent is listed for the admins. (Elsewhere the tests run each job at once.)"""

from __future__ import annotations

import smtplib
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lean.core import jobs
from lean.core.extensions import db as _db
from lean.core.mail import compose, queue_mail
from lean.models import MailFailure, OneTimeLink, Organization
from tests.conftest import empty_tables, make_organization, make_user
from tests.functional.test_links import (
    invite,
    link_in,
    shown_link,
    smtp_server,  # noqa: F401  (a real SMTP server)
)


@pytest.fixture
def app(database, job_queue):
    """An app whose jobs wait in a real queue (SQLite or Redis) for a worker."""
    from tests.conftest import make_app

    app = make_app(database, JOBS_IMMEDIATE=False, **job_queue)
    with app.app_context():
        yield app
        _db.session.remove()
        empty_tables()
        _db.engine.dispose()


@pytest.fixture
def silent_server() -> Iterator[tuple[str, int]]:
    """A mail server that takes connections and never says a word (a hung server)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()


@pytest.fixture
def no_smtp_here(monkeypatch) -> list[tuple]:
    """Any SMTP connection this process tries is recorded and refused: a request must make
    none."""
    tried: list[tuple] = []

    def refuse(*args, **kwargs):
        tried.append(args)
        raise AssertionError("the request talked to the mail server")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    return tried


def pending(app) -> int:
    with app.app_context():
        return jobs.queue.pending_count()


def test_a_rolled_back_change_enqueues_nothing_and_a_committed_one_enqueues_once(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=25)
    assert not jobs.runs_immediately()
    _db.session.add(Organization(name="Peruttu"))
    _db.session.flush()
    queue_mail(compose("someone@example.fi", "Hei", "Teksti"))
    _db.session.rollback()
    assert pending(app) == 0
    _db.session.add(Organization(name="Pysyvä"))
    queue_mail(compose("someone@example.fi", "Hei", "Teksti"))
    _db.session.commit()
    assert pending(app) == 1
    _db.session.commit()  # a later commit of the same session enqueues it no more
    assert pending(app) == 1


def test_a_refused_form_enqueues_no_mail(app, world, login):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=25)
    client = login(world.users["coordinator"])
    response = invite(client, world, email="not an address")
    assert response.status_code == 422
    assert pending(app) == 0


def test_an_invitation_is_mailed_by_a_real_worker(
    app,
    world,
    login,
    smtp_server,  # noqa: F811
    jobs_worker,
):
    controller, inbox = smtp_server
    mail = {"MAIL_SERVER": controller.hostname, "MAIL_PORT": controller.port}
    app.config.update(mail, MAIL_SENDER="Vertaa <vertaa@example.fi>")
    client = login(world.users["coordinator"])
    response = invite(client, world, email="uusi@example.fi")
    assert response.status_code == 200
    assert "on its way by e-mail to uusi@example.fi" in response.get_data(as_text=True)
    url = shown_link(response)
    assert inbox.messages == []  # the request only queued it
    assert pending(app) == 1

    worker = jobs_worker(**mail, MAIL_SENDER="Vertaa <vertaa@example.fi>")
    [message] = worker.wait_for(lambda: inbox.to("uusi@example.fi"))
    assert message["Subject"] == "Invitation to Vertaa"
    assert link_in(message) == url
    # The try takes back its later copy just after the mail went: wait for that too.
    assert worker.wait_for(lambda: pending(app) == 0)


def test_a_password_reset_is_linked_and_mailed_by_the_worker(
    app,
    world,
    smtp_server,  # noqa: F811
    jobs_worker,
):
    """A self-service reset's link is made by a job after the response: the worker stores it
    and queues its mail, which the worker sends."""
    controller, inbox = smtp_server
    mail = {"MAIL_SERVER": controller.hostname, "MAIL_PORT": controller.port}
    app.config.update(mail)
    response = app.test_client().post("/password-reset", data={"email": "member@example.fi"})
    assert response.status_code == 200
    response.close()  # as a server does once it has sent it: the job is enqueued now
    assert _db.session.scalar(select(OneTimeLink)) is None
    _db.session.rollback()  # on SQLite even a read holds the write lock (BEGIN IMMEDIATE)
    worker = jobs_worker(**mail)
    [message] = worker.wait_for(lambda: inbox.to("member@example.fi"))
    assert message["Subject"] == "New password for Vertaa"
    _db.session.rollback()
    assert _db.session.scalar(select(OneTimeLink)) is not None


@pytest.mark.parametrize("job_queue", ["sqlite"], indirect=True)
def test_with_the_mail_server_hung_the_page_answers_at_once_and_the_failure_is_listed(
    app, world, login, silent_server, jobs_worker, no_smtp_here
):
    host, port = silent_server
    # A hung server would hold a request for the whole timeout; the request makes no
    # connection at all.
    # Three tries (a second, then two seconds apart); the app that queues the mail decides.
    retries = {"MAIL_RETRIES": 2, "MAIL_RETRY_DELAY": 1}
    app.config.update(MAIL_SERVER=host, MAIL_PORT=port, MAIL_TIMEOUT=30, **retries)
    client = login(world.users["coordinator"])
    began = time.monotonic()
    response = invite(client, world, email="uusi@example.fi")
    assert time.monotonic() - began < 5
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert shown_link(response)  # to copy, should the mail not arrive
    assert 'href="/admin/failed-mails"' in page
    assert no_smtp_here == []

    # The worker tries three times, then gives up.
    worker = jobs_worker(MAIL_SERVER=host, MAIL_PORT=port, MAIL_TIMEOUT=1, **retries)

    def failure():
        try:
            row = _db.session.scalar(select(MailFailure))
            return row and (
                row.to_address,
                row.subject,
                row.attempts,
                row.organization_id,
                row.error,
            )
        finally:
            _db.session.rollback()  # the worker writes meanwhile

    to, subject, attempts, organization_id, error = worker.wait_for(failure, timeout=60)
    assert to == "uusi@example.fi"
    assert subject == "Invitation to Vertaa"
    assert attempts == 3
    assert organization_id == world.organization.id
    assert "timed out" in error or "Timeout" in error

    listed = client.get("/admin/failed-mails")
    assert listed.status_code == 200
    html = listed.get_data(as_text=True)
    assert "uusi@example.fi" in html and "Invitation to Vertaa" in html
    assert ">3<" in html  # tries


# ---- without a worker ------------------------------------------------------------------------


@pytest.fixture
def immediate_app(database):
    from tests.conftest import make_app

    app = make_app(database)
    with app.app_context():
        yield app
        _db.session.remove()
        empty_tables()
        _db.engine.dispose()


def test_failed_mails_are_shown_to_their_organizations_managers_only(immediate_app):
    app = immediate_app
    home, other = make_organization(), make_organization()
    coordinator = make_user(home, is_coordinator=True)
    admin = make_user(other, is_admin=True)
    member = make_user(home)
    for organization, to in [(home, "home@example.fi"), (other, "other@example.fi")]:
        _db.session.add(
            MailFailure(
                organization_id=organization.id,
                to_address=to,
                subject="Kutsu",
                error="ConnectionRefusedError: [Errno 111] Connection refused",
                attempts=6,
            )
        )
    _db.session.add(
        MailFailure(
            organization_id=None, to_address="nobody@example.fi", subject="S", error="E", attempts=1
        )
    )
    _db.session.commit()

    def page(user):
        client = app.test_client()
        from tests.conftest import PASSWORD

        client.post("/login", data={"email": user.email, "password": PASSWORD})
        return client.get("/admin/failed-mails")

    mine = page(coordinator)
    assert mine.status_code == 200
    html = mine.get_data(as_text=True)
    assert "home@example.fi" in html and "other@example.fi" not in html
    assert "Connection refused" in html
    assert "nobody@example.fi" not in html
    every = page(admin).get_data(as_text=True)
    assert all(to in every for to in ("home@example.fi", "other@example.fi", "nobody@example.fi"))
    assert page(member).status_code == 403


def test_with_the_mail_server_down_a_job_run_at_once_records_the_failure(immediate_app):
    """Without a worker (JOBS_IMMEDIATE, the demo) there is nobody to retry: the failure is
    recorded at the first try."""
    organization = make_organization()
    immediate_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_refused_port())
    queue_mail(compose("x@example.fi", "Aihe", "Teksti"), organization.id)
    _db.session.commit()
    _db.session.rollback()
    [failure] = _db.session.scalars(select(MailFailure)).all()
    assert failure.attempts == 1 and failure.organization_id == organization.id
    assert "refused" in failure.error


def _refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---- what the worker knows -----------------------------------------------------------------


def test_every_job_module_imports_and_the_daily_jobs_are_periodic():
    jobs.import_job_modules()
    from lean.core import daily

    periodic = {task.__name__ for task in jobs.queue._registry._periodic_tasks}
    assert {job.task_class.__name__ for job in daily.DAILY_JOBS.values()} <= periodic
    assert set(daily.DAILY_JOBS) == {
        "make-recurring-cards",
        "purge-deleted",
        "prune",
        "send-digests",
    }


def test_daily_schedules_follow_helsinki_time_in_winter_and_summer():
    at_six = jobs.daily_at(6, 0)
    # Winter: Helsinki is UTC+2; summer: UTC+3. huey asks with naive UTC times.
    assert at_six(datetime(2026, 11, 16, 4, 0))
    assert not at_six(datetime(2026, 11, 16, 6, 0))
    assert at_six(datetime(2026, 6, 15, 3, 0))
    assert at_six(datetime(2026, 6, 15, 3, 0, tzinfo=UTC))
    assert not at_six(datetime(2026, 6, 15, 3, 1))


def test_startup_hooks_each_run_as_their_own_unit_of_work(immediate_app, caplog):
    ran: list[str] = []

    def failing():
        ran.append("failing")
        raise RuntimeError("boom")

    def working():
        ran.append("working")

    jobs.on_startup(failing)
    jobs.on_startup(working)
    jobs.on_startup(working)  # once only
    try:
        jobs.run_startup_hooks()
    finally:
        jobs._startup_hooks.remove(failing)
        jobs._startup_hooks.remove(working)
    assert ran[-2:] == ["failing", "working"]
    assert "startup hook" in caplog.text


def test_the_worker_refuses_to_run_when_jobs_run_immediately(immediate_app):
    result = immediate_app.test_cli_runner().invoke(args=["jobs-worker"])
    assert result.exit_code != 0
    assert "JOBS_IMMEDIATE" in result.output


def test_each_daily_job_does_its_commands_work(immediate_app, caplog):
    """The periodic jobs call the commands' own code, each as a unit of work of its own."""
    from lean.core import daily

    caplog.set_level("INFO", logger="lean.core.daily")
    for task in daily.DAILY_JOBS.values():
        task.call_local()
    said = caplog.text
    assert "recurring cards made" in said
    assert "deleted kaizen entries removed for good" in said
    assert "columns over their work-in-progress limits today" in said
    assert "reset requests removed" in said
    assert "digests sent" in said


@pytest.mark.parametrize("job_queue", ["sqlite"], indirect=True)
def test_a_mail_queued_while_the_worker_is_down_goes_once_it_is_back(
    app,
    world,
    login,
    smtp_server,  # noqa: F811
    jobs_worker,
):
    controller, inbox = smtp_server
    mail = {"MAIL_SERVER": controller.hostname, "MAIL_PORT": controller.port}
    app.config.update(mail)
    worker = jobs_worker(**mail)
    worker.kill()
    assert not worker.running
    response = invite(login(world.users["coordinator"]), world, email="uusi@example.fi")
    assert response.status_code == 200
    time.sleep(0.5)
    assert inbox.messages == []
    worker.start()
    [message] = worker.wait_for(lambda: inbox.to("uusi@example.fi"))
    assert link_in(message) == shown_link(response)


def test_the_organization_page_tells_of_its_recent_failed_mails(immediate_app, clock):
    from datetime import timedelta

    from tests.conftest import PASSWORD

    home, other = make_organization(), make_organization()
    coordinator = make_user(home, is_coordinator=True)
    client = immediate_app.test_client()
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD})

    def notice() -> str:
        page = client.get(f"/admin/organizations/{home.id}").get_data(as_text=True)
        found = page.find('id="failed-mails-notice"')
        return page[found : page.find("</p>", found)] if found >= 0 else ""

    def failure(organization, age_days):
        _db.session.add(
            MailFailure(
                organization_id=organization.id,
                to_address="x@example.fi",
                subject="S",
                error="E",
                attempts=6,
                at=datetime.now(UTC) - timedelta(days=age_days),
            )
        )
        _db.session.commit()

    failure(other, 1)
    failure(home, 20)
    assert notice() == ""
    failure(home, 2)
    failure(home, 0)
    text = notice()
    assert "2 e-mails could not be sent in the last 14 days." in text
    assert 'href="/admin/failed-mails"' in text


def test_a_queue_that_cannot_be_reached_costs_the_page_nothing_and_is_logged(database, caplog):
    """Redis down: the invitation is made and its link shown; the lost mail is logged."""
    from tests.conftest import PASSWORD, make_app, make_team

    app = make_app(
        database,
        JOBS_IMMEDIATE=False,
        REDIS_URL=f"redis://127.0.0.1:{_refused_port()}/0",
        MAIL_SERVER="127.0.0.1",
    )
    with app.app_context():
        try:
            organization = make_organization()
            make_team(organization)
            coordinator = make_user(organization, is_coordinator=True)
            client = app.test_client()
            client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
            response = client.post(
                f"/organizations/{organization.id}/invitations",
                data={"email": "uusi@example.fi", "team": "", "role": "member"},
            )
            assert response.status_code == 200
            assert shown_link(response)
            assert "queueing an e-mail to uusi@example.fi failed" in caplog.text
            assert _db.session.scalar(select(OneTimeLink)) is not None
        finally:
            _db.session.remove()
            empty_tables()


class StallingInbox:
    """An SMTP server that, while `stalling`, takes a message's data and never answers (a
    worker killed meanwhile never hears back); otherwise it keeps what it receives."""

    def __init__(self):
        self.stalling = True
        self.stalled: list[str] = []
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        from email import message_from_bytes
        from email import policy as email_policy

        if self.stalling:
            self.stalled.append(envelope.rcpt_tos[0])
            await asyncio.sleep(3600)
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 Message accepted"


@pytest.mark.parametrize("job_queue", ["sqlite", "redis"], indirect=True)
def test_a_mail_whose_worker_is_killed_while_sending_goes_once_it_is_back(
    app, world, login, jobs_worker
):
    from aiosmtpd.controller import Controller

    inbox = StallingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_refused_port())
    controller.start()
    try:
        mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_TIMEOUT": 120}
        app.config.update(mail)
        response = invite(login(world.users["coordinator"]), world, email="uusi@example.fi")
        assert response.status_code == 200
        worker = jobs_worker(**mail, MAIL_GUARD_SECONDS=2)
        worker.wait_for(lambda: inbox.stalled)  # the worker is in the middle of sending
        worker.kill()
        inbox.stalling = False
        worker.start()
        [message] = worker.wait_for(lambda: inbox.messages)
        assert message["To"] == "uusi@example.fi"
        assert link_in(message) == shown_link(response)
        time.sleep(3)  # a copy taken back does not go later
        assert len(inbox.messages) == 1
    finally:
        controller.stop()


def test_prune_forgets_failed_mails_after_90_days(immediate_app):
    from datetime import timedelta

    organization = make_organization()
    for age in (91, 89):
        _db.session.add(
            MailFailure(
                organization_id=organization.id,
                to_address=f"{age}@example.fi",
                subject="S",
                error="E",
                attempts=6,
                at=datetime.now(UTC) - timedelta(days=age),
            )
        )
    _db.session.commit()
    result = immediate_app.test_cli_runner().invoke(args=["prune"])
    assert result.exit_code == 0, result.output
    assert "1 failed e-mails older than 90 days removed." in result.output
    _db.session.rollback()
    assert [row.to_address for row in _db.session.scalars(select(MailFailure))] == ["89@example.fi"]
