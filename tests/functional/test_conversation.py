"""Card comments with mentions, follows and the personal inbox, policy-exact."""

import pytest
from sqlalchemy import func, select

from lean.boards import services as boards
from lean.conversation import services as conversation
from lean.core.extensions import db
from lean.models import CardComment, CardFollow, Notification, Stage
from tests.conftest import make_improvement, make_team, make_user


def inbox_of(user) -> list[tuple[str, str]]:
    db.session.commit()  # what the test did is kept, as a request's is, and its people told
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return [(n.reason, n.path) for n in rows]


def test_a_comment_shows_escaped_on_the_card_and_in_its_history(world, login_as):
    client = login_as("supervisor")
    url = f"/improvements/{world.improvement.id}"
    response = client.post(f"{url}/comments", data={"body": "<script>alert(1)</script> Hyvä!"})
    assert response.status_code == 303
    html = client.get(url).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hyvä!" in html
    assert "<script>alert(1)" not in html
    assert "commented" in html.split('id="card-history"')[1]


def test_htmx_comment_returns_the_comments_and_the_history_out_of_band(world, login_as):
    client = login_as("member")
    response = client.post(
        f"/improvements/{world.improvement.id}/comments",
        data={"body": "Sovitaan huomenna"},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="comments"') and "Sovitaan huomenna" in html
    assert 'id="card-history" data-hx-swap-oob="true"' in html
    assert "<html" not in html


def test_an_empty_comment_is_refused_with_422(world, login_as):
    response = login_as("member").post(
        f"/improvements/{world.improvement.id}/comments",
        data={"body": "  "},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def post_mentioning_a_leaver(world, login_as, url: str, text: str):
    """The member posts `text` and a mention of a colleague who left after the list was shown."""
    former = world.users["supervisor"]
    former.active = False
    db.session.commit()
    response = login_as("member").post(
        url,
        data={"body": f"{text} @{former.name}", "mention": str(former.id)},
        headers={"HX-Request": "true"},
    )
    return former, response


def test_mentioning_someone_who_cannot_read_the_card_is_refused(world, login_as):
    # A colleague who left (deactivated) after the list was shown; someone of another
    # organization picked is left out unnamed (tests/functional/test_authorization.py).
    url = f"/improvements/{world.improvement.id}/comments"
    former, response = post_mentioning_a_leaver(world, login_as, url, "Katso tämä")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"{former.name} cannot read this card" in html
    assert "Katso tämä @" in html  # what was typed stays
    assert inbox_of(former) == []


def test_a_mention_typed_or_picked_notifies_the_person_once(world, login_as):
    supervisor, member = world.users["supervisor"], world.users["member"]
    coordinator = world.users["coordinator"]
    card = make_improvement(world.other_team, title="Toisen tiimin kortti")
    client = login_as("member")
    client.post(
        f"/improvements/{card.id}/comments",
        data={
            "body": f"@{supervisor.name} ja @{coordinator.name.lower()} katsokaa",
            "mention": str(supervisor.id),
        },
    )
    comment_path = inbox_of(supervisor)[0][1]
    assert inbox_of(supervisor) == [("mentioned", comment_path)]
    assert comment_path.startswith(f"/improvements/{card.id}#comment-")
    assert inbox_of(coordinator) == [("mentioned", comment_path)]
    assert inbox_of(member) == []  # never told of one's own doing
    assert inbox_of(card.owner) == [("comment_on_my_card", comment_path)]


def test_notifications_reach_only_people_who_may_read_the_card(world, login_as):
    """Owner, followers and mentions on cards of another team and another organization:
    nobody who cannot read the card hears of it."""
    foreign = world.users["foreign_member"]
    inactive = make_user(world.organization, {world.team: "member"}, active=False)
    own_team_card = world.improvement
    other_team_card = make_improvement(world.other_team)
    # Follows that the pages would refuse, made directly: an outsider and a deactivated person.
    for card in (own_team_card, other_team_card):
        db.session.add(CardFollow(user_id=foreign.id, improvement_id=card.id))
        db.session.add(CardFollow(user_id=inactive.id, improvement_id=card.id))
    other_team_card.owner = foreign  # an owner who left for another organization
    db.session.commit()
    client = login_as("supervisor")
    for card in (own_team_card, other_team_card):
        response = client.post(
            f"/improvements/{card.id}/comments",
            data={"body": f"@{inactive.name} @{foreign.name} huomio"},
        )
        assert response.status_code == 303
    # And the other organization's own card, commented by its own member.
    foreign_client = login_as("foreign_member")
    foreign_client.post(
        f"/improvements/{world.foreign_improvement.id}/comments",
        data={"body": f"@{world.users['member'].name} hei"},
    )
    assert inbox_of(foreign) == []
    assert inbox_of(inactive) == []
    assert inbox_of(world.users["member"]) == [
        ("comment_on_my_card", inbox_of(world.users["member"])[0][1])
    ]
    assert f"/improvements/{own_team_card.id}#" in inbox_of(world.users["member"])[0][1]


def test_followers_hear_of_comments_and_can_unfollow(world, login_as):
    coordinator = world.users["coordinator"]
    client = login_as("coordinator")
    url = f"/improvements/{world.improvement.id}"
    assert client.post(f"{url}/follow", data={"follow": "1"}).status_code == 303
    assert 'aria-pressed="true"' in client.get(url).get_data(as_text=True)
    conversation.comment_on_card(world.users["member"], world.improvement, "Eka", [])
    assert [reason for reason, _ in inbox_of(coordinator)] == ["comment_on_followed"]
    client.post(f"{url}/follow", data={"follow": "0"})
    conversation.comment_on_card(world.users["member"], world.improvement, "Toka", [])
    assert len(inbox_of(coordinator)) == 1


def test_authors_edit_and_delete_their_own_comments_only(world, login_as):
    comment = conversation.comment_on_card(world.users["member"], world.improvement, "Vanha", [])
    other = login_as("supervisor")
    assert other.post(f"/comments/{comment.id}/edit", data={"body": "Minun"}).status_code == 403
    assert other.post(f"/comments/{comment.id}/delete").status_code == 403
    author = login_as("member")
    supervisor = world.users["supervisor"]
    response = author.post(
        f"/comments/{comment.id}/edit", data={"body": f"Uusi, @{supervisor.name}"}
    )
    assert response.status_code == 303
    html = author.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert "Uusi, @" in html and "Vanha</p>" not in html and "edited a comment" in html
    assert [reason for reason, _ in inbox_of(supervisor)] == ["mentioned"]
    assert author.post(f"/comments/{comment.id}/delete").status_code == 303
    html = author.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert "Uusi, @" not in html.split('id="card-history"')[0]
    assert "deleted a comment" in html


def test_owner_change_move_and_answered_escalation_notify(world):
    from lean.standups import services as standups

    member, supervisor = world.users["member"], world.users["supervisor"]
    card = make_improvement(world.team, supervisor)
    boards.update_improvement(supervisor, card, card.version, {"owner_id": member.id})
    boards.move_improvement(supervisor, card, Stage.PLAN)
    boards.move_improvement(member, card, Stage.DO)  # the owner's own move: no notice
    standup, _ = standups.start_standup(supervisor, world.team)
    escalation = standups.escalate_card(member, standup, card, "Saako tähän rahaa?")
    standups.answer_escalation(world.users["coordinator"], escalation, "Saa.")
    assert [reason for reason, _ in inbox_of(member)] == [
        "made_owner",
        "card_moved",
        "escalation_answered",
    ]


def test_the_inbox_links_to_the_thing_and_marks_read(world, login_as):
    conversation.comment_on_card(world.users["supervisor"], world.improvement, "Hei", [])
    conversation.comment_on_card(world.users["coordinator"], world.improvement, "Moi", [])
    client = login_as("member")
    board = client.get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert "2 unread" in board
    html = client.get("/notifications").get_data(as_text=True)
    assert f'href="/improvements/{world.improvement.id}#comment-' in html
    assert "commented on your card" in html
    first = db.session.scalars(select(Notification.id).order_by(Notification.id)).first()
    assert client.post(f"/notifications/{first}/read").status_code == 303
    assert "1 unread" in client.get("/notifications").get_data(as_text=True)
    assert client.post("/notifications/read").status_code == 303
    assert "0 unread" in client.get("/notifications").get_data(as_text=True)


def test_a_notification_is_marked_read_on_the_way_to_what_it_names(world, login_as):
    conversation.comment_on_card(world.users["supervisor"], world.improvement, "Hei", [])
    client = login_as("member")
    html = client.get("/notifications").get_data(as_text=True)
    notification = db.session.scalars(select(Notification.id)).one()
    # The link of the unread notification names the form that its following sends.
    assert f'data-marks-read="mark-read-{notification}"' in html
    assert f'id="mark-read-{notification}"' in html
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        f"/notifications/{notification}/read", data={"csrf_token": token, "on_the_way": "1"}
    )
    assert response.status_code == 204
    html = client.get("/notifications").get_data(as_text=True)
    assert "0 unread" in html and "data-marks-read" not in html


def test_mention_suggestions_list_only_the_cards_organization(world, login_as):
    make_user(
        world.foreign_organization,
        {make_team(world.foreign_organization): "member"},
        name="Maija Vieras",
    )
    make_user(world.organization, {world.team: "member"}, name="Maija Oma")
    html = (
        login_as("member")
        .get(f"/improvements/{world.improvement.id}/mentions?q=maij")
        .get_data(as_text=True)
    )
    assert 'role="option"' in html and "Maija Oma" in html and "Maija Vieras" not in html


def test_my_work_lists_my_cards_actions_unanswered_comments_and_escalations(
    world, login_as, query_counter
):
    from datetime import timedelta

    from lean.a3 import services as a3
    from lean.standups import services as standups
    from tests.conftest import today

    member, supervisor = world.users["member"], world.users["supervisor"]
    soon = make_improvement(world.other_team, member, title="Pian erääntyvä")
    soon.due_date = today() + timedelta(days=2)
    make_improvement(world.team, member, title="Valmis jo", stage="done")
    make_improvement(world.team, supervisor, title="Jonkun muun kortti")
    db.session.commit()
    sheet = a3.start_a3(member, world.improvement)
    a3.add_item(
        member, sheet, a3.ITEM_KINDS["actions"], {"what": "Mittaa jono", "who_id": member.id}
    )
    conversation.comment_on_card(supervisor, world.improvement, "Mitä mieltä?", [member])
    conversation.comment_on_card(supervisor, soon, "Entä tämä?", [])
    db.session.commit()  # the member is told of them; the answer comes in a later request
    conversation.comment_on_card(member, soon, "Hoidan", [])  # answered
    escalation = standups.escalate_card(member, None, soon, "Saako budjettia?")

    client = login_as("member")
    html = client.get("/me").get_data(as_text=True)
    cards = html.split('id="my-cards"')[1].split("</table>")[0]
    assert cards.index("Pian erääntyvä") < cards.index("Oma kortti")  # by due date first
    assert "Valmis jo" not in html and "Jonkun muun kortti" not in html
    assert "Mittaa jono" in html
    unanswered = html.split('id="my-unanswered"')[1].split("</section>")[0]
    assert "Oma kortti" in unanswered and "Pian erääntyvä" not in unanswered
    assert "Saako budjettia?" in html and "Waiting for an answer" in html

    with query_counter() as small:
        client.get("/me")
    for number in range(5):
        make_improvement(world.team, member, title=f"Lisää {number}")
        conversation.comment_on_card(supervisor, world.improvement, f"Lisää {number}", [])
    standups.escalate_card(member, None, world.improvement, "Toinen kysymys?")
    assert escalation.id
    db.session.commit()
    with query_counter() as large:
        client.get("/me")
    assert small.value == large.value


def test_a3_comments_reach_the_owner_and_the_coach_of_the_sheet(world):
    from lean.a3 import services as a3

    member, supervisor = world.users["member"], world.users["supervisor"]
    coach = world.users["foreign_member"]  # a peer coach from another organization
    sheet = a3.start_a3(member, world.improvement)
    a3.name_peer_coach(world.users["coordinator"], sheet, coach)
    question = a3.add_comment(supervisor, sheet, "background", "Mistä luvut ovat?")
    a3.add_comment(coach, sheet, "background", "Tilastosta", parent=question)
    path = f"/improvements/{world.improvement.id}/a3"
    assert inbox_of(member) == [("a3_comment", path), ("a3_comment", path)]
    assert inbox_of(coach) == [("a3_comment", path)]  # not of their own answer
    assert inbox_of(world.users["coordinator"]) == []


def test_a_practice_publisher_hears_of_comments_and_adoptions(world):
    from lean.network.services import (
        PracticeText,
        adopt_practice,
        comment_on_practice,
        publish_practice,
    )
    from lean.network.snapshot import Shares
    from tests.conftest import theme

    coordinator, foreign = world.users["coordinator"], world.users["foreign_member"]
    done = make_improvement(world.team, world.users["member"], stage="done")
    text = PracticeText("Jaettu tapa", "Tiivis", "", theme(), None, Shares())
    practice = publish_practice(coordinator, done, text)
    comment_on_practice(foreign, practice, "Miten aloititte?")
    adopt_practice(foreign, practice, world.foreign_team)
    comment_on_practice(coordinator, practice, "Näin")  # their own: no notification
    path = f"/network/practices/{practice.id}"
    assert inbox_of(coordinator) == [("practice_commented", path), ("practice_adopted", path)]


@pytest.mark.parametrize("mentioned", [False, True])
def test_telling_followers_takes_the_same_statements_for_1_and_20(world, query_counter, mentioned):
    """Delivering a comment asks the policy for every follower without a query per person."""

    def statements_for(followers: int) -> tuple[int, int]:
        card = make_improvement(world.other_team, world.users["supervisor"])
        people = [
            make_user(world.organization, {world.other_team: "member"}) for _ in range(followers)
        ]
        # Some followers of another organization too: the policy must still leave them out.
        people.append(world.users["foreign_member"])
        for person in people:
            db.session.add(CardFollow(user_id=person.id, improvement_id=card.id))
        db.session.commit()
        mentions = [world.users["coordinator"]] if mentioned else []
        db.session.expire_all()  # as in a new request: nothing of the card loaded yet
        card = db.session.get(type(card), card.id)
        author = db.session.get(type(world.users["member"]), world.users["member"].id)
        with query_counter() as counter:
            conversation.comment_on_card(author, card, "Kaikille", mentions)
            db.session.commit()  # as the request's end does: the followers are told now
        told = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.path.like(f"/improvements/{card.id}#%")
            )
        )
        return counter.value, told

    one, told_one = statements_for(1)
    twenty, told_twenty = statements_for(20)
    extra = 1 if mentioned else 0
    assert (told_one, told_twenty) == (1 + 1 + extra, 20 + 1 + extra)  # followers and the owner
    assert one == twenty


