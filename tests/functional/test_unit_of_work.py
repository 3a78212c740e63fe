"""One unit of work: a request or a command commits once, at its end, or leaves no trace.

Each change made of several writes is sent through the test client while the database fails
one of its statements (or the commit itself), as a full disk or a lost server would: the user
gets the error page and the database holds nothing of the change, as another connection sees
it. Counting the database's COMMITs shows that a request, and a command, commits once.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask, has_request_context, request
from PIL import Image
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lean.auth import links
from lean.core.extensions import db
from lean.models import (
    A3Sheet,
    Improvement,
    KaizenEntry,
    LoginFailure,
    Organization,
    Standup,
    StandupItem,
    User,
)
from lean.shared.events import EventKind, subscribe, unsubscribe
from tests.conftest import (
    PASSWORD,
    make_app,
    make_improvement,
    make_kaizen,
    publish_world_card,
    theme,
    today,
)

WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def committed_rows() -> dict[str, int]:
    """Every table's row count as another connection sees it: only what was committed."""
    db.session.rollback()  # the test's own session holds no transaction (nor SQLite's lock)
    with db.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


@contextmanager
def failing_write(number: int = 2) -> Iterator[None]:
    """The `number`-th statement that writes fails, as on a full disk or a lost server."""
    writes = itertools.count(1)

    def fail(connection, cursor, statement, *args) -> None:
        if WRITE.match(statement) and next(writes) == number:
            raise OperationalError(statement, {}, Exception("disk I/O error"))

    event.listen(db.engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", fail)


@contextmanager
def failing_commit() -> Iterator[None]:
    """Every statement goes through, and then the COMMIT fails (of any app's engine)."""

    def fail(connection) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(Engine, "commit", fail)
    try:
        yield
    finally:
        event.remove(Engine, "commit", fail)


@contextmanager
def counted_commits() -> Iterator[list[int]]:
    """The database's COMMITs meanwhile, as a list with one entry per COMMIT."""
    commits: list[int] = []

    def count(connection) -> None:
        commits.append(1)

    event.listen(db.engine, "commit", count)
    try:
        yield commits
    finally:
        event.remove(db.engine, "commit", count)


def assert_unavailable(response) -> None:
    """The page that says the database cannot be reached just now, to try again soon."""
    assert response.status_code == 503, response.status_code
    assert response.headers["Retry-After"]
    assert 'class="narrow error-page"' in response.get_data(as_text=True)


def leaves_no_trace(request, number: int = 2) -> None:
    """Send the request with its `number`-th write failing: the 503 page, nothing kept."""
    before = committed_rows()
    with failing_write(number):
        response = request()
    assert_unavailable(response)
    assert committed_rows() == before


def upload_files(app) -> set[str]:
    return {path.name for path in Path(app.config["UPLOAD_FOLDER"]).iterdir()}


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def kaizen_with_photos(client, team):
    data = MultiDict(
        {
            "title": "Tulostin lähemmäs",
            "before": "Todistukset haettiin toisesta kerroksesta",
            "after": "Tulostin on palvelupisteen vieressä",
            "theme_id": str(theme().id),
        }
    )
    for number in range(2):
        data.add(f"files-{number}-file", FileStorage(io.BytesIO(png()), filename=f"{number}.png"))
    boundary, body = encode_multipart(data)
    return client.post(
        f"/teams/{team.id}/kaizen",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def open_standup(client, world) -> Standup:
    """A stand-up of the world's team, its agenda holding the world's (new) card."""
    assert client.post(f"/teams/{world.team.id}/standup").status_code == 303
    return db.session.scalar(select(Standup).where(Standup.team_id == world.team.id))


# ---- each change of several writes is all or nothing -----------------------------------------


def test_quick_add_keeps_neither_card_nor_event_when_a_write_fails(world, login_as):
    client = login_as("member")
    leaves_no_trace(
        lambda: client.post(
            f"/teams/{world.team.id}/improvements",
            data={"title": "Puolikas kortti", "theme_id": str(theme().id)},
        )
    )


def test_a_move_keeps_neither_stage_nor_event_when_a_write_fails(world, login_as):
    client = login_as("member")
    leaves_no_trace(
        lambda: client.post(f"/improvements/{world.improvement.id}/move", data={"stage": "do"})
    )
    assert db.session.get(Improvement, world.improvement.id).stage == "idea"


def test_adopting_keeps_no_card_adoption_or_event_when_a_write_fails(world, login):
    practice = publish_world_card(world)
    db.session.commit()
    client = login(world.users["foreign_member"])
    for number in (2, 3):  # after the card; after the card and its adoption
        leaves_no_trace(
            lambda: client.post(
                f"/network/practices/{practice.id}/adopt",
                data={"team_id": str(world.foreign_team.id)},
            ),
            number,
        )


def test_promoting_a_kaizen_keeps_no_card_when_a_write_fails(world, login_as):
    entry = make_kaizen(world.team, world.users["member"], title="Isompi juttu")
    client = login_as("member")
    for number in (2, 3):
        leaves_no_trace(lambda: client.post(f"/kaizen/{entry.id}/promote"), number)


def test_starting_a_standup_keeps_no_standup_or_agenda_when_a_write_fails(world, login_as):
    client = login_as("supervisor")
    leaves_no_trace(lambda: client.post(f"/teams/{world.team.id}/standup"))
    assert db.session.scalar(select(func.count(Standup.id))) == 0


def test_finishing_a_standup_keeps_nothing_when_a_write_fails(world, login_as):
    client = login_as("supervisor")
    standup = open_standup(client, world)
    members = [world.users["member"].id, world.users["supervisor"].id]
    leaves_no_trace(
        lambda: client.post(
            f"/standups/{standup.id}/finish",
            data={"version": str(standup.version), "attendees": [str(m) for m in members]},
        ),
        2,  # the attendees written, the stand-up not yet closed
    )
    assert db.session.get(Standup, standup.id).finished_at is None


def test_a_move_in_a_standup_keeps_neither_review_nor_move_when_a_write_fails(world, login_as):
    client = login_as("supervisor")
    standup = open_standup(client, world)
    leaves_no_trace(
        lambda: client.post(
            f"/standups/{standup.id}/cards/{world.improvement.id}/move", data={"stage": "plan"}
        )
    )
    item = db.session.scalar(select(StandupItem).where(StandupItem.standup_id == standup.id))
    assert item.reviewed_at is None


def test_an_escalation_keeps_nothing_when_a_write_fails(world, login_as):
    client = login_as("supervisor")
    standup = open_standup(client, world)
    leaves_no_trace(
        lambda: client.post(
            f"/standups/{standup.id}/cards/{world.improvement.id}/escalate",
            data={"question": "Saammeko rahaa kokeiluun?"},
        )
    )


def test_an_import_keeps_no_user_or_membership_when_a_write_fails(world, login_as):
    from tests.functional.test_import import confirm, upload

    client = login_as("coordinator")
    rows = "".join(
        f"Henkilö {n},henkilo{n}@example.fi,{world.team.name},member\n" for n in range(3)
    )
    preview = upload(client, world.organization, "name,email,team,role\n" + rows)
    assert preview.status_code == 200
    for number in (2, 3):
        leaves_no_trace(
            lambda: confirm(client, world.organization, preview.get_data(as_text=True)), number
        )


def test_accepting_an_invitation_keeps_no_account_when_a_write_fails(world, app):
    _link, token = links.create_invitation(
        world.users["coordinator"], world.organization, "uusi@example.fi", team=world.team
    )
    db.session.commit()
    client = app.test_client()
    data = {
        "name": "Uusi Henkilö",
        "password": "kolme-karhua-metsassa",
        "confirm": "kolme-karhua-metsassa",
        "language": "fi",
    }
    for number in (2, 3):  # the link claimed, then the account or its membership
        leaves_no_trace(lambda: client.post(f"/invitations/{token}", data=data), number)
    assert client.post(f"/invitations/{token}", data=data).status_code == 303


def test_a_password_reset_keeps_the_old_password_when_a_write_fails(world, app):
    member = world.users["member"]
    _link, token = links.create_password_reset(world.users["coordinator"], member)
    db.session.commit()
    data = {"new_password": "kolme-karhua-metsassa", "confirm": "kolme-karhua-metsassa"}
    client = app.test_client()
    leaves_no_trace(lambda: client.post(f"/password-reset/{token}", data=data))
    db.session.expire_all()
    assert db.session.get(User, member.id).check_password(PASSWORD)
    assert client.post(f"/password-reset/{token}", data=data).status_code == 303


def test_anonymising_keeps_the_name_and_sessions_when_a_write_fails(world, login_as, login):
    member = world.users["member"]
    member_client, admin = login(member), login_as("admin")
    leaves_no_trace(lambda: admin.post(f"/admin/users/{member.id}/anonymise"))
    assert db.session.get(User, member.id).name == member.name
    # The session token was not rotated either: the member is still logged in.
    assert member_client.get(f"/teams/{world.team.id}/board").status_code == 200


def test_an_a3_item_keeps_neither_item_nor_version_when_a_write_fails(world, login_as):
    client = login_as("member")
    assert client.post(f"/improvements/{world.improvement.id}/a3").status_code == 303
    sheet = db.session.scalar(select(A3Sheet))
    leaves_no_trace(lambda: client.post(f"/a3/{sheet.id}/items/whys", data={"text": "Miksi?"}))


def test_a_comment_keeps_nothing_and_tells_nobody_when_a_write_fails(world, login_as):
    client = login_as("supervisor")
    leaves_no_trace(
        lambda: client.post(
            f"/improvements/{world.improvement.id}/comments",
            data={"body": "Hyvä ajatus, kokeillaan!"},
        )
    )


def test_a_login_that_fails_after_counting_its_attempt_leaves_no_trace(world, app):
    """The attempt is counted first; when what follows fails, nothing of it stays."""
    member = world.users["member"]
    member.language = None
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["language"] = "sv"  # saved to the profile at login
    leaves_no_trace(
        lambda: client.post("/login", data={"email": member.email, "password": PASSWORD})
    )
    assert db.session.scalar(select(func.count(LoginFailure.id))) == 0


# ---- files written for a change go with it --------------------------------------------------


def test_a_kaizen_whose_write_fails_leaves_no_file(world, login_as, app):
    client = login_as("member")
    files = upload_files(app)
    leaves_no_trace(lambda: kaizen_with_photos(client, world.team), 2)
    assert upload_files(app) == files


def test_a_kaizen_whose_commit_fails_leaves_no_row_and_no_file(world, login_as, app):
    client = login_as("member")
    files, rows = upload_files(app), committed_rows()
    with failing_commit():
        response = kaizen_with_photos(client, world.team)
    assert_unavailable(response)
    assert committed_rows() == rows
    assert upload_files(app) == files


def test_files_of_removed_attachments_go_only_after_the_commit(world, login_as, app):
    client = login_as("member")
    assert kaizen_with_photos(client, world.team).status_code == 303
    entry = db.session.scalar(select(KaizenEntry))
    attachment = entry.attachments[0]
    form = {
        "title": entry.title,
        "before": entry.before,
        "after": entry.after,
        "theme_id": str(entry.theme_id),
        "version": str(entry.version),
        "remove_attachments": str(attachment.id),
    }
    with failing_commit():
        assert_unavailable(client.post(f"/kaizen/{entry.id}/edit", data=form))
    assert attachment.stored_name in upload_files(app)  # the attachment stays, so does its file
    assert client.post(f"/kaizen/{entry.id}/edit", data=form).status_code == 303
    assert attachment.stored_name not in upload_files(app)


# ---- one commit per request, per command -----------------------------------------------------


def test_a_login_commits_once(world, app):
    member = world.users["member"]
    member.language = None
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["language"] = "sv"
    with counted_commits() as commits:
        response = client.post("/login", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 303
    assert len(commits) == 1
    db.session.expire_all()
    assert db.session.get(User, member.id).language == "sv"


def test_a_wrong_password_is_counted_in_the_requests_one_commit(world, app):
    client = app.test_client()
    with counted_commits() as commits:
        response = client.post(
            "/login", data={"email": world.users["member"].email, "password": "x" * 12}
        )
    assert response.status_code == 422
    assert len(commits) == 1
    assert committed_rows()["login_failure"] == 1


@pytest.mark.parametrize(
    ("role", "send"),
    [
        pytest.param(
            "member",
            lambda world, client: client.post(
                f"/teams/{world.team.id}/improvements",
                data={"title": "Uusi kortti", "theme_id": str(theme().id)},
            ),
            id="quick add",
        ),
        pytest.param(
            "supervisor",
            lambda world, client: client.post(f"/teams/{world.team.id}/standup"),
            id="stand-up",
        ),
        pytest.param(
            "admin",
            lambda world, client: client.post(f"/admin/users/{world.users['member'].id}/anonymise"),
            id="anonymise",
        ),
        pytest.param("member", lambda world, client: client.post("/logout"), id="logout"),
    ],
)
def test_a_change_commits_once(world, login_as, role, send):
    client = login_as(role)
    with counted_commits() as commits:
        response = send(world, client)
    assert response.status_code == 303
    assert len(commits) == 1


def test_a_page_commits_nothing(world, login_as):
    client = login_as("member")
    with counted_commits() as commits:
        assert client.get(f"/teams/{world.team.id}/board").status_code == 200
    assert commits == []


def test_a_command_commits_once(world, runner, clock):
    for title in ("Eräpäivä huomenna", "Toinen huomenna"):
        make_improvement(
            world.team, world.users["member"], title=title, due_date=today() + timedelta(days=1)
        )
    with counted_commits() as commits:
        result = runner.invoke(args=["notify-due"])
    assert result.exit_code == 0, result.output
    assert "2 reminders" in result.output
    assert len(commits) == 1
    assert committed_rows()["notification"] == 2


def test_a_command_that_fails_keeps_nothing_of_its_run(world, runner, app, monkeypatch):
    """send-digests makes the reminders, then queueing its first mail fails: no reminder is
    kept."""
    from lean.conversation import digests

    member = world.users["member"]
    make_improvement(world.team, member, due_date=today() + timedelta(days=1))
    member.digest_frequency = "daily"
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9, MAIL_TIMEOUT=2)

    def queue_full(*args, **kwargs):
        raise OSError("the job queue's storage cannot be written")

    monkeypatch.setattr(digests, "send_mail", queue_full)
    before = committed_rows()
    result = runner.invoke(args=["send-digests"])
    assert result.exit_code != 0
    assert committed_rows() == before


# ---- events reach their subscribers once per committed request --------------------------------


@pytest.fixture
def moves(app) -> Iterator[list[int]]:
    """The ids of the cards whose 'moved' events reached a subscriber."""
    got: list[int] = []

    def remember(session, committed) -> None:
        got.append(committed.subject_id)

    subscribe(EventKind.MOVED, remember)
    yield got
    unsubscribe(EventKind.MOVED, remember)


def test_events_are_delivered_once_after_the_commit_and_never_on_failure(world, login_as, moves):
    client = login_as("member")
    card = world.improvement
    with failing_commit():
        assert_unavailable(client.post(f"/improvements/{card.id}/move", data={"stage": "plan"}))
    assert moves == []
    assert client.post(f"/improvements/{card.id}/move", data={"stage": "plan"}).status_code == 303
    assert moves == [card.id]


def test_a_standup_move_delivers_its_event_once(world, login_as, moves):
    client = login_as("supervisor")
    standup = open_standup(client, world)
    response = client.post(
        f"/standups/{standup.id}/cards/{world.improvement.id}/move", data={"stage": "do"}
    )
    assert response.status_code == 303
    assert moves == [world.improvement.id]


# ---- the mechanism, with views of its own ------------------------------------------------------


@pytest.fixture
def probe(database) -> Flask:
    """An app with views that write an organization, then answer or fail as asked."""
    from lean.core import unit_of_work

    app = make_app(database)
    done: list[str] = []
    app.config["done"] = done

    @app.post("/probe/<int:status>")
    def write_then_answer(status: int):
        db.session.add(Organization(name=f"Koetin {status}"))
        db.session.flush()
        unit_of_work.after_commit(lambda: done.append("after commit"))
        unit_of_work.after_rollback(lambda: done.append("after rollback"))
        return "", status

    @app.post("/probe/fail")
    def write_then_fail():
        db.session.add(Organization(name="Koetin kaatuu"))
        db.session.flush()
        unit_of_work.after_rollback(lambda: done.append("after rollback"))
        raise RuntimeError("a bug after the write")

    return app


def probe_organizations() -> list[str]:
    return [name for name in db.session.scalars(select(Organization.name)) if "Koetin" in name]


@pytest.mark.parametrize(
    ("status", "kept", "hook"),
    [
        (200, ["Koetin 200"], "after commit"),
        (303, ["Koetin 303"], "after commit"),
        (409, [], "after rollback"),
        (422, [], "after rollback"),
    ],
)
def test_a_change_is_committed_only_with_a_successful_answer(probe, app, status, kept, hook):
    assert probe.test_client().post(f"/probe/{status}").status_code == status
    committed_rows()
    assert probe_organizations() == kept
    assert probe.config["done"] == [hook]


def test_an_error_after_a_write_keeps_nothing_and_shows_the_error_page(probe, app):
    response = probe.test_client().post("/probe/fail")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    committed_rows()
    assert probe_organizations() == []
    assert probe.config["done"] == ["after rollback"]


def test_a_failed_commit_is_the_database_error_page(probe, app):
    with failing_commit():
        response = probe.test_client().post("/probe/200")
    assert_unavailable(response)
    committed_rows()
    assert probe_organizations() == []
    assert probe.config["done"] == ["after rollback"]


# ---- mail goes only for what was committed, and no transaction waits for it ----------------


class LockProbingInbox:
    """An SMTP handler that keeps each message and, while the app waits for it, writes from
    another connection: whether the app's writers were free. On SQLite that takes the one
    write lock; on PostgreSQL it changes the rows a link's request could hold (the people and
    their organizations), with a short lock timeout."""

    def __init__(self, url: str):
        # A connection of its own that gives up after 0.2 s instead of queueing.
        connect_args = {"timeout": 0.2} if url.startswith("sqlite") else {}
        self.engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
        self.messages: list[bytes] = []
        self.writers_free: list[bool] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        self.writers_free.append(self._writers_free())
        return "250 Message accepted"

    def _writers_free(self) -> bool:
        try:
            # On SQLite the transaction begins with BEGIN IMMEDIATE (lean/core/extensions.py).
            with self.engine.connect() as connection, connection.begin() as transaction:
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
                    connection.exec_driver_sql('UPDATE "user" SET name = name')
                    connection.exec_driver_sql("UPDATE organization SET name = name")
                transaction.rollback()
        except OperationalError:  # locked, or the lock timeout ran out
            return False
        return True


@pytest.fixture
def lock_probing_inbox(app) -> Iterator[LockProbingInbox]:
    """Mail on, to an SMTP server of the test's that probes whether writers wait."""
    from aiosmtpd.controller import Controller

    from tests.functional.test_links import free_port

    inbox = LockProbingInbox(db.engine.url.render_as_string(hide_password=False))
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield inbox
    controller.stop()
    inbox.engine.dispose()


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(
            lambda world, client: client.post(
                f"/organizations/{world.organization.id}/invitations",
                data={"email": "uusi@example.fi", "team": "", "role": "member"},
            ),
            id="invitation",
        ),
        pytest.param(
            lambda world, client: client.post(f"/users/{world.users['member'].id}/password-reset"),
            id="password link",
        ),
    ],
)
def test_a_link_is_mailed_once_stored_with_no_writer_waiting(
    world, login_as, lock_probing_inbox, send
):
    client = login_as("coordinator")
    response = send(world, client)
    assert response.status_code == 200
    assert "on its way by e-mail" in response.get_data(as_text=True)
    assert committed_rows()["one_time_link"] == 1
    assert lock_probing_inbox.writers_free == [True]


