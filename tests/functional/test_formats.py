"""Dates, times, numbers and money as each language writes them in Finland; nothing reads "None"."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from flask_babel import get_locale, refresh

from lean.boards.services import update_improvement
from lean.core.extensions import db
from lean.core.i18n import format_day, format_moment, locale_for
from tests.conftest import make_improvement


@pytest.mark.parametrize(
    ("language", "lang", "due", "money", "not_set"),
    [
        ("fi", "fi", "29.11.2026", "4\N{NO-BREAK SPACE}800,00\N{NO-BREAK SPACE}€", "Ei asetettu"),
        ("sv", "sv", "29.11.2026", "4\N{NO-BREAK SPACE}800,00\N{NO-BREAK SPACE}€", "Inte angiven"),
        ("en", "en", "29.11.2026", "4\N{NO-BREAK SPACE}800,00\N{NO-BREAK SPACE}€", "Not set"),
    ],
)
def test_card_page_writes_dates_and_money_the_finnish_way_in_every_language(
    world, login, db, language, lang, due, money, not_set
):
    member = world.users["member"]
    member.language = language
    dated = make_improvement(
        world.team, member, due_date=date(2026, 11, 29), money_saved_per_year=Decimal("4800")
    )
    undated = make_improvement(world.team, member)
    client = login(member)

    html = client.get(f"/improvements/{dated.id}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert f"<dd>{due}" in html
    assert money in html
    assert "11/29" not in html and "2026-11-29<" not in html

    html = client.get(f"/improvements/{undated.id}").get_data(as_text=True)
    assert not_set in html
    assert "None" not in html


def test_dates_and_times_are_written_as_finland_writes_them_in_every_language(app):
    moment = datetime(2026, 11, 29, 16, 32)  # UTC; 18.32 in Helsinki
    for language in ("fi", "sv", "en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()  # the locale is cached per context; ask the selector again
            assert str(get_locale()) == locale_for(language)
            assert format_moment(moment) == "29.11.2026 18.32"
            for style in (None, "short", "medium", "long"):
                assert format_day(date(2026, 12, 6), style) == "6.12.2026"
            # An event's data keeps a date as ISO text: it reads the same.
            assert format_day("2026-12-27") == "27.12.2026"
            # A pattern of its own stays: a chart's month.
            assert format_day(date(2026, 12, 6), "yyyy") == "2026"


def test_a_changed_due_date_in_the_cards_history_is_written_as_a_date(world, login):
    member = world.users["member"]
    member.language = "en"
    card = make_improvement(world.team, member, due_date=date(2026, 12, 27))
    update_improvement(member, card, card.version, {"due_date": date(2026, 12, 28)})
    db.session.commit()
    html = login(member).get(f"/improvements/{card.id}").get_data(as_text=True)
    history = html.split('id="card-history"')[1]
    assert "<del>27.12.2026</del> → <ins>28.12.2026</ins>" in history
    assert "2026-12-2" not in history


@pytest.mark.parametrize(
    ("accept_language", "button"), [("fi", "Vaihda"), ("sv", "Byt"), ("en", "Switch")]
)
def test_the_language_switch_is_a_verb(client, accept_language, button):
    html = client.get("/login", headers={"Accept-Language": accept_language}).get_data(as_text=True)
    assert f'<button type="submit">{button}</button>' in html