def test_the_edit_form_offers_the_mention_picker(world, login_as):
    comment = conversation.comment_on_card(world.users["member"], world.improvement, "Vanha", [])
    html = (
        login_as("member")
        .get(f"/comments/{comment.id}/edit", headers={"HX-Request": "true"})
        .get_data(as_text=True)
    )
    editor = html.split(f'id="comment-{comment.id}"')[1].split("</form>")[0]
    assert f'data-mention-for="comment-edit-{comment.id}"' in editor
    assert "People to mention" in editor
    assert f'/improvements/{world.improvement.id}/mentions"' in editor
    # The new comment's picker is on the page too: the two share no id.
    ids = [part.split('"')[0] for part in html.split(' id="')[1:]]
    assert len(ids) == len(set(ids))


def test_an_edit_tells_only_the_people_it_newly_mentions_and_only_once(world, login_as):
    supervisor, coordinator = world.users["supervisor"], world.users["coordinator"]
    author = login_as("member")
    author.post(
        f"/improvements/{world.improvement.id}/comments",
        data={"body": f"@{supervisor.name} katso", "mention": str(supervisor.id)},
    )
    comment_id = db.session.scalar(select(func.max(CardComment.id)))
    edit = f"/comments/{comment_id}/edit"
    both = f"@{supervisor.name} ja @{coordinator.name} katsokaa"
    response = author.post(edit, data={"body": both, "mention": str(coordinator.id)})
    assert response.status_code == 303
    path = f"/improvements/{world.improvement.id}#comment-{comment_id}"
    assert inbox_of(supervisor) == [("mentioned", path)]  # told when the comment was made
    assert inbox_of(coordinator) == [("mentioned", path)]  # told of the edit that named them
    # Edited again, still naming both: nobody hears of it twice.
    assert author.post(edit, data={"body": both + "!"}).status_code == 303
    assert inbox_of(supervisor) == [("mentioned", path)]
    assert inbox_of(coordinator) == [("mentioned", path)]


