"""A card's checklist: add, edit, tick, untick, remove and reorder items, in place and without
JavaScript, within the card's rights, with a stale edit told and the board's "2/5"."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from lean.boards import checklists
from lean.boards.services import refresh_stage_times
from lean.models import ChecklistItem, Event, Improvement, Notification
from tests.conftest import make_improvement, make_user

HTMX = {"HX-Request": "true"}


def texts(card) -> list[str]:
    return [item.text for item in checklists.checklist_items(card)]


def card_url(card) -> str:
    return f"/improvements/{card.id}"


def item_url(item) -> str:
    return f"/improvements/{item.improvement_id}/checklist/{item.id}"


def with_items(card, *names, done=()):
    """The card's checklist as given, `done` naming the items ticked."""
    author = card.owner
    items = checklists.add_checklist_items(author, card, list(names))
    for item in items:
        if item.text in done:
            checklists.tick_checklist_item(author, item)
    checklists.db.session.commit()
    return items


def announced(response) -> str:
    return json.loads(response.headers["HX-Trigger"])["vertaa:announce"]["message"]


def autofocused(html: str) -> str:
    """The id of the one control the swapped checklist focuses."""
    found = re.findall(r"<[^>]*\bautofocus\b[^>]*>", html)
    assert len(found) == 1, found
    return re.search(r'\bid="([^"]+)"', found[0]).group(1)


def kinds(card) -> list[str]:
    return list(
        checklists.db.session.scalars(
            select(Event.kind)
            .where(Event.subject_id == card.id, Event.kind.like("checklist%"))
            .order_by(Event.id)
        )
    )


# ---- the service a copied card or a template uses ----------------------------------------


def test_add_checklist_items_appends_in_order_with_one_event_each(world, db):
    card, member = world.improvement, world.users["member"]
    checklists.add_checklist_items(member, card, ["Kysy palaute", "  ", "Kokoa  tulokset"])
    checklists.add_checklist_items(member, card, ["Jaa tiimille", "x" * 400])
    db.session.commit()
    assert texts(card) == ["Kysy palaute", "Kokoa tulokset", "Jaa tiimille", "x" * 300]
    events = db.session.scalars(
        select(Event).where(Event.kind == "checklist_item_added").order_by(Event.id)
    ).all()
    assert [event.data["text"] for event in events] == texts(card)
    assert {event.subject_id for event in events} == {card.id}
    assert [item.position for item in db.session.scalars(select(ChecklistItem))] == [1, 2, 3, 4]


# ---- adding --------------------------------------------------------------------------------


