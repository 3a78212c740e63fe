"""The PDCA board, quick add, moves, the card page, editing and archiving."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lean.boards.services import move_improvement, refresh_stage_times
from lean.models import Event, Improvement, Stage
from tests.conftest import make_improvement, make_user, theme, today

HTMX = {"HX-Request": "true"}


def board_html(client, team, query=""):
    response = client.get(f"/teams/{team.id}/board{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def column_count(html: str, stage: str) -> str:
    return re.search(rf'id="count-{stage}"[^>]*>([^<]*)<', html).group(1)


def test_board_shows_cards_with_owner_theme_age_due_and_block(world, login_as, db):
    card = world.improvement
    card.due_date = today() - timedelta(days=2)
    card.blocked, card.blocked_reason = True, "Odotamme päätöstä"
    db.session.commit()
    html = board_html(login_as("member"), world.team)
    for column in ("Idea", "Plan", "Do", "Check", "Act", "Done"):
        assert f'<span class="stage-name">{column}</span>' in html
    assert "Oma kortti" in html
    assert world.users["member"].name in html
    assert "Change leadership" in html  # the theme's label, not only its colour
    assert "0 days" in html
    assert "Overdue" in html
    assert "Odotamme päätöstä" in html
    assert "Vieras kortti" not in html


def test_board_cards_speak_the_readers_language(world, login_as, db):
    """The cards are read as rows: the theme's name and an anonymised owner's placeholder
    still come in the reader's language."""
    from lean.admin.services import anonymise_user

    leaver = make_user(world.organization, {world.team: "member"}, name="Lähtijä")
    card = make_improvement(world.team, leaver, title="Jäävä kortti")
    anonymise_user(world.users["admin"], leaver)
    change_leadership = theme()
    reader = world.users["member"]
    for language, former in (("fi", "Entinen käyttäjä"), ("sv", "Tidigare användare")):
        reader.language = language
        db.session.commit()
        html = board_html(login_as("member"), world.team)
        assert "Jäävä kortti" in html
        assert change_leadership.name_in(language) in html
        assert f"{former} {leaver.id}" in html and "Lähtijä" not in html
    assert card.owner_id == leaver.id


def test_form_messages_of_wtforms_come_in_each_readers_language(world, login_as, db):
    """WTForms' own messages are read from its catalog once per worker and language."""
    reader = world.users["member"]
    for language, required in (("fi", "Pakollinen."), ("sv", "Det här fältet är obligatoriskt.")):
        reader.language = language
        db.session.commit()
        response = login_as("member").post(
            f"/teams/{world.team.id}/improvements", data={"title": "", "theme_id": "1"}
        )
        assert response.status_code == 422
        assert required in response.get_data(as_text=True)


def test_days_in_stage_come_from_the_latest_move(world, login_as, db):
    move = db.session.scalar(
        select(Event).where(
            Event.subject_type == "improvement",
            Event.subject_id == world.improvement.id,
            Event.kind == "created",
        )
    )
    move.at -= timedelta(days=6)
    refresh_stage_times(Improvement.id == world.improvement.id)
    db.session.commit()
    client = login_as("member")
    assert "6 days" in board_html(client, world.team)

    move_improvement(world.users["member"], world.improvement, Stage.PLAN)
    html = board_html(client, world.team)
    assert "6 days" not in html
    assert "0 days" in html


def test_done_column_shows_the_latest_ten_and_links_to_all(world, login_as, db):
    for number in range(12):
        make_improvement(
            world.team, world.users["member"], title=f"Valmis {number:02}", stage="done"
        )
    html = board_html(login_as("member"), world.team)
    assert column_count(html, "done") == "12 cards"
    assert "Valmis 11" in html and "Valmis 02" in html
    assert "Valmis 01" not in html and "Valmis 00" not in html
    assert "Show all 12 done cards" in html
    every = board_html(login_as("member"), world.team, "?done=all")
    assert "Valmis 00" in every


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?theme={service}", ["Palvelukortti"], ["Oma kortti", "Estetty kortti"]),
        ("?owner={supervisor}", ["Estetty kortti"], ["Oma kortti", "Palvelukortti"]),
        ("?blocked=y", ["Estetty kortti"], ["Oma kortti", "Palvelukortti"]),
        ("", ["Oma kortti", "Palvelukortti", "Estetty kortti"], []),
    ],
)
def test_board_filters(world, login_as, query, shown, hidden):
    supervisor = world.users["supervisor"]
    service = theme("service_process")
    make_improvement(world.team, world.users["member"], title="Palvelukortti", theme=service)
    make_improvement(
        world.team, supervisor, title="Estetty kortti", blocked=True, blocked_reason="x"
    )
    html = board_html(
        login_as("member"), world.team, query.format(service=service.id, supervisor=supervisor.id)
    )
    for title in shown:
        assert title in html
    for title in hidden:
        assert title not in html


