"""The audit log's words: what kind of change, to what kind of thing."""

from datetime import date

from flask_babel import gettext as _

from lean.core.i18n import format_day
from lean.shared.events import EventKind


def change_label(kind: str) -> str:
    labels: dict[str, str] = {
        EventKind.CREATED: _("created"),
        EventKind.EDITED: _("edited"),
        EventKind.DELETED: _("deleted"),
        EventKind.MEMBER_ADDED: _("added a team member"),
        EventKind.ROLE_CHANGED: _("changed a role"),
        EventKind.MEMBER_REMOVED: _("removed a team member"),
        EventKind.ANONYMISED: _("anonymised"),
        EventKind.FOCUS_AREA_ADDED: _("added a focus area"),
        EventKind.INVITATION_CREATED: _("invited"),
        EventKind.INVITATION_ACCEPTED: _("accepted an invitation"),
        EventKind.INVITATION_REVOKED: _("took back an invitation"),
        EventKind.WELCOME_SENT: _("welcomed to sign in with sign-on"),
        EventKind.PASSWORD_RESET_CREATED: _("created a password link"),
        EventKind.PASSWORD_RESET: _("set a new password"),
        EventKind.SIGN_ON_PROVIDER_SAVED: _("saved a sign-on provider"),
        EventKind.SIGNED_ON: _("signed in with sign-on"),
        EventKind.SIGN_ON_REFUSED: _("was refused sign-on"),
        EventKind.STANDUP_STARTED: _("started a stand-up"),
        EventKind.STANDUP_FINISHED: _("finished a stand-up"),
        EventKind.STANDUP_SETTINGS: _("changed the stand-up settings"),
        EventKind.WIP_LIMITS_SET: _("changed the work-in-progress limits"),
        EventKind.TOKEN_CREATED: _("made a personal access token"),
        EventKind.TOKEN_REVOKED: _("revoked a personal access token"),
        EventKind.WEBHOOK_SAVED: _("saved a webhook"),
        EventKind.WEBHOOK_ENABLED: _("put a webhook back in use"),
        EventKind.WEBHOOK_REMOVED: _("removed a webhook"),
        EventKind.WEBHOOK_DISABLED: _("webhook taken out of use"),
    }
    return labels.get(kind, kind)


def subject_label(subject_type: str) -> str:
    return {
        "organization": _("Organization"),
        "team": _("Team"),
        "user": _("Person"),
        "theme": _("Theme"),
        "sign_on_provider": _("Sign-on provider"),
        "webhook_endpoint": _("Webhook"),
    }.get(subject_type, subject_type)


def detail_label(name: str) -> str:
    return {
        "name": _("Name"),
        "email": _("Email"),
        "active": _("Active"),
        "archived": _("Archived"),
        "language": _("Language"),
        "is_coordinator": _("Coordinator"),
        "is_admin": _("Admin"),
        "key": _("Key"),
        "name_fi": _("Name in Finnish"),
        "name_sv": _("Name in Swedish"),
        "name_en": _("Name in English"),
        "colour": _("Colour"),
        "retired": _("Retired"),
        "role": _("Role"),
        "user_id": _("Person"),
        "link_id": _("Link"),
        "source": _("Source"),
        "passwords_allowed": _("Passwords allowed"),
        "reason": _("Reason"),
        "provider": _("Provider"),
        # A team's work-in-progress limits (lean/boards/limits.py)
        "plan_wip_limit": _("Plan"),
        "do_wip_limit": _("Do"),
        "check_wip_limit": _("Check"),
        "act_wip_limit": _("Act"),
        "wip_limits_hard": _("Hard limit"),
        # A personal access token (lean/api/services.py)
        "token": _("Token"),
        "can_write": _("Read and write"),
        "expires_on": _("Works until the end of"),
        # A webhook (lean/webhooks/services.py)
        "format": _("Format"),
        "team": _("Team"),
        # A sign-on provider (lean/auth/sign_on.py): made or changed, and which of its fields
        "created": _("New"),
        "changed": _("Changed"),
        "kind": _("Kind"),
        "discovery_url": _("Discovery URL"),
        "allowed_issuers": _("Allowed issuers"),
        "client_id": _("Client ID"),
        "client_secret": _("Client secret"),
        "token_auth_method": _("How Vertaa sends the secret"),
        "domains": _("Email domains"),
    }.get(name, name)


def _detail_value(name: str, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "role":
        return {"member": _("member"), "supervisor": _("supervisor")}.get(value, value)
    if name == "source" and value == "import":
        return _("CSV import")
    if name == "expires_on":
        return format_day(date.fromisoformat(value))
    if name in ("user_id", "link_id", "token"):
        return f"#{value}"
    if name == "changed":  # a sign-on provider's changed fields, by their names
        return ", ".join(detail_label(field) for field in str(value).split(", "))
    return str(value)


def change_details(data: dict) -> list[tuple[str, str]]:
    """An audit event's data in words: (what, value or 'before → after') pairs."""
    details = []
    for name, value in data.items():
        if name == "fields" and isinstance(value, dict):
            for field, pair in value.items():
                before, after = pair if isinstance(pair, list) and len(pair) == 2 else ("", pair)
                change = f"{_detail_value(field, before)} → {_detail_value(field, after)}"
                details.append((detail_label(field), change))
        else:
            details.append((detail_label(name), _detail_value(name, value)))
    return details
