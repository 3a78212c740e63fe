"""Invitations and password resets: one-time links, shown to copy and sent by real SMTP."""

from __future__ import annotations

import re
import socket
from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from lean.auth import links
from lean.core.extensions import db as _db
from lean.core.keys import token_hash
from lean.models import Event, LinkPurpose, OneTimeLink, PasswordResetRequest, User
from tests.conftest import PASSWORD, empty_tables, make_app

NEW_PASSWORD = "kolme-karhua-metsassa"
LINK = re.compile(r'id="one-time-link" value="([^"]+)"')


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on this machine, for the length of one test."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def inbox(smtp_server) -> Inbox:
    """What the test's SMTP server received; asking for it turns the app's e-mail on."""
    return smtp_server[1]


@pytest.fixture
def app(database, request):
    """conftest's app, sending e-mail to the test's SMTP server when the test uses `inbox`.

    The whole test shares one app, so the `world`, `login` and `db` fixtures work with it
    and its requests share the test's database session.
    """
    mail = {}
    if "inbox" in request.fixturenames:
        controller, _inbox = request.getfixturevalue("smtp_server")
        mail = {
            "MAIL_SERVER": controller.hostname,
            "MAIL_PORT": controller.port,
            "MAIL_SENDER": "Vertaa <vertaa@example.fi>",
        }
    app = make_app(database, **mail)
    with app.app_context():
        yield app
        _db.session.remove()
        empty_tables()
        _db.engine.dispose()


def shown_link(response) -> str:
    match = LINK.search(response.get_data(as_text=True))
    assert match, "the page shows no one-time link"
    return match.group(1)


def path_of(url: str) -> str:
    return url.removeprefix("http://localhost")


def link_in(message: EmailMessage) -> str:
    match = re.search(r"http://localhost/\S+", message.get_content())
    assert match, message.get_content()
    return match.group(0)


def invite(client, world, email="uusi.henkilo@example.fi", role="supervisor", team=True):
    return client.post(
        f"/organizations/{world.organization.id}/invitations",
        data={"email": email, "team": str(world.team.id) if team else "", "role": role},
    )


def accept(client, url, name="Uusi Henkilö", password=NEW_PASSWORD, confirm=None, language="sv"):
    return client.post(
        path_of(url),
        data={
            "name": name,
            "password": password,
            "confirm": password if confirm is None else confirm,
            "language": language,
        },
    )


def test_coordinator_invites_and_the_link_arrives_by_mail(app, world, login, inbox):
    client = login(world.users["coordinator"])
    form = client.get(f"/organizations/{world.organization.id}/invitations")
    assert form.status_code == 200
    assert "Opintotoimisto" in form.get_data(as_text=True)

    response = invite(client, world, email=" Uusi.Henkilo@Example.fi ")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    url = shown_link(response)
    assert url.startswith("http://localhost/invitations/")
    assert "on its way by e-mail to uusi.henkilo@example.fi" in page

    [message] = inbox.to("uusi.henkilo@example.fi")
    assert message["Subject"] == "Invitation to Vertaa"
    assert message["From"] == "Vertaa <vertaa@example.fi>"
    assert link_in(message) == url
    assert world.users["coordinator"].name in message.get_content()

    # Only the token's hash is kept; the invitation is listed as pending, and audited.
    token = url.rsplit("/", 1)[1]
    link = _db.session.scalar(select(OneTimeLink))
    assert link.token_hash == token_hash(token) and token not in link.token_hash
    assert link.expires_at - link.created_at == timedelta(days=7)
    listing = client.get(f"/organizations/{world.organization.id}/invitations")
    assert "uusi.henkilo@example.fi" in listing.get_data(as_text=True)
    assert world.users["coordinator"].name in listing.get_data(as_text=True)
    assert _db.session.scalar(select(Event).where(Event.kind == "invitation_created"))


