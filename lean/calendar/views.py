"""Calendar feeds: the feeds themselves (no login: the secret in the address is the key) and
the pages that show and renew their addresses."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from lean.calendar import feed, queries, services
from lean.core.i18n import locale_for
from lean.core.urls import external_url
from lean.models import Team
from lean.shared import pieces, policy

calendar_blueprint = Blueprint("calendar", __name__)


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # Private to the one who holds the address; search engines keep out of it.
    response.cache_control.private = True
    response.cache_control.max_age = 300
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@calendar_blueprint.get("/calendar/<token>.ics")
def person_feed(token: str):
    """A person's due cards, A3 actions and stand-ups, in their language."""
    person = policy.person_of_calendar(token)
    entries = queries.person_entries(person)
    languages = current_app.config["LANGUAGES"]
    language = person.language if person.language in languages else None
    with force_locale(locale_for(language or current_app.config["BABEL_DEFAULT_LOCALE"])):
        name = _("Vertaa: %(name)s", name=person.name)
        body = feed.calendar(name, entries, datetime.now(UTC))
    return _ics(body, "vertaa.ics")


@calendar_blueprint.get("/calendar/teams/<token>.ics")
def team_feed(token: str):
    """A team's cards with due dates, in the app's default language."""
    team = policy.team_of_calendar(token)
    entries = queries.team_entries(team)
    body = feed.calendar(_("Vertaa: %(team)s", team=team.name), entries, datetime.now(UTC))
    return _ics(body, "vertaa-team.ics")


# ---- one's own address, on the profile page ---------------------------------------------


@calendar_blueprint.post("/calendar/address")
@login_required
def show_person_address():
    """Make one's feed address (the first time it is asked for) and show it on the profile."""
    services.person_token(current_user)
    return redirect(url_for("profile.show", _anchor="calendar"), 303)


@calendar_blueprint.post("/calendar/address/renew")
@login_required
def renew_person_address():
    """A new address for one's feed; the old one stops working."""
    services.renew_person_token(current_user)
    flash(_("Your calendar has a new address. Add it to your calendar app again."), "success")
    return redirect(url_for("profile.show", _anchor="calendar"), 303)


@pieces.provides(calendar_blueprint, "calendar.personal_feed")
def personal_feed_piece() -> Markup:
    """On the profile page: one's feed address, how to add it to a calendar, and its renewal."""
    token = current_user.calendar_token
    address = external_url("calendar.person_feed", token=token) if token else None
    return pieces.partial("calendar/_personal_feed.html", address=address)


# ---- a team's address, on the team's calendar page --------------------------------------


@calendar_blueprint.get("/teams/<int:team_id>/calendar")
@login_required
def team_calendar(team_id: int):
    """The team's feed address for its members, and how to add it to a calendar."""
    team = policy.team_for_calendar(current_user, team_id)
    return render_template(
        "calendar/team.html",
        team=team,
        address=_team_address(team),
        can_renew=policy.can_renew_team_calendar(current_user, team),
    )


@calendar_blueprint.post("/teams/<int:team_id>/calendar/address")
@login_required
def show_team_address(team_id: int):
    """Make the team's feed address (the first time it is asked for) and show it."""
    team = policy.team_for_calendar(current_user, team_id)
    services.team_token(team)
    return redirect(url_for("calendar.team_calendar", team_id=team.id), 303)


@calendar_blueprint.post("/teams/<int:team_id>/calendar/renew")
@login_required
def renew_team_address(team_id: int):
    """A new address for the team's feed; the old one stops working."""
    team = policy.team_for_calendar_renewal(current_user, team_id)
    services.renew_team_token(team)
    flash(_("The team's calendar has a new address. Add it to your calendar app again."), "success")
    return redirect(url_for("calendar.team_calendar", team_id=team.id), 303)


def _team_address(team: Team) -> str | None:
    if team.calendar_token is None:
        return None
    return external_url("calendar.team_feed", token=team.calendar_token)
