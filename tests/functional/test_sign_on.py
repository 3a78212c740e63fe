"""Single sign-on through a real OpenID provider on loopback (oidc-provider-mock): the code
flow end to end, who gets in and who is refused, sign-on-only organizations, and the
providers' administration."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from lean.auth.sign_on import decrypt_secret
from lean.core.extensions import db
from lean.models import Event, Membership, OneTimeLink, TeamRole, User
from lean.models.base import utcnow
from lean.models.onetime import LinkPurpose
from lean.models.sign_on import SignOnIdentity, SignOnProvider
from tests.conftest import PASSWORD, make_organization, make_user
from tests.sign_on_provider import (
    PROVIDER_WARNINGS,
    TEST_SIGN_ON_KEY,
    authorize,
    callback_path,
    forging_provider,
    make_provider,
    mock_provider,
    set_user,
)

pytestmark = pytest.mark.filterwarnings(PROVIDER_WARNINGS)


@pytest.fixture(scope="module")
def provider_url():
    with mock_provider() as url:
        yield url


@pytest.fixture
def signing_app(app):
    app.config["SIGN_ON_KEY"] = TEST_SIGN_ON_KEY
    return app


@pytest.fixture
def provider(signing_app, world, provider_url):
    return make_provider(world.organization, provider_url)


def sign_on(client, provider, sub, provider_url=None, **claims):
    """Through the provider and back: the callback's answer."""
    if claims:
        set_user(provider_url, sub, **claims)
    start = client.get(f"/login/sign-on/{provider.id}")
    assert start.status_code == 302, start.get_data(as_text=True)
    back = authorize(start.headers["Location"], sub)
    return finish(client, callback_path(back))


def finish(client, path):
    """The provider's redirect opened, and the page's form sent on (as its script does)."""
    verified = client.get(path)
    assert verified.status_code == 200, verified.get_data(as_text=True)
    assert "Continue to Vertaa" in verified.get_data(as_text=True)
    return client.post("/login/sign-on/finish")


def refusals(reason):
    return db.session.scalars(
        select(Event).where(
            Event.kind == "sign_on_refused", Event.data["reason"].as_string() == reason
        )
    ).all()


