"""Who reaches an A3: the team writes, the organization reads, a named peer coach from
another organization writes on that one sheet and sees nothing else of its organization."""

from sqlalchemy import select

from lean.a3 import services
from lean.core.extensions import db
from lean.models import A3Action, A3Sheet
from tests.conftest import make_improvement, make_user

HTMX = {"HX-Request": "true"}


def test_a_coordinator_names_a_peer_coach_who_then_coaches_that_sheet_only(world, login, login_as):
    sheet = services.start_a3(world.users["member"], world.improvement)
    peer = world.users["foreign_member"]
    peer_client = login(peer)
    sheet_url = f"/improvements/{world.improvement.id}/a3"
    assert peer_client.get(sheet_url).status_code == 404  # not yet the coach

    named = login_as("coordinator").post(
        f"/a3/{sheet.id}/coach", data={"email": peer.email.upper()}
    )
    assert named.status_code == 303
    db.session.expire_all()
    assert db.session.get(A3Sheet, sheet.id).coach_id == peer.id

    page = peer_client.get(sheet_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Oma kortti" in html  # the card's title
    assert "peer coach" in html
    # The coach writes on the sheet: a section and a comment.
    saved = peer_client.post(
        f"/a3/{sheet.id}/sections/background/edit",
        data={"version": "1", "background": "Valmentajan kysymys: miksi nyt?"},
    )
    assert saved.status_code == 303
    commented = peer_client.post(
        f"/a3/{sheet.id}/sections/background/comments", data={"body": "Mitä asiakas sanoo?"}
    )
    assert commented.status_code == 303
    assert peer_client.get(f"/a3/{sheet.id}/print").status_code == 200
    # Editing the header, the coach is not shown the organization's people to choose from.
    header_form = peer_client.get(f"/a3/{sheet.id}/sections/header/edit", headers=HTMX)
    assert header_form.status_code == 200
    assert world.users["coordinator"].name not in header_form.get_data(as_text=True)
    assert peer.name in header_form.get_data(as_text=True)
    # …but nothing else of that organization: not the card page, the board or another card.
    assert peer_client.get(f"/improvements/{world.improvement.id}").status_code == 404
    assert peer_client.get(f"/teams/{world.team.id}/board").status_code == 404
    assert peer_client.get(f"/teams/{world.team.id}/a3").status_code == 404
    other_card = make_improvement(world.team, world.users["member"], title="Toinen kortti")
    other = services.start_a3(world.users["member"], other_card)
    assert peer_client.get(f"/a3/{other.id}/print").status_code == 404
    # Another member of the coach's organization still gets nothing.
    colleague = make_user(world.foreign_organization, {world.foreign_team: "member"})
    assert login(colleague).get(sheet_url).status_code == 404


def test_only_a_coordinator_names_a_peer_coach_and_an_unknown_email_is_told(world, login_as):
    sheet = services.start_a3(world.users["member"], world.improvement)
    assert (
        login_as("member")
        .post(f"/a3/{sheet.id}/coach", data={"email": "foreign@example.fi"})
        .status_code
        == 403
    )
    unknown = login_as("coordinator").post(
        f"/a3/{sheet.id}/coach", data={"email": "ei.ole@example.fi"}, headers=HTMX
    )
    assert unknown.status_code == 422
    html = unknown.get_data(as_text=True)
    assert "Nobody with this email uses Vertaa." in html and 'value="ei.ole@example.fi"' in html


def test_readers_of_the_organization_read_but_do_not_write(world, login_as):
    sheet = services.start_a3(world.users["member"], world.improvement)
    coordinator = login_as("coordinator")
    page = coordinator.get(f"/improvements/{world.improvement.id}/a3").get_data(as_text=True)
    assert "Oma kortti" in page
    assert "Edit title and coach" not in page and "Add comment" not in page
    assert (
        coordinator.post(
            f"/a3/{sheet.id}/sections/background/edit", data={"version": "1", "background": "x"}
        ).status_code
        == 403
    )


def test_a_member_of_the_organization_chosen_as_coach_writes_from_another_team(world, login):
    colleague = make_user(world.organization, {world.other_team: "member"}, name="Olli Ohjaaja")
    sheet = services.start_a3(world.users["member"], world.improvement)
    client = login(world.users["member"])
    response = client.post(
        f"/a3/{sheet.id}/sections/header/edit",
        data={"version": "1", "title": "Hakemusten jono", "coach_id": colleague.id},
    )
    assert response.status_code == 303
    coach_client = login(colleague)
    assert (
        coach_client.post(
            f"/a3/{sheet.id}/sections/background/comments", data={"body": "Mikä on tavoite?"}
        ).status_code
        == 303
    )
    saved = db.session.scalar(select(A3Sheet).where(A3Sheet.id == sheet.id))
    assert (saved.title, saved.coach_id) == ("Hakemusten jono", colleague.id)


def test_a_peer_coach_sees_only_the_names_shared_with_the_network(world, login, login_as):
    """Other organizations see a person's name only when that person agreed to show it."""
    member = world.users["member"]  # the card's owner; has not shared their name
    sharing = make_user(
        world.organization, {world.team: "member"}, name="Jaettu Nimi", show_name_to_network=True
    )
    private = make_user(world.organization, {world.team: "member"}, name="Salainen Nimi")
    sheet = services.start_a3(member, world.improvement)
    plan = services.ITEM_KINDS["actions"]
    services.add_item(member, sheet, plan, {"what": "Soita asiakkaille", "who_id": private.id})
    services.add_item(member, sheet, plan, {"what": "Kirjaa palautteet", "who_id": sharing.id})
    services.add_comment(private, sheet, "background", "Kenen jono tämä on?")
    services.name_peer_coach(world.users["coordinator"], sheet, world.users["foreign_member"])
    peer = login(world.users["foreign_member"])
    anonymous = f"A member of {world.organization.name}"

    for url in (f"/improvements/{world.improvement.id}/a3", f"/a3/{sheet.id}/print"):
        page = peer.get(url).get_data(as_text=True)
        assert member.name not in page, url  # the owner in the header
        assert private.name not in page, url  # an action's owner and a comment's author
        assert "Jaettu Nimi" in page, url
        assert anonymous in page, url
    # Choosing who does an action, the coach is offered only the people who share their name.
    add_form = peer.get(f"/improvements/{world.improvement.id}/a3").get_data(as_text=True)
    assert f'<option value="{sharing.id}">' in add_form
    assert f'<option value="{private.id}"' not in add_form
    refused = peer.post(
        f"/a3/{sheet.id}/items/actions", data={"what": "Uusi", "who_id": str(private.id)}
    )
    assert refused.status_code == 422
    # An action already given to someone private keeps its owner when the coach edits it.
    hidden_action = db.session.scalar(select(A3Action).where(A3Action.who_id == private.id))
    edit = f"/a3/{sheet.id}/items/actions/{hidden_action.id}/edit"
    form = peer.get(edit, headers=HTMX).get_data(as_text=True)
    assert private.name not in form and anonymous in form
    saved = peer.post(
        edit,
        data={"version": str(sheet.plan_version), "what": "Soita", "who_id": str(private.id)},
    )
    assert saved.status_code == 303

    # The organization's own people see every name.
    own = login_as("coordinator").get(f"/improvements/{world.improvement.id}/a3")
    assert member.name in own.get_data(as_text=True)
    assert private.name in own.get_data(as_text=True)
