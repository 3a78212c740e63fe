"""A3 sheets: starting one from a card, editing sections, lists, coaching and history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lean.a3 import services
from lean.extensions import db
from lean.models import A3Action, A3Comment, A3Sheet, A3Why, Event
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
            {"what": f"Toimenpide {number + 1}", "who_id": author.id, "due_on": today(), "done": False},
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
    for heading in ("Background", "Current condition", "Goal / target condition",
                    "Root-cause analysis", "Countermeasures", "Implementation plan",
                    "Effect confirmation", "Follow-up"):
        assert heading in page
    # Starting again opens the same sheet.
    client.post(f"/improvements/{world.improvement.id}/a3")
    assert db.session.scalar(select(func.count(A3Sheet.id))) == 1
    card = client.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert "0 of 8 sections filled" in card
    assert "started the A3" in card