def test_invitee_accepts_joins_the_team_and_the_link_works_once(app, world, login, inbox):
    url = shown_link(invite(login(world.users["coordinator"]), world))
    invitee = app.test_client()
    form = invitee.get(path_of(url))
    assert form.status_code == 200
    assert "Opintotoimisto" in form.get_data(as_text=True)

    response = accept(invitee, url)
    assert response.status_code == 303
    assert response.location == "/"
    assert invitee.get("/teams").status_code == 200  # logged in

    user = _db.session.scalar(select(User).where(User.email == "uusi.henkilo@example.fi"))
    assert user.name == "Uusi Henkilö"
    assert user.organization_id == world.organization.id
    assert user.language == "sv"
    assert user.role_in(world.team.id) == "supervisor"
    assert user.check_password(NEW_PASSWORD)
    assert _db.session.scalar(select(OneTimeLink)).used_at is not None

    # A second use, by anyone, is refused with the friendly page.
    again = app.test_client()
    refused = accept(again, url, name="Toinen")
    assert refused.status_code == 404
    assert "expired or has already been used" in refused.get_data(as_text=True)
    assert again.get(path_of(url)).status_code == 404
    assert len(_db.session.scalars(select(User).where(User.name == "Toinen")).all()) == 0
    # The invitation is no longer pending.
    listing = login(world.users["coordinator"]).get(
        f"/organizations/{world.organization.id}/invitations"
    )
    assert "uusi.henkilo@example.fi" not in listing.get_data(as_text=True)


def test_expired_invitation_is_refused(app, world, login):
    url = shown_link(invite(login(world.users["coordinator"]), world))
    link = _db.session.scalar(select(OneTimeLink))
    link.expires_at -= timedelta(days=7, seconds=1)
    _db.session.commit()
    client = app.test_client()
    assert client.get(path_of(url)).status_code == 404
    assert accept(client, url).status_code == 404
    assert _db.session.scalar(select(User).where(User.email == "uusi.henkilo@example.fi")) is None


def test_unusable_link_page_speaks_the_browsers_language(app, world):
    response = app.test_client().get(
        "/invitations/not-a-real-token", headers={"Accept-Language": "fi"}
    )
    assert response.status_code == 404
    assert '<html lang="fi">' in response.get_data(as_text=True)


def test_weak_password_is_refused_and_the_form_kept(app, world, login):
    url = shown_link(invite(login(world.users["coordinator"]), world))
    invitee = app.test_client()
    response = accept(invitee, url, name="Pysyvä Nimi", password="password123")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "too common" in page
    assert 'value="Pysyvä Nimi"' in page
    assert 'aria-invalid="true"' in page
    assert 'role="alert"' in page
    differing = accept(invitee, url, confirm="kolme-karhua-metsassb")
    assert differing.status_code == 422
    assert "The passwords differ" in differing.get_data(as_text=True)
    # Nothing was created or used up: the link still works.
    assert _db.session.scalar(select(OneTimeLink)).used_at is None
    assert accept(invitee, url).status_code == 303


def test_an_address_with_an_account_is_not_invited(app, world, login, inbox):
    client = login(world.users["coordinator"])
    response = invite(client, world, email="MEMBER@example.fi")
    assert response.status_code == 422
    assert "already has an account" in response.get_data(as_text=True)
    assert _db.session.scalar(select(OneTimeLink)) is None
    assert inbox.messages == []


@pytest.mark.parametrize(
    ("role", "status"), [("foreign_member", 404), ("member", 403), ("supervisor", 403)]
)
def test_only_the_organizations_managers_invite(app, world, login, role, status):
    client = login(world.users[role])
    assert client.get(f"/organizations/{world.organization.id}/invitations").status_code == status
    assert invite(client, world).status_code == status
    assert _db.session.scalar(select(OneTimeLink)) is None


def test_coordinator_cannot_invite_into_another_organization(app, world, login):
    client = login(world.users["coordinator"])
    url = f"/organizations/{world.foreign_organization.id}/invitations"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"email": "x@example.fi", "role": "member"}).status_code == 404


def test_team_of_another_organization_is_not_a_choice(app, world, login):
    client = login(world.users["coordinator"])
    response = client.post(
        f"/organizations/{world.organization.id}/invitations",
        data={"email": "x@example.fi", "team": str(world.foreign_team.id), "role": "member"},
    )
    assert response.status_code == 422
    assert _db.session.scalar(select(OneTimeLink)) is None


