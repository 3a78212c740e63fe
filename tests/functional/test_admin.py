"""Administration: organizations, teams, people, roles, themes, profile, GDPR and the audit log."""

import json

import pytest
from sqlalchemy import select

from lean.models import Event, Membership, Organization, Team, Theme, User
from tests.conftest import make_improvement, make_kaizen, make_user, theme


def test_coordinator_creates_renames_and_archives_a_team(world, login_as, db):
    client = login_as("coordinator")
    response = client.post(
        f"/admin/organizations/{world.organization.id}/teams", data={"name": "Hyvinvointi"}
    )
    assert response.status_code == 303
    team = db.session.scalar(select(Team).where(Team.name == "Hyvinvointi"))
    assert team.organization_id == world.organization.id
    duplicate = client.post(
        f"/admin/organizations/{world.organization.id}/teams", data={"name": "Hyvinvointi"}
    )
    assert duplicate.status_code == 422
    assert "already has a team with this name" in duplicate.get_data(as_text=True)
    assert (
        client.post(
            f"/admin/teams/{world.team.id}/edit", data={"name": "Opintopalvelut", "archived": "y"}
        ).status_code
        == 303
    )
    db.session.refresh(world.team)
    assert (world.team.name, world.team.archived) == ("Opintopalvelut", True)
    # The archived team's board stays readable but takes no new cards.
    member = login_as("member")
    assert member.get(f"/teams/{world.team.id}/board").status_code == 200
    assert (
        member.post(
            f"/teams/{world.team.id}/improvements", data={"title": "x", "theme_id": theme().id}
        ).status_code
        == 403
    )


def test_coordinator_never_reaches_another_organization(world, login_as):
    client = login_as("coordinator")
    foreign = world.foreign_organization
    assert client.get(f"/admin/organizations/{foreign.id}").status_code == 404
    assert (
        client.post(f"/admin/organizations/{foreign.id}/teams", data={"name": "x"}).status_code
        == 404
    )
    assert client.get(f"/admin/teams/{world.foreign_team.id}").status_code == 404
    assert client.get(f"/admin/users/{world.users['foreign_member'].id}").status_code == 404


def user_form(user: User, **changes) -> dict:
    form = {
        "name": user.name,
        "email": user.email,
        "language": user.language or "",
        "active": "y" if user.active else "",
    }
    if user.is_coordinator:
        form["is_coordinator"] = "y"
    form.update(changes)
    return {key: value for key, value in form.items() if value != ""}


def test_coordinator_cannot_make_anyone_an_admin_or_edit_an_admin(world, login_as, db):
    client = login_as("coordinator")
    member = world.users["member"]
    response = client.post(f"/admin/users/{member.id}", data=user_form(member, is_admin="y"))
    assert response.status_code == 303
    db.session.refresh(member)
    assert not member.is_admin
    assert client.get(f"/admin/users/{world.users['admin'].id}").status_code == 403


def test_coordinator_adds_a_person_who_cannot_log_in_until_they_set_a_password(world, login_as, db):
    client = login_as("coordinator")
    response = client.post(
        f"/admin/organizations/{world.organization.id}/users",
        data={"name": "Uusi Ihminen", "email": "Uusi@Example.fi", "language": "sv"},
    )
    assert response.status_code == 303
    person = db.session.scalar(select(User).where(User.email == "uusi@example.fi"))
    assert person.organization_id == world.organization.id and person.language == "sv"
    again = client.post(
        f"/admin/organizations/{world.organization.id}/users",
        data={"name": "Toinen", "email": "uusi@example.fi"},
    )
    assert again.status_code == 422
    assert "already uses this email" in again.get_data(as_text=True)


def test_deactivating_ends_sessions_at_once_and_keeps_their_work(world, login_as, login, db):
    member = world.users["member"]
    member_client = login(member)
    assert member_client.get("/teams").status_code == 200
    coordinator = login_as("coordinator")
    assert (
        coordinator.post(f"/admin/users/{member.id}", data=user_form(member, active="")).status_code
        == 303
    )
    assert member_client.get("/teams").status_code == 302
    assert (
        member_client.post(
            "/login", data={"email": member.email, "password": "kunnon-salasana-42"}
        ).status_code
        == 422
    )
    html = coordinator.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert member.name in html
    assert (
        coordinator.post(
            f"/admin/users/{member.id}", data=user_form(member, active="y")
        ).status_code
        == 303
    )
    assert login(member).get("/teams").status_code == 200


