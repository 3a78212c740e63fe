"""The daily commands as the job worker's periodic jobs, at night and early morning in Helsinki.

Each does what its command does (lean/core/cli.py), as a unit of work of its own. Every one
of them may run twice for a day without harm (the command run by hand or by
deploy/vertaa-daily.timer as well): nothing is made or sent twice.
"""

from __future__ import annotations

import logging

from lean.core import cli
from lean.core.jobs import daily_at, job

log = logging.getLogger(__name__)


@job(schedule=daily_at(0, 15))
def make_recurring_cards_daily() -> None:
    """The day's cards of recurring card templates, before anyone opens a board."""
    cli.make_recurring_cards(log.info)


@job(schedule=daily_at(3, 15))
def purge_deleted_daily() -> None:
    """Kaizens past their recovery period and orphaned files; columns over their limits."""
    cli.purge_deleted(log.info)


@job(schedule=daily_at(3, 30))
def prune_daily() -> None:
    """Failed logins and reset requests that no longer count."""
    cli.prune(log.info)


@job(schedule=daily_at(6, 0))
def send_digests_daily() -> None:
    """The due-tomorrow reminders, then the e-mail digests that are due."""
    cli.send_digests(log.info)


# The periodic jobs, by the command they stand for (tests check each is registered).
DAILY_JOBS = {
    "make-recurring-cards": make_recurring_cards_daily,
    "purge-deleted": purge_deleted_daily,
    "prune": prune_daily,
    "send-digests": send_digests_daily,
}