def test_without_mail_the_link_is_shown_and_nothing_sent(app, world, login, smtp_server):
    # A server is running, but the app is not told about it (the test asks not for `inbox`).
    inbox = smtp_server[1]
    client = login(world.users["admin"])
    response = invite(client, world, team=False)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert shown_link(response).startswith("http://localhost/invitations/")
    assert "nothing was sent" in page
    assert inbox.messages == []
    # Without a team the new user belongs to the organization only.
    assert accept(app.test_client(), shown_link(response)).status_code == 303
    user = _db.session.scalar(select(User).where(User.email == "uusi.henkilo@example.fi"))
    assert user.memberships == []


def test_failed_sending_keeps_the_link_to_copy_and_lists_the_failure(app, world, login, caplog):
    # A port where nothing listens: the connection is refused (by the mail job, after the
    # response was made; here at once, the tests' jobs run as soon as they are queued).
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    client = login(world.users["coordinator"])
    response = invite(client, world)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "If it does not arrive, copy the link" in page
    assert shown_link(response)
    assert 'href="/admin/failed-mails"' in page
    assert "failed for good" in caplog.text
    assert _db.session.scalar(select(OneTimeLink)) is not None  # the invitation exists
    listed = client.get("/admin/failed-mails").get_data(as_text=True)
    assert "uusi.henkilo@example.fi" in listed and "Invitation to Vertaa" in listed