def test_quick_add_with_htmx_returns_the_board_with_the_new_card(world, login_as, db):
    client = login_as("member")
    response = client.post(
        f"/teams/{world.team.id}/improvements",
        data={"title": "Tulostin lähemmäs", "theme_id": theme().id},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="board"')
    assert "Tulostin lähemmäs" in html
    assert column_count(html, "idea") == "2 cards"
    card = db.session.scalar(select(Improvement).where(Improvement.title == "Tulostin lähemmäs"))
    assert card.stage == "idea" and card.owner_id == world.users["member"].id
    kinds = db.session.scalars(
        select(Event.kind).where(Event.subject_type == "improvement", Event.subject_id == card.id)
    ).all()
    assert kinds == ["created"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"title": "", "theme_id": "1"}, "This field is required."),
        ({"title": "Ilman teemaa", "theme_id": ""}, "This field is required."),
        ({"title": "x" * 201, "theme_id": "1"}, "Field cannot be longer than 200 characters."),
        ({"title": "Outo teema", "theme_id": "999"}, "Not a valid choice."),
    ],
)
def test_quick_add_errors_keep_what_was_typed(world, login_as, db, data, error):
    response = login_as("member").post(
        f"/teams/{world.team.id}/improvements", data=data, headers=HTMX
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error in html
    if data["title"]:
        assert f'value="{data["title"]}"' in html
    assert db.session.scalar(select(Improvement).where(Improvement.title == data["title"])) is None


def test_quick_add_without_javascript_redirects_back_to_the_board(world, login_as):
    response = login_as("member").post(
        f"/teams/{world.team.id}/improvements?blocked=y",
        data={"title": "Lomakkeella", "theme_id": theme().id},
    )
    assert response.status_code == 303
    assert response.location == f"/teams/{world.team.id}/board?blocked=y"


def test_move_forward_back_and_anywhere_records_each_move(world, login_as, db):
    client = login_as("member")
    card = world.improvement
    for stage in ("plan", "idea", "check"):
        response = client.post(
            f"/improvements/{card.id}/move", data={"stage": stage, "from": "board"}, headers=HTMX
        )
        assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The answer is the moved card and the six counts out of band, not the whole board.
    assert html.lstrip().startswith(f'<li class="card theme-{card.theme_id}" id="card-{card.id}"')
    assert 'data-stage="check"' in html and 'id="board"' not in html
    assert column_count(html, "check") == "1 card"
    assert column_count(html, "idea") == "0 cards"
    assert html.count('data-hx-swap-oob="true"') == 6
    assert len(response.data) < 10_000
    moves = db.session.scalars(
        select(Event)
        .where(
            Event.subject_type == "improvement", Event.subject_id == card.id, Event.kind == "moved"
        )
        .order_by(Event.id)
    ).all()
    assert [(m.data["from"], m.data["to"]) for m in moves] == [
        ("idea", "plan"),
        ("plan", "idea"),
        ("idea", "check"),
    ]


def test_a_failed_htmx_move_redraws_the_whole_board(world, login_as):
    response = login_as("member").post(
        f"/improvements/{world.improvement.id}/move",
        data={"stage": "someday", "from": "board"},
        headers=HTMX,
    )
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#board"
    assert 'id="board"' in response.get_data(as_text=True)


def test_a_card_is_dropped_between_two_others_and_the_order_stays(world, login_as, db):
    member = world.users["member"]
    first = world.improvement
    second = make_improvement(world.team, member, title="Toinen")
    third = make_improvement(world.team, member, title="Kolmas", stage="plan")
    client = login_as("member")
    # From Plan into Idea, between the first and the second card.
    response = client.post(
        f"/improvements/{third.id}/place",
        data={"stage": "idea", "after": str(first.id)},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="card-{third.id}"' in html and column_count(html, "idea") == "3 cards"
    board = board_html(client, world.team)
    assert board.index("Oma kortti") < board.index("Kolmas") < board.index("Toinen")
    # Within the column: the second card to the top.
    client.post(f"/improvements/{second.id}/place", data={"stage": "idea", "after": ""})
    board = board_html(client, world.team)
    assert board.index("Toinen") < board.index("Oma kortti") < board.index("Kolmas")
    kinds = db.session.scalars(
        select(Event.kind)
        .where(Event.subject_type == "improvement", Event.subject_id.in_([second.id, third.id]))
        .order_by(Event.id)
    ).all()
    assert kinds[-2:] == ["moved", "reordered"]


def test_move_without_javascript_offers_the_six_stages(world, login_as):
    html = (
        login_as("member").get(f"/improvements/{world.improvement.id}/move").get_data(as_text=True)
    )
    assert html.count('name="stage"') == 6
    assert 'value="idea" class="stage-idea" disabled' in html


def test_a_card_has_one_move_control(world, login_as):
    html = board_html(login_as("member"), world.team)
    card = html[html.index(f'id="card-{world.improvement.id}"') :]
    card = card[: card.index("</li>")]
    assert card.count("<button") == 1 and "<select" not in card and "csrf_token" not in card


def test_move_to_an_unknown_stage_changes_nothing(world, login_as, db):
    response = login_as("member").post(
        f"/improvements/{world.improvement.id}/move", data={"stage": "someday"}
    )
    assert response.status_code == 303
    db.session.refresh(world.improvement)
    assert world.improvement.stage == "idea"


def test_card_page_shows_fields_and_history_newest_first(world, login_as, db):
    card = world.improvement
    card.problem = "Jono on liian pitkä"
    card.measured_result = "Jono lyheni 40 %"
    db.session.commit()
    client = login_as("member")
    client.post(f"/improvements/{card.id}/move", data={"stage": "plan"})
    html = client.get(f"/improvements/{card.id}").get_data(as_text=True)
    assert "Jono on liian pitkä" in html and "Jono lyheni 40 %" in html
    assert html.index("moved it from Idea to Plan") < html.index("created the card in Idea")


def test_edit_saves_and_records_changed_fields(world, login_as, db):
    card = world.improvement
    client = login_as("member")
    form = edit_form(card, title="Uusi otsikko", blocked="y", blocked_reason="Odotamme")
    response = client.post(f"/improvements/{card.id}/edit", data=form)
    assert response.status_code == 303
    db.session.refresh(card)
    assert (card.title, card.blocked, card.blocked_reason) == ("Uusi otsikko", True, "Odotamme")
    kinds = db.session.scalars(
        select(Event.kind).where(Event.subject_type == "improvement", Event.subject_id == card.id)
    ).all()
    assert sorted(kinds) == ["blocked", "created", "edited"]
    html = client.get(f"/improvements/{card.id}").get_data(as_text=True)
    assert "Oma kortti" in html and "Uusi otsikko" in html  # before → after in the history


def test_blocking_needs_a_reason_and_keeps_the_typed_text(world, login_as, db):
    card = world.improvement
    form = edit_form(card, blocked="y", blocked_reason="", measured_result="Mittaus kesken")
    response = login_as("member").post(f"/improvements/{card.id}/edit", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Say why the card is blocked." in html
    assert "Mittaus kesken" in html


def edit_form(card, **changes) -> dict:
    form = {
        "version": card.version,
        "title": card.title,
        "theme_id": card.theme_id,
        "owner_id": card.owner_id or "",
        "problem": card.problem,
    }
    form.update(changes)
    return form


def test_second_editor_is_told_and_neither_edit_is_lost(world, login, db):
    card = world.improvement
    member, supervisor = world.users["member"], world.users["supervisor"]
    first, second = login(member), login(supervisor)
    loaded_version = card.version
    # Both opened the form at the same version.
    assert first.get(f"/improvements/{card.id}/edit").status_code == 200
    assert second.get(f"/improvements/{card.id}/edit").status_code == 200
    saved = first.post(
        f"/improvements/{card.id}/edit", data=edit_form(card, title="Ensimmäisen otsikko")
    )
    assert saved.status_code == 303
    conflict = second.post(
        f"/improvements/{card.id}/edit",
        data=edit_form(
            card, version=loaded_version, title="Toisen otsikko", problem="Toisen teksti"
        ),
        headers=HTMX,
    )
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "Someone else saved this card while you were editing" in html
    assert "Ensimmäisen otsikko" in html  # what is saved now
    assert 'value="Toisen otsikko"' in html and "Toisen teksti" in html  # what they typed
    db.session.refresh(card)
    assert card.title == "Ensimmäisen otsikko"


def form_fields(html: str) -> dict:
    """Every field of the page's form as a browser would submit it, hidden ones included."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.values, self.current = {}, None

        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            name = attributes.get("name")
            if tag == "input" and name:
                if attributes.get("type") != "checkbox" or "checked" in attributes:
                    self.values[name] = attributes.get("value") or ""
            elif tag in ("textarea", "select") and name:
                self.values.setdefault(name, "")
                self.current = name
            elif tag == "option" and "selected" in attributes:
                self.values[self.current] = attributes.get("value") or ""

        def handle_data(self, data):
            if self.lasttag == "textarea" and self.current and data.strip():
                self.values[self.current] = data.strip()

    parser = Fields()
    parser.feed(html)
    parser.values.pop("csrf_token", None)
    return parser.values


def loaded_edit_form(client, card) -> dict:
    return form_fields(client.get(f"/improvements/{card.id}/edit").get_data(as_text=True))


def test_a_move_while_the_form_is_open_does_not_stop_the_save(world, login, db):
    card = world.improvement
    editor = login(world.users["member"])
    form = loaded_edit_form(editor, card)
    mover = login(world.users["supervisor"])
    assert mover.post(f"/improvements/{card.id}/move", data={"stage": "plan"}).status_code == 303
    saved = editor.post(f"/improvements/{card.id}/edit", data={**form, "title": "Uusi otsikko"})
    assert saved.status_code == 303
    db.session.refresh(card)
    assert (card.title, card.stage) == ("Uusi otsikko", "plan")


def test_edits_of_different_fields_are_both_kept(world, login, db):
    card = world.improvement
    first, second = login(world.users["member"]), login(world.users["supervisor"])
    first_form, second_form = loaded_edit_form(first, card), loaded_edit_form(second, card)
    assert first_form["original"] and first_form["title"] == card.title
    first.post(f"/improvements/{card.id}/edit", data={**first_form, "title": "Ensimmäisen"})
    response = second.post(
        f"/improvements/{card.id}/edit", data={**second_form, "problem": "Toisen ongelma"}
    )
    assert response.status_code == 303
    db.session.refresh(card)
    assert (card.title, card.problem) == ("Ensimmäisen", "Toisen ongelma")


def test_edits_of_the_same_field_conflict_on_that_field_only(world, login, db):
    card = world.improvement
    first, second = login(world.users["member"]), login(world.users["supervisor"])
    first_form, second_form = loaded_edit_form(first, card), loaded_edit_form(second, card)
    first.post(
        f"/improvements/{card.id}/edit",
        data={**first_form, "title": "Ensimmäisen", "problem": "Ensimmäisen ongelma"},
    )
    conflict = second.post(
        f"/improvements/{card.id}/edit",
        data={**second_form, "title": "Toisen"},
        headers=HTMX,
    )
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    differences = html[html.index("<table") : html.index("</table>")]
    assert "Ensimmäisen" in differences and "Toisen" in differences
    assert "Ensimmäisen ongelma" not in differences  # not theirs to decide: no clash there
    db.session.refresh(card)
    assert card.title == "Ensimmäisen"
    # Saving again from the conflict form replaces the title knowingly and keeps the problem.
    again = form_fields(html)
    assert again["title"] == "Toisen"
    assert second.post(f"/improvements/{card.id}/edit", data=again).status_code == 303
    db.session.refresh(card)
    assert (card.title, card.problem) == ("Toisen", "Ensimmäisen ongelma")


def test_archive_takes_the_card_off_the_board_and_restore_brings_it_back(world, login_as, db):
    client = login_as("supervisor")
    card = world.improvement
    assert client.post(f"/improvements/{card.id}/archive").status_code == 303
    assert "Oma kortti" not in board_html(client, world.team)
    assert "This card is archived" in client.get(f"/improvements/{card.id}").get_data(as_text=True)
    assert client.post(f"/improvements/{card.id}/restore").status_code == 303
    assert "Oma kortti" in board_html(client, world.team)
    kinds = db.session.scalars(
        select(Event.kind).where(Event.subject_type == "improvement", Event.subject_id == card.id)
    ).all()
    assert "archived" in kinds and "restored" in kinds


def test_user_with_several_teams_can_switch_between_boards(world, db, login):
    from lean.models import Membership, TeamRole

    user = world.users["member"]
    db.session.add(Membership(user=user, team=world.other_team, role=TeamRole.MEMBER))
    db.session.commit()
    html = board_html(login(user), world.team)
    assert f'href="/teams/{world.other_team.id}/board"' in html
    assert 'aria-current="page">Opintotoimisto' in html


def test_reader_from_another_team_sees_the_board_without_write_controls(world, login, db):
    outsider = make_user(world.organization, {world.other_team: "member"})
    html = board_html(login(outsider), world.team)
    assert "Oma kortti" in html
    assert 'id="quick-add"' not in html and "move-next-" not in html


def test_every_change_uses_csrf_in_htmx_through_the_body_header(world, login_as):
    html = board_html(login_as("member"), world.team)
    assert 'data-hx-headers=\'{"X-CSRFToken": "' in html


def test_a_drop_without_the_pages_csrf_token_is_refused(app, world, login_as, db):
    client = login_as("member")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        f"/improvements/{world.improvement.id}/place",
        data={"stage": "plan", "after": ""},
        headers=HTMX,
    )
    assert response.status_code == 400
    db.session.refresh(world.improvement)
    assert world.improvement.stage == "idea"