def test_a_new_person_is_made_a_member_and_chooses_a_team(client, world, provider, provider_url):
    response = sign_on(
        client,
        provider,
        "uusi-1",
        provider_url,
        email="Uusi.Ihminen@example.fi",
        email_verified=True,
        name="Uusi Ihminen",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/choose-team")
    user = db.session.scalar(select(User).where(User.email == "uusi.ihminen@example.fi"))
    assert user.name == "Uusi Ihminen"
    assert user.organization_id == world.organization.id
    assert user.language == "en"  # the browser's
    page = client.get("/choose-team").get_data(as_text=True)
    assert "Welcome to Vertaa, Uusi Ihminen" in page
    assert "Join Opintotoimisto" in page and "Join Rakennusala" in page
    joined = client.post(f"/choose-team/{world.team.id}")
    assert joined.headers["Location"].endswith(f"/teams/{world.team.id}/board")
    assert user.role_in(world.team.id) == TeamRole.MEMBER
    # Once in a team, no more joining of others by oneself.
    assert client.post(f"/choose-team/{world.other_team.id}").status_code == 403
    kinds = db.session.scalars(select(Event.kind).where(Event.subject_id == user.id)).all()
    assert "signed_on" in kinds


def test_an_invited_person_lands_on_the_team_the_invitation_named(
    client, world, provider, provider_url
):
    link = OneTimeLink(
        purpose=LinkPurpose.INVITATION,
        token_hash="x" * 64,
        email="kutsuttu@example.fi",
        organization=world.organization,
        team=world.other_team,
        role=TeamRole.SUPERVISOR,
        expires_at=utcnow() + timedelta(days=7),
    )
    db.session.add(link)
    db.session.commit()
    response = sign_on(
        client,
        provider,
        "kutsuttu",
        provider_url,
        email="kutsuttu@example.fi",
        email_verified=True,
        given_name="Kai",
        family_name="Kutsuttu",
    )
    assert response.headers["Location"].endswith(f"/teams/{world.other_team.id}/board")
    user = db.session.scalar(select(User).where(User.email == "kutsuttu@example.fi"))
    assert user.name == "Kai Kutsuttu"
    assert user.role_in(world.other_team.id) == TeamRole.SUPERVISOR
    assert link.used_at is not None


def test_an_existing_person_is_linked_by_verified_email_and_later_found_by_sub(
    app, world, provider, provider_url
):
    member = world.users["member"]
    client = app.test_client()
    response = sign_on(
        client, provider, "member-sub", provider_url, email="member@example.fi", email_verified=True
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/")  # to their start page
    assert client.get("/").headers["Location"].endswith(f"/teams/{world.team.id}/board")
    identity = db.session.scalar(select(SignOnIdentity).where(SignOnIdentity.user_id == member.id))
    assert identity.subject == "member-sub"
    # The provider now tells another e-mail: the sub still names the same person.
    other = app.test_client()
    sign_on(
        other, provider, "member-sub", provider_url, email="vaihtui@example.fi", email_verified=True
    )
    assert other.get("/").headers["Location"].endswith(f"/teams/{world.team.id}/board")
    assert db.session.scalar(select(User).where(User.email == "vaihtui@example.fi")) is None


def test_an_unverified_email_is_refused_with_a_message(client, world, provider, provider_url):
    response = sign_on(
        client,
        provider,
        "unverified",
        provider_url,
        email="member@example.fi",
        email_verified=False,
    )
    assert response.status_code == 403
    assert "has not verified your email address" in response.get_data(as_text=True)
    assert client.get("/teams").status_code == 302  # not signed in
    assert db.session.scalar(select(SignOnIdentity)) is None
    assert refusals("email_not_verified")


def test_an_email_of_a_foreign_domain_is_refused(client, world, provider, provider_url):
    response = sign_on(
        client, provider, "foreign", provider_url, email="someone@elsewhere.fi", email_verified=True
    )
    assert response.status_code == 403
    assert "does not belong to an organization" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "someone@elsewhere.fi")) is None
    assert refusals("foreign_domain")


def test_a_second_sub_for_a_linked_account_is_refused(client, world, provider, provider_url):
    member = world.users["member"]
    db.session.add(SignOnIdentity(provider=provider, subject="the-first", user=member))
    db.session.commit()
    response = sign_on(
        client,
        provider,
        "the-second",
        provider_url,
        email="member@example.fi",
        email_verified=True,
    )
    assert response.status_code == 403
    assert "already linked to another" in response.get_data(as_text=True)
    assert refusals("linked_to_another")


def test_an_inactive_person_and_one_of_another_organization_are_refused(
    client, world, provider, provider_url
):
    world.users["member"].active = False
    db.session.commit()
    inactive = sign_on(
        client, provider, "inactive", provider_url, email="member@example.fi", email_verified=True
    )
    assert inactive.status_code == 403
    assert "has been deactivated" in inactive.get_data(as_text=True)
    foreign = sign_on(
        client,
        provider,
        "foreigner",
        provider_url,
        email="foreign@example.fi",
        email_verified=True,
    )
    assert foreign.status_code == 403
    assert "belongs to another organization" in foreign.get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "wrong_key"),
    [
        pytest.param(lambda claims: claims.update(aud="someone-else"), False, id="wrong-audience"),
        pytest.param(lambda claims: None, True, id="bad-signature"),
        pytest.param(
            lambda claims: claims.update(exp=int(time.time()) - 600, iat=int(time.time()) - 900),
            False,
            id="expired",
        ),
        pytest.param(lambda claims: claims.update(iss="https://evil.example"), False, id="issuer"),
        pytest.param(lambda claims: claims.update(nonce="another"), False, id="nonce"),
    ],
)
def test_an_id_token_that_fails_a_check_is_refused(
    client, world, signing_app, provider_url, change, wrong_key
):
    set_user(provider_url, "checked", email="member@example.fi", email_verified=True)
    with forging_provider(provider_url, change, wrong_key=wrong_key) as forged_url:
        provider = make_provider(world.organization, forged_url)
        response = sign_on(client, provider, "checked")
    assert response.status_code == 400
    assert "could not be verified" in response.get_data(as_text=True)
    assert client.get("/teams").status_code == 302
    assert refusals("token")


