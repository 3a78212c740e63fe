"""An open board asks whether it changed: 304 without rendering while its team's events stand."""

import re

from lean.admin.services import save_theme, update_organization, update_profile
from lean.auth.services import end_all_sessions, set_language
from lean.boards import services
from lean.core import unit_of_work
from lean.models import Stage
from tests.conftest import make_improvement, theme
from tests.functional.test_query_counts import QUICK_NOT_MODIFIED_QUERIES, fill_board

HTMX = {"HX-Request": "true"}


def page_tag(html: str) -> str:
    return re.search(r"data-etag='([^']+)'", html).group(1)


def test_an_unchanged_board_answers_304_and_a_changed_one_the_new_board(world, login_as):
    client = login_as("member")
    url = f"/teams/{world.team.id}/board"
    html = client.get(url).get_data(as_text=True)
    tag = page_tag(html)
    assert 'id="page-freshness"' in html and f'data-freshness-url="{url}?"' in html

    unchanged = client.get(url, headers={**HTMX, "If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    assert unchanged.headers["ETag"] == tag

    services.move_improvement(world.users["supervisor"], world.improvement, Stage.PLAN)
    changed = client.get(url, headers={**HTMX, "If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag
    body = changed.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="board"') and "<html" not in body
    assert (
        client.get(url, headers={**HTMX, "If-None-Match": changed.headers["ETag"]}).status_code
        == 304
    )


def test_the_tag_differs_per_person_language_and_filters(world, login_as):
    url = f"/teams/{world.team.id}/board"
    member = login_as("member")
    tag = page_tag(member.get(url).get_data(as_text=True))
    supervisor = login_as("supervisor")
    assert supervisor.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 200
    assert member.get(f"{url}?blocked=1", headers={**HTMX, "If-None-Match": tag}).status_code == 200
    # Another team's change leaves this board's tag as it was.
    make_improvement(world.other_team)
    assert member.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 304


def test_a_renamed_owner_or_theme_redraws_the_board_and_another_organization_does_not(
    world, login_as
):
    client = login_as("member")
    url = f"/teams/{world.team.id}/board"
    tag = page_tag(client.get(url).get_data(as_text=True))
    foreigner = world.users["foreign_member"]
    update_profile(foreigner, name="Vieras Uusinimi", language=foreigner.language)
    assert client.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 304

    # The card's owner renames themselves on their profile: an event of no team.
    owner = world.users["member"]
    update_profile(owner, name="Maija Uusinimi", language=owner.language)
    renamed = client.get(url, headers={**HTMX, "If-None-Match": tag})
    assert renamed.status_code == 200 and "Maija Uusinimi" in renamed.get_data(as_text=True)
    tag = renamed.headers["ETag"]

    # A theme renamed by an administrator: an event of no organization.
    card_theme = theme()
    save_theme(world.users["admin"], card_theme, name_en="Leading change, renamed")
    retitled = client.get(url, headers={**HTMX, "If-None-Match": tag})
    assert retitled.status_code == 200
    assert "Leading change, renamed" in retitled.get_data(as_text=True)


def test_a_full_page_request_is_never_answered_304(world, login_as):
    client = login_as("member")
    url = f"/teams/{world.team.id}/board"
    tag = page_tag(client.get(url).get_data(as_text=True))
    response = client.get(url, headers={"If-None-Match": tag})
    assert response.status_code == 200 and "ETag" not in response.headers


def test_the_304_costs_a_fixed_small_number_of_statements(world, login_as, query_counter):
    client = login_as("member")
    url = f"/teams/{world.team.id}/board"
    tag = page_tag(client.get(url).get_data(as_text=True))
    with query_counter() as small:
        assert client.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 304
    fill_board(world.other_team, world.users["supervisor"], 60)
    with query_counter() as large:
        assert client.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 304
    assert small.value == large.value == QUICK_NOT_MODIFIED_QUERIES


def check(client, url: str, tag: str):
    return client.get(url, headers={**HTMX, "If-None-Match": tag})


def test_an_ended_login_gets_no_304_but_the_login_page(world, login_as):
    """The 304 is answered before the person is loaded (lean/core/conditional.py), by the
    same rules: a session ended elsewhere, or a person or organization deactivated since,
    gets what the full request answers, never "unchanged"."""
    url = f"/teams/{world.team.id}/board"
    member = world.users["member"]

    def logged_out(client, tag) -> bool:
        answer = check(client, url, tag)
        return answer.status_code != 304 and "/login" in (
            answer.headers.get("HX-Redirect") or answer.headers.get("Location") or ""
        )

    client = login_as("member")
    tag = page_tag(client.get(url).get_data(as_text=True))
    end_all_sessions(member)  # "log out everywhere", or a new password
    assert logged_out(client, tag)

    client = login_as("member")
    tag = page_tag(client.get(url).get_data(as_text=True))
    member.active = False  # deactivated (the admin's service also ends the sessions)
    unit_of_work.commit()
    assert logged_out(client, tag)
    member.active = True
    unit_of_work.commit()
    assert check(client, url, tag).status_code == 304

    update_organization(world.users["admin"], world.organization, active=False)
    assert logged_out(client, tag)


def test_a_person_who_may_no_longer_read_the_team_gets_its_404(world, login_as, db):
    url = f"/teams/{world.team.id}/board"
    client = login_as("member")
    tag = page_tag(client.get(url).get_data(as_text=True))
    member = world.users["member"]
    member.organization_id = world.foreign_organization.id  # moved to another organization
    unit_of_work.commit()
    assert check(client, url, tag).status_code == 404
    # A team that is gone is the full request's 404 too, whatever tag is sent.
    assert check(client, "/teams/999999/board", tag).status_code == 404


def test_a_changed_language_redraws_the_board_in_it(world, login_as):
    url = f"/teams/{world.team.id}/board"
    client = login_as("member")
    tag = page_tag(client.get(url).get_data(as_text=True))
    # Chosen from the language menu on another device: no event, the same team version.
    set_language(world.users["member"], "sv")
    answer = check(client, url, tag)
    assert answer.status_code == 200 and "Idé" in answer.get_data(as_text=True)
    assert check(client, url, answer.headers["ETag"]).status_code == 304


def test_the_open_standup_checks_the_same_way(world, login_as):
    from lean.standups import services as standups

    standup, _ = standups.start_standup(world.users["supervisor"], world.team)
    client = login_as("member")
    url = f"/teams/{world.team.id}/standup"
    html = client.get(url).get_data(as_text=True)
    # The whole view (card, agenda, escalations) is redrawn, for the card the leader shows.
    assert 'data-freshness-target="#standup-view"' in html
    assert f'data-freshness-url="/teams/{world.team.id}/standup"' in html
    tag = page_tag(html)
    assert client.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 304
    standups.add_note(world.users["supervisor"], standup, world.improvement, "Uusi huomio")
    changed = client.get(url, headers={**HTMX, "If-None-Match": tag})
    assert changed.status_code == 200 and 'id="current-card"' in changed.get_data(as_text=True)
