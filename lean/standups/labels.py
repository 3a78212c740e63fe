"""Why a card is on the agenda, as people read it."""

from flask_babel import gettext as _


def reason_label(reason: str) -> str:
    return {
        "answered": _("Escalation answered"),
        "blocked": _("Blocked"),
        "overdue": _("Overdue"),
        "over_limit": _("In a column over its limit"),
        "aged": _("Too long in its stage"),
        "changed": _("Changed since the last stand-up"),
        "new": _("New idea to triage"),
    }.get(reason, reason)


def reason_tag(reason: str) -> str:
    """The reason in a word or two, for the wall's agenda (its full words stay beside it for
    screen readers)."""
    return {
        "answered": _("Got an answer"),
        "blocked": _("Blocked"),
        "overdue": _("Overdue"),
        "over_limit": _("Over limit"),
        "aged": _("Too long"),
        "changed": _("Changed"),
        "new": _("New idea"),
    }.get(reason, reason)
