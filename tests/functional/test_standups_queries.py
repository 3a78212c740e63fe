"""Stand-up pages and the agenda run a fixed number of SQL statements whatever the board's size."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lean.core.extensions import db
from lean.models import Escalation, Standup
from lean.standups import queries, services
from tests.conftest import make_improvement, today
from tests.functional.test_query_counts import BOARD_QUERIES, MAX_QUERIES

STAGES = ["idea", "plan", "do", "check", "act", "done"]


def fill_board(team, author, count, offset=0):
    """Cards in every stage, some blocked, some overdue, each with an escalation every 5th."""
    for number in range(offset, offset + count):
        card = make_improvement(
            team,
            author,
            title=f"Kortti {number}",
            stage=STAGES[number % 6],
            blocked=number % 7 == 0,
            due_date=today() - timedelta(days=1) if number % 4 == 0 else None,
        )
        if number % 5 == 0:
            db.session.add(
                Escalation(improvement_id=card.id, team_id=team.id, question=f"Kysymys {number}")
            )
    db.session.commit()


def count(client, query_counter, method, url, **kwargs) -> int:
    with query_counter() as counter:
        response = client.open(url, method=method, **kwargs)
    assert response.status_code in (200, 303), url
    return counter.value


def finish_all(team_id):
    for standup in db.session.scalars(select(Standup).where(Standup.team_id == team_id)):
        if standup.finished_at is None:
            services.finish_standup(
                None,
                standup,
                standup.version,
                attendee_ids=[],
                guests="",
                note="",
                plus="",
                delta="",
            )


def measure(world, login_as, query_counter) -> dict[str, int]:
    """Queries of each stand-up page on the world's board as it is now."""
    supervisor, coordinator = login_as("supervisor"), login_as("coordinator")
    team_id = world.team.id
    finish_all(team_id)
    # Kept before counting: the client would commit it at the request, and what its commit
    # sets off (the webhook check of the seam's commit subscribers) is not the page's.
    db.session.commit()
    counts = {"start": count(supervisor, query_counter, "POST", f"/teams/{team_id}/standup")}
    standup = db.session.scalar(
        select(Standup).where(Standup.team_id == team_id, Standup.finished_at.is_(None))
    )
    services.escalate_card(world.users["supervisor"], standup, world.improvement, "Kysymys")
    pages = {
        "standup": f"/teams/{team_id}/standup",
        "standup card 3": f"/teams/{team_id}/standup?card=3",
        "finish form": f"/standups/{standup.id}/finish",
        "record": f"/standups/{standup.id}",
        "history": f"/teams/{team_id}/standups",
        "since": f"/teams/{team_id}/since-standup",
        "settings": f"/teams/{team_id}/standup/settings",
        "board": f"/teams/{team_id}/board",
        "card": f"/improvements/{world.improvement.id}",
    }
    for name, url in pages.items():
        supervisor.get(url)  # warm what a running app has warm anyway
        counts[name] = count(supervisor, query_counter, "GET", url)
    coordinator.get("/escalations")
    counts["escalations"] = count(coordinator, query_counter, "GET", "/escalations")
    return counts


@pytest.mark.slow
def test_standup_pages_and_agenda_do_not_grow_with_the_board(world, login_as, query_counter):
    member = world.users["member"]
    fill_board(world.team, member, 6)
    small = measure(world, login_as, query_counter)
    fill_board(world.team, world.users["supervisor"], 120, offset=6)
    for number in range(3):  # more stand-ups in the history, more events since
        make_improvement(world.team, member, title=f"Uusi {number}")
        finish_all(world.team.id)
        login_as("supervisor").post(f"/teams/{world.team.id}/standup")
    large = measure(world, login_as, query_counter)
    assert small == large
    # The board and card pages keep the budget every board and card page keeps.
    assert large["board"] <= BOARD_QUERIES
    assert large["card"] <= MAX_QUERIES
    # The stand-up's own pages: a dozen statements at most.
    assert max(value for page, value in large.items() if page not in ("board", "card")) <= 12, large


def agenda_queries(world, query_counter) -> tuple[int, int]:
    """Queries of building a new stand-up's agenda, and how many cards it holds."""
    finish_all(world.team.id)
    team, supervisor = world.team, world.users["supervisor"]
    db.session.refresh(team)  # loaded, as the request's policy check has them
    db.session.refresh(supervisor)
    with query_counter() as counter:
        standup, created = services.start_standup(supervisor, team)
    assert created
    return counter.value, len(queries.agenda_cards(standup))


def test_building_the_agenda_costs_the_same_for_a_small_and_a_big_board(world, query_counter):
    fill_board(world.team, world.users["member"], 6)
    small, small_cards = agenda_queries(world, query_counter)
    fill_board(world.team, world.users["member"], 300, offset=6)
    large, large_cards = agenda_queries(world, query_counter)
    assert large_cards > 10 * small_cards
    assert small == large
