"""Invitations for everyone imported: one action after the import, each mail in the person's
language with a link valid 7 days (or a welcome where the organization signs its people in),
the pending invitations (resend, take back, expiry shown) and a person's page telling the truth."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from lean.core.extensions import db as _db
from lean.models import LinkPurpose, OneTimeLink, SignOnProvider, User
from tests.conftest import make_user
from tests.functional import test_links
from tests.functional.test_import import HEADER, confirm, upload

# The fixtures of a real SMTP server on this machine, and an app that sends to it.
app = test_links.app
inbox = test_links.inbox
smtp_server = test_links.smtp_server
free_port = test_links.free_port

NEW_PASSWORD = "kolme-karhua-metsassa"
PEOPLE = (
    HEADER
    + "Aino Aalto,aino@example.fi,Opintotoimisto,member\n"
    + "Bertil Berg,bertil@example.fi,Rakennusala,supervisor\n"
    + "Carl Cole,carl@example.fi,Opintotoimisto,member\n"
)
LANGUAGES = {"aino@example.fi": "fi", "bertil@example.fi": "sv", "carl@example.fi": "en"}


def import_people(client, organization, content: str = PEOPLE) -> str:
    """Upload and confirm the file; the address of the page that follows."""
    preview = upload(client, organization, content).get_data(as_text=True)
    response = confirm(client, organization, preview)
    assert response.status_code == 303
    return response.headers["Location"]


def person(email: str) -> User:
    return _db.session.scalar(select(User).where(User.email == email))


def with_languages() -> None:
    for email, language in LANGUAGES.items():
        person(email).language = language
    _db.session.commit()


def send_from(client, page_html: str, organization):
    people = re.search(r'name="people" value="([^"]*)"', page_html)
    assert people, "the page has no send form"
    return client.post(
        f"/organizations/{organization.id}/invitations/send", data={"people": people.group(1)}
    )


def link_in(message) -> str:
    match = re.search(r"http://localhost/\S+", message.get_content())
    assert match, message.get_content()
    return match.group(0)


def path(url: str) -> str:
    return urlsplit(url).path


def invite_all(client, world) -> str:
    """Import the three, give them their languages, send; the page that answered."""
    location = import_people(client, world.organization)
    with_languages()
    page = client.get(location)
    assert page.status_code == 200
    response = send_from(client, page.get_data(as_text=True), world.organization)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_after_the_import_the_people_made_and_one_action(world, login_as):
    client = login_as("coordinator")
    location = import_people(client, world.organization)
    assert path(location) == f"/organizations/{world.organization.id}/invitations/new"
    html = client.get(location).get_data(as_text=True)
    for name, email in [
        ("Aino Aalto", "aino@example.fi"),
        ("Bertil Berg", "bertil@example.fi"),
        ("Carl Cole", "carl@example.fi"),
    ]:
        assert name in html and email in html
    assert "Rakennusala" in html and "Opintotoimisto" in html
    assert "The import made 3 people" in html
    assert html.count('type="submit"') - html.count("logout") >= 1
    assert "Send each of them an invitation" in html
    assert "Invitation: a link to choose a password, valid 7 days" in html


def test_each_gets_a_mail_in_their_language_whose_link_sets_the_password(
    app, world, login_as, login, inbox
):
    client = login_as("coordinator")
    html = invite_all(client, world)
    assert "3 e-mails are on their way." in html
    subjects = {
        "aino@example.fi": "Kutsu Vertaa-palveluun",
        "bertil@example.fi": "Inbjudan till Vertaa",
        "carl@example.fi": "Invitation to Vertaa",
    }
    for email, subject in subjects.items():
        [message] = inbox.to(email)
        assert message["Subject"] == subject
        # The test clock: 16.11.2026 10.00 in Helsinki, and seven days on.
        assert "23.11.2026" in message.get_content()
    links = _db.session.scalars(select(OneTimeLink)).all()
    assert len(links) == 3
    for link in links:
        assert link.purpose == LinkPurpose.INVITATION and link.user_id is not None
        assert link.expires_at - link.created_at == timedelta(days=7)

    carl = person("carl@example.fi")
    page = client.get(f"/admin/users/{carl.id}").get_data(as_text=True)
    assert "Invited, not yet signed in" in page and "Has a password" not in page
    # An invitation's other address leads to the same page.
    aino_url = link_in(inbox.to("aino@example.fi")[0])
    token = path(aino_url).rsplit("/", 1)[1]
    other = app.test_client().get(f"/invitations/{token}")
    assert other.status_code == 303 and path(other.headers["Location"]) == path(aino_url)
    # The link's page speaks the person's language too.
    aino_page = app.test_client().get(path(aino_url)).get_data(as_text=True)
    assert "Tervetuloa Vertaa-palveluun" in aino_page

    url = link_in(inbox.to("carl@example.fi")[0])
    assert path(url).startswith("/welcome/")
    stranger = app.test_client()
    form = stranger.get(path(url))
    assert form.status_code == 200 and "carl@example.fi" in form.get_data(as_text=True)
    response = stranger.post(
        path(url), data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 303
    assert stranger.get("/").status_code in (200, 302)

    # The password works at the login page, and the link does not twice.
    fresh = app.test_client()
    login_page = fresh.post("/login", data={"email": "carl@example.fi", "password": NEW_PASSWORD})
    assert login_page.status_code == 303
    assert app.test_client().get(path(url)).status_code == 404
    page = client.get(f"/admin/users/{carl.id}").get_data(as_text=True)
    assert "Has a password" in page and "Invited, not yet signed in" not in page


def test_pending_list_shows_expiry_and_resend_makes_the_old_link_unusable(
    app, world, login_as, inbox
):
    client = login_as("coordinator")
    invite_all(client, world)
    pending = client.get(f"/organizations/{world.organization.id}/invitations/pending")
    html = pending.get_data(as_text=True)
    assert pending.status_code == 200
    assert html.count("23.11.2026") == 3  # expires
    assert "16.11.2026 10.00" in html  # sent
    assert "Aino Aalto" in html and "bertil@example.fi" in html

    old_url = link_in(inbox.to("aino@example.fi")[0])
    link = _db.session.scalar(select(OneTimeLink).where(OneTimeLink.email == "aino@example.fi"))
    response = client.post(f"/invitations/{link.id}/resend")
    assert response.status_code == 200
    resent = response.get_data(as_text=True)
    assert "1 e-mail is on its way." in resent and "aino@example.fi" in resent
    _first, second = inbox.to("aino@example.fi")
    new_url = link_in(second)
    assert f'value="{new_url}"' in resent  # to copy, should the mail not arrive
    assert new_url != old_url and second["Subject"] == "Kutsu Vertaa-palveluun"
    unusable = app.test_client().get(path(old_url))
    assert unusable.status_code == 404
    assert "The link no longer works" in unusable.get_data(as_text=True)
    assert app.test_client().get(path(new_url)).status_code == 200
    # Still three pending: the new one in place of the old.
    html = client.get(f"/organizations/{world.organization.id}/invitations/pending")
    assert html.get_data(as_text=True).count("23.11.2026") == 3


def test_taking_an_invitation_back_stops_its_link(app, world, login_as, inbox):
    client = login_as("coordinator")
    invite_all(client, world)
    url = link_in(inbox.to("bertil@example.fi")[0])
    link = _db.session.scalar(select(OneTimeLink).where(OneTimeLink.email == "bertil@example.fi"))
    response = client.post(f"/invitations/{link.id}/revoke")
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The invitation of bertil@example.fi was taken back." in html
    table = html.split('id="pending-invitations"', 1)[1]
    assert "bertil@example.fi" not in table and "aino@example.fi" in table
    assert _db.session.get(OneTimeLink, link.id).revoked_at is not None
    answer = app.test_client().get(path(url))
    assert answer.status_code == 404
    assert "The link no longer works" in answer.get_data(as_text=True)
    # Taking it back twice only says so.
    again = client.post(f"/invitations/{link.id}/revoke")
    assert again.status_code == 303
    bertil = person("bertil@example.fi")
    page = client.get(f"/admin/users/{bertil.id}").get_data(as_text=True)
    assert "Cannot sign in yet: not invited" in page


def test_an_organization_with_sign_on_gets_a_welcome_without_a_link(world, login_as, inbox):
    _db.session.add(
        SignOnProvider(
            organization=world.organization,
            name="Microsoft 365",
            discovery_url="https://login.example.fi/.well-known/openid-configuration",
            client_id="vertaa",
            client_secret_encrypted="x",
            domains="example.fi\n",
        )
    )
    _db.session.commit()
    client = login_as("coordinator")
    html = invite_all(client, world)
    assert "3 e-mails are on their way." in html
    for email, subject in [
        ("aino@example.fi", "Tervetuloa Vertaa-palveluun"),
        ("bertil@example.fi", "Välkommen till Vertaa"),
        ("carl@example.fi", "Welcome to Vertaa"),
    ]:
        [message] = inbox.to(email)
        assert message["Subject"] == subject
        body = message.get_content()
        assert "http://localhost/login" in body
        assert "/welcome/" not in body and "/invitations/" not in body
    assert _db.session.scalars(select(OneTimeLink)).all() == []
    carl = person("carl@example.fi")
    page = client.get(f"/admin/users/{carl.id}").get_data(as_text=True)
    assert "Can sign in with sign-on" in page


def test_passwords_off_means_a_welcome_too(world, login_as, inbox):
    client = login_as("admin")  # the installation's admins keep their passwords
    world.organization.passwords_allowed = False
    _db.session.commit()
    invite_all(client, world)
    [message] = inbox.to("carl@example.fi")
    assert message["Subject"] == "Welcome to Vertaa"
    assert "work account" in message.get_content()


def test_a_failed_mail_keeps_each_link_to_copy_and_is_listed(app, world, login_as, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    client = login_as("coordinator")
    html = invite_all(client, world)
    # The page answers before any mail is tried: it cannot know, and keeps every link.
    assert "If one does not arrive, copy its link below" in html
    assert html.count("Invitation on its way.") == 3
    assert len(re.findall(r'value="http://localhost/welcome/[^"]+"', html)) == 3
    assert caplog.text.count("failed for good") == 3
    listed = client.get("/admin/failed-mails").get_data(as_text=True)
    for email in ("aino@example.fi", "bertil@example.fi", "carl@example.fi"):
        assert email in listed
    assert len(_db.session.scalars(select(OneTimeLink)).all()) == 3


def test_person_page_states(world, login_as):
    client = login_as("coordinator")
    member = world.users["member"]
    assert "Has a password" in client.get(f"/admin/users/{member.id}").get_data(as_text=True)
    gone = make_user(world.organization, active=False, email="gone@example.fi")
    html = client.get(f"/admin/users/{gone.id}").get_data(as_text=True)
    assert 'id="sign-in-state"' in html and "Deactivated" in html


def test_another_organizations_coordinator_gets_404(app, world, login_as, login):
    client = login_as("coordinator")
    location = import_people(client, world.organization)
    send_from(client, client.get(location).get_data(as_text=True), world.organization)
    link = _db.session.scalars(select(OneTimeLink)).first()
    foreign = make_user(
        world.foreign_organization, is_coordinator=True, email="f.coordinator@example.fi"
    )
    other = login(foreign)
    organization_id = world.organization.id
    assert other.get(location).status_code == 404
    assert other.get(f"/organizations/{organization_id}/invitations/pending").status_code == 404
    assert other.post(f"/invitations/{link.id}/resend").status_code == 404
    assert other.post(f"/invitations/{link.id}/revoke").status_code == 404
    assert _db.session.get(OneTimeLink, link.id).revoked_at is None
    # A link id in the foreign organization's own address shows nothing of this one either.
    foreign_new = other.get(
        f"/organizations/{world.foreign_organization.id}/invitations/new?people={link.user_id}"
    )
    assert foreign_new.status_code == 200
    assert link.email not in foreign_new.get_data(as_text=True)
    # Members of the organization itself may not.
    member = login_as("member")
    assert member.get(f"/organizations/{organization_id}/invitations/pending").status_code == 403


def test_the_people_of_an_import_travel_as_short_ranges():
    from lean.auth.invitations import parse_people
    from lean.auth.queries import people_param

    assert people_param([5, 3, 4, 9, 12, 11]) == "3-5,9,11-12"
    assert parse_people("3-5,9,11-12") == [3, 4, 5, 9, 11, 12]
    assert parse_people("x,7-2,1-99999999,8") == [8]
    assert len(parse_people("1-5000")) == 5000
