"""Single sign-on with an organization's OpenID Connect providers (Authlib's Flask client).

Each active SignOnProvider row gets one registered Authlib client, made when it is first
needed and named by the row's id and settings, so an edited provider gets a new one. The
client keeps `state`, the PKCE verifier and the `nonce` in the session between the redirect
and the callback, and verifies the ID token's signature (the provider's JWKS), audience,
expiry and nonce; the issuer is checked against the discovery document's or the admin's list.

Who signs in: a (provider, sub) seen before is that person; else an account with the same
verified e-mail is linked; else a new member of the provider's organization is made. Every
refusal is audited and named by a reason the callback turns into words.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, session
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from lean.auth.services import email_taken, normalize_email
from lean.core.extensions import db
from lean.core.keys import SecretKeyMissing, decrypt_secret, encrypt_secret
from lean.core.urls import external_url
from lean.models import Membership, Organization, Team, TeamRole, User
from lean.models.base import utcnow
from lean.models.onetime import LinkPurpose, OneTimeLink
from lean.models.sign_on import ProviderKind, SignOnIdentity, SignOnProvider
from lean.shared.events import EventKind, record_admin_event

OAUTH_EXTENSION = "authlib.integrations.flask_client"
TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
# Seconds of clock difference allowed when checking an ID token's times.
CLOCK_LEEWAY = 60
# Where the session keeps the provider between the redirect and the callback, and afterwards
# the provider a person signed in with (for "Also sign out of …" after logging out).
PENDING = "sign_on_pending"
SIGNED_IN_WITH = "sign_on_provider"
SIGNED_OUT_OF = "sign_on_signed_out_of"
# What Vertaa reads of a verified ID token.
KEPT_CLAIMS = ("sub", "email", "email_verified", "xms_edov", "name", "given_name", "family_name")


# Production has no LEAN_SIGN_ON_KEY to encrypt or read the client secrets with.
SignOnKeyMissing = SecretKeyMissing


@dataclass
class SignOnRefused(Exception):
    """Sign-on said who the person is, but Vertaa does not let them in; `reason` says why."""

    reason: str


# ---- the key and the secrets -----------------------------------------------------------


def check_key_at_start(app: Flask) -> None:
    """Production with connected providers and no key stops at once, saying what is missing."""
    if app.config["ENV"] != "production" or app.config.get("SIGN_ON_KEY"):
        return
    with app.app_context():
        try:
            count = db.session.scalar(select(func.count(SignOnProvider.id)))
        except SQLAlchemyError:  # no tables yet: `flask db upgrade` is starting the app
            db.session.rollback()
            return
        finally:
            db.session.remove()
            # No connection is kept from the start-up: not into forked workers, and none left
            # open by an app that refuses to start.
            db.engine.dispose()
    if count:
        raise RuntimeError(
            "Organizations have sign-on providers, but LEAN_SIGN_ON_KEY is not set: it is the "
            "Fernet key their client secrets were encrypted with (see README, Single sign-on)."
        )


# ---- providers ------------------------------------------------------------------------------


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def domain_of(email: str) -> str:
    return normalize_email(email).rpartition("@")[2]


def usable_provider(provider_id: int) -> SignOnProvider | None:
    """The provider, if people may sign in with it now (it and its organization active)."""
    provider = db.session.get(SignOnProvider, provider_id)
    if provider is None or not provider.active or not provider.organization.active:
        return None
    return provider


def providers_for_email(email: str) -> list[SignOnProvider]:
    """The active providers whose e-mail domains include this address's domain."""
    domain = domain_of(email)
    if not domain:
        return []
    providers = db.session.scalars(
        select(SignOnProvider)
        .join(Organization, Organization.id == SignOnProvider.organization_id)
        .where(SignOnProvider.active, Organization.active)
        .order_by(SignOnProvider.name)
    ).all()
    return [p for p in providers if domain in {d.lower() for d in lines(p.domains)}]


def providers_of(organization: Organization) -> list[SignOnProvider]:
    return list(
        db.session.scalars(
            select(SignOnProvider)
            .where(SignOnProvider.organization_id == organization.id)
            .order_by(SignOnProvider.name)
        )
    )


def name_taken(
    organization: Organization, name: str, provider: SignOnProvider | None = None
) -> bool:
    query = select(SignOnProvider.id).where(
        SignOnProvider.organization_id == organization.id, SignOnProvider.name == name
    )
    if provider is not None:
        query = query.where(SignOnProvider.id != provider.id)
    return db.session.scalar(query) is not None


