"""The top bar's search: every kind of thing the user may read, the same rules on both databases."""

import pytest

from lean.a3 import services as a3
from lean.conversation.services import comment_on_card
from lean.core.extensions import db
from lean.network.services import PracticeText, publish_practice, withdraw_practice
from lean.network.snapshot import Shares
from tests.conftest import make_improvement, make_kaizen, make_team, make_user, theme


def found(client, words: str) -> str:
    response = client.get("/search", query_string={"q": words})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


def test_search_finds_every_kind_the_user_may_read_and_nothing_else(world, login_as):
    member = world.users["member"]
    card = make_improvement(world.other_team, title="Hakemusten käsittely nopeammaksi")
    card.problem = "Jonot kasvavat keväisin"
    db.session.commit()
    make_kaizen(world.team, member, title="Käsittelyohje seinälle", before="x", after="y")
    sheet = a3.start_a3(member, world.improvement)
    a3.update_section(member, sheet, "background", 1, {"background": "Käsittely kestää viikon"})
    done = make_improvement(world.team, member, title="Valmis käsittelymalli", stage="done")
    text = PracticeText("Käsittelymalli verkostolle", "Tiivis", "", theme(), None, Shares())
    publish_practice(world.users["coordinator"], done, text)
    # Another organization's things with the same word: its card, kaizen, and a withdrawn practice.
    foreign = world.users["foreign_member"]
    make_improvement(world.foreign_team, foreign, title="Vieras käsittelyjono")
    make_kaizen(world.foreign_team, foreign, title="Vieras käsittelykaizen")
    foreign_done = make_improvement(
        world.foreign_team, foreign, title="Vieras valmis", stage="done"
    )
    foreign_coordinator = make_user(world.foreign_organization, is_coordinator=True)
    withdrawn = publish_practice(
        foreign_coordinator,
        foreign_done,
        PracticeText("Vieras käsittelytapa", "Tiivis", "", theme(), None, Shares()),
    )
    withdraw_practice(foreign_coordinator, withdrawn)

    html = found(login_as("member"), "käsit")
    assert "Hakemusten käsittely nopeammaksi" in section(html, "found-cards")
    assert "Valmis käsittelymalli" in section(html, "found-cards")
    assert "Käsittelyohje seinälle" in section(html, "found-kaizens")
    assert "Oma kortti" in section(html, "found-a3")  # found by its background
    assert "Käsittelymalli verkostolle" in section(html, "found-practices")
    assert "Vieras" not in html
    # Every word must start a word; diacritics are kept (a is not ä).
    assert "Hakemusten" in found(login_as("member"), "jonot KÄS")
    assert "Hakemusten" not in found(login_as("member"), "kasittely")
    assert "Hakemusten" not in found(login_as("member"), "ittely")

    # The other organization finds its own things and the published practice, not ours.
    foreign_html = found(login_as("foreign_member"), "käsittely")
    assert "Vieras käsittelyjono" in foreign_html and "Vieras käsittelykaizen" in foreign_html
    assert "Käsittelymalli verkostolle" in foreign_html
    assert "Hakemusten" not in foreign_html and "Oma kortti" not in foreign_html


def test_a_coach_of_another_organization_finds_the_sheet_they_coach(world, login_as):
    member = world.users["member"]
    sheet = a3.start_a3(member, world.improvement)
    a3.update_section(member, sheet, "background", 1, {"background": "Valmennettava ongelma"})
    a3.name_peer_coach(world.users["coordinator"], sheet, world.users["foreign_member"])
    assert "Oma kortti" in section(found(login_as("foreign_member"), "valmennet"), "found-a3")


def test_others_of_the_coachs_organization_do_not_find_the_sheet(world, login, login_as):
    member = world.users["member"]
    sheet = a3.start_a3(member, world.improvement)
    a3.update_section(member, sheet, "background", 1, {"background": "Valmennettava ongelma"})
    a3.name_peer_coach(world.users["coordinator"], sheet, world.users["foreign_member"])
    colleague = make_user(
        world.foreign_organization, {make_team(world.foreign_organization): "member"}
    )
    assert "Oma kortti" not in found(login(colleague), "valmennet")


def test_an_empty_search_asks_for_words_and_the_box_is_in_the_top_bar(world, login_as):
    client = login_as("member")
    assert 'role="search"' in client.get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert "Write one or more words" in found(client, "  !! ")


def test_the_search_runs_a_fixed_number_of_statements(world, login_as, query_counter):
    client = login_as("member")
    client.get("/search?q=kortti")
    with query_counter() as small:
        client.get("/search?q=kortti")
    for number in range(10):
        make_improvement(world.team, world.users["member"], title=f"Kortti {number}")
        make_kaizen(world.team, world.users["member"], title=f"Kortti {number}")
    with query_counter() as large:
        client.get("/search?q=kortti")
    assert small.value == large.value


def test_finnish_word_forms_find_titles_descriptions_comments_and_kaizens(world, login_as):
    member = world.users["member"]
    card = make_improvement(world.team, member, title="Tulostimen paperilokero jumittuu")
    card.problem = "Opiskelijoiden palautteet jäävät lukematta"
    commented = make_improvement(world.team, member, title="Aulan opasteet")
    comment_on_card(member, commented, "Kävijät eksyvät kirjastoon joka päivä", [])
    make_kaizen(world.team, member, title="Ohjauksen kalenteri", before="x", after="y")
    db.session.commit()
    client = login_as("member")

    # Inflected forms of the words in the title, the description and the comment.
    assert "Tulostimen paperilokero" in section(found(client, "paperilokeroa"), "found-cards")
    assert "Tulostimen paperilokero" in section(found(client, "paperilokerossa"), "found-cards")
    assert "Tulostimen paperilokero" in section(found(client, "opiskelija palaute"), "found-cards")
    assert "Aulan opasteet" in section(found(client, "kirjastossa"), "found-cards")
    assert "Ohjauksen kalenteri" in section(found(client, "ohjaus"), "found-kaizens")
    assert "Ohjauksen kalenteri" in section(found(client, "ohjaukselle"), "found-kaizens")
    # Every word must still match: a form of one word does not stand for another.
    assert "Tulostimen" not in found(client, "paperilokeroa kirjastossa")
    assert "Tulostimen" not in found(client, "paperikori")


def test_swedish_readers_find_swedish_word_forms(world, login):
    reader = make_user(world.organization, {world.team: "member"}, language="sv")
    make_improvement(world.team, reader, title="Skrivaren i biblioteket")
    card = make_improvement(world.team, reader, title="Respons från studerande")
    card.problem = "Skolan samlar in respons varje termin"
    db.session.commit()
    client = login(reader)

    assert "Skrivaren i biblioteket" in section(found(client, "skrivare"), "found-cards")
    assert "Respons från studerande" in section(found(client, "skolornas"), "found-cards")
    assert "Respons från studerande" in section(found(client, "terminen"), "found-cards")


@pytest.mark.parametrize(
    ("language", "word", "forms"),
    [
        ("fi", "paperilokeroa", ("paperilokero",)),
        ("fi", "tulostin", ("tulost",)),
        ("fi", "ohjaus", ("ohjaus", "ohjauk")),
        ("fi", "tuloksen", ("tuloks", "tulos")),
        ("sv", "skolornas", ("skol",)),
        ("fi", "ja", ("ja",)),  # a stem under three letters would match too much
    ],
)
def test_a_search_word_matches_by_its_stem_in_the_readers_language(language, word, forms):
    from lean.shared.search import word_forms

    assert word_forms(word, language) == forms