def test_a_requested_reset_is_mailed_after_the_response_with_no_writer_waiting(
    world, app, lock_probing_inbox
):
    response = app.test_client().post("/password-reset", data={"email": "member@example.fi"})
    assert response.status_code == 200
    response.close()  # as a server does once it has sent it: the link is made and mailed now
    assert committed_rows()["one_time_link"] == 1
    assert lock_probing_inbox.writers_free == [True]


def test_a_reset_request_whose_commit_fails_mails_nothing(world, app, lock_probing_inbox):
    before = committed_rows()
    with failing_commit():
        response = app.test_client().post("/password-reset", data={"email": "member@example.fi"})
        response.close()
    assert_unavailable(response)
    assert committed_rows() == before
    assert lock_probing_inbox.messages == []


def test_a_page_reads_in_a_snapshot_on_sqlite_and_statement_by_statement_on_postgresql(
    world, login_as
):
    """On PostgreSQL a read-only request runs in autocommit (no BEGIN and ROLLBACK round trips:
    at READ COMMITTED each statement sees what a transaction's would); a request that writes
    runs in one transaction on both."""
    in_transaction: dict[str, set[bool]] = {"GET": set(), "POST": set()}

    def after(connection, cursor, statement, *_args) -> None:
        if not has_request_context():
            return
        dbapi = connection.connection.dbapi_connection
        if connection.dialect.name == "postgresql":
            idle = dbapi.info.transaction_status == dbapi.info.transaction_status.IDLE
            in_transaction[request.method].add(not idle)
        else:
            in_transaction[request.method].add(dbapi.in_transaction)

    client = login_as("member")
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        assert client.get(f"/teams/{world.team.id}/board").status_code == 200
        assert client.post("/language", data={"language": "sv"}).status_code == 303
    finally:
        event.remove(db.engine, "after_cursor_execute", after)
    assert in_transaction["GET"] == {db.engine.dialect.name == "sqlite"}
    assert in_transaction["POST"] == {True}