def save_provider(
    actor: User, organization: Organization, provider: SignOnProvider | None, values: dict
) -> SignOnProvider:
    """Add a provider, or change one; an empty secret keeps the stored one."""
    secret = values.pop("client_secret", "") or ""
    created = provider is None
    if provider is None:
        provider = SignOnProvider(organization_id=organization.id, organization=organization)
        db.session.add(provider)
    changed = [name for name, value in values.items() if getattr(provider, name, None) != value]
    for name, value in values.items():
        setattr(provider, name, value)
    if secret:
        provider.client_secret_encrypted = encrypt_secret(secret)
        changed.append("client_secret")
    db.session.flush()
    if not created and not changed:
        return provider
    record_admin_event(
        actor,
        EventKind.SIGN_ON_PROVIDER_SAVED,
        "sign_on_provider",
        provider.id,
        organization.id,
        name=provider.name,
        created=created,
        changed=", ".join(sorted(changed)),
        active=provider.active,
    )
    return provider


def set_passwords_allowed(actor: User, organization: Organization, allowed: bool) -> None:
    if organization.passwords_allowed == allowed:
        return
    organization.passwords_allowed = allowed
    record_admin_event(
        actor,
        EventKind.EDITED,
        "organization",
        organization.id,
        organization.id,
        fields={"passwords_allowed": [not allowed, allowed]},
    )


# ---- the Authlib client ----------------------------------------------------------------------


def _fingerprint(provider: SignOnProvider) -> str:
    settings = "\n".join(
        [
            provider.discovery_url,
            provider.client_id,
            provider.client_secret_encrypted,
            provider.token_auth_method,
        ]
    )
    return hashlib.sha256(settings.encode()).hexdigest()[:16]


def client_for(provider: SignOnProvider) -> Any:
    """The provider's registered Authlib client (made on first use, kept per process)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    oauth = app.extensions.get(OAUTH_EXTENSION)
    if oauth is None:
        oauth = OAuth(app)
    name = f"sign_on_{provider.id}_{_fingerprint(provider)}"
    client = oauth.create_client(name)
    if client is None:
        client = oauth.register(
            name,
            client_id=provider.client_id,
            client_secret=decrypt_secret(provider.client_secret_encrypted),
            server_metadata_url=provider.discovery_url,
            client_kwargs={
                "scope": "openid email profile",
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": provider.token_auth_method,
                "default_timeout": 10,  # seconds for each request to the provider
            },
        )
    return client


def allowed_issuers(provider: SignOnProvider, client: Any) -> list[str]:
    """The admin's list, or the discovery document's issuer."""
    listed = lines(provider.allowed_issuers)
    if listed:
        return listed
    issuer = client.load_server_metadata().get("issuer")
    return [issuer] if issuer else []


def authorize_redirect(provider: SignOnProvider, redirect_uri: str, login_hint: str = "") -> Any:
    client = client_for(provider)
    extra = {"login_hint": login_hint} if login_hint else {}
    return client.authorize_redirect(redirect_uri, nonce=secrets.token_urlsafe(24), **extra)


def fetch_claims(provider: SignOnProvider) -> dict:
    """The callback's code exchanged, and the ID token's claims once every check passed.

    Raises Authlib's or joserfc's errors (state, signature, issuer, audience, expiry, nonce),
    or requests' when the provider cannot be reached.
    """
    client = client_for(provider)
    options = {
        "iss": {"essential": True, "values": allowed_issuers(provider, client)},
        "aud": {"essential": True, "value": provider.client_id},
    }
    token = client.authorize_access_token(claims_options=options, leeway=CLOCK_LEEWAY)
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        raise SignOnRefused("no_id_token")
    return {name: claims[name] for name in KEPT_CLAIMS if name in claims}


def end_session_url(provider_id: int, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session page, where its discovery document names one."""
    provider = db.session.get(SignOnProvider, provider_id)
    if provider is None:
        return None
    try:
        client = client_for(provider)
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        return client.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri, client_id=provider.client_id
        )["url"]
    except Exception:
        return None


def provider_sign_out() -> dict | None:
    """At logout: the provider's end-session page for the login page to offer, if any."""
    provider_id = session.get(SIGNED_IN_WITH)
    if not provider_id:
        return None
    provider = usable_provider(int(provider_id))
    if provider is None:
        return None
    url = end_session_url(provider.id, external_url("auth.login"))
    return {"name": provider.name, "url": url} if url else None


# ---- who signs in ----------------------------------------------------------------------------


def _verified(provider: SignOnProvider, claims: dict) -> bool:
    verified = claims.get("email_verified")
    if verified is True or str(verified).lower() == "true":
        return True
    # Entra ID names no email_verified; its optional claim xms_edov says the e-mail's domain
    # is verified by the tenant that owns it.
    edov = claims.get("xms_edov")
    return provider.kind == ProviderKind.ENTRA and (edov is True or str(edov) in ("1", "true"))


def refuse(provider: SignOnProvider | None, reason: str, **data: Any) -> SignOnRefused:
    """The refusal, audited (the caller keeps the record although it refuses)."""
    details: dict[str, Any] = {key: str(value)[:200] for key, value in data.items()}
    record_admin_event(
        None,
        EventKind.SIGN_ON_REFUSED,
        "sign_on_provider",
        provider.id if provider is not None else 0,
        provider.organization_id if provider is not None else None,
        reason=reason,
        **details,
    )
    return SignOnRefused(reason)


