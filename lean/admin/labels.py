"""The audit log's words: what kind of change, to what kind of thing."""

from flask_babel import gettext as _


def change_label(kind: str) -> str:
    return {
        "created": _("created"),
        "edited": _("edited"),
        "deleted": _("deleted"),
        "member_added": _("added a team member"),
        "role_changed": _("changed a role"),
        "member_removed": _("removed a team member"),
        "anonymised": _("anonymised"),
        "focus_area_added": _("added a focus area"),
        "invitation_created": _("invited"),
        "invitation_accepted": _("accepted an invitation"),
        "password_reset_created": _("created a password link"),
        "password_reset": _("set a new password"),
    }.get(kind, kind)


def subject_label(subject_type: str) -> str:
    return {
        "organization": _("Organization"),
        "team": _("Team"),
        "user": _("Person"),
        "theme": _("Theme"),
    }.get(subject_type, subject_type)
