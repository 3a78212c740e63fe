"""Dates, times, numbers and money as each language writes them in Finland; nothing reads "None"."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from flask_babel import format_date, format_datetime, get_locale, refresh

from lean.core.i18n import locale_for
from tests.conftest import make_improvement


@pytest.mark.parametrize(
    ("language", "lang", "due", "money", "not_set"),
    [
        ("fi", "fi", "29.11.2026", "4\N{NO-BREAK SPACE}800,00\N{NO-BREAK SPACE}€", "Ei asetettu"),
        ("sv", "sv", "29.11.2026", "4\N{NO-BREAK SPACE}800,00\N{NO-BREAK SPACE}€", "Inte angiven"),
        ("en", "en", "29 Nov 2026", "4\N{NO-BREAK SPACE}800,00\N{NO-BREAK SPACE}€", "Not set"),
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


def test_times_use_a_period_and_the_day_comes_first(app):
    moment = datetime(2026, 11, 29, 16, 32)  # UTC; 18.32 in Helsinki
    expected = {
        "fi": "29.11.2026 18.32",
        "sv": "29.11.2026 18.32",
        "en": "29/11/2026, 18.32",
    }
    for language, text in expected.items():
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()  # the locale is cached per context; ask the selector again
            assert str(get_locale()) == locale_for(language)
            assert format_datetime(moment, "short") == text
            assert format_date(date(2026, 12, 6), "short") != "12/6/26"


@pytest.mark.parametrize(
    ("accept_language", "button"), [("fi", "Vaihda"), ("sv", "Byt"), ("en", "Switch")]
)
def test_the_language_switch_is_a_verb(client, accept_language, button):
    html = client.get("/login", headers={"Accept-Language": accept_language}).get_data(as_text=True)
    assert f'<button type="submit">{button}</button>' in html
