"""All tables, one module per area; import from here."""

from lean.models.a3 import (
    A3Action,
    A3Cause,
    A3Comment,
    A3Countermeasure,
    A3Sheet,
    A3Why,
    CauseCategory,
)
from lean.models.board import CardTemplate, ChecklistItem, OverLimitDay, Recurrence
from lean.models.connect import (
    ApiToken,
    DeliveryStatus,
    MailFailure,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFormat,
)
from lean.models.conversation import CardComment, CardFollow, Notification
from lean.models.event import Event
from lean.models.improvement import STAGES, Improvement, Stage
from lean.models.kaizen import Attachment, KaizenEntry
from lean.models.onetime import LinkPurpose, OneTimeLink
from lean.models.organization import Membership, Organization, Team, TeamRole
from lean.models.practice import (
    Adoption,
    Notice,
    NoticeKind,
    Practice,
    PracticeComment,
    PracticeKind,
)
from lean.models.sign_on import ProviderKind, SignOnIdentity, SignOnProvider
from lean.models.standup import Escalation, Standup, StandupAttendee, StandupItem
from lean.models.theme import FocusArea, Theme
from lean.models.user import LoginFailure, PasswordResetRequest, User

__all__ = [
    "STAGES",
    "A3Action",
    "A3Cause",
    "A3Comment",
    "A3Countermeasure",
    "A3Sheet",
    "A3Why",
    "Adoption",
    "ApiToken",
    "Attachment",
    "CardComment",
    "CardFollow",
    "CardTemplate",
    "CauseCategory",
    "ChecklistItem",
    "DeliveryStatus",
    "Escalation",
    "Event",
    "FocusArea",
    "Improvement",
    "KaizenEntry",
    "LinkPurpose",
    "LoginFailure",
    "MailFailure",
    "Membership",
    "Notice",
    "NoticeKind",
    "Notification",
    "OneTimeLink",
    "Organization",
    "OverLimitDay",
    "PasswordResetRequest",
    "Practice",
    "PracticeComment",
    "PracticeKind",
    "ProviderKind",
    "Recurrence",
    "SignOnIdentity",
    "SignOnProvider",
    "Stage",
    "Standup",
    "StandupAttendee",
    "StandupItem",
    "Team",
    "TeamRole",
    "Theme",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookFormat",
]
