"""The peer network: publishing, the library, comments, adoptions, notices and the dashboard.

Three organizations: A publishes, B comments and adopts, C only looks. Nothing of an
organization may reach another except what a practice published, in the fields it chose.
"""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import func, select

from lean.boards.services import move_improvement, update_improvement
from lean.core.extensions import db
from lean.models import Adoption, Event, Improvement, Notice, Practice, Stage
from lean.network import services
from lean.network.snapshot import Shares
from tests.conftest import make_improvement, make_kaizen, make_organization, make_team, make_user
from tests.conftest import theme as theme_named
from tests.functional.test_query_counts import BELL_QUERIES, BOARD_QUERIES, MAX_QUERIES


class Network:
    """Organizations A, B and C, each with a team, a member, and A with a coordinator."""

    def __init__(self):
        self.a = make_organization(name="Aalto-opisto")
        self.b = make_organization(name="Bertan ammattikoulu")
        self.c = make_organization(name="Celsius-instituutti")
        self.team_a = make_team(self.a, name="A-tiimi")
        self.team_b = make_team(self.b, name="B-tiimi")
        self.team_c = make_team(self.c, name="C-tiimi")
        self.coordinator_a = make_user(self.a, is_coordinator=True, name="Kaisa Koordinaattori")
        self.supervisor_a = make_user(self.a, {self.team_a: "supervisor"}, name="Sanna Esihenkilö")
        self.member_a = make_user(self.a, {self.team_a: "member"}, name="Aino Alanen")
        self.member_b = make_user(self.b, {self.team_b: "member"}, name="Bertta Bergman")
        self.coordinator_b = make_user(self.b, is_coordinator=True, name="Bo Koordinator")
        self.member_c = make_user(self.c, {self.team_c: "member"}, name="Cecilia Carlsson")
        self.card_a = done_card(
            self.team_a,
            self.member_a,
            title="Hakemukset kahdessa päivässä",
            problem="Hakemukset jonottivat viikkoja.",
            measured_result="Käsittelyaika 10 → 2 päivää.",
            what_was_tried="Päivittäinen purku.",
            standard="Kirjattu laatukäsikirjaan.",
            quality_change="Palaute +0,8",
        )


def done_card(team, author, **fields):
    card = make_improvement(team, author, stage="done", **fields)
    return card


def text(title="Nopea hakemusten käsittely", summary="Hakemukset käsitellään päivittäin.", **kw):
    values = {
        "title": title,
        "summary": summary,
        "learnings": kw.pop("learnings", "Kokeilu ilman tiimin sopimusta ei toiminut."),
        "theme": kw.pop("theme", None) or theme_named(),
        "focus_area": kw.pop("focus_area", None),
        "shares": kw.pop("shares", None) or Shares(),
    }
    return services.PracticeText(**values)


def publish(network, card=None, **kw) -> Practice:
    return services.publish_practice(
        network.coordinator_a, card or network.card_a, text(**kw), kw.pop("a3", None)
    )


@pytest.fixture
def network(app):
    return Network()


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


# ---- publishing ------------------------------------------------------------------------------


def publish_form(**overrides):
    form = {
        "title": "Nopea hakemusten käsittely",
        "summary": "Hakemukset käsitellään joka aamu.",
        "learnings": "Pelkkä ohje ei riittänyt.",
        "theme_id": str(theme_named().id),
        "focus_area_id": "",
        "share_approach": "y",
        "share_result": "y",
    }
    form.update(overrides)
    return form