def test_the_forging_provider_lets_an_unchanged_token_through(
    client, world, signing_app, provider_url
):
    """The checks above fail for their change alone: unchanged, the same way signs in."""
    set_user(provider_url, "unchanged", email="member@example.fi", email_verified=True)
    with forging_provider(provider_url) as forged_url:
        provider = make_provider(world.organization, forged_url)
        response = sign_on(client, provider, "unchanged")
    assert response.status_code == 303


def test_a_replayed_callback_is_refused(app, world, provider, provider_url):
    set_user(provider_url, "replay", email="member@example.fi", email_verified=True)
    client = app.test_client()
    start = client.get(f"/login/sign-on/{provider.id}")
    back = callback_path(authorize(start.headers["Location"], "replay"))
    assert finish(client, back).status_code == 303
    client.post("/logout")
    again = finish(client, back)
    assert again.status_code == 400
    assert "Start again from the login page" in again.get_data(as_text=True)
    # The same answer in a browser that started its own sign-on: its state does not match.
    other = app.test_client()
    other.get(f"/login/sign-on/{provider.id}")
    replayed = finish(other, back)
    assert replayed.status_code == 400
    assert other.get("/teams").status_code == 302


def test_the_login_page_sends_a_connected_domain_to_its_provider(client, world, provider):
    response = client.post("/login", data={"email": "Someone@Example.fi"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Continue with Koulun tunnus" in page
    assert f"/login/sign-on/{provider.id}?email=Someone@Example.fi" in page
    # An unconnected domain asks for the password.
    other = client.post("/login", data={"email": "someone@muualla.fi"})
    assert other.status_code == 422
    assert "Enter your password." in other.get_data(as_text=True)
    # A password still logs in where the organization allows passwords.
    assert (
        client.post("/login", data={"email": "member@example.fi", "password": PASSWORD}).status_code
        == 303
    )


def test_an_intranet_link_names_the_provider(client, world, provider):
    response = client.get(f"/login?provider={provider.id}")
    assert response.headers["Location"].endswith(f"/login/sign-on/{provider.id}")
    assert client.get(f"/login/sign-on/{provider.id + 100}").status_code == 404
    provider.active = False
    db.session.commit()
    assert client.get(f"/login/sign-on/{provider.id}").status_code == 404


def test_a_sign_on_only_organization_refuses_its_peoples_passwords(app, world, provider):
    world.organization.passwords_allowed = False
    db.session.commit()
    client = app.test_client()
    refused = client.post("/login", data={"email": "member@example.fi", "password": PASSWORD})
    assert refused.status_code == 403
    page = refused.get_data(as_text=True)
    assert "signs in with its own accounts, not with passwords here" in page
    assert "Continue with Koulun tunnus" in page  # the way in instead
    assert client.get("/teams").status_code == 302
    # Someone of the organization outside its domains is refused too.
    outsider = make_user(world.organization, email="ulkona@muualla.fi")
    response = client.post("/login", data={"email": outsider.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "signs in with its own accounts" in response.get_data(as_text=True)
    assert client.get("/teams").status_code == 302
    # An admin of the installation still may, even of a connected domain.
    admin = make_user(world.organization, is_admin=True, email="asentaja@example.fi")
    assert (
        client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 303
    )


def test_deactivating_a_signed_on_person_ends_their_sessions(
    app, world, provider, provider_url, login
):
    person = app.test_client()
    sign_on(
        person, provider, "leaving", provider_url, email="member@example.fi", email_verified=True
    )
    assert person.get("/teams").status_code == 200
    coordinator = login(world.users["coordinator"])
    member = world.users["member"]
    response = coordinator.post(
        f"/admin/users/{member.id}",
        data={"name": member.name, "email": member.email, "language": "fi", "active": ""},
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    assert person.get("/teams").status_code == 302


def test_logging_out_offers_the_providers_sign_out(app, world, provider, provider_url):
    client = app.test_client()
    sign_on(
        client, provider, "leaves", provider_url, email="member@example.fi", email_verified=True
    )
    response = client.post("/logout", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Also sign out of Koulun tunnus" in page
    assert f"{provider_url}/oauth2/end_session" in page
    assert client.get("/teams").status_code == 302
    # A password login's logout offers nothing of the kind.
    client.post("/login", data={"email": "supervisor@example.fi", "password": PASSWORD})
    assert "Also sign out" not in client.post("/logout", follow_redirects=True).get_data(
        as_text=True
    )


# ---- administration ---------------------------------------------------------------------------

PROVIDER_FORM = {
    "name": "Microsoft 365",
    "kind": "entra",
    "discovery_url": "https://login.microsoftonline.com/tenant-1/v2.0/.well-known/openid-configuration",
    "allowed_issuers": "",
    "client_id": "app-1",
    "client_secret": "ei-koskaan-näkyvissä",
    "token_auth_method": "client_secret_basic",
    "domains": "@Koulu.fi\n\nopisto.fi",
    "active": "y",
}


def test_a_coordinator_connects_a_provider_whose_secret_is_never_shown(signing_app, world, login):
    client = login(world.users["coordinator"])
    organization = world.organization
    page = client.get(f"/admin/organizations/{organization.id}").get_data(as_text=True)
    assert "Single sign-on" in page and "Connect a provider" in page
    form_page = client.get(f"/admin/organizations/{organization.id}/sign-on/new")
    assert "/login/sign-on/callback" in form_page.get_data(as_text=True)
    response = client.post(
        f"/admin/organizations/{organization.id}/sign-on/new", data=PROVIDER_FORM
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    provider = db.session.scalar(select(SignOnProvider))
    assert provider.domains == "koulu.fi\nopisto.fi"
    assert "ei-koskaan" not in provider.client_secret_encrypted
    assert decrypt_secret(provider.client_secret_encrypted) == "ei-koskaan-näkyvissä"
    edit = client.get(f"/admin/sign-on/{provider.id}").get_data(as_text=True)
    assert "ei-koskaan" not in edit
    assert "Microsoft 365" in client.get(f"/admin/organizations/{organization.id}").get_data(
        as_text=True
    )
    # Saved again without a secret: the stored one stays; taken out of use.
    kept = provider.client_secret_encrypted
    changed = dict(PROVIDER_FORM, client_secret="", active="")
    assert client.post(f"/admin/sign-on/{provider.id}", data=changed).status_code == 303
    assert provider.client_secret_encrypted == kept
    assert provider.active is False
    events = db.session.scalars(select(Event).where(Event.kind == "sign_on_provider_saved")).all()
    assert len(events) == 2

    # The audit log tells who connected and changed it, in words, and filters them alone.
    audit = client.get("/admin/audit?subject=sign_on_provider").get_data(as_text=True)
    assert 'value="sign_on_provider" selected' in audit or (
        '<option selected value="sign_on_provider">' in audit
    )
    assert audit.count("saved a sign-on provider") == 2 and "Sign-on provider" in audit
    assert "Changed" in audit and "Active" in audit and "client_secret" not in audit
    assert "ei-koskaan" not in audit
    everything = client.get("/admin/audit").get_data(as_text=True)
    assert everything.count("saved a sign-on provider") == 2


def test_a_new_provider_needs_its_secret_and_domains(signing_app, world, login):
    client = login(world.users["coordinator"])
    url = f"/admin/organizations/{world.organization.id}/sign-on/new"
    response = client.post(url, data=dict(PROVIDER_FORM, client_secret="", domains="ei domain"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the client secret" in page
    assert "is not a domain" in page
    assert "Microsoft 365" in page  # what was typed stays
    assert db.session.scalar(select(SignOnProvider)) is None


def test_the_organizations_managers_only_see_its_providers(signing_app, world, login, provider):
    foreign = make_organization(name="Toinen")
    foreign_coordinator = make_user(foreign, is_coordinator=True)
    assert login(foreign_coordinator).get(f"/admin/sign-on/{provider.id}").status_code == 404
    assert login(world.users["member"]).get(f"/admin/sign-on/{provider.id}").status_code == 403
    assert login(world.users["admin"]).get(f"/admin/sign-on/{provider.id}").status_code == 200


def test_the_sign_on_only_switch(signing_app, world, login):
    client = login(world.users["coordinator"])
    url = f"/admin/organizations/{world.organization.id}/sign-on/passwords"
    assert client.post(url, data={"sign_on_only": "y"}).status_code == 303
    assert world.organization.passwords_allowed is False
    assert client.post(url, data={}).status_code == 303
    assert world.organization.passwords_allowed is True
    member_client = login(world.users["member"])
    assert member_client.post(url, data={"sign_on_only": "y"}).status_code == 403


def test_production_refuses_a_sign_on_key_that_is_not_a_fernet_key(database):
    from tests.conftest import make_app

    with pytest.raises(RuntimeError, match="LEAN_SIGN_ON_KEY must be a Fernet key"):
        make_app(database, SIGN_ON_KEY="not-a-key")


def test_a_new_member_of_a_team_less_organization_is_told_to_ask(signing_app, provider_url, client):
    organization = make_organization(name="Tiimitön")
    provider = make_provider(organization, provider_url, domains="tiimiton.fi")
    sign_on(client, provider, "alone", provider_url, email="yksin@tiimiton.fi", email_verified=True)
    page = client.get("/choose-team").get_data(as_text=True)
    assert "has no teams yet" in page
    newcomer = db.session.scalar(select(User).where(User.email == "yksin@tiimiton.fi"))
    assert db.session.scalar(select(Membership).where(Membership.user_id == newcomer.id)) is None


def test_production_with_providers_and_no_key_does_not_start(database, signing_app, world):
    from tests.conftest import make_app

    make_provider(world.organization, "http://127.0.0.1:9")
    with pytest.raises(RuntimeError, match="LEAN_SIGN_ON_KEY is not set"):
        make_app(
            database,
            ENV="production",
            SECRET_KEY="p" * 40,
            BASE_URL="https://vertaa.example.fi",
            SIGN_ON_KEY=None,
        )


def test_a_sign_in_cancelled_at_the_provider_is_told(client, world, provider):
    start = client.get(f"/login/sign-on/{provider.id}")
    denied = requests.post(
        start.headers["Location"], data={"action": "deny"}, allow_redirects=False, timeout=10
    )
    response = finish(client, callback_path(denied.headers["Location"]))
    assert response.status_code == 400
    assert "Signing in was cancelled at Koulun tunnus." in response.get_data(as_text=True)
    assert refusals("denied")


def test_a_listed_issuer_is_accepted_in_place_of_the_discovery_documents(
    client, world, signing_app, provider_url
):
    """Entra's multi-tenant "common" document names no single issuer: the admin lists them."""
    tenant = "https://login.microsoftonline.com/tenant-1/v2.0"
    set_user(provider_url, "tenant", email="member@example.fi", email_verified=True)
    with forging_provider(provider_url, lambda claims: claims.update(iss=tenant)) as forged_url:
        provider = make_provider(
            world.organization, forged_url, allowed_issuers=f"https://other.example\n{tenant}"
        )
        assert sign_on(client, provider, "tenant").status_code == 303
