"""Copying a card, a team's card templates, cards from them and recurring templates' cards."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from lean.boards import card_templates, checklists, recurrence
from lean.core.extensions import db
from lean.models import CardTemplate, ChecklistItem, Event, FocusArea, Improvement, Recurrence
from tests.conftest import make_improvement, make_team, make_user, theme

HELSINKI = ZoneInfo("Europe/Helsinki")


def focus_area_of(chosen_theme) -> FocusArea:
    return chosen_theme.focus_areas[0]


def make_template(team, author, **fields) -> CardTemplate:
    values = card_templates.TemplateValues(
        title=fields.pop("title", "Opiskelijapalautekierros"),
        problem=fields.pop("problem", "Palaute kerätään joka jaksossa."),
        theme=fields.pop("theme", theme()),
        focus_area=fields.pop("focus_area", None),
        checklist=fields.pop("checklist", "Lähetä kysely\nKokoa vastaukset\nKäy läpi tiimissä"),
        **fields,
    )
    template = card_templates.create_template(author, team, values)
    db.session.commit()
    return template


def card_events(card) -> list[str]:
    return list(
        db.session.scalars(
            select(Event.kind)
            .where(Event.subject_type == "improvement", Event.subject_id == card.id)
            .order_by(Event.id)
        )
    )


def texts_and_ticks(card) -> list[tuple[str, bool]]:
    return [(item.text, item.done) for item in checklists.checklist_items(card)]


# ---- copy a card ---------------------------------------------------------------------------


def test_a_copy_carries_the_card_text_and_checklist_but_not_its_life(world, login_as):
    member, supervisor = world.users["member"], world.users["supervisor"]
    chosen = theme("service_process")
    original = make_improvement(
        world.team,
        supervisor,
        title="Yhteinen jono",
        theme=chosen,
        stage="do",
        problem="Opiskelijat jonottavat kolmeen paikkaan.",
        focus_area_id=focus_area_of(chosen).id,
        due_date=date(2026, 12, 1),
        expected_effect="Jono lyhenee",
        blocked=True,
        blocked_reason="Odottaa päätöstä",
    )
    first, _second = checklists.add_checklist_items(supervisor, original, ["Kartoita", "Kokeile"])
    checklists.tick_checklist_item(supervisor, first)
    db.session.commit()
    before = card_events(original)

    client = login_as("member")
    response = client.post(f"/improvements/{original.id}/copy")

    assert response.status_code == 303
    copy = db.session.scalars(select(Improvement).order_by(Improvement.id.desc())).first()
    assert response.headers["Location"].endswith(f"/improvements/{copy.id}")
    assert copy.id != original.id
    assert copy.title == "Copy of Yhteinen jono"
    assert (copy.team_id, copy.stage, copy.theme_id) == (world.team.id, "idea", chosen.id)
    assert copy.focus_area_id == original.focus_area_id
    assert copy.problem == original.problem
    assert texts_and_ticks(copy) == [("Kartoita", False), ("Kokeile", False)]
    # Not its life: due date, owner, block, PDCA, template link.
    assert copy.due_date is None
    assert copy.owner_id == member.id
    assert not copy.blocked and copy.expected_effect == ""
    assert copy.from_template_id is None
    kinds = card_events(copy)
    assert kinds[:1] == ["created"] and "copied" in kinds
    assert set(kinds) <= {"created", "copied", "checklist_item_added"}
    copied = db.session.scalar(select(Event).where(Event.kind == "copied"))
    assert copied.data["original"] == original.id
    assert card_events(original) == before  # the original's history stays silent

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Card copied into Idea" in page
    assert "made it as a copy of" in page
    assert f'href="/improvements/{original.id}"' in page


def test_a_copy_title_is_cut_to_fit_and_in_the_copier_language(world, login):
    member = world.users["member"]
    world.improvement.title = "x" * 200
    db.session.commit()
    client = login(member)
    client.post("/language", data={"language": "fi"})
    client.post(f"/improvements/{world.improvement.id}/copy")
    copy = db.session.scalars(select(Improvement).order_by(Improvement.id.desc())).first()
    assert copy.title.startswith("Kopio: xxx")
    assert len(copy.title) == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 403), ("admin", 403), ("foreign_member", 404), ("supervisor", 303)],
)
def test_who_may_copy(world, login_as, role, status):
    count = db.session.scalar(select(func.count(Improvement.id)))
    response = login_as(role).post(f"/improvements/{world.improvement.id}/copy")
    assert response.status_code == status
    made = db.session.scalar(select(func.count(Improvement.id))) - count
    assert made == (1 if status == 303 else 0)


def test_the_card_page_offers_copy_to_writers_only(world, login_as):
    url = f"/improvements/{world.improvement.id}"
    assert "Copy card" in login_as("member").get(url).get_data(as_text=True)
    assert "Copy card" not in login_as("coordinator").get(url).get_data(as_text=True)


# ---- managing templates ----------------------------------------------------------------------


def template_form(**overrides) -> dict:
    values = {
        "title": "Opiskelijapalautekierros",
        "problem": "Palaute kerätään joka jaksossa.",
        "theme_id": str(theme().id),
        "focus_area_id": "",
        "checklist": "Lähetä kysely\n\n- Kokoa vastaukset\n",
        "recurrence": "",
        "every_weeks": "",
        "weekday": "",
        "week_of_month": "",
        "starts_on": "",
    }
    values.update(overrides)
    return values


def test_a_supervisor_adds_a_template_and_members_see_it(world, login_as):
    client = login_as("supervisor")
    assert client.get(f"/teams/{world.team.id}/templates/new").status_code == 200
    response = client.post(
        f"/teams/{world.team.id}/templates/new",
        data=template_form(**WEEKS),
    )
    assert response.status_code == 303
    template = db.session.scalar(select(CardTemplate))
    assert template.checklist == "Lähetä kysely\nKokoa vastaukset"
    assert (template.recurrence, template.every_weeks, template.weekday) == ("weeks", 2, 1)
    saved = db.session.scalar(select(Event).where(Event.kind == "template_saved"))
    assert (saved.subject_type, saved.subject_id, saved.team_id) == (
        "card_template",
        template.id,
        world.team.id,
    )
    page = login_as("member").get(f"/teams/{world.team.id}/templates").get_data(as_text=True)
    assert "Opiskelijapalautekierros" in page
    assert "Every 2 weeks on Monday" in page
    assert '<time datetime="2026-11-30">' in page  # the next dates: 16.11 (today), 30.11, 14.12
    assert "Add a template" not in page  # members use templates, supervisors keep them
    assert "Make a card now" in page


# Every few weeks on Monday from 16.11, or the last Friday of each month, less what a case drops.
WEEKS = {"recurrence": "weeks", "every_weeks": "2", "weekday": "1", "starts_on": "2026-11-16"}
MONTHDAY = {"recurrence": "monthday", "weekday": "5", "week_of_month": "-1"}


def without(values: dict, name: str) -> dict:
    return {key: value for key, value in values.items() if key != name}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required."),
        (without(WEEKS, "every_weeks"), "Say every how many weeks."),
        (without(WEEKS, "weekday"), "Choose the weekday."),
        (without(WEEKS, "starts_on"), "Give the date the weeks are counted from."),
        (without(MONTHDAY, "week_of_month"), "Choose which one of the month."),
        ({**WEEKS, "every_weeks": "60"}, "Number must be between 1 and 52."),
        ({**MONTHDAY, "week_of_month": "5"}, "Not a valid choice."),
        ({**MONTHDAY, "weekday": "8"}, "Not a valid choice."),
        ({"checklist": "x" * 301}, "An item has at most 300 characters."),
        ({"checklist": "\n".join(["a"] * 51)}, "A checklist has at most 50 items."),
    ],
)
def test_a_template_form_with_errors_is_refused_and_kept(world, login_as, overrides, message):
    response = login_as("supervisor").post(
        f"/teams/{world.team.id}/templates/new", data=template_form(**overrides)
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Palaute kerätään joka jaksossa." in html  # what was typed stays
    assert db.session.scalar(select(func.count(CardTemplate.id))) == 0


def test_a_focus_area_of_another_theme_is_refused(world, login_as):
    other = focus_area_of(theme("service_process"))
    response = login_as("supervisor").post(
        f"/teams/{world.team.id}/templates/new", data=template_form(focus_area_id=str(other.id))
    )
    assert response.status_code == 422
    assert "Choose a focus area of the chosen theme." in response.get_data(as_text=True)


def test_the_form_says_the_schedule_in_words(world, login_as):
    client = login_as("supervisor")
    url = f"/teams/{world.team.id}/templates/schedule"
    cases = {
        "recurrence=weeks&every_weeks=2&weekday=1": "Every 2 weeks on Monday",
        "recurrence=weeks&every_weeks=1&weekday=3": "Every week on Wednesday",
        "recurrence=monthday&weekday=5&week_of_month=-1": "The last Friday of every month",
        "recurrence=monthday&weekday=2&week_of_month=1": "The first Tuesday of every month",
        "recurrence=monthday&weekday=2": "The schedule is not complete yet.",
        "recurrence=": "Not recurring",
    }
    for query, words in cases.items():
        assert words in client.get(f"{url}?{query}").get_data(as_text=True), query
    client.post("/language", data={"language": "fi"})
    finnish = client.get(f"{url}?recurrence=monthday&weekday=5&week_of_month=-1")
    assert "Joka kuukauden viimeinen perjantai" in finnish.get_data(as_text=True)
    assert "2 viikon välein maanantaisin" in client.get(
        f"{url}?recurrence=weeks&every_weeks=2&weekday=1"
    ).get_data(as_text=True)
    client.post("/language", data={"language": "sv"})
    swedish = client.get(f"{url}?recurrence=monthday&weekday=5&week_of_month=-1")
    assert "Varje månads sista fredag" in swedish.get_data(as_text=True)


def test_editing_a_template_and_a_stale_edit(world, login_as):
    supervisor = world.users["supervisor"]
    template = make_template(world.team, supervisor)
    client = login_as("supervisor")
    form = client.get(f"/templates/{template.id}/edit").get_data(as_text=True)
    assert 'value="1"' in form  # the version it was loaded at
    # Someone else saves first.
    card_templates.update_template(
        world.users["coordinator"],
        template,
        template.version,
        card_templates.TemplateValues(
            title="Palautekierros (uusi)", problem="", theme=theme(), focus_area=None, checklist=""
        ),
    )
    db.session.commit()
    stale = client.post(
        f"/templates/{template.id}/edit",
        data=template_form(version="1", title="Minun otsikkoni"),
    )
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Someone else saved this template while you were editing." in html
    assert "Palautekierros (uusi)" in html and "Minun otsikkoni" in html
    db.session.expire_all()
    assert db.session.get(CardTemplate, template.id).title == "Palautekierros (uusi)"
    # Saving again, knowingly, replaces it.
    again = client.post(
        f"/templates/{template.id}/edit", data=template_form(version="2", title="Minun otsikkoni")
    )
    assert again.status_code == 303
    db.session.expire_all()
    assert db.session.get(CardTemplate, template.id).title == "Minun otsikkoni"


def test_removing_a_template_archives_it(world, login_as):
    template = make_template(world.team, world.users["supervisor"])
    made = card_templates.card_from_template(world.users["member"], template)
    db.session.commit()
    assert login_as("member").post(f"/templates/{template.id}/remove").status_code == 403
    response = login_as("supervisor").post(f"/templates/{template.id}/remove")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(CardTemplate, template.id).archived
    assert db.session.get(Improvement, made.id).from_template_id == template.id
    assert db.session.scalar(select(Event).where(Event.kind == "template_removed")) is not None
    board = login_as("member").get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert "template-add" not in board
    assert login_as("supervisor").get(f"/templates/{template.id}/edit").status_code == 404


def test_another_organization_template_is_not_found(world, login_as):
    foreign_supervisor = make_user(world.foreign_organization, {world.foreign_team: "supervisor"})
    template = make_template(world.foreign_team, foreign_supervisor)
    client = login_as("member")
    assert client.post(f"/templates/{template.id}/use").status_code == 404
    assert login_as("coordinator").get(f"/templates/{template.id}/edit").status_code == 404
    response = client.post(
        f"/teams/{world.team.id}/improvements/from-template", data={"template_id": template.id}
    )
    assert response.status_code == 303  # refused as no choice of this board's
    assert db.session.scalar(select(func.count(Improvement.id))) == 2


def test_a_member_of_another_team_neither_manages_nor_uses_its_templates(world, login):
    template = make_template(world.team, world.users["supervisor"])
    other_supervisor = make_user(world.organization, {world.other_team: "supervisor"})
    client = login(other_supervisor)
    assert client.get(f"/teams/{world.team.id}/templates/new").status_code == 403
    assert client.get(f"/templates/{template.id}/edit").status_code == 403
    assert client.post(f"/templates/{template.id}/use").status_code == 403


# ---- cards from templates ------------------------------------------------------------------


def test_the_quick_add_makes_a_card_from_a_template_with_htmx(world, login_as):
    chosen = theme("service_process")
    template = make_template(
        world.team, world.users["supervisor"], theme=chosen, focus_area=focus_area_of(chosen)
    )
    client = login_as("member")
    board = client.get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert 'id="template-add-choice"' in board
    assert f'<option value="{template.id}">Opiskelijapalautekierros</option>' in board
    response = client.post(
        f"/teams/{world.team.id}/improvements/from-template",
        data={"template_id": template.id},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    card = db.session.scalar(select(Improvement).where(Improvement.from_template_id == template.id))
    announced = json.loads(response.headers["HX-Trigger"])["vertaa:announce"]
    assert announced == {
        "message": "Card “Opiskelijapalautekierros” added to Idea",
        "element": f"card-{card.id}",
    }
    assert f'id="card-{card.id}"' in response.get_data(as_text=True)
    assert (card.stage, card.theme_id) == ("idea", chosen.id)
    assert card.focus_area_id == template.focus_area_id
    assert card.problem == template.problem and card.template_date is None
    assert card.owner_id == world.users["member"].id
    assert texts_and_ticks(card) == [
        ("Lähetä kysely", False),
        ("Kokoa vastaukset", False),
        ("Käy läpi tiimissä", False),
    ]
    event = db.session.scalar(select(Event).where(Event.kind == "from_template"))
    assert event.data["template"] == template.id
    page = client.get(f"/improvements/{card.id}").get_data(as_text=True)
    assert "made it from the template “Opiskelijapalautekierros”" in page


def test_the_quick_add_from_a_template_without_javascript(world, login_as):
    template = make_template(world.team, world.users["supervisor"], checklist="")
    client = login_as("member")
    response = client.post(
        f"/teams/{world.team.id}/improvements/from-template?theme={theme().id}",
        data={"template_id": str(template.id)},
    )
    assert response.status_code == 303
    card = db.session.scalar(select(Improvement).where(Improvement.from_template_id == template.id))
    assert response.headers["Location"].endswith(
        f"/teams/{world.team.id}/board?theme={theme().id}#card-{card.id}"
    )
    assert "added to Idea" in client.get(response.headers["Location"]).get_data(as_text=True)
    refused = client.post(
        f"/teams/{world.team.id}/improvements/from-template", data={"template_id": ""}
    )
    assert refused.status_code == 303
    assert "Choose a template" in client.get(refused.headers["Location"]).get_data(as_text=True)
    htmx = client.post(
        f"/teams/{world.team.id}/improvements/from-template",
        data={"template_id": ""},
        headers={"HX-Request": "true"},
    )
    assert htmx.status_code == 422
    announced = json.loads(htmx.headers["HX-Trigger"])["vertaa:announce"]
    assert announced == {"message": "Choose a template to add a card from."}


def test_the_templates_page_makes_a_card_and_opens_it(world, login_as):
    template = make_template(world.team, world.users["supervisor"])
    response = login_as("member").post(f"/templates/{template.id}/use")
    card = db.session.scalar(select(Improvement).where(Improvement.from_template_id == template.id))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/improvements/{card.id}")
    assert login_as("coordinator").post(f"/templates/{template.id}/use").status_code == 403


def test_only_writers_see_the_template_choice_on_the_board(world, login_as):
    make_template(world.team, world.users["supervisor"])
    board = login_as("coordinator").get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert "template-add" not in board
    assert "Card templates" in board


# ---- recurring templates -------------------------------------------------------------------


def run_daily(runner) -> str:
    result = runner.invoke(args=["make-recurring-cards"])
    assert result.exit_code == 0, result.output
    return result.output


def morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 5, 15, tzinfo=HELSINKI).astimezone(UTC)


def made_dates(template) -> list[date]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Improvement.template_date)
            .where(Improvement.from_template_id == template.id)
            .order_by(Improvement.template_date)
        )
    )


def test_recurring_templates_make_their_cards_over_a_month_once(world, runner, clock):
    supervisor = world.users["supervisor"]
    fortnightly = make_template(
        world.team,
        supervisor,
        title="Palautekierros",
        recurrence=Recurrence.WEEKS,
        every_weeks=2,
        weekday=1,
        starts_on=date(2026, 11, 10),  # the first Monday on or after it is 16.11
    )
    last_friday = make_template(
        world.team,
        supervisor,
        title="Kuukauden katsaus",
        recurrence=Recurrence.MONTHDAY,
        weekday=5,
        week_of_month=-1,
        starts_on=date(2026, 11, 16),
        checklist="Luvut\nPäätökset",
    )
    day = date(2026, 11, 16)
    while day <= date(2026, 12, 31):
        clock.move_to(morning(day))
        run_daily(runner)
        run_daily(runner)  # a second run the same day makes nothing
        day += timedelta(days=1)
    assert made_dates(fortnightly) == [
        date(2026, 11, 16),
        date(2026, 11, 30),
        date(2026, 12, 14),
        date(2026, 12, 28),
    ]
    assert made_dates(last_friday) == [date(2026, 11, 27), date(2026, 12, 25)]
    card = db.session.scalar(
        select(Improvement).where(
            Improvement.from_template_id == last_friday.id,
            Improvement.template_date == date(2026, 11, 27),
        )
    )
    assert (card.stage, card.title, card.owner_id) == ("idea", "Kuukauden katsaus", None)
    assert texts_and_ticks(card) == [("Luvut", False), ("Päätökset", False)]
    assert card.created_at.astimezone(HELSINKI).date() == date(2026, 11, 27)
    event = db.session.scalar(
        select(Event).where(Event.kind == "from_template", Event.subject_id == card.id)
    )
    assert event.actor_id is None and event.data["date"] == "2026-11-27"


def test_the_day_is_helsinki_s(world, runner, clock):
    template = make_template(
        world.team,
        world.users["supervisor"],
        recurrence=Recurrence.WEEKS,
        every_weeks=1,
        weekday=2,  # Tuesday
        starts_on=date(2026, 11, 16),
    )
    # Monday 23.11 at 23.30 in UTC is already Tuesday 24.11 in Helsinki.
    clock.move_to(datetime(2026, 11, 23, 22, 30, tzinfo=UTC))
    assert run_daily(runner).startswith("1 recurring cards made")
    assert made_dates(template) == [date(2026, 11, 24)]


def test_a_missed_date_is_made_within_a_week_only(world, runner, clock):
    weekly = make_template(
        world.team,
        world.users["supervisor"],
        recurrence=Recurrence.WEEKS,
        every_weeks=1,
        weekday=1,
        starts_on=date(2026, 11, 16),
    )
    clock.move_to(morning(date(2026, 11, 16)))
    run_daily(runner)
    clock.move_to(morning(date(2026, 11, 26)))  # Thursday: 23.11 was missed, 3 days ago
    run_daily(runner)
    clock.move_to(morning(date(2026, 12, 13)))  # Sunday: 30.11 and 7.12 missed; only 7.12 made
    run_daily(runner)
    assert made_dates(weekly) == [date(2026, 11, 16), date(2026, 11, 23), date(2026, 12, 7)]


def test_no_card_for_a_date_before_the_template_was_made(world, runner, clock):
    clock.move_to(morning(date(2026, 11, 18)))  # Wednesday
    template = make_template(
        world.team,
        world.users["supervisor"],
        recurrence=Recurrence.WEEKS,
        every_weeks=1,
        weekday=1,
        starts_on=date(2026, 11, 2),
    )
    run_daily(runner)
    assert made_dates(template) == []


def test_removed_templates_and_archived_teams_make_no_cards(world, runner, clock):
    supervisor = world.users["supervisor"]
    recurring = {
        "recurrence": Recurrence.WEEKS,
        "every_weeks": 1,
        "weekday": 1,
        "starts_on": date(2026, 11, 16),
    }
    removed = make_template(world.team, supervisor, **recurring)
    card_templates.remove_template(supervisor, removed)
    archived_team = make_team(world.organization)
    in_archive = make_template(archived_team, supervisor, **recurring)
    archived_team.archived = True
    plain = make_template(world.team, supervisor)  # not recurring
    db.session.commit()
    clock.move_to(morning(date(2026, 11, 16)))
    assert run_daily(runner).startswith("0 recurring cards made")
    assert made_dates(removed) == made_dates(in_archive) == made_dates(plain) == []


def test_a_date_made_meanwhile_by_another_run_is_skipped(world, runner, clock, monkeypatch):
    template = make_template(
        world.team,
        world.users["supervisor"],
        recurrence=Recurrence.WEEKS,
        every_weeks=1,
        weekday=1,
        starts_on=date(2026, 11, 16),
    )
    clock.move_to(morning(date(2026, 11, 16)))
    run_daily(runner)
    # The other run's card appears after this run looked: the database refuses the second.
    monkeypatch.setattr(card_templates, "_card_exists", lambda template, day: False)
    assert run_daily(runner).startswith("0 recurring cards made")
    assert made_dates(template) == [date(2026, 11, 16)]
    assert db.session.scalar(select(func.count(ChecklistItem.id))) == 3


@pytest.mark.parametrize(
    ("schedule", "day", "expected"),
    [
        ({"weekday": 5, "week_of_month": -1}, date(2026, 1, 30), True),
        ({"weekday": 5, "week_of_month": -1}, date(2026, 1, 23), False),
        ({"weekday": 5, "week_of_month": 4}, date(2026, 1, 23), True),
        ({"weekday": 4, "week_of_month": 1}, date(2026, 1, 1), True),
        ({"weekday": 4, "week_of_month": 1}, date(2026, 1, 8), False),
        ({"weekday": 1, "week_of_month": 4}, date(2026, 3, 23), True),
        ({"weekday": 1, "week_of_month": -1}, date(2026, 3, 30), True),
    ],
)
def test_the_nth_weekday_of_the_month(schedule, day, expected):
    template = CardTemplate(recurrence=Recurrence.MONTHDAY, **schedule)
    assert recurrence.occurs_on(template, day) is expected


def test_the_changes_since_the_last_standup_say_where_a_card_came_from(world, login_as):
    template = make_template(world.team, world.users["supervisor"], title="Palautekierros")
    card_templates.card_from_template(world.users["member"], template)
    db.session.commit()
    client = login_as("member")
    client.post(f"/improvements/{world.improvement.id}/copy")
    page = client.get(f"/teams/{world.team.id}/since-standup").get_data(as_text=True)
    assert "made it from the template “Palautekierros”" in page
    assert "made it as a copy of" in page
    assert "from_template" not in page and ">copied<" not in page