def _name_from(claims: dict, email: str) -> str:
    name = (claims.get("name") or "").strip()
    if not name:
        name = " ".join(
            part for part in (claims.get("given_name"), claims.get("family_name")) if part
        ).strip()
    return (name or email.partition("@")[0])[:200]


@dataclass
class SignedOn:
    user: User
    new: bool  # made now: lands on the page to choose a team unless an invitation named one
    team_id: int | None = None


def sign_in(provider: SignOnProvider, claims: dict, language: str | None) -> SignedOn:
    """The person the claims name, linked or made; raises SignOnRefused (audited)."""
    subject = str(claims["sub"])
    email = normalize_email(str(claims.get("email") or ""))
    now = utcnow()
    identity = db.session.scalar(
        select(SignOnIdentity).where(
            SignOnIdentity.provider_id == provider.id, SignOnIdentity.subject == subject
        )
    )
    if identity is not None:
        user = identity.user
        _check_may_enter(provider, user, subject)
        identity.last_used_at = now
        _record_signed_on(provider, user, "sub")
        return SignedOn(user, new=False)
    if not email:
        raise refuse(provider, "no_email", sub=subject)
    if not _verified(provider, claims):
        raise refuse(provider, "email_not_verified", sub=subject, email=email)
    if domain_of(email) not in {d.lower() for d in lines(provider.domains)}:
        raise refuse(provider, "foreign_domain", sub=subject, email=email)
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None:
        user = existing
        _check_may_enter(provider, user, subject)
        other = db.session.scalar(
            select(SignOnIdentity).where(
                SignOnIdentity.provider_id == provider.id, SignOnIdentity.user_id == user.id
            )
        )
        if other is not None:  # the account answers to another sub of this provider
            raise refuse(provider, "linked_to_another", sub=subject, user_id=user.id)
        db.session.add(
            SignOnIdentity(provider=provider, subject=subject, user=user, last_used_at=now)
        )
        _record_signed_on(provider, user, "linked")
        return SignedOn(user, new=False)
    return _new_member(provider, claims, subject, email, language)


def _check_may_enter(provider: SignOnProvider, user: User, subject: str) -> None:
    if user.organization_id != provider.organization_id:
        raise refuse(provider, "other_organization", sub=subject, user_id=user.id)
    if not user.is_active:
        raise refuse(provider, "inactive", sub=subject, user_id=user.id)


def _new_member(
    provider: SignOnProvider, claims: dict, subject: str, email: str, language: str | None
) -> SignedOn:
    if email_taken(email):  # made by a parallel sign-in a moment ago
        raise refuse(provider, "linked_to_another", sub=subject, email=email)
    now = utcnow()
    user = User(
        email=email,
        name=_name_from(claims, email),
        organization_id=provider.organization_id,
        language=language,
    )
    user.set_password(secrets.token_urlsafe(32))  # no password: sign-on is the way in
    db.session.add(user)
    db.session.add(SignOnIdentity(provider=provider, subject=subject, user=user, last_used_at=now))
    team = None
    invitation = db.session.scalar(
        select(OneTimeLink)
        .where(
            OneTimeLink.purpose == LinkPurpose.INVITATION,
            OneTimeLink.email == email,
            OneTimeLink.organization_id == provider.organization_id,
            OneTimeLink.used_at.is_(None),
            OneTimeLink.revoked_at.is_(None),
            OneTimeLink.expires_at > now,
        )
        .order_by(OneTimeLink.created_at.desc())
    )
    if invitation is not None:
        invitation.used_at = now
        if invitation.team is not None and not invitation.team.archived:
            team = invitation.team
            db.session.add(
                Membership(user=user, team=team, role=invitation.role or TeamRole.MEMBER)
            )
    db.session.flush()
    _record_signed_on(
        provider,
        user,
        "new",
        team_id=team.id if team else None,
        link_id=invitation.id if invitation else None,
    )
    return SignedOn(user, new=True, team_id=team.id if team else None)


def _record_signed_on(provider: SignOnProvider, user: User, how: str, **data: Any) -> None:
    record_admin_event(
        user,
        EventKind.SIGNED_ON,
        "user",
        user.id,
        user.organization_id,
        provider=provider.name,
        how=how,
        **{key: value for key, value in data.items() if value is not None},
    )


# ---- a new person's first team ---------------------------------------------------------------


def teams_to_join(user: User) -> list[Team]:
    return list(
        db.session.scalars(
            select(Team)
            .where(Team.organization_id == user.organization_id, Team.archived.is_(False))
            .order_by(Team.name)
        )
    )


def join_team(user: User, team: Team) -> None:
    db.session.add(Membership(user=user, team=team, role=TeamRole.MEMBER))
    db.session.flush()
    record_admin_event(
        user,
        EventKind.MEMBER_ADDED,
        "team",
        team.id,
        team.organization_id,
        team_id=team.id,
        user_id=user.id,
        role=TeamRole.MEMBER.value,
    )
