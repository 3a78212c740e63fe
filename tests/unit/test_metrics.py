"""The dashboard's figures, checked exactly against a known history at a frozen moment.

The history is written as rows with their own timestamps (cards, their created/moved events,
kaizens, stand-ups, escalations), and every figure is computed at NOW, so nothing depends on
the day the tests run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from lean.core.extensions import db
from lean.models import Escalation, Event, Improvement, KaizenEntry, Stage, Standup, Team
from lean.shared import metrics
from tests.conftest import make_organization, make_team, make_user, theme

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday
TERM = (date(2026, 8, 1), date(2026, 11, 20))
CL, SP = "change_leadership", "service_process"


def at(day: str, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=UTC)


def seeded_card(team: Team, author, title: str, steps, theme_key: str = CL, **fields):
    """A card with its history: steps are (stage, moment); the first is its creation."""
    (first_stage, created), *moves = steps
    archived = fields.pop("archived", False)
    card = Improvement(
        team=team,
        title=title,
        theme=theme(theme_key),
        stage=steps[-1][0],
        owner=author,
        created_by=author,
        created_at=created,
        # As the services leave it: the row last changed with the card's last move, and the
        # stage times follow from the walk.
        updated_at=steps[-1][1],
        stage_entered_at=steps[-1][1],
        first_started_at=next((moment for stage, moment in steps if stage != Stage.IDEA), None),
        completed_at=steps[-1][1] if steps[-1][0] == Stage.DONE else None,
        archived=archived,
        **fields,
    )
    db.session.add(card)
    db.session.flush()

    def event(kind: str, moment: datetime, **data) -> Event:
        return Event(
            at=moment,
            actor=author,
            organization_id=team.organization_id,
            team_id=team.id,
            subject_type="improvement",
            subject_id=card.id,
            kind=kind,
            data=data,
        )

    db.session.add(event("created", created, stage=first_stage))
    previous = first_stage
    for stage, moment in moves:
        db.session.add(event("moved", moment, **{"from": previous, "to": stage}))
        # Edits and blocks are events too; they must not count as moves.
        db.session.add(event("edited", moment, fields={"title": ["x", title]}))
        previous = stage
    if archived:
        db.session.add(event("archived", steps[-1][1]))
    db.session.commit()
    return card


def seeded_kaizen(team, author, done_on: str, theme_key: str = CL, hours=None, deleted=False):
    entry = KaizenEntry(
        team=team,
        author=author,
        done_on=date.fromisoformat(done_on),
        title=f"Kaizen {done_on}",
        before="Ennen",
        after="Jälkeen",
        theme=theme(theme_key),
        hours_saved_per_month=hours,
        deleted_at=NOW if deleted else None,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


@dataclass
class History:
    organization: object
    team_a: Team
    team_b: Team
    team_c: Team
    foreign_team: Team
    coordinator: object
    cards: dict


def seed_history() -> History:
    """Three teams of one organization (one archived) and a foreign team, over the autumn term."""
    organization = make_organization(name="Järvilaakson koulutuskuntayhtymä")
    team_a = make_team(organization, name="Opintotoimisto", standup_weekdays="1")
    team_b = make_team(organization, name="Rakennusala", standup_weekdays="1,3", plan_limit_days=10)
    team_c = make_team(organization, name="Vanha tiimi", archived=True, standup_weekdays="1")
    foreign_organization = make_organization(name="Rannikon ammattiopisto")
    foreign_team = make_team(foreign_organization, name="Opiskelijapalvelut")
    author = make_user(organization, {team_a: "member", team_b: "member"})
    foreign_author = make_user(foreign_organization, {foreign_team: "member"})
    coordinator = make_user(organization, is_coordinator=True)

    S = Stage
    cards = {
        # Through every stage: cycle 30 days, lead 32.
        "a1": seeded_card(
            team_a,
            author,
            "Hakemusten käsittely",
            [
                (S.IDEA, at("2026-09-01")),
                (S.PLAN, at("2026-09-03")),
                (S.DO, at("2026-09-10")),
                (S.CHECK, at("2026-09-20")),
                (S.ACT, at("2026-09-25")),
                (S.DONE, at("2026-10-03")),
            ],
            hours_saved_per_month=Decimal("5.0"),
        ),
        # Done, moved back, done again: the last completion counts. Cycle 61, lead 63.
        "a2": seeded_card(
            team_a,
            author,
            "Palautelomake",
            [
                (S.IDEA, at("2026-08-10")),
                (S.PLAN, at("2026-08-12")),
                (S.DO, at("2026-08-20")),
                (S.DONE, at("2026-09-01")),
                (S.ACT, at("2026-09-05")),
                (S.DONE, at("2026-10-12")),
            ],
            hours_saved_per_month=Decimal("2.5"),
        ),
        # Archived after reaching Done: still completed. Cycle 30, lead 31.
        "a3": seeded_card(
            team_a,
            author,
            "Arkistoitu valmis",
            [(S.IDEA, at("2026-09-15")), (S.PLAN, at("2026-09-16")), (S.DONE, at("2026-10-16"))],
            SP,
            hours_saved_per_month=Decimal("1.5"),
            archived=True,
        ),
        # Adopted from another organization's practice: created in Plan. Cycle = lead = 20.
        "a4": seeded_card(
            team_a,
            author,
            "Omaksuttu käytäntö",
            [(S.PLAN, at("2026-10-01")), (S.DO, at("2026-10-05")), (S.DONE, at("2026-10-21"))],
            SP,
        ),
        # Moved back out of Done into Check: in progress, not completed; blocked.
        "a5": seeded_card(
            team_a,
            author,
            "Takaisin tarkistukseen",
            [
                (S.IDEA, at("2026-08-05")),
                (S.PLAN, at("2026-08-06")),
                (S.DONE, at("2026-09-06")),
                (S.CHECK, at("2026-09-10")),
            ],
            blocked=True,
            blocked_reason="Odottaa päätöstä",
        ),
        # Completed before the term.
        "a6": seeded_card(
            team_a,
            author,
            "Keväällä valmis",
            [(S.IDEA, at("2026-03-01")), (S.PLAN, at("2026-03-02")), (S.DONE, at("2026-05-02"))],
        ),
        # In Do, past its due date.
        "a7": seeded_card(
            team_a,
            author,
            "Myöhässä",
            [(S.IDEA, at("2026-11-01")), (S.PLAN, at("2026-11-02")), (S.DO, at("2026-11-10"))],
            due_date=date(2026, 11, 15),
        ),
        "a8": seeded_card(team_a, author, "Pelkkä idea", [(S.IDEA, at("2026-11-05"))]),
        # Archived while in Plan: neither in progress nor completed.
        "a9": seeded_card(
            team_a,
            author,
            "Arkistoitu kesken",
            [(S.IDEA, at("2026-09-01")), (S.PLAN, at("2026-09-02"))],
            archived=True,
        ),
        # Cycle 40, lead 70.
        "b1": seeded_card(
            team_b,
            author,
            "Työmaan perehdytys",
            [(S.IDEA, at("2026-09-01")), (S.PLAN, at("2026-10-01")), (S.DONE, at("2026-11-10"))],
        ),
        # In Plan for 26 days against the team's limit of 10.
        "b2": seeded_card(
            team_b,
            author,
            "Varastointi",
            [(S.IDEA, at("2026-10-20")), (S.PLAN, at("2026-10-25"))],
            SP,
        ),
        # Skipped Plan: the cycle starts at Do. Cycle 30, lead 40.
        "b3": seeded_card(
            team_b,
            author,
            "Suoraan tekemään",
            [(S.IDEA, at("2026-09-01")), (S.DO, at("2026-09-11")), (S.DONE, at("2026-10-11"))],
        ),
        # An archived team stays in the figures. Cycle 20, lead 21.
        "c1": seeded_card(
            team_c,
            author,
            "Vanhan tiimin työ",
            [(S.IDEA, at("2026-08-02")), (S.PLAN, at("2026-08-03")), (S.DONE, at("2026-08-23"))],
            hours_saved_per_month=Decimal("2.0"),
        ),
        # Done on 31 July at 22:30 UTC, which is 1 August in Helsinki: inside the term.
        # Cycle 29.4375, lead 30.4375.
        "c2": seeded_card(
            team_c,
            author,
            "Yön yli",
            [
                (S.IDEA, at("2026-07-01")),
                (S.PLAN, at("2026-07-02")),
                (S.DONE, at("2026-07-31", 22, 30)),
            ],
        ),
        "foreign": seeded_card(
            foreign_team,
            foreign_author,
            "Vieras valmis",
            [(S.IDEA, at("2026-09-01")), (S.PLAN, at("2026-09-02")), (S.DONE, at("2026-09-22"))],
            hours_saved_per_month=Decimal("40"),
        ),
    }
    seeded_kaizen(team_a, author, "2026-09-05", hours=Decimal("1.0"))
    seeded_kaizen(team_a, author, "2026-10-10", SP)
    seeded_kaizen(team_a, author, "2026-10-11", hours=Decimal("4.0"), deleted=True)
    seeded_kaizen(team_a, author, "2026-07-30", hours=Decimal("3.0"))  # before the term
    seeded_kaizen(team_b, author, "2026-11-19", hours=Decimal("0.5"))
    seeded_kaizen(foreign_team, foreign_author, "2026-10-01", hours=Decimal("10"))

    db.session.add_all(
        [
            # Monday 16 Nov at 9:00 in Helsinki: team A keeps its Monday rhythm.
            Standup(
                team=team_a, started_at=at("2026-11-16", 7), finished_at=at("2026-11-16", 7, 15)
            ),
            Standup(
                team=team_a, started_at=at("2026-11-09", 7), finished_at=at("2026-11-09", 7, 15)
            ),
            # Team B meets Mondays and Wednesdays but last met on 9 Nov: rhythm broken.
            Standup(
                team=team_b, started_at=at("2026-11-09", 7), finished_at=at("2026-11-09", 7, 20)
            ),
            Escalation(
                improvement=cards["a5"],
                team=team_a,
                question="Kuka päättää?",
                asked_at=at("2026-11-16"),
            ),
            Escalation(
                improvement=cards["a7"],
                team=team_a,
                question="Saako?",
                asked_at=at("2026-11-10"),
                answer="Saa.",
                answered_at=at("2026-11-11"),
            ),
            Escalation(
                improvement=cards["b2"],
                team=team_b,
                question="Budjetti?",
                asked_at=at("2026-11-18"),
            ),
            Escalation(
                improvement=cards["foreign"],
                team=foreign_team,
                question="Vieras?",
                asked_at=at("2026-11-18"),
            ),
        ]
    )
    db.session.commit()
    return History(organization, team_a, team_b, team_c, foreign_team, coordinator, cards)


def scope_of(history: History, start=TERM[0], end=TERM[1], teams=None, theme_key=None):
    team_ids = teams or (history.team_a.id, history.team_b.id, history.team_c.id)
    return metrics.Scope(
        team_ids=tuple(team_ids),
        start=start,
        end=end,
        zone=HELSINKI,
        now=NOW,
        theme_id=theme(theme_key).id if theme_key else None,
    )


def compute(history: History, **scope_args) -> metrics.Dashboard:
    scope = scope_of(history, **scope_args)
    teams = metrics.organization_teams(history.organization.id, scope.theme_id)
    return metrics.dashboard(scope, teams)


@pytest.fixture
def history(app) -> History:
    return seed_history()


def test_key_figures_of_the_term(history):
    figures = compute(history).figures
    assert figures.in_progress == 3  # a5 (back in Check), a7, b2; archived a9 is not
    assert figures.completed == 8  # a1 a2 a3 a4 b1 b3 c1 c2; not a5 (moved back), a6, foreign
    # Cycle days 20, 20, 29.4375, 30, 30, 30, 40, 61; lead 20, 21, 30.4375, 31, 32, 40, 63, 70.
    assert figures.median_cycle_days == 30.0
    assert figures.median_lead_days == 31.5
    assert figures.kaizens == 3  # not the deleted one, the one before the term, the foreign one
    assert figures.hours_saved == Decimal("12.5")  # 5 + 2.5 + 1.5 + 2 from cards, 1.5 kaizens
    assert figures.open_escalations == 2
    assert figures.rhythm_broken == 1  # team B; the archived team has no rhythm to keep


def test_the_team_table(history):
    rows = {row.team.name: row for row in compute(history).teams}
    assert list(rows) == ["Opintotoimisto", "Rakennusala", "Vanha tiimi"]
    a, b, c = rows["Opintotoimisto"], rows["Rakennusala"], rows["Vanha tiimi"]
    assert a.stages == {"idea": 1, "plan": 0, "do": 1, "check": 1, "act": 0}
    assert (a.blocked, a.overdue, a.completed, a.kaizens, a.open_escalations) == (1, 1, 4, 2, 1)
    assert a.last_standup_at == at("2026-11-16", 7)
    assert a.rhythm_kept is True
    assert b.stages == {"idea": 0, "plan": 1, "do": 0, "check": 0, "act": 0}
    assert (b.blocked, b.overdue, b.completed, b.kaizens, b.open_escalations) == (0, 0, 2, 1, 1)
    assert b.rhythm_kept is False
    assert c.team.archived
    assert (c.in_progress, c.completed, c.kaizens, c.last_standup_at) == (0, 2, 0, None)
    assert c.rhythm_kept is None


def test_charts_data(history):
    dashboard = compute(history)
    cl, sp = theme(CL).id, theme(SP).id
    assert dashboard.months == [
        date(2026, 8, 1),
        date(2026, 9, 1),
        date(2026, 10, 1),
        date(2026, 11, 1),
    ]
    assert dashboard.throughput == {cl: [2, 0, 3, 1], sp: [0, 0, 2, 0]}
    assert dashboard.themes == {cl: (2, 6, 2), sp: (1, 2, 1)}  # (in progress, completed, kaizens)
    assert dashboard.cycle_distribution == [(7, 0), (14, 0), (30, 6), (60, 1), (90, 1), (None, 0)]


def test_ageing_is_relative_to_the_team_limit(history):
    ageing = compute(history).ageing
    assert [(card.title, card.days_in_stage, card.limit_days) for card in ageing] == [
        ("Takaisin tarkistukseen", 71, 14),  # Check since 10 Sep
        ("Varastointi", 26, 10),  # Plan since 25 Oct, team B's own limit
        ("Myöhässä", 10, 21),
    ]
    assert [card.over_limit for card in ageing] == [True, True, False]


def test_a_custom_period_and_a_team_choice(history):
    october = compute(history, start=date(2026, 10, 1), end=date(2026, 10, 31)).figures
    assert october.completed == 5  # a1 a2 a3 a4 b3
    assert (october.median_cycle_days, october.median_lead_days) == (30.0, 32.0)
    assert october.kaizens == 1

    team_b = compute(history, teams=[history.team_b.id])
    assert team_b.figures.completed == 2
    assert (team_b.figures.median_cycle_days, team_b.figures.median_lead_days) == (35.0, 55.0)
    assert [row.team.name for row in team_b.teams] == ["Rakennusala"]


def test_a_theme_filters_every_figure(history):
    figures = compute(history, theme_key=SP).figures
    assert figures.in_progress == 1  # b2
    assert figures.completed == 2  # a3 (archived) and a4 (adopted)
    assert (figures.median_cycle_days, figures.median_lead_days) == (25.0, 25.5)
    assert figures.kaizens == 1
    assert figures.hours_saved == Decimal("1.5")
    assert figures.open_escalations == 1  # about b2


def test_the_list_behind_the_figures(history):
    cards = metrics.improvement_list(scope_of(history))
    titles = {card.improvement.title: card for card in cards}
    assert set(titles) == {
        "Hakemusten käsittely",
        "Palautelomake",
        "Arkistoitu valmis",
        "Omaksuttu käytäntö",
        "Takaisin tarkistukseen",
        "Myöhässä",
        "Työmaan perehdytys",
        "Varastointi",
        "Suoraan tekemään",
        "Vanhan tiimin työ",
        "Yön yli",
    }
    assert titles["Palautelomake"].completed_at == at("2026-10-12")
    assert (titles["Palautelomake"].cycle_days, titles["Palautelomake"].lead_days) == (61.0, 63.0)
    assert titles["Takaisin tarkistukseen"].completed_at is None


def test_a_team_s_own_figures_for_its_board(history):
    figures = metrics.team_figures(history.team_a, scope_of(history, teams=[history.team_a.id]))
    assert (figures.in_progress, figures.blocked, figures.overdue) == (2, 1, 1)
    assert (figures.completed, figures.kaizens, figures.open_escalations) == (4, 2, 1)
    assert figures.last_standup_at == at("2026-11-16", 7)
    assert figures.rhythm_kept is True


def test_open_escalations_oldest_first_with_their_age(history):
    waiting = metrics.open_escalations(scope_of(history))
    # Answered questions and another organization's stay out.
    assert [(e.question, e.team_name, e.age_days) for e in waiting] == [
        ("Kuka päättää?", history.team_a.name, 4),
        ("Budjetti?", history.team_b.name, 2),
    ]
    only_b = metrics.open_escalations(scope_of(history, teams=(history.team_b.id,)))
    assert [e.question for e in only_b] == ["Budjetti?"]


def test_medians_of_nothing_are_none(app):
    team = make_team()
    scope = metrics.Scope((team.id,), *TERM, zone=HELSINKI, now=NOW)
    figures = metrics.dashboard(scope, metrics.organization_teams(team.organization_id)).figures
    assert (figures.completed, figures.median_cycle_days, figures.median_lead_days) == (
        0,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("today", "period", "expected"),
    [
        (date(2026, 11, 20), "term", (date(2026, 8, 1), date(2026, 11, 20))),
        (date(2026, 3, 5), "term", (date(2026, 1, 1), date(2026, 3, 5))),
        (date(2026, 7, 31), "term", (date(2026, 1, 1), date(2026, 7, 31))),
        (date(2026, 8, 1), "term", (date(2026, 8, 1), date(2026, 8, 1))),
        (date(2026, 11, 20), "month", (date(2026, 11, 1), date(2026, 11, 20))),
        (date(2026, 11, 20), "year", (date(2026, 1, 1), date(2026, 11, 20))),
    ],
)
def test_named_periods(today, period, expected):
    from lean.dashboard.forms import preset_period

    assert preset_period(period, today) == expected