def test_an_edit_mentioning_someone_who_cannot_read_the_card_is_refused(world, login_as):
    # As on a new comment: a colleague who left after the list was shown is refused by name.
    comment = conversation.comment_on_card(world.users["member"], world.improvement, "Vanha", [])
    url = f"/comments/{comment.id}/edit"
    former, response = post_mentioning_a_leaver(world, login_as, url, "Vanha, ja")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"{former.name} cannot read this card" in html
    assert "Vanha, ja @" in html and "data-mention-for" in html.split("</form>")[1]
    db.session.expire_all()
    assert db.session.get(CardComment, comment.id).body == "Vanha"
    assert inbox_of(former) == []


def test_the_bell_answers_304_until_its_count_changes(world, login_as, query_counter):
    client = login_as("member")
    html = client.get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    tag = html.split("data-bell-etag='")[1].split("'")[0]
    assert 'data-unread="0"' in html and 'id="bell-news"' in html
    client.get("/notifications/bell", headers={"HX-Request": "true", "If-None-Match": tag})
    with query_counter() as unchanged:
        response = client.get(
            "/notifications/bell", headers={"HX-Request": "true", "If-None-Match": tag}
        )
    assert response.status_code == 304 and response.get_data() == b""
    # The user and their memberships, and the count: nothing is rendered.
    assert unchanged.value <= 3

    conversation.comment_on_card(world.users["supervisor"], world.improvement, "Katso", [])
    response = client.get(
        "/notifications/bell", headers={"HX-Request": "true", "If-None-Match": tag}
    )
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="bell"' in fragment and "1 unread" in fragment and 'data-unread="1"' in fragment
    assert "You have 1 unread notification." in fragment
    assert "<html" not in fragment and 'id="bell-news"' not in fragment
    new_tag = response.headers["ETag"]
    assert new_tag != tag and f"data-bell-etag='{new_tag}'" in fragment
    again = client.get(
        "/notifications/bell", headers={"HX-Request": "true", "If-None-Match": new_tag}
    )
    assert again.status_code == 304


