"""An open card page asks whether the card changed (304 while not), and the changes people make
on the board, the card page, the stand-up and the A3 sheet are said in the page's live region."""

import json
import re

from lean.a3 import services as a3
from lean.admin.services import update_profile
from lean.auth.services import end_all_sessions
from lean.boards import services as boards
from lean.conversation import services as conversation
from lean.core.extensions import db
from lean.models import CardComment, Stage
from lean.standups import services as standups
from tests.conftest import make_improvement
from tests.functional.test_query_counts import QUICK_NOT_MODIFIED_QUERIES

HTMX = {"HX-Request": "true"}


def page_tag(html: str) -> str:
    return re.search(r"data-etag='([^']+)'", html).group(1)


def announced(response) -> dict:
    """What the answer asks the page to say (lean/shared/web.py announce())."""
    return json.loads(response.headers["HX-Trigger"])["vertaa:announce"]


def comment_as(user, improvement, body: str) -> CardComment:
    comment = conversation.comment_on_card(user, improvement, body, [])
    db.session.commit()
    return comment


# ---- the open card page's check -----------------------------------------------------------


def test_an_unchanged_card_answers_304_and_a_new_comment_the_fresh_comments(world, login_as):
    client = login_as("member")
    url = f"/improvements/{world.improvement.id}"
    html = client.get(url).get_data(as_text=True)
    assert 'id="page-freshness"' in html
    assert f'data-freshness-url="{url}?"' in html and 'data-freshness-target="#comments"' in html
    tag = page_tag(html)

    unchanged = client.get(url, headers={**HTMX, "If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    assert unchanged.headers["ETag"] == tag

    comment_as(world.users["supervisor"], world.improvement, "Hyvä ajatus, jatketaan")
    changed = client.get(url, headers={**HTMX, "If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    body = changed.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="comments"') and "<html" not in body
    assert "Hyvä ajatus, jatketaan" in body
    again = client.get(url, headers={**HTMX, "If-None-Match": changed.headers["ETag"]})
    assert again.status_code == 304


def test_other_cards_leave_the_tag_and_the_cards_own_changes_and_names_renew_it(world, login_as):
    client = login_as("member")
    url = f"/improvements/{world.improvement.id}"
    tag = page_tag(client.get(url).get_data(as_text=True))
    # Another card of the same team, moved and commented: this card's page is as it was.
    other = make_improvement(world.team, world.users["supervisor"], title="Toinen kortti")
    boards.move_improvement(world.users["supervisor"], other, Stage.PLAN)
    comment_as(world.users["supervisor"], other, "Ei tähän korttiin")
    db.session.commit()
    assert client.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 304

    # The card itself moved: a new tag.
    boards.move_improvement(world.users["supervisor"], world.improvement, Stage.PLAN)
    db.session.commit()
    moved = client.get(url, headers={**HTMX, "If-None-Match": tag})
    assert moved.status_code == 200
    tag = moved.headers["ETag"]

    # A commenter renames themselves: the comments show the new name.
    comment_as(world.users["supervisor"], world.improvement, "Katsotaan")
    tag = client.get(url, headers={**HTMX, "If-None-Match": tag}).headers["ETag"]
    supervisor = world.users["supervisor"]
    update_profile(supervisor, name="Sanna Uusinimi", language=supervisor.language)
    db.session.commit()
    renamed = client.get(url, headers={**HTMX, "If-None-Match": tag})
    assert renamed.status_code == 200 and "Sanna Uusinimi" in renamed.get_data(as_text=True)


def test_the_card_tag_differs_per_person_and_a_full_page_is_never_304(world, login_as):
    url = f"/improvements/{world.improvement.id}"
    member = login_as("member")
    tag = page_tag(member.get(url).get_data(as_text=True))
    full = member.get(url, headers={"If-None-Match": tag})
    assert full.status_code == 200 and "ETag" not in full.headers
    supervisor = login_as("supervisor")
    assert supervisor.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 200


def test_a_history_restore_of_the_card_page_gets_the_whole_page(world, login_as):
    response = login_as("member").get(
        f"/improvements/{world.improvement.id}",
        headers={**HTMX, "HX-History-Restore-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html and 'id="comments"' in html
    assert {"HX-Request", "HX-History-Restore-Request"} <= set(response.vary)


def test_the_card_304_costs_a_fixed_small_number_of_statements(world, login_as, query_counter):
    client = login_as("member")
    url = f"/improvements/{world.improvement.id}"
    tag = page_tag(client.get(url).get_data(as_text=True))
    with query_counter() as small:
        assert client.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 304
    # A long conversation and history on the card, all of it older than the page's tag.
    for number in range(30):
        comment_as(world.users["supervisor"], world.improvement, f"Kommentti {number}")
        boards.move_improvement(world.users["supervisor"], world.improvement, Stage.PLAN)
        boards.move_improvement(world.users["supervisor"], world.improvement, Stage.IDEA)
    db.session.commit()
    tag = page_tag(client.get(url).get_data(as_text=True))
    with query_counter() as large:
        assert client.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 304
    assert small.value == large.value == QUICK_NOT_MODIFIED_QUERIES


def test_a_foreign_card_is_not_found_also_for_the_check(world, login_as):
    response = login_as("member").get(
        f"/improvements/{world.foreign_improvement.id}", headers={**HTMX, "If-None-Match": "x"}
    )
    assert response.status_code == 404


def test_an_ended_login_or_a_lost_right_gets_the_full_answer_not_304(world, login_as):
    """The card's check is answered before the person is loaded, by the full request's rules."""
    url = f"/improvements/{world.improvement.id}"
    client = login_as("member")
    tag = page_tag(client.get(url).get_data(as_text=True))
    assert client.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 304

    member = world.users["member"]
    member.organization_id = world.foreign_organization.id  # moved to another organization
    db.session.commit()
    assert client.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 404
    member.organization_id = world.organization.id
    db.session.commit()
    assert client.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 304

    end_all_sessions(member)
    db.session.commit()
    answer = client.get(url, headers={**HTMX, "If-None-Match": tag})
    assert answer.status_code != 304
    assert "/login" in (answer.headers.get("HX-Redirect") or answer.headers.get("Location") or "")
    # A card that is gone is the full request's 404, whatever tag is sent.
    assert (
        login_as("member")
        .get("/improvements/999999", headers={**HTMX, "If-None-Match": tag})
        .status_code
        == 404
    )


# ---- what is said in the live region --------------------------------------------------------


def test_a_comment_posted_edited_and_deleted_is_said_and_focused(world, login_as):
    client = login_as("member")
    url = f"/improvements/{world.improvement.id}/comments"
    added = client.post(url, data={"body": "Ensimmäinen huomio"}, headers=HTMX)
    comment = db.session.query(CardComment).filter_by(body="Ensimmäinen huomio").one()
    assert added.status_code == 200
    assert announced(added) == {"message": "Comment added.", "focus": f"comment-{comment.id}"}
    assert f'id="comment-{comment.id}" tabindex="-1"' in added.get_data(as_text=True)

    edited = client.post(
        f"/comments/{comment.id}/edit", data={"body": "Korjattu huomio"}, headers=HTMX
    )
    assert announced(edited) == {"message": "Comment saved.", "focus": f"comment-{comment.id}"}

    deleted = client.post(f"/comments/{comment.id}/delete", headers=HTMX)
    assert announced(deleted) == {"message": "Comment deleted.", "focus": "comments-heading"}
    assert 'id="comments-heading" tabindex="-1"' in deleted.get_data(as_text=True)


def test_the_comment_is_said_in_the_persons_language(world, login_as):
    member = world.users["member"]
    update_profile(member, name=member.name, language="fi")
    db.session.commit()
    client = login_as("member")
    added = client.post(
        f"/improvements/{world.improvement.id}/comments", data={"body": "Hyvä"}, headers=HTMX
    )
    assert announced(added)["message"] == "Kommentti lisätty."


def test_a_move_on_the_board_says_the_column_and_a_new_place_in_it_is_said_too(world, login_as):
    client = login_as("member")
    card = world.improvement
    moved = client.post(f"/improvements/{card.id}/place", data={"stage": "do"}, headers=HTMX)
    html = moved.get_data(as_text=True)
    assert moved.status_code == 200
    assert '<div id="messages" data-hx-swap-oob="innerHTML">' in html
    assert "Card moved to Do." in html.split('id="messages"')[1]

    neighbour = make_improvement(world.team, world.users["member"], title="Naapuri", stage="do")
    placed = client.post(
        f"/improvements/{card.id}/place", data={"stage": "do", "after": neighbour.id}, headers=HTMX
    )
    assert placed.status_code == 200
    assert announced(placed) == {"message": "Card placed in Do."}


def test_a_move_in_the_standup_says_the_column(world, login_as):
    standup, _ = standups.start_standup(world.users["supervisor"], world.team)
    db.session.commit()
    client = login_as("supervisor")
    moved = client.post(
        f"/standups/{standup.id}/cards/{world.improvement.id}/move",
        data={"stage": "plan"},
        follow_redirects=True,
    )
    assert moved.status_code == 200
    messages = moved.get_data(as_text=True).split('id="messages"')[1].split("</div>")[0]
    assert "Card moved to Plan." in messages


def test_an_a3_section_saved_and_a_comment_added_are_said(world, login_as):
    sheet = a3.start_a3(world.users["member"], world.improvement)
    db.session.commit()
    client = login_as("member")
    saved = client.post(
        f"/a3/{sheet.id}/sections/background/edit",
        data={"version": "1", "background": "Jonot kasvavat."},
        headers=HTMX,
    )
    assert saved.status_code == 200 and announced(saved) == {"message": "Section saved."}
    commented = client.post(
        f"/a3/{sheet.id}/sections/background/comments", data={"body": "Mistä luku?"}, headers=HTMX
    )
    assert announced(commented) == {"message": "Comment added."}

    # Without JavaScript the sheet comes back with the message.
    plain = client.post(
        f"/a3/{sheet.id}/sections/background/edit",
        data={"version": "2", "background": "Jonot kasvavat yhä."},
        follow_redirects=True,
    )
    assert "Section saved." in plain.get_data(as_text=True).split('id="messages"')[1]
