"""The event kinds a webhook may ask for, in groups and in words, for the endpoint's form."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lean.shared.events import EventKind

K = EventKind

# Each group: its title, and its kinds with their words. Every EventKind is in one group.
KIND_GROUPS = (
    (
        _l("Cards"),
        (
            (K.CREATED, _l("Card created")),
            (K.MOVED, _l("Card moved to another stage")),
            (K.REORDERED, _l("Card reordered in its column")),
            (K.MOVE_UNDONE, _l("Card's move undone")),
            (K.EDITED, _l("Card edited")),
            (K.BLOCKED, _l("Card blocked")),
            (K.UNBLOCKED, _l("Card unblocked")),
            (K.ARCHIVED, _l("Card archived")),
            (K.RESTORED, _l("Card restored")),
            (K.DELETED, _l("Card or kaizen deleted")),
            (K.PURGED, _l("Deleted kaizen removed for good")),
            (K.PROMOTED, _l("Kaizen made into a card")),
            (K.COPIED, _l("Card copied")),
            (K.FROM_TEMPLATE, _l("Card made from a template")),
            (K.IMPORTED, _l("Card imported")),
        ),
    ),
    (
        _l("Comments"),
        (
            (K.COMMENTED, _l("Comment written")),
            (K.COMMENT_EDITED, _l("Comment edited")),
            (K.COMMENT_DELETED, _l("Comment deleted")),
        ),
    ),
    (
        _l("Checklists and files"),
        (
            (K.CHECKLIST_ITEM_ADDED, _l("Checklist item added")),
            (K.CHECKLIST_ITEM_EDITED, _l("Checklist item changed")),
            (K.CHECKLIST_ITEM_TICKED, _l("Checklist item ticked")),
            (K.CHECKLIST_ITEM_UNTICKED, _l("Checklist item unticked")),
            (K.CHECKLIST_ITEM_REMOVED, _l("Checklist item removed")),
            (K.CHECKLIST_REORDERED, _l("Checklist reordered")),
            (K.FILE_ADDED, _l("File added")),
            (K.FILE_REMOVED, _l("File removed")),
            (K.COVER_CHANGED, _l("Cover picture changed")),
            (K.FILE_DESCRIBED, _l("File described")),
        ),
    ),
    (
        _l("Stand-ups"),
        (
            (K.STANDUP_STARTED, _l("Stand-up started")),
            (K.STANDUP_FINISHED, _l("Stand-up finished, with its summary")),
            (K.DECIDED, _l("Decision recorded")),
            (K.NOTED, _l("Note added")),
            (K.ESCALATED, _l("Question escalated")),
            (K.ESCALATION_ANSWERED, _l("Escalated question answered")),
            (K.STANDUP_SETTINGS, _l("Stand-up settings changed")),
        ),
    ),
    (
        _l("Board settings"),
        (
            (K.WIP_LIMITS_SET, _l("Work-in-progress limits changed")),
            (K.TEMPLATE_SAVED, _l("Card template saved")),
            (K.TEMPLATE_REMOVED, _l("Card template removed")),
        ),
    ),
    (
        _l("A3 sheets"),
        (
            (K.A3_STARTED, _l("A3 sheet started")),
            (K.A3_EDITED, _l("A3 sheet edited")),
            (K.A3_COACH_NAMED, _l("A3 coach named")),
            (K.A3_ITEM_ADDED, _l("A3 item added")),
            (K.A3_ITEM_CHANGED, _l("A3 item changed")),
            (K.A3_ITEM_REMOVED, _l("A3 item removed")),
            (K.A3_WHY_MOVED, _l("A3 why moved")),
            (K.A3_COMMENTED, _l("A3 comment written")),
            (K.A3_ANSWERED, _l("A3 comment answered")),
            (K.A3_COMMENT_RESOLVED, _l("A3 comment resolved")),
        ),
    ),
    (
        _l("The network"),
        (
            (K.PUBLISHED, _l("Practice published")),
            (K.UPDATED, _l("Practice updated")),
            (K.WITHDRAWN, _l("Practice withdrawn")),
            (K.ADOPTED, _l("Practice adopted")),
            (K.READ, _l("Practice read")),
        ),
    ),
    (
        _l("Administration"),
        (
            (K.MEMBER_ADDED, _l("Team member added")),
            (K.MEMBER_REMOVED, _l("Team member removed")),
            (K.ROLE_CHANGED, _l("Role changed")),
            (K.FOCUS_AREA_ADDED, _l("Focus area added")),
            (K.ANONYMISED, _l("Person anonymised")),
            (K.INVITATION_CREATED, _l("Invitation made")),
            (K.INVITATION_ACCEPTED, _l("Invitation accepted")),
            (K.INVITATION_REVOKED, _l("Invitation taken back")),
            (K.WELCOME_SENT, _l("Welcome sent")),
            (K.PASSWORD_RESET_CREATED, _l("Password link made")),
            (K.PASSWORD_RESET, _l("Password set")),
            (K.SIGN_ON_PROVIDER_SAVED, _l("Sign-on provider saved")),
            (K.SIGNED_ON, _l("Signed in with sign-on")),
            (K.SIGN_ON_REFUSED, _l("Sign-on refused")),
            (K.TOKEN_CREATED, _l("Personal access token made")),
            (K.TOKEN_REVOKED, _l("Personal access token revoked")),
            (K.WEBHOOK_SAVED, _l("Webhook saved")),
            (K.WEBHOOK_ENABLED, _l("Webhook put back in use")),
            (K.WEBHOOK_REMOVED, _l("Webhook removed")),
            (K.WEBHOOK_DISABLED, _l("Webhook taken out of use")),
        ),
    ),
)

# What a Teams channel is sent: the stand-up's summary, escalations and over-limit moves.
TEAMS_KINDS = (K.STANDUP_FINISHED, K.ESCALATED, K.MOVED)


def kind_label(kind: str) -> str:
    for _title, kinds in KIND_GROUPS:
        for member, label in kinds:
            if member.value == kind:
                return str(label)
    return kind


# Why an endpoint was taken out of use (WebhookEndpoint.disabled_reason).
GONE = "gone"
FAILING = "failing"


def disabled_text(reason: str) -> str:
    if reason == GONE:
        return _("The receiver answered 410 Gone: it no longer takes these messages.")
    if reason == FAILING:
        return _("Every delivery failed for three days.")
    return _("Taken out of use.")