def test_publishing_shows_a_preview_first_then_publishes_exactly_that(network, login):
    client = login(network.coordinator_a)
    url = f"/network/publish/improvements/{network.card_a.id}"
    html = page(client, url)
    assert 'value="Hakemukset kahdessa päivässä"' in html  # prefilled from the card
    assert "Preview: what other organizations will see" not in html

    preview = client.post(url, data={**publish_form(), "action": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Preview: what other organizations will see" in html
    assert "Käsittelyaika 10 → 2 päivää." in html  # the shared result
    assert "Palaute +0,8" not in html  # impact figures not chosen
    assert "A member of Aalto-opisto" in html  # the name is not shown to others
    assert db.session.scalar(select(func.count(Practice.id))) == 0
    digest = re.search(r'name="previewed" value="([0-9a-f]+)"', html).group(1)

    # Publishing a text other than the one previewed shows the preview again.
    changed = client.post(
        url, data={**publish_form(title="Toinen otsikko"), "action": "publish", "previewed": digest}
    )
    assert changed.status_code == 200
    assert "check the preview" in changed.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Practice.id))) == 0

    published = client.post(url, data={**publish_form(), "action": "publish", "previewed": digest})
    assert published.status_code == 303
    practice = db.session.scalar(select(Practice))
    assert published.headers["Location"].endswith(f"/network/practices/{practice.id}")
    assert practice.title == "Nopea hakemusten käsittely"
    assert practice.kind == "improvement"
    assert practice.content["result"] == "Käsittelyaika 10 → 2 päivää."
    assert "impact" not in practice.content
    assert db.session.scalar(
        select(Event).where(Event.subject_type == "practice", Event.kind == "published")
    )


def test_invalid_publish_form_keeps_the_text_with_422(network, login):
    client = login(network.coordinator_a)
    response = client.post(
        f"/network/publish/improvements/{network.card_a.id}",
        data={**publish_form(summary=""), "action": "preview", "learnings": "Tämä jää"},
    )
    assert response.status_code == 422
    assert "Tämä jää" in response.get_data(as_text=True)


def test_only_coordinators_publish_unless_supervisors_are_allowed(network, login):
    url = f"/network/publish/improvements/{network.card_a.id}"
    assert login(network.member_a).get(url).status_code == 403
    supervisor = login(network.supervisor_a)
    assert supervisor.get(url).status_code == 403
    assert login(network.member_b).get(url).status_code == 404  # another organization's card

    coordinator = login(network.coordinator_a)
    settings = f"/network/organizations/{network.a.id}/settings"
    assert coordinator.post(settings, data={"supervisors_may_publish": "y"}).status_code == 303
    assert supervisor.get(url).status_code == 200
    # Another organization's coordinator does not even see A's settings; A's members may not.
    coordinator_b = login(network.coordinator_b)
    assert coordinator_b.post(settings, data={}).status_code == 404
    db.session.refresh(network.a)
    assert network.a.supervisors_may_publish is True
    assert login(network.member_a).get(settings).status_code == 403
    # The same setting is on the organization's admin page; unticked, supervisors may not.
    admin_page = f"/admin/organizations/{network.a.id}"
    assert 'id="supervisors-may-publish"' in page(coordinator, admin_page)
    response = coordinator.post(settings, data={"next": admin_page})
    assert response.status_code == 303 and response.headers["Location"].endswith(admin_page)
    assert supervisor.get(url).status_code == 403


def test_only_done_cards_are_published(network, login):
    idea = make_improvement(network.team_a, network.member_a, title="Keskeneräinen")
    assert (
        login(network.coordinator_a).get(f"/network/publish/improvements/{idea.id}").status_code
        == 403
    )
    html = page(login(network.coordinator_a), f"/improvements/{network.card_a.id}")
    assert f"/network/publish/improvements/{network.card_a.id}" in html
    assert "/network/publish/improvements/" not in page(
        login(network.coordinator_a), f"/improvements/{idea.id}"
    )


def test_a_kaizen_is_published_with_its_before_and_after(network, login):
    kaizen = make_kaizen(
        network.team_a,
        network.member_a,
        title="Tulostin lähemmäs",
        before="Kävely",
        after="Ei kävelyä",
        effect="5 min päivässä",
    )
    client = login(network.coordinator_a)
    assert f"/network/publish/kaizens/{kaizen.id}" in page(
        client, f"/teams/{network.team_a.id}/kaizen"
    )
    assert f"/network/publish/kaizens/{kaizen.id}" not in page(
        login(network.member_a), f"/teams/{network.team_a.id}/kaizen"
    )
    url = f"/network/publish/kaizens/{kaizen.id}"
    html = client.post(
        url, data={**publish_form(title="Tulostin lähemmäs"), "action": "preview"}
    ).get_data(as_text=True)
    digest = re.search(r'name="previewed" value="([0-9a-f]+)"', html).group(1)
    assert (
        client.post(
            url,
            data={
                **publish_form(title="Tulostin lähemmäs"),
                "action": "publish",
                "previewed": digest,
            },
        ).status_code
        == 303
    )
    practice = db.session.scalar(select(Practice))
    assert practice.kind == "kaizen"
    html = page(login(network.member_c), f"/network/practices/{practice.id}")
    assert "Ei kävelyä" in html and "5 min päivässä" in html