def test_the_bell_is_the_persons_own_and_speaks_their_language(world, login_as):
    conversation.comment_on_card(world.users["supervisor"], world.improvement, "Katso", [])
    member = world.users["member"]
    member.language = "fi"
    db.session.commit()
    mine = login_as("member").get("/notifications/bell", headers={"HX-Request": "true"})
    theirs = login_as("coordinator").get("/notifications/bell", headers={"HX-Request": "true"})
    assert "1 lukematon" in mine.get_data(as_text=True)
    assert "0 unread" in theirs.get_data(as_text=True)
    assert mine.headers["ETag"] != theirs.headers["ETag"]


def test_an_at_before_only_part_of_a_name_is_refused_with_the_full_names(world, login_as):
    sanna = make_user(world.organization, {world.team: "member"}, name="Sanna Virtanen")
    url = f"/improvements/{world.improvement.id}/comments"
    response = login_as("member").post(url, data={"body": "Kiitos @Sanna, hyvä idea"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "“@Sanna” is not a whole name, so nobody would be told" in html
    assert "Sanna Virtanen" in html
    assert "Kiitos @Sanna, hyvä idea" in html  # what was typed stays
    assert inbox_of(sanna) == []

    # The full name is a mention; an @ before a word that is nobody's name, or inside an
    # e-mail address, stays text.
    for body in ("Kiitos @Sanna Virtanen", "Tavataan @kahvio, posti sanna@example.fi"):
        assert login_as("member").post(url, data={"body": body}).status_code == 303
    assert len(inbox_of(sanna)) == 1


def test_a_posted_mention_is_marked_and_the_text_stays_escaped(world, login_as):
    odd = make_user(world.organization, {world.team: "member"}, name="Ann <b>Bold</b>")
    anna = make_user(world.organization, {world.team: "member"}, name="Anna Virtanen")
    url = f"/improvements/{world.improvement.id}/comments"
    client = login_as("member")
    body = f"@{anna.name} ja @{odd.name}: <script>alert(1)</script>"
    assert client.post(url, data={"body": body}).status_code == 303
    html = client.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert '<strong class="mention">@Anna Virtanen</strong>' in html
    assert '<strong class="mention">@Ann &lt;b&gt;Bold&lt;/b&gt;</strong>' in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
