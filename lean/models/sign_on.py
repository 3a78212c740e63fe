"""Single sign-on: an organization's OpenID Connect providers, and who signs in through them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.models.base import UTCDateTime, utcnow
from lean.models.database import Model
from lean.models.organization import Organization
from lean.models.user import User


class ProviderKind:
    """The kinds of provider an admin connects: each needs a little of its own handling."""

    ENTRA = "entra"  # Microsoft Entra ID: its tenant's issuer, or a list of allowed issuers
    MPASSID = "mpassid"  # the education sector's broker: code flow with client_secret_basic
    OIDC = "oidc"  # any provider by its discovery URL


class SignOnProvider(Model):
    """One OpenID Connect provider an organization's people sign in with."""

    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    # What the login page's button says ("Microsoft 365", "MPASSid").
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default=ProviderKind.OIDC)
    # The provider's discovery document (.well-known/openid-configuration).
    discovery_url: Mapped[str] = mapped_column(String(500))
    # The issuers an ID token may name, one per line; empty: the discovery document's issuer.
    # (Entra's multi-tenant "common" document names no single issuer.)
    allowed_issuers: Mapped[str] = mapped_column(Text, default="", server_default="")
    client_id: Mapped[str] = mapped_column(String(255))
    # Encrypted with the installation's key (LEAN_SIGN_ON_KEY); never shown again.
    client_secret_encrypted: Mapped[str] = mapped_column(Text)
    token_auth_method: Mapped[str] = mapped_column(
        String(30), default="client_secret_basic", server_default="client_secret_basic"
    )
    # The e-mail domains whose people this provider signs in, one per line ("koulu.fi").
    domains: Mapped[str] = mapped_column(Text, default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()


class SignOnIdentity(Model):
    """A person as a provider knows them: later sign-ins match by the provider's `sub`, never
    by e-mail alone."""

    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("sign_on_provider.id"))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    provider: Mapped[SignOnProvider] = relationship()
    user: Mapped[User] = relationship()