def test_a3_sections_are_shown_when_shared(network, login):
    sheet = {
        "sections": [
            {
                "heading": "Juurisyy",
                "text": "Jono syntyi perjantaisin.",
                "items": ["Miksi 1", "Miksi 2"],
            },
            {"heading": "Tyhjä", "text": "", "items": []},
            {"heading": "Vastatoimet", "text": "Aamupurku", "secret": "ei näy", "items": [3]},
        ]
    }
    practice = publish(network, shares=Shares(a3=True), a3=sheet)
    assert practice.kind == "a3"
    html = page(login(network.member_b), f"/network/practices/{practice.id}")
    assert "Juurisyy" in html and "Miksi 2" in html and "Aamupurku" in html
    assert "Tyhjä" not in html and "ei näy" not in html
    assert page(login(network.member_b), "/network?kind=a3").count("/network/practices/") == 1
    # The option shows only where a sheet exists: none on this branch's cards.
    assert "Share the A3 sheet" not in page(
        login(network.coordinator_a), f"/network/publish/improvements/{network.card_a.id}"
    )


def test_a_real_a3_sheet_is_shared_without_anyones_name(network, login):
    """A coordinator shares a Done card's A3; another organization reads every section of it,
    and nobody's name: neither the owner's, the coach's nor who does the actions."""
    from lean.a3 import services as a3
    from tests.functional.test_a3 import fill_sheet

    coach = make_user(network.a, {network.team_a: "member"}, name="Valtteri Valmentaja")
    sheet = fill_sheet(a3.start_a3(network.member_a, network.card_a), network.member_a)
    a3.update_section(
        network.member_a,
        sheet,
        "header",
        sheet.header_version,
        {"title": sheet.title, "coach_id": coach.id},
    )
    client = login(network.coordinator_a)
    url = f"/network/publish/improvements/{network.card_a.id}"
    assert "Share the A3 sheet" in page(client, url)
    form = {**publish_form(), "share_a3": "y"}
    preview = client.post(url, data={**form, "action": "preview"}).get_data(as_text=True)
    assert "Root-cause analysis" in preview and "Koska syy 2" in preview
    digest = re.search(r'name="previewed" value="([0-9a-f]+)"', preview).group(1)
    published = client.post(url, data={**form, "action": "publish", "previewed": digest})
    assert published.status_code == 303
    practice = db.session.scalar(select(Practice))
    assert practice.kind == "a3"

    html = page(login(network.member_b), f"/network/practices/{practice.id}")
    for heading in (
        "1. Background",
        "4. Root-cause analysis",
        "6. Implementation plan",
        "8. Follow-up",
    ):
        assert heading in html
    assert "Koska syy 3" in html and "Toimenpide 1" in html and "Yhteinen jono auttaa." in html
    for person in (network.member_a.name, coach.name, network.member_a.email):
        assert person not in html
    # A later edit of the sheet stays home until the practice is updated deliberately.
    sheet = db.session.get(type(sheet), sheet.id)
    a3.update_section(
        network.member_a,
        sheet,
        "background",
        sheet.background_version,
        {"background": "Salainen uusi tausta"},
    )
    assert "Salainen uusi tausta" not in page(
        login(network.member_b), f"/network/practices/{practice.id}"
    )


# ---- the snapshot ----------------------------------------------------------------------------