def test_supervisor_manages_their_own_teams_members_only(world, login_as, db):
    newcomer = make_user(world.organization)
    supervisor = login_as("supervisor")
    response = supervisor.post(
        f"/admin/teams/{world.team.id}/members", data={"user_id": newcomer.id, "role": "member"}
    )
    assert response.status_code == 303
    role = db.session.scalar(
        select(Membership.role).where(
            Membership.user_id == newcomer.id, Membership.team_id == world.team.id
        )
    )
    assert role.value == "member"
    assert (
        supervisor.post(
            f"/admin/teams/{world.team.id}/members/{newcomer.id}/role", data={"role": "supervisor"}
        ).status_code
        == 303
    )
    role = db.session.scalar(select(Membership.role).where(Membership.user_id == newcomer.id))
    assert role.value == "supervisor"
    assert (
        supervisor.post(f"/admin/teams/{world.team.id}/members/{newcomer.id}/remove").status_code
        == 303
    )
    assert db.session.scalar(select(Membership).where(Membership.user_id == newcomer.id)) is None
    # Not another team's, not renaming their own.
    assert supervisor.get(f"/admin/teams/{world.other_team.id}").status_code == 403
    assert (
        supervisor.post(f"/admin/teams/{world.team.id}/edit", data={"name": "Oma nimi"}).status_code
        == 403
    )
    assert login_as("member").get(f"/admin/teams/{world.team.id}").status_code == 403
    kinds = db.session.scalars(
        select(Event.kind).where(Event.subject_type == "team").order_by(Event.id)
    ).all()
    assert kinds == ["member_added", "role_changed", "member_removed"]


def test_admin_creates_renames_and_deactivates_an_organization(world, login_as, login, db):
    client = login_as("admin")
    assert client.post("/admin/organizations", data={"name": "Uusi opisto"}).status_code == 303
    organization = db.session.scalar(select(Organization).where(Organization.name == "Uusi opisto"))
    assert client.post("/admin/organizations", data={"name": "Uusi opisto"}).status_code == 422
    response = client.post(
        f"/admin/organizations/{organization.id}/edit", data={"name": "Uusi ammattiopisto"}
    )
    assert response.status_code == 303  # no "active": deactivated
    db.session.refresh(organization)
    assert (organization.name, organization.active) == ("Uusi ammattiopisto", False)
    # A deactivated organization's people cannot log in.
    client.post(
        f"/admin/organizations/{world.foreign_organization.id}/edit",
        data={"name": world.foreign_organization.name},
    )
    foreign = world.users["foreign_member"]
    assert app_login_status(login, foreign) == 422
    taken = client.post(
        f"/admin/organizations/{organization.id}/edit", data={"name": world.organization.name}
    )
    assert taken.status_code == 422
    assert "already an organization with this name" in taken.get_data(as_text=True)
    assert login_as("coordinator").get("/admin/organizations").status_code == 403


def app_login_status(login, user):
    from flask import current_app

    client = current_app.test_client()
    return client.post(
        "/login", data={"email": user.email, "password": "kunnon-salasana-42"}
    ).status_code


@pytest.mark.parametrize(
    ("colour", "accepted"),
    [("#6a1b9a", True), ("#ffff00", False), ("red", False), ("#12345", False)],
)
def test_theme_colour_must_be_hex_and_dark_enough(world, login_as, db, colour, accepted):
    response = login_as("admin").post(
        "/admin/themes",
        data={
            "key": "wellbeing",
            "name_fi": "Hyvinvointi",
            "name_sv": "Välmående",
            "name_en": "Wellbeing",
            "colour": colour,
        },
    )
    assert response.status_code == (303 if accepted else 422)
    assert (
        db.session.scalar(select(Theme).where(Theme.key == "wellbeing")) is not None
    ) is accepted


def test_theme_in_use_is_only_retired_and_an_unused_one_deleted(world, login_as, db):
    client = login_as("admin")
    client.post(
        "/admin/themes",
        data={
            "key": "spare",
            "name_fi": "a",
            "name_sv": "b",
            "name_en": "Spare",
            "colour": "#333333",
        },
    )
    spare = db.session.scalar(select(Theme).where(Theme.key == "spare"))
    used = theme()
    response = client.post(f"/admin/themes/{used.id}/delete", follow_redirects=True)
    assert "cannot be deleted" in response.get_data(as_text=True)
    assert db.session.get(Theme, used.id) is not None
    assert client.post(f"/admin/themes/{spare.id}/delete").status_code == 303
    assert db.session.scalar(select(Theme).where(Theme.key == "spare")) is None
    # Retire: no longer offered for new cards.
    form = {
        "key": used.key,
        "name_fi": used.name_fi,
        "name_sv": used.name_sv,
        "name_en": used.name_en,
        "colour": used.colour,
        "retired": "y",
    }
    assert client.post(f"/admin/themes/{used.id}", data=form).status_code == 303
    board = login_as("member").get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert f">{used.name_en}</option>" not in board
    assert "Oma kortti" in board  # its cards stay


def test_admin_adds_a_focus_area(world, login_as, db):
    used = theme()
    response = login_as("admin").post(
        f"/admin/themes/{used.id}/focus-areas",
        data={"name_fi": "Viestintä", "name_sv": "Kommunikation", "name_en": "Communication"},
    )
    assert response.status_code == 303
    db.session.refresh(used)
    assert "Communication" in [area.name_en for area in used.focus_areas]


def test_profile_changes_name_and_language_and_shows_teams(world, login_as, db):
    client = login_as("member")
    assert "Opintotoimisto" in client.get("/profile").get_data(as_text=True)
    assert client.post("/profile", data={"name": "Maija M.", "language": "sv"}).status_code == 303
    html = client.get("/profile").get_data(as_text=True)
    assert '<html lang="sv">' in html and "Maija M." in html


