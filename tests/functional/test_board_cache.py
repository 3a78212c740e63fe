"""The board's columns are rendered once per change and kept: a reader of an unchanged board gets
them without their statements, and any change the board shows is there at once."""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from lean.core.csrf import unmask
from lean.core.extensions import cache
from lean.standups.services import escalate_card
from tests.conftest import make_improvement, make_kaizen, make_user, theme

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def board_of(client, team) -> str:
    response = client.get(f"/teams/{team.id}/board")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def without_tokens(html: str) -> str:
    """A page with its masked CSRF tokens (fresh in every response) left out."""
    html = CSRF_FIELD.sub('name="csrf_token" value=""', html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": ""', html)


def counted_view(client, team, query_counter) -> tuple[str, int]:
    with query_counter() as counter:
        html = board_of(client, team)
    return html, counter.value


def test_an_unchanged_board_is_served_as_kept_without_its_statements(
    world, login_as, query_counter
):
    for number in range(5):
        make_improvement(world.team, world.users["member"], title=f"Kortti {number}", stage="do")
    client = login_as("member")
    board_of(client, world.team)  # what a running app has done already (its first page)
    cache.clear()
    rendered, cold = counted_view(client, world.team, query_counter)
    kept, warm = counted_view(client, world.team, query_counter)
    # The themes, the team's people, the cards, the card templates the quick add offers, the kaizen
    # count and the figures are not read again.
    assert warm == cold - 6
    assert without_tokens(kept) == without_tokens(rendered)
    assert kept.count('class="card ') == 6 and "Kortti 4" in kept


def test_each_response_carries_its_own_token_and_the_kept_quick_add_works(app, world, login_as):
    client = login_as("member")
    app.config["WTF_CSRF_ENABLED"] = True
    first, second = board_of(client, world.team), board_of(client, world.team)
    tokens = CSRF_FIELD.findall(first) + CSRF_FIELD.findall(second)
    assert len(set(tokens)) == len(tokens)  # no two copies alike, none kept from another page
    assert len({unmask(token) for token in tokens}) == 1  # all of them this session's token
    quick_add = re.search(r'<form id="quick-add".*?</form>', second, re.DOTALL).group(0)
    token = CSRF_FIELD.search(quick_add).group(1)
    response = client.post(
        f"/teams/{world.team.id}/improvements",
        data={
            "csrf_token": token,
            "title": "Lisätty säilytetyltä taululta",
            "theme_id": theme().id,
        },
    )
    assert response.status_code == 303
    assert "Lisätty säilytetyltä taululta" in board_of(client, world.team)


def test_days_in_stage_count_on_while_the_board_is_kept(db, world, login_as, clock, query_counter):
    # The card entered its stage 23 hours ago: "0 days" now, "1 day" in an hour and a half.
    world.improvement.stage_entered_at = datetime.now(UTC) - timedelta(hours=23)
    db.session.commit()
    client = login_as("member")
    board_of(client, world.team)  # what a running app has done already (its first page)
    cache.clear()
    html, cold = counted_view(client, world.team, query_counter)
    assert "<span>0 days</span>" in html
    clock.shift(timedelta(hours=1, minutes=30))
    html, warm = counted_view(client, world.team, query_counter)
    assert "<span>1 day</span>" in html
    assert warm == cold - 6  # served as kept, not rendered anew


def test_an_owner_renamed_on_their_profile_shows_at_once(world, login_as):
    reader = login_as("supervisor")
    assert "Oma kortti" in board_of(reader, world.team)
    owner = login_as("member")
    owner.post("/profile", data={"name": "Maija Uusinimi", "language": "fi"})
    html = board_of(reader, world.team)
    assert "Maija Uusinimi" in html


def test_a_move_shows_at_once(world, login_as):
    reader = login_as("supervisor")
    html = board_of(reader, world.team)
    assert 'data-stage="idea"' in card_markup(html, world.improvement.id)
    login_as("member").post(
        f"/improvements/{world.improvement.id}/move", data={"stage": "check", "from": "board"}
    )
    assert 'data-stage="check"' in card_markup(board_of(reader, world.team), world.improvement.id)


def test_a_theme_edit_shows_at_once(world, login_as):
    reader = login_as("member")
    assert "Change leadership" in board_of(reader, world.team)
    edited = theme()
    response = login_as("admin").post(
        f"/admin/themes/{edited.id}",
        data={
            "key": edited.key,
            "name_fi": edited.name_fi,
            "name_sv": edited.name_sv,
            "name_en": "Leading change",
            "colour": edited.colour,
        },
    )
    assert response.status_code == 303
    html = board_of(reader, world.team)
    assert "Leading change" in html and "Change leadership" not in html


def test_a_member_made_supervisor_sees_the_supervisors_board_at_once(world, login_as):
    member = world.users["member"]
    client = login_as("member")
    assert "Team members" not in board_of(client, world.team)
    response = login_as("supervisor").post(
        f"/admin/teams/{world.team.id}/members/{member.id}/role", data={"role": "supervisor"}
    )
    assert response.status_code == 303
    assert "Team members" in board_of(client, world.team)


def test_a_member_removed_from_the_team_can_no_longer_write_on_its_board(world, login_as):
    member = world.users["member"]
    client = login_as("member")
    html = board_of(client, world.team)
    assert 'id="quick-add"' in html and "move-button" in html
    response = login_as("supervisor").post(
        f"/admin/teams/{world.team.id}/members/{member.id}/remove"
    )
    assert response.status_code == 303
    html = board_of(client, world.team)  # still a reader: the organization's boards are open
    assert "Oma kortti" in html
    assert 'id="quick-add"' not in html and "move-button" not in html


@pytest.mark.parametrize("reader", ["coordinator", "foreign_language_member"])
def test_a_board_kept_for_one_reader_is_not_shown_to_another_who_sees_it_otherwise(
    world, login_as, login, reader
):
    writer = login_as("member")
    assert 'id="quick-add"' in board_of(writer, world.team)
    if reader == "coordinator":  # reads every board of the organization, writes on none
        html = board_of(login_as("coordinator"), world.team)
        assert "Oma kortti" in html and 'id="quick-add"' not in html
    else:
        swede = make_user(world.organization, {world.team: "member"}, language="sv")
        html = board_of(login(swede), world.team)
        assert 'lang="sv"' in html and "Lägg till i Idé" in html and "Add to Idea" not in html


def test_filters_are_kept_apart(world, login_as):
    make_improvement(world.team, world.users["member"], title="Estetty kortti", blocked=True)
    client = login_as("member")
    assert "Oma kortti" in board_of(client, world.team)
    blocked = client.get(f"/teams/{world.team.id}/board?blocked=y").get_data(as_text=True)
    assert "Estetty kortti" in blocked and "Oma kortti" not in blocked
    assert "Oma kortti" in board_of(client, world.team)


def card_markup(html: str, improvement_id: int) -> str:
    return re.search(rf'<li class="card[^>]*id="card-{improvement_id}"[^>]*>', html).group(0)


def figure(html: str, label: str) -> str:
    return re.search(rf"<dt>{label}</dt><dd>([^<]*)</dd>", html).group(1)


def test_a_kaizen_logged_counts_on_the_board_at_once(db, world, login_as):
    client = login_as("member")
    assert "0 kaizens this month" in board_of(client, world.team)
    make_kaizen(world.team, world.users["member"])
    db.session.commit()  # as the request that logged it would
    html = board_of(client, world.team)
    assert "1 kaizen this month" in html and figure(html, "Kaizens this term") == "1"


def test_an_escalated_question_counts_in_the_figures_at_once(db, world, login_as):
    client = login_as("supervisor")
    assert figure(board_of(client, world.team), "Open escalations") == "0"
    escalate_card(world.users["supervisor"], None, world.improvement, "Saammeko lisää aikaa?")
    db.session.commit()
    assert figure(board_of(client, world.team), "Open escalations") == "1"


def test_a_card_due_yesterday_is_overdue_from_midnight(db, world, login_as, clock):
    helsinki = ZoneInfo("Europe/Helsinki")
    today = datetime.now(helsinki).date()
    make_improvement(world.team, world.users["member"], title="Eräpäivä tänään", due_date=today)
    client = login_as("member")
    assert figure(board_of(client, world.team), "Overdue") == "0"
    # Half past midnight in Helsinki, still yesterday in UTC: the term's figures count it.
    clock.move_to(datetime.combine(today + timedelta(days=1), time(0, 30), tzinfo=helsinki))
    client = login_as("member")  # the session of yesterday morning has ended
    assert figure(board_of(client, world.team), "Overdue") == "1"
    clock.move_to(datetime.combine(today + timedelta(days=1), time(12, 0), tzinfo=helsinki))
    client = login_as("member")
    html = board_of(client, world.team)
    assert "Eräpäivä tänään" in html and '<strong class="mark overdue">Overdue</strong>' in html


def test_a_standup_started_shows_on_every_readers_board_line_at_once(world, login_as):
    supervisor, member = login_as("supervisor"), login_as("member")
    assert "Start stand-up" in board_of(supervisor, world.team)
    assert "Follow the stand-up" not in board_of(member, world.team)
    assert supervisor.post(f"/teams/{world.team.id}/standup").status_code == 303
    assert "Resume stand-up" in board_of(supervisor, world.team)
    assert "Follow the stand-up" in board_of(member, world.team)