def test_later_edits_of_the_card_do_not_leak_until_updated_deliberately(network, login):
    practice = publish(network, shares=Shares(approach=False, result=True, impact=False))
    card = network.card_a
    update_improvement(
        network.member_a,
        card,
        card.version,
        {"measured_result": "SALAINEN uusi tulos", "standard": "SISÄINEN ohje"},
    )
    reader = login(network.member_b)
    html = page(reader, f"/network/practices/{practice.id}")
    assert "Käsittelyaika 10 → 2 päivää." in html
    assert "SALAINEN" not in html and "SISÄINEN" not in html
    assert "Päivittäinen purku." not in html  # the approach was not shared
    assert "SALAINEN" not in page(reader, "/network?q=salainen")
    assert "/network/practices/" not in page(reader, "/network?q=salainen")

    coordinator = login(network.coordinator_a)
    url = f"/network/practices/{practice.id}/update"
    assert 'name="version" type="hidden" value="1"' in page(coordinator, url)
    form = {**publish_form(share_approach=""), "version": "1", "action": "preview"}
    html = coordinator.post(url, data=form).get_data(as_text=True)
    assert "SALAINEN uusi tulos" in html  # the preview shows the new snapshot
    digest = re.search(r'name="previewed" value="([0-9a-f]+)"', html).group(1)
    assert (
        coordinator.post(url, data={**form, "action": "publish", "previewed": digest}).status_code
        == 303
    )
    html = page(reader, f"/network/practices/{practice.id}")
    assert "SALAINEN uusi tulos" in html and "SISÄINEN" not in html


def test_a_stale_update_is_refused_with_409_keeping_the_text(network, login):
    practice = publish(network)
    client = login(network.coordinator_a)
    url = f"/network/practices/{practice.id}/update"
    services.update_practice(network.coordinator_a, practice, 1, text(title="Joku muu ehti"))
    form = {**publish_form(title="Oma otsikkoni"), "version": "1", "action": "preview"}
    html = client.post(url, data=form).get_data(as_text=True)
    digest = re.search(r'name="previewed" value="([0-9a-f]+)"', html).group(1)
    response = client.post(url, data={**form, "action": "publish", "previewed": digest})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else updated this practice" in html
    assert 'value="Oma otsikkoni"' in html
    assert 'name="version" type="hidden" value="2"' in html
    db.session.refresh(practice)
    assert practice.title == "Joku muu ehti"


def test_withdrawn_practice_disappears_from_others(network, login):
    practice = publish(network)
    assert (
        login(network.member_b).post(f"/network/practices/{practice.id}/withdraw").status_code
        == 403
    )
    assert (
        login(network.member_a).post(f"/network/practices/{practice.id}/withdraw").status_code
        == 403
    )
    assert (
        login(network.coordinator_a).post(f"/network/practices/{practice.id}/withdraw").status_code
        == 303
    )
    page(login(network.member_b), f"/network/practices/{practice.id}", 404)
    assert "Nopea hakemusten" not in page(login(network.member_c), "/network")
    assert "withdrawn" in page(login(network.member_a), f"/network/practices/{practice.id}")


# ---- the library -------------------------------------------------------------------------------


def test_library_filters_searches_and_orders(network, login):
    service = theme_named("service_process")
    first = publish(network, title="Aamupurku", summary="Jono puretaan aamuisin.")
    second = publish(
        network,
        title="Palvelulupaus",
        summary="Sama palvelu kaikilla aloilla.",
        theme=service,
        learnings="Yhteinen kieli auttoi",
    )
    card_b = done_card(network.team_b, network.member_b, title="B:n kortti")
    third = services.publish_practice(
        network.coordinator_b, card_b, text(title="Bertan tapa", summary="Ohjaus ryhmissä.")
    )
    reader = login(network.member_c)

    def titles(query: str) -> list[str]:
        html = page(reader, f"/network{query}")
        return re.findall(r'<a href="/network/practices/\d+">([^<]+)</a>', html)

    assert titles("") == ["Bertan tapa", "Palvelulupaus", "Aamupurku"]
    assert titles(f"?theme={service.id}") == ["Palvelulupaus"]
    assert titles(f"?organization={network.b.id}") == ["Bertan tapa"]
    assert titles("?kind=kaizen") == []
    assert titles("?q=puretaan") == ["Aamupurku"]
    assert titles("?q=yhteinen+kie") == ["Palvelulupaus"]  # learnings, word starts
    assert titles("?q=käsittelyaika") == ["Palvelulupaus", "Aamupurku"]  # the shared result
    assert titles("?q=B:n") == []  # a card's own title is not published

    services.adopt_practice(network.member_b, first, network.team_b)
    services.comment_on_practice(network.member_c, second, "Hyvä!")
    services.comment_on_practice(network.member_b, second, "Kiinnostava")
    assert titles("?order=adopted")[0] == "Aamupurku"
    assert titles("?order=discussed")[0] == "Palvelulupaus"
    assert third.id


