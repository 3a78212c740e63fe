"""A3 sheets: starting one from a card, editing sections, lists, coaching and history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from lean.a3 import services
from lean.core.extensions import db
from lean.models import A3Action, A3Comment, A3Sheet, A3Why, Event
from lean.seeds.demo import DEMO_PASSWORD
from tests.conftest import make_improvement, make_user, today


def start(world, user=None, improvement=None):
    return services.start_a3(user or world.users["member"], improvement or world.improvement)


def fill_sheet(sheet, author, whys=3, actions=2, comments=2):
    """A well-filled sheet, as a team has it by the time it reaches Act."""
    sheet_id = sheet.id
    for key, values in {
        "background": {"background": "Opiskelijat odottavat hakemuksen käsittelyä liian kauan."},
        "current_condition": {"current_condition": "Käsittely kestää keskimäärin 10 päivää."},
        "goal": {
            "target_condition": "Hakemus käsitellään viikossa.",
            "measure": "Käsittelyaika",
            "unit": "päivää",
            "baseline": Decimal("10"),
            "target": Decimal("5"),
            "target_date": today() + timedelta(days=60),
        },
        "effect": {
            "effect_planned": Decimal("5"),
            "effect_planned_on": today(),
            "effect_actual": Decimal("4"),
            "effect_actual_on": today(),
            "target_reached": True,
            "effect_note": "Käsittelyaika lyheni neljään päivään.",
        },
        "follow_up": {
            "standard": "Hakemukset käsitellään päivittäin klo 9.",
            "learned": "Yhteinen jono auttaa.",
            "applies_elsewhere": "Todistustilaukset.",
        },
    }.items():
        sheet = db.session.get(A3Sheet, sheet_id)
        version = getattr(sheet, f"{key}_version")
        services.update_section(author, sheet, key, version, values)
    sheet = db.session.get(A3Sheet, sheet_id)
    kinds = services.ITEM_KINDS
    for number in range(whys):
        services.add_item(author, sheet, kinds["whys"], {"text": f"Koska syy {number + 1}"})
    services.add_item(author, sheet, kinds["causes"], {"category": "methods", "text": "Ei jonoa"})
    services.add_item(
        author,
        sheet,
        kinds["countermeasures"],
        {"option": "Yhteinen jono", "pros": "Nopea", "cons": "Vaatii sopimisen", "chosen": True},
    )
    for number in range(actions):
        services.add_item(
            author,
            sheet,
            kinds["actions"],
            {
                "what": f"Toimenpide {number + 1}",
                "who_id": author.id,
                "due_on": today(),
                "done": False,
            },
        )
    for number in range(comments):
        services.add_comment(author, sheet, "background", f"Kysymys {number + 1}?")
    return db.session.get(A3Sheet, sheet_id)


def test_a_member_starts_the_cards_a3_from_the_card(world, login_as):
    client = login_as("member")
    card = client.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert "Start A3" in card
    response = client.post(f"/improvements/{world.improvement.id}/a3")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/improvements/{world.improvement.id}/a3")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Oma kortti" in page
    for heading in (
        "Background",
        "Current condition",
        "Goal / target condition",
        "Root-cause analysis",
        "Countermeasures",
        "Implementation plan",
        "Effect confirmation",
        "Follow-up",
    ):
        assert heading in page
    # Starting again opens the same sheet.
    client.post(f"/improvements/{world.improvement.id}/a3")
    assert db.session.scalar(select(func.count(A3Sheet.id))) == 1
    card = client.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert "0 of 8 sections filled" in card
    assert "started the A3" in card


HTMX = {"HX-Request": "true"}


def test_a_section_is_edited_in_place_with_htmx_and_saved_on_its_own(world, login_as):
    sheet = start(world)
    client = login_as("member")
    url = f"/a3/{sheet.id}/sections/background/edit"
    form = client.get(url, headers=HTMX)
    html = form.get_data(as_text=True)
    assert form.status_code == 200
    assert "<html" not in html  # only the section
    assert 'name="background"' in html and 'name="version" type="hidden" value="1"' in html
    saved = client.post(url, data={"version": "1", "background": "Jonot kasvavat."}, headers=HTMX)
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200
    assert 'id="a3-section-background"' in html and "Jonot kasvavat." in html
    assert 'name="background"' not in html  # back to reading
    db.session.expire_all()
    assert db.session.get(A3Sheet, sheet.id).background == "Jonot kasvavat."
    history = client.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert "edited the A3 section Background" in history


def test_without_javascript_the_edit_link_opens_a_page_with_the_form(world, login_as):
    sheet = start(world)
    client = login_as("member")
    url = f"/a3/{sheet.id}/sections/follow_up/edit"
    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and 'name="standard"' in page and "Cancel" in page
    response = client.post(
        url, data={"version": "1", "standard": "Uusi tapa", "learned": "", "applies_elsewhere": ""}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/improvements/{world.improvement.id}/a3#a3-section-follow_up"
    )


def test_a_form_with_errors_comes_back_with_422_and_what_was_typed(world, login_as):
    sheet = start(world)
    response = login_as("member").post(
        f"/a3/{sheet.id}/sections/goal/edit",
        data={"version": "1", "measure": "Odotusaika", "baseline": "kymmenen", "target": "5"},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Odotusaika"' in html and 'value="kymmenen"' in html
    assert 'aria-invalid="true"' in html


def test_the_second_editor_of_a_section_is_told_and_loses_nothing(world, login_as, login):
    sheet = start(world)
    first, second = login_as("member"), login_as("supervisor")
    url = f"/a3/{sheet.id}/sections/current_condition/edit"
    first.post(url, data={"version": "1", "current_condition": "Ensimmäisen teksti"}, headers=HTMX)
    response = second.post(
        url, data={"version": "1", "current_condition": "Toisen teksti"}, headers=HTMX
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this section while you were editing." in html
    assert "Ensimmäisen teksti" in html  # what is saved now
    assert "Toisen teksti" in html  # the second editor's text, kept in the form
    assert 'name="version" type="hidden" value="2"' in html
    db.session.expire_all()
    assert db.session.get(A3Sheet, sheet.id).current_condition == "Ensimmäisen teksti"
    # Saving again on purpose replaces it knowingly.
    again = second.post(url, data={"version": "2", "current_condition": "Toisen teksti"})
    assert again.status_code == 303
    db.session.expire_all()
    assert db.session.get(A3Sheet, sheet.id).current_condition == "Toisen teksti"


def test_edits_of_different_sections_do_not_conflict(world, login_as):
    sheet = start(world)
    first, second = login_as("member"), login_as("supervisor")
    a = first.post(
        f"/a3/{sheet.id}/sections/background/edit", data={"version": "1", "background": "A"}
    )
    b = second.post(
        f"/a3/{sheet.id}/sections/current_condition/edit",
        data={"version": "1", "current_condition": "B"},
    )
    assert (a.status_code, b.status_code) == (303, 303)
    db.session.expire_all()
    saved = db.session.get(A3Sheet, sheet.id)
    assert (saved.background, saved.current_condition) == ("A", "B")


def whys_of(sheet_id):
    return list(
        db.session.scalars(
            select(A3Why.text).where(A3Why.sheet_id == sheet_id).order_by(A3Why.position)
        )
    )


def test_the_why_chain_is_added_to_reordered_edited_and_removed_up_to_five(world, login_as):
    sheet = start(world)
    client = login_as("member")
    for number in range(1, 6):
        response = client.post(f"/a3/{sheet.id}/items/whys", data={"text": f"Miksi {number}"})
        assert response.status_code == 303
    sixth = client.post(f"/a3/{sheet.id}/items/whys", data={"text": "Miksi 6"}, headers=HTMX)
    assert sixth.status_code == 422
    assert "The chain has five whys already." in sixth.get_data(as_text=True)
    assert whys_of(sheet.id) == [f"Miksi {n}" for n in range(1, 6)]

    ids = list(
        db.session.scalars(
            select(A3Why.id).where(A3Why.sheet_id == sheet.id).order_by(A3Why.position)
        )
    )
    moved = client.post(
        f"/a3/{sheet.id}/items/whys/{ids[2]}/move", data={"direction": "up"}, headers=HTMX
    )
    assert moved.status_code == 200
    db.session.expire_all()
    assert whys_of(sheet.id) == ["Miksi 1", "Miksi 3", "Miksi 2", "Miksi 4", "Miksi 5"]
    client.post(f"/a3/{sheet.id}/items/whys/{ids[0]}/move", data={"direction": "down"})
    db.session.expire_all()
    assert whys_of(sheet.id) == ["Miksi 3", "Miksi 1", "Miksi 2", "Miksi 4", "Miksi 5"]

    version = db.session.get(A3Sheet, sheet.id).root_cause_version
    edited = client.post(
        f"/a3/{sheet.id}/items/whys/{ids[3]}/edit", data={"text": "Miksi neljä", "version": version}
    )
    assert edited.status_code == 303
    client.post(f"/a3/{sheet.id}/items/whys/{ids[1]}/delete")
    db.session.expire_all()
    assert whys_of(sheet.id) == ["Miksi 3", "Miksi 1", "Miksi neljä", "Miksi 5"]
    positions = list(
        db.session.scalars(
            select(A3Why.position).where(A3Why.sheet_id == sheet.id).order_by(A3Why.position)
        )
    )
    assert positions == [1, 2, 3, 4]


def test_a_stale_edit_of_a_why_is_told_and_keeps_the_text(world, login_as):
    sheet = start(world)
    client = login_as("member")
    client.post(f"/a3/{sheet.id}/items/whys", data={"text": "Miksi 1"})
    why_id = db.session.scalar(select(A3Why.id))
    stale = db.session.get(A3Sheet, sheet.id).root_cause_version
    client.post(f"/a3/{sheet.id}/items/causes", data={"category": "people", "text": "Kiire"})
    response = client.post(
        f"/a3/{sheet.id}/items/whys/{why_id}/edit",
        data={"text": "Minun versioni", "version": stale},
        headers=HTMX,
    )
    assert response.status_code == 409
    assert 'value="Minun versioni"' in response.get_data(as_text=True)


def test_actions_are_marked_done_and_overdue_ones_are_marked(world, login_as):
    sheet = start(world)
    client = login_as("member")
    member = world.users["member"]
    client.post(
        f"/a3/{sheet.id}/items/actions",
        data={
            "what": "Soita asiakkaalle",
            "who_id": member.id,
            "due_on": (today() - timedelta(days=2)).isoformat(),
        },
    )
    client.post(f"/a3/{sheet.id}/items/actions", data={"what": "Kirjaa ohje"})
    page = client.get(f"/improvements/{world.improvement.id}/a3").get_data(as_text=True)
    assert "Overdue" in page and member.name in page
    assert "actions done 0 / 2" in page
    action_id = db.session.scalar(select(A3Action.id).where(A3Action.what == "Soita asiakkaalle"))
    client.post(f"/a3/{sheet.id}/items/actions/{action_id}/toggle")
    page = client.get(f"/improvements/{world.improvement.id}/a3").get_data(as_text=True)
    assert "actions done 1 / 2" in page and "Overdue" not in page
    card = client.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert "actions done 1 / 2" in card and "1 of 8 sections filled" in card


def test_comments_are_answered_and_resolved_and_stay_readable(world, login_as):
    sheet = start(world)
    coach = make_user(world.organization, name="Kaija Valmentaja")
    supervisor = login_as("supervisor")
    supervisor.post(f"/a3/{sheet.id}/sections/edit", data={})  # nothing: no such section form
    db.session.get(A3Sheet, sheet.id).coach_id = coach.id
    db.session.commit()
    member = login_as("member")
    asked = member.post(
        f"/a3/{sheet.id}/sections/current_condition/comments",
        data={"body": "Mistä luku 10 päivää tulee?"},
        headers=HTMX,
    )
    assert asked.status_code == 200
    assert "1 open comment" in asked.get_data(as_text=True)
    comment_id = db.session.scalar(select(A3Comment.id))
    answered = supervisor.post(
        f"/a3/{sheet.id}/sections/current_condition/comments",
        data={"body": "Järjestelmän raportista.", "parent_id": comment_id},
        headers=HTMX,
    )
    assert "Järjestelmän raportista." in answered.get_data(as_text=True)
    resolved = member.post(f"/a3/{sheet.id}/comments/{comment_id}/resolve", headers=HTMX)
    html = resolved.get_data(as_text=True)
    assert "Resolved" in html and "Mistä luku 10 päivää tulee?" in html
    assert "open comment" not in html.split("a3-comments")[0]  # the heading counts none open
    empty = member.post(
        f"/a3/{sheet.id}/sections/current_condition/comments", data={"body": ""}, headers=HTMX
    )
    assert empty.status_code == 422
    kinds = set(
        db.session.scalars(select(Event.kind).where(Event.subject_id == world.improvement.id))
    )
    assert {"a3_commented", "a3_answered", "a3_comment_resolved"} <= kinds
    history = member.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert "resolved a comment on the A3 section Current condition" in history


def section_tag(page: str, key: str) -> str:
    start = page.index(f'<section id="a3-section-{key}"')
    return page[start : page.index(">", start)]


def test_the_section_of_the_cards_stage_is_highlighted(world, login_as):
    improvement = make_improvement(world.team, world.users["member"], stage="do")
    start(world, improvement=improvement)
    page = login_as("member").get(f"/improvements/{improvement.id}/a3").get_data(as_text=True)
    assert "is-current" in section_tag(page, "plan")
    assert "is-current" not in section_tag(page, "background")
    assert page.count("Current stage") == 1


def test_the_demo_network_has_a3s_with_whys_actions_and_comments(runner, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count(A3Sheet.id))) == 2
    assert db.session.scalar(select(func.count(A3Why.id))) >= 4
    assert db.session.scalar(select(func.count(A3Action.id))) >= 3
    assert db.session.scalar(select(func.count(A3Comment.id))) >= 3
    first_card = db.session.scalar(select(A3Sheet.improvement_id).order_by(A3Sheet.id))
    client.post("/login", data={"email": "maija.jasen@vertaa.example", "password": DEMO_PASSWORD})
    page = client.get(f"/improvements/{first_card}/a3")
    assert page.status_code == 200
    assert "Yhteinen ohjepankki intranetiin" in page.get_data(as_text=True)


def test_the_effect_form_shows_whether_the_target_was_reached(world, login_as):
    sheet = fill_sheet(start(world), world.users["member"], whys=0, actions=0, comments=0)
    html = (
        login_as("member")
        .get(f"/a3/{sheet.id}/sections/effect/edit", headers=HTMX)
        .get_data(as_text=True)
    )
    assert '<option selected value="yes">Yes</option>' in html
