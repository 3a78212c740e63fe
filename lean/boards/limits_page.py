"""What the move pages show of work-in-progress limits: the reason sent with a move, and the
question or refusal a move into a full column answers with (templates/boards/
_over_limit_reason.html)."""

from __future__ import annotations

from flask import request

from lean.boards.limits import WipLimitReached
from lean.boards.limits_forms import OverLimitReasonForm
from lean.models import Improvement


def reason_sent() -> str | None:
    """The reason for a move over a limit, when the move's form carried one."""
    reason = (request.form.get("over_limit_reason") or "").strip()
    return reason or None


def context(
    improvement: Improvement,
    reached: WipLimitReached,
    *,
    action: str,
    hidden: dict[str, str],
    cancel_url: str,
    htmx: bool,
    on_card: bool = False,
) -> dict:
    """The refusal or the question, with the reason typed so far and the move's own fields."""
    form = OverLimitReasonForm(formdata=None)
    form.over_limit_reason.data = request.form.get("over_limit_reason", "")
    if not reached.hard:
        # The question stands as the field's message: focused and announced with it.
        form.over_limit_reason.errors = [reached.message]
    return {
        "refusal": reached,
        "title": improvement.title,
        "card_id": improvement.id,
        "action": action,
        "hidden": hidden,
        "cancel_url": cancel_url,
        "htmx": htmx,
        "on_card": on_card,
        "form": form,
    }