def test_library_is_paginated(network, login, app):
    app.config["NETWORK_PAGE_SIZE"] = 2
    for number in range(5):
        publish(network, title=f"Käytäntö {number}")
    html = page(login(network.member_b), "/network?page=3")
    assert "Page 3 of 3" in html and "Käytäntö 0" in html and "Käytäntö 4" not in html


# ---- comments, adoptions, notices: three organizations ---------------------------------------


def test_comments_answers_and_names_only_with_consent(network, login):
    practice = publish(network)
    card_b = done_card(network.team_b, network.member_b, title="B:n oma")
    own_b = services.publish_practice(
        network.coordinator_b, card_b, text(title="Bertan vastaava käytäntö")
    )
    other_a = publish(network, title="A:n toinen")
    b = login(network.member_b)
    response = b.post(
        f"/network/practices/{practice.id}/comments",
        data={"body": "Kokeilimme samaa ryhmissä.", "similar_practice_id": str(own_b.id)},
    )
    assert response.status_code == 303
    # Linking another organization's practice as one's own is ignored.
    b.post(
        f"/network/practices/{practice.id}/comments",
        data={"body": "Toinen kommentti", "similar_practice_id": str(other_a.id)},
    )
    html_c = page(login(network.member_c), f"/network/practices/{practice.id}")
    assert "Kokeilimme samaa ryhmissä." in html_c
    assert "Bertan vastaava käytäntö" in html_c
    assert "We tried something similar" in html_c
    assert html_c.count("We tried something similar:") == 1
    assert "Bertta Bergman" not in html_c
    assert "A member of Bertan ammattikoulu" in html_c
    assert "Kaisa Koordinaattori" not in html_c  # the publisher did not agree either

    comment_id = re.search(r'id="comment-(\d+)"', html_c).group(1)
    a = login(network.coordinator_a)
    assert (
        a.post(
            f"/network/practices/{practice.id}/comments",
            data={"body": "Kiitos, kerromme lisää.", "answer_to": comment_id},
        ).status_code
        == 303
    )
    html_a = page(a, f"/network/practices/{practice.id}")
    assert "Kiitos, kerromme lisää." in html_a
    assert re.search(r'class="answers">\s*<li class="comment"', html_a)
    assert "A member of Bertan ammattikoulu" in html_a
    assert "Kaisa Koordinaattori" in html_a  # own organization sees its own people

    # Bertta agrees on her profile: from now on others see her name.
    b.post("/network/name-sharing", data={"show_name_to_network": "y"})
    assert "Show my name to other organizations" in page(b, "/profile")
    assert "Bertta Bergman · Bertan ammattikoulu" in page(
        login(network.member_c), f"/network/practices/{practice.id}"
    )

    # An answer to a comment of another practice is refused.
    other = publish(network, title="Kolmas")
    response = a.post(
        f"/network/practices/{other.id}/comments", data={"body": "x", "answer_to": comment_id}
    )
    assert response.status_code == 422