def test_own_data_download(world, login_as):
    make_kaizen(world.team, world.users["member"], title="Oma pieni parannus")
    response = login_as("member").get("/profile/data.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.data)
    assert data["user"]["email"] == "member@example.fi"
    assert [k["title"] for k in data["kaizens"]] == ["Oma pieni parannus"]
    assert "Oma kortti" in [c["title"] for c in data["improvements"]]
    assert data["teams"] == [{"team": "Opintotoimisto", "role": "member"}]


def test_own_data_includes_comments_stand_ups_and_questions(world, login_as, db):
    from lean.a3 import services as a3
    from lean.standups import services as standups

    member, supervisor = world.users["member"], world.users["supervisor"]
    sheet = a3.start_a3(member, world.improvement)
    a3.add_comment(member, sheet, "background", "Mistä nämä luvut ovat?")
    standup, _ = standups.start_standup(supervisor, world.team)
    standups.escalate_card(supervisor, standup, world.improvement, "Saammeko lisäresurssia?")
    login_as("supervisor").post(
        f"/standups/{standup.id}/finish",
        data={"version": str(standup.version), "attendees": [str(member.id)]},
    )
    data = json.loads(login_as("member").get("/profile/data.json").data)
    assert [c["body"] for c in data["a3_comments"]] == ["Mistä nämä luvut ovat?"]
    assert [s["standup_id"] for s in data["standups_attended"]] == [standup.id]
    assert data["user"]["show_name_to_network"] is False
    asked = json.loads(login_as("supervisor").get("/profile/data.json").data)
    assert [e["question"] for e in asked["escalations"]] == ["Saammeko lisäresurssia?"]


def test_admin_anonymises_a_departed_user_and_their_work_stays(world, login_as, db):
    member = world.users["member"]
    card = make_improvement(world.team, member, title="Jää talteen")
    client = login_as("admin")
    assert client.post(f"/admin/users/{member.id}/anonymise").status_code == 303
    db.session.refresh(member)
    assert "member@example.fi" not in member.email and member.anonymised
    assert member.stored_name == f"#{member.id}"  # no language in the stored name
    assert not member.active
    html = client.get(f"/improvements/{card.id}").get_data(as_text=True)
    assert "Jää talteen" in html and f"Former user {member.id}" in html  # the admin reads English
    for language, placeholder in (("fi", "Entinen käyttäjä"), ("sv", "Tidigare användare")):
        reader = world.users["coordinator"]
        reader.language = language
        db.session.commit()
        html = login_as("coordinator").get(f"/improvements/{card.id}").get_data(as_text=True)
        assert f"{placeholder} {member.id}" in html
    assert (
        login_as("coordinator")
        .post(f"/admin/users/{world.users['supervisor'].id}/anonymise")
        .status_code
        == 403
    )


def test_the_audit_log_names_an_anonymised_actor_in_the_readers_language(world, login_as, db):
    supervisor = world.users["supervisor"]
    login_as("supervisor").post("/profile", data={"name": "Sanna Uusi", "language": "fi"})
    assert login_as("admin").post(f"/admin/users/{supervisor.id}/anonymise").status_code == 303
    html = login_as("admin").get("/admin/audit").get_data(as_text=True)
    assert f"Former user {supervisor.id}" in html
    assert f">#{supervisor.id}<" not in html
    db.session.refresh(supervisor)
    assert not supervisor.show_name_to_network  # nor does the network see a departed name


def test_audit_log_lists_changes_and_filters_them(world, login_as, db):
    coordinator = login_as("coordinator")
    old_name = world.users["member"].name
    coordinator.post(
        f"/admin/organizations/{world.organization.id}/teams", data={"name": "Uusi tiimi"}
    )
    coordinator.post(
        f"/admin/users/{world.users['member'].id}",
        data=user_form(world.users["member"], name="Uusi nimi"),
    )
    html = log_rows(coordinator.get("/admin/audit"))
    # Changes read as words, not as data: the field's name, then before → after.
    assert "<li>Name: Uusi tiimi</li>" in html
    assert f"<li>Name: {old_name} → Uusi nimi</li>" in html
    assert "{&#34;" not in html and '{"' not in html
    only_teams = log_rows(coordinator.get("/admin/audit?subject=team"))
    assert "Uusi tiimi" in only_teams and "Uusi nimi" not in only_teams
    # A change in another organization stays out of this coordinator's log.
    login_as("admin").post(
        f"/admin/organizations/{world.foreign_organization.id}/teams", data={"name": "Vieras tiimi"}
    )
    assert "Vieras tiimi" not in log_rows(coordinator.get("/admin/audit"))
    assert "Vieras tiimi" in log_rows(login_as("admin").get("/admin/audit"))
    assert login_as("member").get("/admin/audit").status_code == 403


def log_rows(response) -> str:
    """The audit log's table body, without the filter's lists of names."""
    html = response.get_data(as_text=True)
    return html[html.index("<tbody>") : html.index("</tbody>")]