def test_coordinators_reset_link_ends_sessions_and_the_old_password(app, world, login, inbox):
    member = world.users["member"]
    members_browser = login(member)
    coordinator = login(world.users["coordinator"])

    response = coordinator.post(f"/users/{member.id}/password-reset")
    assert response.status_code == 200
    url = shown_link(response)
    assert url.startswith("http://localhost/password-reset/")
    [message] = inbox.to("member@example.fi")
    assert link_in(message) == url
    link = _db.session.scalar(select(OneTimeLink))
    assert link.expires_at - link.created_at == timedelta(hours=24)

    stranger = app.test_client()
    assert stranger.get(path_of(url)).status_code == 200
    response = stranger.post(
        path_of(url), data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 303
    assert response.location == "/login"

    assert members_browser.get("/teams").status_code == 302  # the old session has ended
    old = stranger.post("/login", data={"email": member.email, "password": PASSWORD})
    assert old.status_code == 422
    new = stranger.post("/login", data={"email": member.email, "password": NEW_PASSWORD})
    assert new.status_code == 303
    # The link is used up.
    assert app.test_client().get(path_of(url)).status_code == 404


def test_reset_link_of_another_organizations_user_is_not_made(app, world, login):
    coordinator = login(world.users["coordinator"])
    foreigner = world.users["foreign_member"]
    assert coordinator.post(f"/users/{foreigner.id}/password-reset").status_code == 404
    member = login(world.users["member"])
    assert member.post(f"/users/{world.users['supervisor'].id}/password-reset").status_code == 403
    assert _db.session.scalar(select(OneTimeLink)) is None


def test_self_service_reset_answers_alike_and_mails_only_the_known(app, world, inbox):
    client = app.test_client()
    assert client.get("/login").get_data(as_text=True).count("/password-reset") == 1
    assert client.get("/password-reset").status_code == 200

    known = client.post("/password-reset", data={"email": "Member@example.fi"})
    unknown = client.post("/password-reset", data={"email": "nobody@example.fi"})
    assert known.status_code == unknown.status_code == 200

    def message(response):
        page = response.get_data(as_text=True)
        # CSRF tokens carry the second they were made: two requests may straddle one.
        return re.sub(r'name="csrf_token"[^>]*|value="[^"]*"|"X-CSRFToken": "[^"]*"', "", page)

    assert message(known) == message(unknown)
    assert "If the address is registered" in known.get_data(as_text=True)
    known.close(), unknown.close()  # as a server does once it has sent them
    assert inbox.to("nobody@example.fi") == []
    [sent] = inbox.to("member@example.fi")
    assert sent["Subject"] == "New password for Vertaa"

    response = client.post(
        path_of(link_in(sent)), data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 303
    assert (
        client.post(
            "/login", data={"email": "member@example.fi", "password": NEW_PASSWORD}
        ).status_code
        == 303
    )


def test_self_service_reset_needs_mail(app, world):
    client = app.test_client()
    response = client.get("/password-reset")
    assert response.status_code == 200
    assert "coordinator" in response.get_data(as_text=True)
    posted = client.post("/password-reset", data={"email": "member@example.fi"})
    assert posted.status_code == 200
    assert _db.session.scalar(select(OneTimeLink)) is None


def test_invitation_token_does_not_reset_a_password(app, world, login):
    url = shown_link(invite(login(world.users["coordinator"]), world))
    token = url.rsplit("/", 1)[1]
    assert links.find_usable_link(token, LinkPurpose.PASSWORD_RESET) is None
    assert app.test_client().get(f"/password-reset/{token}").status_code == 404


# ---- links come from BASE_URL, never from the request's Host ------------------------------


def test_reset_request_for_a_foreign_host_is_refused_and_sends_nothing(app, world, inbox):
    response = app.test_client().post(
        "/password-reset",
        data={"email": "member@example.fi"},
        headers={"Host": "evil.example", "Accept-Language": "fi"},
    )
    response.close()  # a server closes the response after sending it
    assert response.status_code == 400
    assert "Virheellinen pyyntö" in response.get_data(as_text=True)  # our page, in Finnish
    assert inbox.messages == []
    assert _db.session.scalar(select(OneTimeLink)) is None


def test_every_link_comes_from_the_base_url_whatever_host_was_asked(app, world, login, inbox):
    app.config["BASE_URL"] = "https://vertaa.example.fi/lean"
    # A second name this installation answers to: links still use the configured origin.
    app.config["TRUSTED_HOSTS"] = ["localhost", "alias.example.fi"]
    alias = {"base_url": "http://alias.example.fi"}
    coordinator = login(world.users["coordinator"])  # on http://localhost

    invited = coordinator.post(
        f"/organizations/{world.organization.id}/invitations",
        data={"email": "uusi@example.fi", "team": "", "role": "member"},
    )
    assert shown_link(invited).startswith("https://vertaa.example.fi/lean/invitations/")
    [invitation] = inbox.to("uusi@example.fi")
    assert "https://vertaa.example.fi/lean/invitations/" in invitation.get_content()

    member = world.users["member"]
    made = coordinator.post(f"/users/{member.id}/password-reset")
    assert shown_link(made).startswith("https://vertaa.example.fi/lean/password-reset/")

    requested = app.test_client().post(
        "/password-reset", data={"email": "supervisor@example.fi"}, **alias
    )
    requested.close()
    [reset] = inbox.to("supervisor@example.fi")
    assert "https://vertaa.example.fi/lean/password-reset/" in reset.get_content()
    assert "alias.example.fi" not in reset.get_content()


def test_without_base_url_development_links_use_the_trusted_request_origin(app, world):
    coordinator = app.test_client()
    origin = {"base_url": "http://127.0.0.1:5000"}
    logged_in = coordinator.post(
        "/login", data={"email": "coordinator@example.fi", "password": PASSWORD}, **origin
    )
    assert logged_in.status_code == 303
    made = coordinator.post(f"/users/{world.users['member'].id}/password-reset", **origin)
    assert shown_link(made).startswith("http://127.0.0.1:5000/password-reset/")


def test_production_refuses_to_start_without_a_base_url(database, monkeypatch):
    monkeypatch.delenv("LEAN_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="LEAN_BASE_URL"):
        make_app(database, ENV="production", SECRET_KEY="p" * 40)
    with pytest.raises(RuntimeError, match="LEAN_BASE_URL"):
        make_app(database, ENV="production", SECRET_KEY="p" * 40, BASE_URL="vertaa.example.fi")


def test_production_answers_only_to_the_configured_hosts(database, monkeypatch):
    monkeypatch.setenv("LEAN_BASE_URL", "https://vertaa.example.fi")
    monkeypatch.setenv("LEAN_TRUSTED_HOSTS", "vertaa.example.fi, vertaa.internal")
    app = make_app(database, ENV="production", SECRET_KEY="p" * 40)
    client = app.test_client()
    for host, status in [
        ("vertaa.example.fi", 200),
        ("vertaa.internal", 200),
        ("localhost", 400),
        ("evil.example", 400),
    ]:
        response = client.get("/login", base_url=f"https://{host}")
        assert response.status_code == status, host


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:5000", "localhost:8080"])
def test_outside_production_loopback_names_are_served(app, host):
    assert app.test_client().get("/login", base_url=f"http://{host}").status_code == 200


# ---- the self-service reset reveals nothing by its timing, and is throttled ----------------


def request_reset(client, email: str, **options):
    """Ask for a reset as a browser would: the server closes the response once it is sent."""
    response = client.post("/password-reset", data={"email": email}, **options)
    response.close()
    return response


def test_reset_mail_goes_only_after_the_response(app, world, inbox):
    response = app.test_client().post("/password-reset", data={"email": "member@example.fi"})
    assert response.status_code == 200
    # The page is complete and nothing was sent while it was made: a slow or failing mail
    # server cannot make a known address answer later than an unknown one.
    assert "If the address is registered" in response.get_data(as_text=True)
    assert inbox.messages == []
    response.close()
    [sent] = inbox.to("member@example.fi")
    assert sent["Subject"] == "New password for Vertaa"


def test_reset_mail_failing_after_the_response_is_logged(app, world, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    response = request_reset(app.test_client(), "member@example.fi")
    assert response.status_code == 200
    assert "sending an e-mail to member@example.fi failed for good" in caplog.text


def test_reset_requests_are_throttled_per_account(app, world, inbox):
    app.config["PASSWORD_RESET_MAX_PER_ACCOUNT"] = 3
    client = app.test_client()
    pages = [request_reset(client, "member@example.fi") for _ in range(5)]
    # The throttled answers look like the others; only the inbox shows the difference.
    assert {page.status_code for page in pages} == {200}
    assert all("If the address is registered" in page.get_data(as_text=True) for page in pages)
    assert len(inbox.to("member@example.fi")) == 3
    # Another account is not held back by this one.
    request_reset(client, "supervisor@example.fi")
    assert len(inbox.to("supervisor@example.fi")) == 1


def test_reset_requests_are_throttled_per_network_address(app, world, inbox):
    app.config["PASSWORD_RESET_MAX_PER_ADDRESS"] = 2
    here, elsewhere = app.test_client(), app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    # Unknown addresses count too: a sweep over guessed addresses is what this stops.
    request_reset(here, "nobody@example.fi")
    request_reset(here, "member@example.fi")
    request_reset(here, "supervisor@example.fi")
    assert [m["To"] for m in inbox.messages] == ["member@example.fi"]
    request_reset(elsewhere, "supervisor@example.fi")
    assert [m["To"] for m in inbox.messages] == ["member@example.fi", "supervisor@example.fi"]


def test_reset_requests_from_ipv6_are_throttled_per_64(app, world, inbox):
    app.config["PASSWORD_RESET_MAX_PER_ADDRESS"] = 2
    for number, email in enumerate(
        ["nobody@example.fi", "member@example.fi", "supervisor@example.fi"]
    ):
        rotating = app.test_client()
        rotating.environ_base["REMOTE_ADDR"] = f"2001:db8:7:7::{number + 1}"
        request_reset(rotating, email)
    assert [m["To"] for m in inbox.messages] == ["member@example.fi"]
    neighbour = app.test_client()
    neighbour.environ_base["REMOTE_ADDR"] = "2001:db8:7:8::1"
    request_reset(neighbour, "supervisor@example.fi")
    assert [m["To"] for m in inbox.messages] == ["member@example.fi", "supervisor@example.fi"]


def test_reset_throttle_ends_with_its_window(app, world, inbox):
    app.config["PASSWORD_RESET_MAX_PER_ACCOUNT"] = 1
    client = app.test_client()
    request_reset(client, "member@example.fi")
    request_reset(client, "member@example.fi")
    assert len(inbox.to("member@example.fi")) == 1
    for old in _db.session.scalars(select(PasswordResetRequest)):
        old.at -= app.config["PASSWORD_RESET_WINDOW"]
    _db.session.commit()
    request_reset(client, "member@example.fi")
    assert len(inbox.to("member@example.fi")) == 2