def test_adoption_makes_a_linked_card_in_plan_and_shows_only_stage_and_result(network, login):
    practice = publish(network)
    b = login(network.member_b)
    assert (
        login(network.member_a)
        .post(f"/network/practices/{practice.id}/adopt", data={"team_id": str(network.team_a.id)})
        .status_code
        == 403
    )
    refused = b.post(
        f"/network/practices/{practice.id}/adopt", data={"team_id": str(network.team_c.id)}
    )
    assert refused.status_code == 422  # not one of B's teams
    response = b.post(
        f"/network/practices/{practice.id}/adopt", data={"team_id": str(network.team_b.id)}
    )
    assert response.status_code == 303
    card = db.session.scalar(
        select(Improvement).where(Improvement.origin_practice_id == practice.id)
    )
    assert response.headers["Location"].endswith(f"/improvements/{card.id}")
    assert card.team_id == network.team_b.id and card.stage == "plan"
    assert card.title == practice.title and card.problem == practice.summary
    assert card.expected_effect == "Käsittelyaika 10 → 2 päivää."
    html = page(b, f"/improvements/{card.id}")
    assert "Adopted from the practice" in html and f"/network/practices/{practice.id}" in html
    again = b.post(
        f"/network/practices/{practice.id}/adopt", data={"team_id": str(network.team_b.id)}
    )
    assert again.status_code == 422
    assert "already adopted" in again.get_data(as_text=True)

    # B works on: a private title, private notes; then Done with a result.
    update_improvement(
        network.member_b,
        card,
        card.version,
        {
            "title": "B-SALAINEN otsikko",
            "what_was_tried": "B-SISÄINEN muistiinpano",
            "measured_result": "B:n tulos: 3 päivää",
        },
    )
    html_c = page(login(network.member_c), f"/network/practices/{practice.id}")
    assert "Bertan ammattikoulu" in html_c and "Plan" in html_c
    assert "B:n tulos" not in html_c  # a result crosses only once Done
    move_improvement(network.member_b, card, Stage.DONE)
    for reader in (login(network.member_c), login(network.coordinator_a)):
        html = page(reader, f"/network/practices/{practice.id}")
        assert "B:n tulos: 3 päivää" in html and "Done" in html
        assert "B-SALAINEN" not in html and "B-SISÄINEN" not in html
        assert "B-tiimi" not in html and f"/improvements/{card.id}" not in html
    html_b = page(b, f"/network/practices/{practice.id}")
    assert "B-tiimi" in html_b and f"/improvements/{card.id}" in html_b

    # A sees the adoption listed, and still cannot open B's card or board.
    a = login(network.coordinator_a)
    page(a, f"/improvements/{card.id}", 404)
    page(a, f"/teams/{network.team_b.id}/board", 404)
    page(b, f"/improvements/{network.card_a.id}", 404)
    page(b, f"/teams/{network.team_a.id}/board", 404)