def test_adding_without_javascript_comes_back_to_the_checklist(world, login_as):
    card = world.improvement
    client = login_as("member")
    response = client.post(f"{card_url(card)}/checklist", data={"text": "Kysy palaute"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{card_url(card)}#checklist")
    html = client.get(card_url(card)).get_data(as_text=True)
    assert "Item added: Kysy palaute" in html  # the flashed message
    assert 'id="checklist"' in html and "Kysy palaute" in html
    assert "added the checklist item “Kysy palaute”" in html  # the history
    assert texts(card) == ["Kysy palaute"]


def test_adding_in_place_swaps_the_checklist_focuses_the_field_and_announces(world, login_as):
    card = world.improvement
    with_items(card, "Kysy palaute")
    response = login_as("member").post(
        f"{card_url(card)}/checklist", data={"text": "Kokoa tulokset"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.startswith('<section id="checklist"')
    assert "<html" not in html
    assert html.index("Kysy palaute") < html.index("Kokoa tulokset")
    assert autofocused(html) == "checklist-new"
    assert re.search(r'id="checklist-new"[^>]*value=""', html)  # ready for the next one
    assert announced(response) == "Item added: Kokoa tulokset"
    # The card's history beside it is redrawn out of band.
    assert '<div id="card-history" data-hx-swap-oob="true">' in html
    assert "added the checklist item “Kokoa tulokset”" in html


@pytest.mark.parametrize(
    ("typed", "message"),
    [("   ", "This field is required."), ("y" * 301, "Field cannot be longer than 300")],
)
def test_a_refused_item_keeps_what_was_typed(world, login_as, typed, message):
    card = world.improvement
    client = login_as("member")
    for headers in (HTMX, {}):
        response = client.post(f"{card_url(card)}/checklist", data={"text": typed}, headers=headers)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert message in html
        assert 'aria-invalid="true"' in html
        if typed.strip():
            assert typed in html
    assert texts(card) == []


# ---- editing -------------------------------------------------------------------------------


def test_editing_opens_in_place_and_saves(world, login_as, db):
    card = world.improvement
    (item,) = with_items(card, "Kysy palaute")
    client = login_as("member")
    opened = client.get(f"{item_url(item)}/edit", headers=HTMX)
    assert opened.status_code == 200
    html = opened.get_data(as_text=True)
    assert autofocused(html) == f"checklist-item-{item.id}-field"
    assert 'value="Kysy palaute"' in html and 'name="version"' in html
    saved = client.post(
        f"{item_url(item)}/edit", data={"text": "Kysy palaute opiskelijoilta", "version": "1"},
        headers=HTMX,
    )  # fmt: skip
    assert saved.status_code == 200
    html = saved.get_data(as_text=True)
    assert autofocused(html) == f"checklist-item-{item.id}-edit"
    assert announced(saved) == "Item saved: Kysy palaute opiskelijoilta"
    assert "changed the checklist item “Kysy palaute” to “Kysy palaute opiskelijoilta”" in html
    assert texts(card) == ["Kysy palaute opiskelijoilta"]


def test_editing_without_javascript_is_the_card_page_with_the_field(world, login_as):
    card = world.improvement
    (item,) = with_items(card, "Kysy palaute")
    client = login_as("member")
    page = client.get(f"{item_url(item)}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<html" in html and "Oma kortti" in html
    assert autofocused(html) == f"checklist-item-{item.id}-field"
    cancel = re.search(rf'<a href="([^"]+)" id="checklist-item-{item.id}-cancel"', html).group(1)
    assert cancel == f"{card_url(card)}#checklist"
    saved = client.post(f"{item_url(item)}/edit", data={"text": "Uusi teksti", "version": "1"})
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith("#checklist")
    assert texts(card) == ["Uusi teksti"]


def test_cancelling_an_edit_in_place_gives_the_list_back_with_focus_on_edit(world, login_as):
    card = world.improvement
    (item,) = with_items(card, "Kysy palaute")
    response = login_as("member").get(f"{card_url(card)}/checklist?item={item.id}", headers=HTMX)
    html = response.get_data(as_text=True)
    assert f'id="checklist-item-{item.id}-field"' not in html
    assert autofocused(html) == f"checklist-item-{item.id}-edit"


def test_a_second_edit_of_the_same_item_is_told_and_nothing_is_lost(world, login_as, db):
    card = world.improvement
    (item,) = with_items(card, "Kysy palaute")
    first, second = login_as("member"), login_as("supervisor")
    # Both opened the item at version 1; the first saves.
    assert (
        first.post(
            f"{item_url(item)}/edit", data={"text": "Ensimmäisen teksti", "version": "1"}
        ).status_code
        == 303
    )
    for headers in (HTMX, {}):
        refused = second.post(
            f"{item_url(item)}/edit", data={"text": "Toisen teksti", "version": "1"},
            headers=headers,
        )  # fmt: skip
        assert refused.status_code == 409
        html = refused.get_data(as_text=True)
        assert "Someone changed this item while you were editing it" in html
        assert "it now reads “Ensimmäisen teksti”" in html
        assert 'value="Toisen teksti"' in html  # theirs is kept in the field
        assert re.search(r'name="version" type="hidden" value="2"', html)
    assert texts(card) == ["Ensimmäisen teksti"]
    # Saving again, knowingly, replaces the first one's text; both are in the history.
    again = second.post(f"{item_url(item)}/edit", data={"text": "Toisen teksti", "version": "2"})
    assert again.status_code == 303
    assert texts(card) == ["Toisen teksti"]
    history = first.get(card_url(card)).get_data(as_text=True)
    assert "to “Ensimmäisen teksti”" in history and "to “Toisen teksti”" in history


def test_editing_an_item_someone_removed_keeps_the_text_for_adding_again(world, login_as, db):
    card = world.improvement
    (item,) = with_items(card, "Kysy palaute")
    url = item_url(item)
    checklists.remove_checklist_item(world.users["supervisor"], item)
    db.session.commit()
    response = login_as("member").post(
        f"{url}/edit", data={"text": "Kysy palaute heti", "version": "1"}, headers=HTMX
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone removed this item while you were editing it" in html
    assert re.search(r'id="checklist-new"[^>]*value="Kysy palaute heti"', html)


def test_ticking_does_not_make_a_text_edit_stale(world, login_as, db):
    card = world.improvement
    (item,) = with_items(card, "Kysy palaute")
    checklists.tick_checklist_item(world.users["supervisor"], item)
    checklists.move_checklist_item(world.users["supervisor"], item, 1)
    db.session.commit()
    response = login_as("member").post(
        f"{item_url(item)}/edit", data={"text": "Kysy lisää", "version": "1"}
    )
    assert response.status_code == 303
    assert texts(card) == ["Kysy lisää"]


# ---- ticking -------------------------------------------------------------------------------


def test_ticking_and_unticking_in_place(world, login_as, db):
    card = world.improvement
    first, _second = with_items(card, "Kysy palaute", "Kokoa tulokset")
    client = login_as("supervisor")
    ticked = client.post(f"{item_url(first)}/done", data={"done": "1"}, headers=HTMX)
    assert ticked.status_code == 200
    html = ticked.get_data(as_text=True)
    assert announced(ticked) == "Item ticked: Kysy palaute"
    assert autofocused(html) == f"checklist-item-{first.id}-done"
    assert re.search(rf'id="checklist-item-{first.id}-done" aria-checked="true"', html)
    assert f"ticked by {world.users['supervisor'].name} 16.11.2026" in html
    assert "ticked the checklist item “Kysy palaute”" in html
    assert '<span aria-hidden="true">1/2</span>' in html
    db.session.expire_all()
    assert first.done and first.done_by_id == world.users["supervisor"].id
    assert first.done_at is not None and first.version == 1  # not an edit of its text

    unticked = client.post(f"{item_url(first)}/done", data={"done": "0"}, headers=HTMX)
    assert announced(unticked) == "Item unticked: Kysy palaute"
    assert re.search(
        rf'id="checklist-item-{first.id}-done" aria-checked="false"',
        unticked.get_data(as_text=True),
    )
    db.session.expire_all()
    assert not first.done and first.done_by_id is None and first.done_at is None
    assert kinds(card)[-2:] == ["checklist_item_ticked", "checklist_item_unticked"]


def test_ticking_twice_records_one_tick(world, login_as):
    card = world.improvement
    (item,) = with_items(card, "Kysy palaute")
    client = login_as("member")
    for _ in range(2):  # a second click from a page that still showed it unticked
        response = client.post(f"{item_url(item)}/done", data={"done": "1"})
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"{card_url(card)}#checklist")
    assert kinds(card).count("checklist_item_ticked") == 1
    assert "Item ticked: Kysy palaute" in client.get(card_url(card)).get_data(as_text=True)


def test_a_tick_without_a_state_is_refused(world, login_as):
    (item,) = with_items(world.improvement, "Kysy palaute")
    response = login_as("member").post(f"{item_url(item)}/done", data={"done": "maybe"})
    assert response.status_code == 400


# ---- reordering ----------------------------------------------------------------------------


def test_moving_items_up_and_down_keeps_focus_on_the_button(world, login_as, db):
    card = world.improvement
    first, _second, third = with_items(card, "Yksi", "Kaksi", "Kolme")
    client = login_as("member")
    up = client.post(f"{item_url(third)}/move", data={"direction": "up"}, headers=HTMX)
    assert up.status_code == 200
    assert texts(card) == ["Yksi", "Kolme", "Kaksi"]
    assert announced(up) == "Item moved to place 2 of 3: Kolme"
    assert autofocused(up.get_data(as_text=True)) == f"checklist-item-{third.id}-up"
    assert "moved the checklist item “Kolme” to place 2 of 3" in up.get_data(as_text=True)
    # At the top the item has no "Move up": focus goes to its "Move down".
    top = client.post(f"{item_url(third)}/move", data={"direction": "up"}, headers=HTMX)
    html = top.get_data(as_text=True)
    assert texts(card) == ["Kolme", "Yksi", "Kaksi"]
    assert f'id="checklist-item-{third.id}-up"' not in html
    assert autofocused(html) == f"checklist-item-{third.id}-down"
    down = client.post(f"{item_url(first)}/move", data={"direction": "down"})
    assert down.status_code == 303
    assert texts(card) == ["Kolme", "Kaksi", "Yksi"]
    positions = db.session.scalars(
        select(ChecklistItem.position).order_by(ChecklistItem.position)
    ).all()
    assert positions == [1, 2, 3]
    # Already at the bottom: nothing moves, nothing is recorded.
    recorded = len(kinds(card))
    client.post(f"{item_url(first)}/move", data={"direction": "down"})
    assert len(kinds(card)) == recorded
    assert client.post(f"{item_url(first)}/move", data={"direction": "left"}).status_code == 400


# ---- removing ------------------------------------------------------------------------------


def test_removing_an_item_focuses_the_next_one(world, login_as, db):
    card = world.improvement
    first, second = with_items(card, "Yksi", "Kaksi")
    client = login_as("member")
    response = client.post(f"{item_url(first)}/delete", data={"version": "1"}, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert announced(response) == "Item removed: Yksi"
    assert autofocused(html) == f"checklist-item-{second.id}-done"
    assert "removed the checklist item “Yksi”" in html
    assert texts(card) == ["Kaksi"]
    last = client.post(f"{item_url(second)}/delete", data={"version": "1"}, headers=HTMX)
    html = last.get_data(as_text=True)
    assert autofocused(html) == "checklist-new"
    assert "No checklist items yet." in html
    # Removed already (a second click): what was asked, said without an error.
    again = client.post(f"{item_url(second)}/delete", data={"version": "1"})
    assert again.status_code == 303
    assert texts(card) == []


def test_removing_an_item_edited_meanwhile_is_refused_with_its_new_text(world, login_as, db):
    card = world.improvement
    (item,) = with_items(card, "Yksi")
    checklists.edit_checklist_item(world.users["supervisor"], item, "Yksi ja puoli", 1)
    db.session.commit()
    client = login_as("member")
    response = client.post(f"{item_url(item)}/delete", data={"version": "1"}, headers=HTMX)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "it now reads “Yksi ja puoli”" in html
    assert texts(card) == ["Yksi ja puoli"]
    # The page's form now carries the new version: deleting again removes it.
    assert client.post(f"{item_url(item)}/delete", data={"version": "2"}).status_code == 303
    assert texts(card) == []


# ---- rights --------------------------------------------------------------------------------


ACTIONS = [
    ("edit", {"text": "Muutettu", "version": "1"}),
    ("done", {"done": "1"}),
    ("move", {"direction": "down"}),
    ("delete", {"version": "1"}),
]


@pytest.mark.parametrize(("action", "form"), ACTIONS)
def test_an_item_of_another_card_answers_404(world, login_as, action, form):
    other_card = make_improvement(world.team, world.users["member"], title="Toinen kortti")
    (foreign_item,) = with_items(world.foreign_improvement, "Vieras kohta")
    (other_item,) = with_items(other_card, "Toisen kortin kohta")
    client = login_as("member")
    for item in (other_item, foreign_item):
        url = f"{card_url(world.improvement)}/checklist/{item.id}/{action}"
        assert client.post(url, data=form).status_code == 404
    assert (
        client.post(f"{card_url(world.improvement)}/checklist/999/{action}", data=form).status_code
        == 404
    )
    assert texts(other_card) == ["Toisen kortin kohta"]
    assert texts(world.foreign_improvement) == ["Vieras kohta"]


def test_a_foreign_organizations_card_answers_404(world, login_as):
    (item,) = with_items(world.foreign_improvement, "Vieras kohta")
    client = login_as("member")
    assert (
        client.post(
            f"{card_url(world.foreign_improvement)}/checklist", data={"text": "x"}
        ).status_code
        == 404
    )
    for action, form in ACTIONS:
        assert client.post(f"{item_url(item)}/{action}", data=form).status_code == 404
    assert client.get(f"{item_url(item)}/edit").status_code == 404


def test_readers_see_the_checklist_without_its_controls(world, login_as):
    card = world.improvement
    first, _ = with_items(card, "Yksi", "Kaksi", done=("Yksi",))
    reader = login_as("coordinator")
    html = reader.get(card_url(card)).get_data(as_text=True)
    assert "Yksi" in html and "Kaksi" in html
    assert "Done:" in html and "Not done:" in html
    assert 'role="checkbox"' not in html and 'id="checklist-new"' not in html
    assert "/checklist/" not in html
    for action, form in ACTIONS:
        assert reader.post(f"{item_url(first)}/{action}", data=form).status_code == 403
    assert reader.post(f"{card_url(card)}/checklist", data={"text": "x"}).status_code == 403
    assert texts(card) == ["Yksi", "Kaksi"]


def test_a_member_of_another_team_may_not_change_the_checklist(world, login):
    outsider = make_user(world.organization, {world.other_team: "member"})
    (item,) = with_items(world.improvement, "Yksi")
    client = login(outsider)
    assert client.post(f"{item_url(item)}/done", data={"done": "1"}).status_code == 403


# ---- history, the stand-up and notifications ----------------------------------------------


@pytest.mark.parametrize(
    ("language", "sentences"),
    [
        (
            "fi",
            [
                "lisäsi tarkistuslistan kohdan ”Yksi”",
                "merkitsi tarkistuslistan kohdan ”Yksi” tehdyksi",
                "muutti tarkistuslistan kohdan ”Yksi” muotoon ”Ykkönen”",
                "siirsi tarkistuslistan kohdan ”Ykkönen” paikalle 2/2",
                "poisti tehdyn merkinnän tarkistuslistan kohdasta ”Ykkönen”",
                "poisti tarkistuslistan kohdan ”Kaksi”",
            ],
        ),
        (
            "sv",
            [
                "lade till punkten ”Yksi” i checklistan",
                "bockade av punkten ”Yksi” i checklistan",
                "ändrade punkten ”Yksi” i checklistan till ”Ykkönen”",
                "flyttade punkten ”Ykkönen” i checklistan till plats 2 av 2",
                "tog bort bocken från punkten ”Ykkönen” i checklistan",
                "tog bort punkten ”Kaksi” ur checklistan",
            ],
        ),
    ],
)
def test_the_history_tells_checklist_changes_in_the_readers_language(
    world, login_as, db, language, sentences
):
    card, member = world.improvement, world.users["member"]
    first, second = with_items(card, "Yksi", "Kaksi")
    checklists.tick_checklist_item(member, first)
    checklists.edit_checklist_item(member, first, "Ykkönen", 1)
    checklists.move_checklist_item(member, first, 1)
    checklists.untick_checklist_item(member, first)
    checklists.remove_checklist_item(member, second)
    member.language = language
    db.session.commit()
    html = login_as("member").get(card_url(card)).get_data(as_text=True)
    for sentence in sentences:
        assert sentence in html


def test_a_tick_counts_as_a_change_since_the_last_standup(world, login_as, db):
    from lean.standups import queries as standups

    card = make_improvement(world.team, world.users["member"], title="Hiljainen", stage="plan")
    (item,) = with_items(card, "Yksi")
    moment = datetime.now(UTC) - timedelta(days=20)
    db.session.execute(update(Event).where(Event.subject_id == card.id).values(at=moment))
    card.created_at = moment
    refresh_stage_times(Improvement.id == card.id)
    card.stage_entered_at = datetime.now(UTC) - timedelta(days=2)  # not aged in Plan
    db.session.commit()
    now = datetime.now(UTC)

    def reason() -> str | None:
        since = standups.agenda_since(world.team.id, now + timedelta(minutes=1))
        since.changes = now - timedelta(days=1)
        return dict(standups.agenda(world.team, since, now, now.date())).get(card.id)

    assert reason() is None
    assert login_as("member").post(f"{item_url(item)}/done", data={"done": "1"}).status_code == 303
    assert reason() == "changed"
    since_page = login_as("supervisor").get(f"/teams/{world.team.id}/since-standup")
    assert "ticked the checklist item “Yksi”" in since_page.get_data(as_text=True)


def test_checklist_changes_notify_nobody_and_a_mention_still_notifies_once(world, login_as, db):
    from lean.conversation import services as conversation

    card = world.improvement
    supervisor = world.users["supervisor"]
    client = login_as("supervisor")
    # The card's owner and a follower would hear of its comments and moves.
    conversation.follow_card(world.users["coordinator"], card)
    db.session.commit()
    client.post(f"{card_url(card)}/checklist", data={"text": "Kysy palaute"})
    (item,) = checklists.checklist_items(card)
    client.post(f"{item_url(item)}/done", data={"done": "1"})
    client.post(f"{item_url(item)}/edit", data={"text": "Kysy palautetta", "version": "1"})
    client.post(f"{item_url(item)}/delete", data={"version": "2"})
    assert db.session.scalars(select(Notification)).all() == []
    member = world.users["member"]
    conversation.comment_on_card(supervisor, card, f"@{member.name} hoida kohta", [member])
    db.session.commit()
    told = db.session.scalars(select(Notification).where(Notification.user_id == member.id)).all()
    assert len(told) == 1


# ---- the board -----------------------------------------------------------------------------


def test_the_board_card_shows_its_checklist_count(world, login_as, db):
    card = world.improvement
    with_items(card, "Yksi", "Kaksi", "Kolme", "Neljä", "Viisi", done=("Yksi", "Kolme"))
    make_improvement(world.team, world.users["member"], title="Ilman listaa")
    html = login_as("member").get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert '<span aria-hidden="true">☑ 2/5</span>' in html
    assert '<span class="visually-hidden">2 of 5 checklist items done</span>' in html
    assert html.count("checklist-count") == 1  # the card without items shows none


def test_a_tick_redraws_a_kept_board(world, login_as, db):
    card = world.improvement
    (item,) = with_items(card, "Yksi")
    client = login_as("member")
    board = f"/teams/{world.team.id}/board"
    assert "☑ 0/1" in client.get(board).get_data(as_text=True)
    client.post(f"{item_url(item)}/done", data={"done": "1"})
    html = client.get(board).get_data(as_text=True)
    assert "☑ 1/1" in html and "1 of 1 checklist item done" in html


def test_a_moved_card_keeps_its_count(world, login_as):
    card = world.improvement
    with_items(card, "Yksi", "Kaksi", done=("Kaksi",))
    response = login_as("member").post(
        f"{card_url(card)}/move", data={"stage": "plan", "from": "board"}, headers=HTMX
    )
    assert "☑ 1/2" in response.get_data(as_text=True)