def test_notices_reach_only_the_publishing_organization(network, login):
    practice = publish(network)
    b = login(network.member_b)
    b.post(f"/network/practices/{practice.id}/comments", data={"body": "Miten aloititte?"})
    b.post(f"/network/practices/{practice.id}/adopt", data={"team_id": str(network.team_b.id)})
    # A's own comments notify nobody.
    login(network.member_a).post(
        f"/network/practices/{practice.id}/comments", data={"body": "Oma huomio"}
    )
    assert db.session.scalar(select(func.count(Notice.id))) == 2

    member_a = login(network.member_a)
    board = page(member_a, f"/teams/{network.team_a.id}/board")
    assert "Network notices" in board and "2 unread" in board
    assert "A member of Bertan ammattikoulu commented on your practice" in board
    assert "A member of Bertan ammattikoulu adopted your practice" in board
    assert "Bertta Bergman" not in board
    # In Finnish the organization is not read as a person's name ("Jäsen, …").
    language, network.member_a.language = network.member_a.language, "fi"
    db.session.commit()
    board = page(login(network.member_a), f"/teams/{network.team_a.id}/board")
    assert "Henkilö organisaatiosta Bertan ammattikoulu otti käyttöön käytäntönne" in board
    network.member_a.language = language
    db.session.commit()
    for reader, team in ((login(network.member_c), network.team_c), (b, network.team_b)):
        assert "Network notices" not in page(reader, f"/teams/{team.id}/board")
        assert "commented on your practice" not in page(reader, "/network/notices")

    response = member_a.post(
        "/network/notices/read", data={"next": f"/teams/{network.team_a.id}/board"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/board")
    assert "Network notices" not in page(member_a, f"/teams/{network.team_a.id}/board")
    html = page(member_a, "/network/notices")
    assert "adopted your practice" in html and "2 unread" not in html


def test_lineage_of_adoptions_of_adoptions(network, login):
    first = publish(network, title="Alkuperäinen")
    card_b = services.adopt_practice(network.member_b, first, network.team_b)
    move_improvement(network.member_b, card_b, Stage.DONE)
    second = services.publish_practice(network.coordinator_b, card_b, text(title="Bertan sovellus"))
    assert second.origin_practice_id == first.id
    card_c = services.adopt_practice(network.member_c, second, network.team_c)
    html = page(login(network.member_c), f"/improvements/{card_c.id}")
    assert re.search(rf'Adopted from the practice <a href="/network/practices/{second.id}">', html)
    lineage = html[html.index('class="lineage"') :]
    chain = re.findall(r'<a href="/network/practices/(\d+)">', lineage)
    assert chain[:2] == [str(first.id), str(second.id)]
    html = page(login(network.member_a), f"/network/practices/{second.id}")
    assert "Alkuperäinen" in html and "Aalto-opisto" in html
    # The first practice shows that its adopter published it again.
    assert f'href="/network/practices/{second.id}"' in page(
        login(network.member_c), f"/network/practices/{first.id}"
    )
    # B's card page shows what it was published as.
    assert "Published as" in page(login(network.member_b), f"/improvements/{card_b.id}")


# ---- the network dashboard ----------------------------------------------------------------


def test_dashboard_counts_per_organization_and_theme(network, login):
    practice = publish(network)
    withdrawn = publish(network, title="Vedetty")
    services.withdraw_practice(network.coordinator_a, withdrawn)
    services.adopt_practice(network.member_b, practice, network.team_b)
    services.adopt_practice(network.member_c, practice, network.team_c)
    services.comment_on_practice(network.member_b, practice, "Hyvä")
    services.comment_on_practice(network.member_a, practice, "Oma vastaus")  # not mirroring
    html = page(login(network.member_c), "/network/dashboard")
    row_a = re.search(r"<th scope=\"row\">Aalto-opisto</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row_a) == ["1", "2", "0", "1", "0"]
    row_b = re.search(r"<th scope=\"row\">Bertan ammattikoulu</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row_b) == ["0", "0", "1", "0", "1"]
    assert "2 adoptions, 2 organizations" in html
    assert "Vedetty" not in html
    assert "<svg" in html and 'class="chart-bar"' in html
    assert "Hakemukset kahdessa" not in html  # the card's own title never


# ---- fixed query counts ---------------------------------------------------------------------


def count_queries(client, query_counter, url) -> int:
    client.get(url)
    with query_counter() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.value


def grow(network, practice, count):
    """More practices, adoptions and comments from all three organizations."""
    for _ in range(count):
        number = next(_numbers)
        extra = publish(network, title=f"Lisäkäytäntö {number}")
        services.adopt_practice(network.member_b, extra, network.team_b)
        services.comment_on_practice(network.member_c, practice, f"Kommentti {number}")
        services.comment_on_practice(network.member_b, practice, f"Toinen {number}")
        team = make_team(network.c, name=f"C-lisä {number}")
        services.adopt_practice(make_user(network.c, {team: "member"}), practice, team)


_numbers = itertools.count()


@pytest.mark.parametrize(
    "url",
    [
        "/network",
        "/network?q=lisäkäytäntö&order=adopted",
        "PRACTICE",
        "/network/dashboard",
        "/network/notices",
    ],
)
def test_network_pages_run_a_fixed_number_of_queries(network, login, query_counter, url):
    practice = publish(network)
    url = f"/network/practices/{practice.id}" if url == "PRACTICE" else url
    # B sees the most: the adopt form with its teams and its own practices to link.
    client = login(network.member_b)
    grow(network, practice, 2)
    small = count_queries(client, query_counter, url)
    grow(network, practice, 12)
    large = count_queries(client, query_counter, url)
    assert small == large
    assert large <= 12 + BELL_QUERIES
    assert db.session.scalar(select(func.count(Adoption.id))) == 28


def test_board_and_card_pages_stay_within_their_query_budget(network, login, query_counter):
    practice = publish(network)
    card = services.adopt_practice(network.member_b, practice, network.team_b)
    client = login(network.member_b)
    board = count_queries(client, query_counter, f"/teams/{network.team_b.id}/board")
    detail = count_queries(client, query_counter, f"/improvements/{card.id}")
    assert board <= BOARD_QUERIES and detail <= MAX_QUERIES


def test_demo_network_is_alive(runner, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    organizations = db.session.scalars(select(Practice.organization_id).distinct()).all()
    assert len(organizations) >= 2
    assert db.session.scalar(select(func.count(Adoption.id))) >= 1
    assert db.session.scalar(select(Practice).where(Practice.origin_practice_id.is_not(None)))
    client.post(
        "/login", data={"email": "pekka.rannikko@vertaa.example", "password": "Vertaa-demo-2026"}
    )
    html = page(client, "/network?order=discussed")
    assert "Aamupurku" in html and "3 kommenttia" in html  # demo users speak Finnish


# ---- nothing unpublished crosses, on any network page -----------------------------------


PRIVATE = "YKSITYINEN"


def test_no_network_page_shows_what_was_not_published(network, login):
    """Private markers in every unshared field of A's card and B's adopting card never reach C."""
    a_card = done_card(
        network.team_a,
        network.member_a,
        title=f"{PRIVATE}-A-otsikko",
        problem=f"{PRIVATE}-A-ongelma",
        what_was_tried=f"{PRIVATE}-A-kokeilu",
        standard=f"{PRIVATE}-A-standardi",
        measured_result="Julkinen tulos",
        quality_change=f"{PRIVATE}-A-laatu",
        blocked_reason=f"{PRIVATE}-A-este",
    )
    practice = services.publish_practice(
        network.coordinator_a,
        a_card,
        text(title="Julkinen käytäntö", shares=Shares(approach=False, impact=False)),
    )
    b = login(network.member_b)
    b.post(f"/network/practices/{practice.id}/comments", data={"body": "Julkinen kommentti"})
    card_b = services.adopt_practice(network.member_b, practice, network.team_b)
    update_improvement(
        network.member_b,
        card_b,
        card_b.version,
        {
            "title": f"{PRIVATE}-B-otsikko",
            "problem": f"{PRIVATE}-B-ongelma",
            "what_was_tried": f"{PRIVATE}-B-kokeilu",
            "measured_result": f"{PRIVATE}-B-tulos-kesken",
        },
    )
    make_improvement(network.team_b, network.member_b, title=f"{PRIVATE}-B-muu kortti")
    make_kaizen(network.team_a, network.member_a, title=f"{PRIVATE}-A-kaizen")
    pages = [
        "/network",
        f"/network?q={PRIVATE.lower()}",
        "/network?q=julkinen&order=adopted",
        "/network?order=discussed",
        f"/network/practices/{practice.id}",
        "/network/dashboard",
        "/network/notices",
    ]
    for reader in (network.member_c, network.member_b, network.coordinator_a):
        client = login(reader)
        for url in pages:
            html = page(client, url)
            assert "Julkinen" in html or url in (
                "/network/notices",
                f"/network?q={PRIVATE.lower()}",
            )
            own = reader.organization_id
            if own != network.a.id:
                assert f"{PRIVATE}-A" not in html, (reader.name, url)
            if own != network.b.id:
                assert f"{PRIVATE}-B" not in html, (reader.name, url)
                assert "Bertta Bergman" not in html, (reader.name, url)
        assert "/network/practices/" not in page(client, f"/network?q={PRIVATE.lower()}")
    # C's notices and board carry nothing of A's or B's.
    c = login(network.member_c)
    assert "Network notices" not in page(c, f"/teams/{network.team_c.id}/board")
    page(c, f"/improvements/{card_b.id}", 404)
    page(c, f"/improvements/{a_card.id}", 404)
    page(c, f"/teams/{network.team_a.id}/kaizen", 404)
