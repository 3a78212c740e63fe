"""Bulk import of users from CSV: a preview decides row by row, the confirmation all or nothing."""

import base64
import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lean.models import Event, Membership, TeamRole, User
from tests.conftest import make_team, make_user

HEADER = "name,email,team,role\n"


def import_url(organization) -> str:
    return f"/admin/organizations/{organization.id}/import"


def upload(client, organization, content: bytes | str):
    if isinstance(content, str):
        content = content.encode()
    # Encoded in memory: the test client would spool a big body to a file it never closes.
    files = MultiDict({"file": FileStorage(io.BytesIO(content), filename="users.csv")})
    boundary, body = encode_multipart(files)
    return client.post(
        import_url(organization),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def confirm(client, organization, preview_html: str):
    """Press the preview's confirm button: post back the file it carries and its fingerprint."""
    chunks = re.findall(r'name="content" value="([^"]*)"', preview_html)
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]*)"', preview_html)
    assert chunks and fingerprint, "the preview has no confirm form"
    return client.post(
        f"{import_url(organization)}/confirm",
        data={"content": chunks, "fingerprint": fingerprint.group(1)},
        content_type="multipart/form-data",
    )


def confirm_raw(client, organization, content: bytes, fingerprint: str = ""):
    """A confirmation of a file whatever its preview showed."""
    return client.post(
        f"{import_url(organization)}/confirm",
        data={"content": base64.b64encode(content).decode(), "fingerprint": fingerprint},
        content_type="multipart/form-data",
    )


def user_count(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def state(db) -> tuple[int, int, int]:
    """Users, memberships and events: what an import may write."""
    return (
        user_count(db),
        db.session.scalar(select(func.count(Membership.id))),
        db.session.scalar(select(func.count(Event.id))),
    )


def user_by_email(db, email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def counts_in(html: str) -> dict[str, int]:
    return {
        label: int(number.replace(",", "").replace("\xa0", ""))
        for label, number in re.findall(r"<li>([A-Za-z ]+): ([\d,\xa0]+)</li>", html)
    }


def test_coordinator_sees_the_upload_form(world, login_as):
    response = login_as("coordinator").get(import_url(world.organization))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert "Opintotoimisto" in html  # the teams the file may name


def test_good_file_is_previewed_then_imported_with_its_audit_events(world, login_as, db):
    client = login_as("coordinator")
    content = (
        HEADER + "Aino Laine,Aino.Laine@Example.fi,Opintotoimisto,member\n"
        "Aino Laine,aino.laine@example.fi,rakennusala,supervisor\n"
        f"{world.users['member'].name},member@example.fi,Rakennusala,member\n"
        f"{world.users['member'].name},member@example.fi,Opintotoimisto,supervisor\n"
        f"{world.users['supervisor'].name},supervisor@example.fi,Opintotoimisto,supervisor\n"
        "Eero Nieminen,eero@example.fi,Opintotoimisto,\n"
    )
    before = state(db)

    response = upload(client, world.organization, content)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert state(db) == before  # a preview writes nothing
    assert counts_in(html) == {
        "New user": 2,
        "Added to team": 2,
        "Role change": 1,
        "Unchanged": 1,
        "Refused": 0,
    }
    assert "<caption>" in html and '<th scope="row">2</th>' in html
    assert "Create 2 users" in html
    assert "read as UTF-8, columns separated by commas" in html

    response = confirm(client, world.organization, html)
    assert response.status_code == 303
    # The people made, with the one action of inviting them (tests/functional/test_invitations.py).
    assert (
        f"/organizations/{world.organization.id}/invitations/new?people="
        in (response.headers["Location"])
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 users created, 4 team memberships added, 1 role changed" in page
    assert "Send each of them an invitation" in page

    aino = user_by_email(db, "aino.laine@example.fi")
    assert aino.name == "Aino Laine" and aino.organization_id == world.organization.id
    assert aino.role_in(world.team.id) == TeamRole.MEMBER
    assert aino.role_in(world.other_team.id) == TeamRole.SUPERVISOR
    assert not aino.check_password("") and aino.password_hash.startswith("pbkdf2:")
    assert user_by_email(db, "eero@example.fi").role_in(world.team.id) == TeamRole.MEMBER
    member = db.session.get(User, world.users["member"].id)
    assert member.role_in(world.team.id) == TeamRole.SUPERVISOR
    assert member.role_in(world.other_team.id) == TeamRole.MEMBER
    imported = [
        (event.kind, event.subject_type, event.actor_id)
        for event in db.session.scalars(select(Event))
        if event.data.get("source") == "import"
    ]
    assert sorted(imported) == sorted(
        [("created", "user", world.users["coordinator"].id)] * 2
        + [("member_added", "team", world.users["coordinator"].id)] * 4
        + [("role_changed", "team", world.users["coordinator"].id)]
    )
    assert state(db)[2] == before[2] + 7


def test_new_users_cannot_log_in_until_they_set_a_password(world, login_as, client, db):
    coordinator = login_as("coordinator")
    html = upload(
        coordinator, world.organization, HEADER + "Uusi,uusi@example.fi,Opintotoimisto,\n"
    )
    confirm(coordinator, world.organization, html.get_data(as_text=True))
    assert user_by_email(db, "uusi@example.fi") is not None
    response = client.post("/login", data={"email": "uusi@example.fi", "password": ""})
    assert response.status_code == 422


def test_duplicate_rows_and_conflicting_names_are_refused_and_nothing_is_written(
    world, login_as, db
):
    client = login_as("coordinator")
    content = (
        HEADER + "Aino Laine,aino@example.fi,Opintotoimisto,member\n"
        "Aino Laine,AINO@example.fi,opintotoimisto,supervisor\n"
        "Aino Virtanen,aino@example.fi,Rakennusala,member\n"
        "Eero Nieminen,eero@example.fi,Opintotoimisto,member\n"
    )
    before = state(db)
    response = upload(client, world.organization, content)
    html = response.get_data(as_text=True)
    assert "Same email and team as line 2." in html
    assert "Line 2 gives this email the name “Aino Laine”." in html
    assert counts_in(html)["Refused"] == 2
    assert "2 rows are refused" in html
    assert 'name="content"' not in html  # no confirm button

    response = confirm_raw(client, world.organization, content.encode())
    assert response.status_code == 422
    assert "2 rows are refused" in response.get_data(as_text=True)
    assert state(db) == before


def test_unknown_archived_and_foreign_teams_are_refused(world, login_as):
    make_team(world.organization, name="Vanha tiimi", archived=True)
    content = (
        HEADER + "A,a@example.fi,Ei ole,member\n"
        "B,b@example.fi,Vanha tiimi,member\n"
        "C,c@example.fi,Opiskelijapalvelut,member\n"  # a team of the other organization
        "D,d@example.fi,OPINTOTOIMISTO,member\n"
    )
    html = upload(login_as("coordinator"), world.organization, content).get_data(as_text=True)
    assert "No team called “Ei ole” in this organization." in html
    assert "The team “Vanha tiimi” is archived." in html
    assert "No team called “Opiskelijapalvelut” in this organization." in html
    assert counts_in(html)["Refused"] == 3
    assert counts_in(html)["New user"] == 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("member", "Member"),
        ("Supervisor", "Supervisor"),
        ("jäsen", "Member"),
        ("ESIHENKILÖ", "Supervisor"),
        ("medlem", "Member"),
        ("chef", "Supervisor"),
        ("", "Member"),
    ],
)
def test_roles_are_read_in_three_languages(world, login_as, role, expected):
    html = upload(
        login_as("coordinator"),
        world.organization,
        HEADER + f"A,a@example.fi,Opintotoimisto,{role}\n",
    ).get_data(as_text=True)
    assert f"<td>{expected}</td>" in html
    assert counts_in(html)["New user"] == 1


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("A,a@example.fi,Opintotoimisto,boss", "Unknown role “boss”"),
        (",a@example.fi,Opintotoimisto,member", "The name is missing."),
        ("A,,Opintotoimisto,member", "The email address is missing."),
        ("A,not-an-email,Opintotoimisto,member", "“not-an-email” is not a valid email address."),
        ("A,a@example.fi,,member", "The team is missing."),
    ],
)
def test_bad_rows_are_refused_with_their_reason(world, login_as, row, reason):
    html = upload(login_as("coordinator"), world.organization, HEADER + row + "\n").get_data(
        as_text=True
    )
    assert reason in html
    assert counts_in(html)["Refused"] == 1


def test_each_persons_language_is_read_and_kept_for_their_invitation(world, login_as, db):
    client = login_as("coordinator")
    content = (
        "nimi;sähköposti;tiimi;kieli\n"
        "Aino;aino@example.fi;Opintotoimisto;suomi\n"
        "Björn;bjorn@example.fi;Opintotoimisto;sv\n"
        "Chris;chris@example.fi;Opintotoimisto;\n"
    )
    html = upload(client, world.organization, content).get_data(as_text=True)
    assert '<th scope="col">Language</th>' in html
    assert '<td lang="fi">suomi</td>' in html and '<td lang="sv">svenska</td>' in html
    confirm(client, world.organization, html)
    languages = [user_by_email(db, f"{name}@example.fi").language for name in ("aino", "bjorn")]
    assert languages == ["fi", "sv"]
    assert user_by_email(db, "chris@example.fi").language is None


def test_an_unknown_language_is_refused_with_its_reason(world, login_as):
    html = upload(
        login_as("coordinator"),
        world.organization,
        "name,email,team,language\nA,a@example.fi,Opintotoimisto,klingon\n",
    ).get_data(as_text=True)
    assert "Unknown language “klingon”: write fi, sv or en (suomi, svenska or English)." in html
    assert counts_in(html)["Refused"] == 1


def test_user_of_another_organization_is_refused(world, login_as, db):
    content = HEADER + "Vieras,Foreign@example.fi,Opintotoimisto,member\n"
    client = login_as("coordinator")
    html = upload(client, world.organization, content).get_data(as_text=True)
    assert "This email belongs to a user of another organization." in html
    before = state(db)
    assert confirm_raw(client, world.organization, content.encode()).status_code == 422
    assert state(db) == before
    assert db.session.get(User, world.users["foreign_member"].id).memberships[0].team_id == (
        world.foreign_team.id
    )


def test_latin1_file_with_semicolons_is_read_and_named(world, login_as, db):
    content = (
        "Nimi;Sähköposti;Tiimi;Rooli\nMärta Öhman;marta@example.fi;Opintotoimisto;esihenkilö\n"
    )
    client = login_as("coordinator")
    html = upload(client, world.organization, content.encode("cp1252")).get_data(as_text=True)
    assert "read as Latin-1 (Windows-1252), columns separated by semicolons" in html
    assert "Märta Öhman" in html
    assert confirm(client, world.organization, html).status_code == 303
    marta = user_by_email(db, "marta@example.fi")
    assert marta.name == "Märta Öhman"
    assert marta.role_in(world.team.id) == TeamRole.SUPERVISOR


def test_utf8_file_with_byte_order_mark_is_read_and_named(world, login_as, db):
    content = "namn;e-post;team;roll\nMärta Öhman;marta@example.fi;Opintotoimisto;medlem\n"
    client = login_as("coordinator")
    html = upload(client, world.organization, b"\xef\xbb\xbf" + content.encode()).get_data(
        as_text=True
    )
    assert "read as UTF-8 with byte order mark (BOM)" in html
    assert "Märta Öhman" in html and counts_in(html)["New user"] == 1
    assert confirm(client, world.organization, html).status_code == 303
    assert user_by_email(db, "marta@example.fi").name == "Märta Öhman"


@pytest.mark.parametrize("separator", [",", ";"])
def test_either_separator_is_detected(world, login_as, separator):
    rows = [
        ["name", "email", "team", "role"],
        ["Aino, Laine", "aino@example.fi", "Opintotoimisto", ""],
    ]
    content = "\n".join(separator.join(f'"{cell}"' for cell in row) for row in rows)
    html = upload(login_as("coordinator"), world.organization, content).get_data(as_text=True)
    assert "<td>Aino, Laine</td>" in html
    assert counts_in(html)["New user"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Choose a CSV file to import."),
        (b"\n\n", "The file is empty."),
        (b"nimi;tiimi\nAino;Opintotoimisto\n", "missing: email."),
        (HEADER.encode(), "The file has a header line but no people."),
        (b"PK\x03\x04rest of a workbook", "This is an Excel workbook."),
        (HEADER.encode() + b"x" * (1024 * 1024), "The file is larger than 1 MB."),
        (
            (HEADER + "A,a@example.fi,Opintotoimisto,\n" * 5001).encode(),
            "The file has more than 5000 rows.",
        ),
    ],
)
def test_unreadable_files_are_refused_whole(world, login_as, db, content, message):
    client = login_as("coordinator")
    if content:
        response = upload(client, world.organization, content)
    else:
        response = client.post(import_url(world.organization), data={})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_a_thousand_rows_are_previewed_and_imported(world, login_as, db, query_counter):
    content = HEADER + "".join(
        f"Henkilö {n},henkilo{n}@example.fi,{'Opintotoimisto' if n % 2 else 'Rakennusala'},"
        f"{'supervisor' if n % 10 == 0 else 'member'}\n"
        for n in range(1000)
    )
    client = login_as("coordinator")
    before = user_count(db)

    with query_counter() as preview_queries:
        response = upload(client, world.organization, content)
    html = response.get_data(as_text=True)
    assert counts_in(html)["New user"] == 1000
    assert "Create 1000 users" in html

    with query_counter() as confirm_queries:
        assert confirm(client, world.organization, html).status_code == 303
    assert user_count(db) == before + 1000
    supervisors = select(func.count(Membership.id)).where(Membership.role == TeamRole.SUPERVISOR)
    assert db.session.scalar(supervisors) == 1 + 100
    # The preview reads in batches, not a query per row. Writing needs no reads per row either:
    # one INSERT per user, membership and event at most (SQLite returns new ids row by row).
    assert preview_queries.value < 20
    assert confirm_queries.value <= 4 * 1000 + 20


def test_confirm_with_a_refused_row_writes_nothing(world, login_as, db):
    content = HEADER + "A,a@example.fi,Opintotoimisto,member\nB,b@example.fi,Ei ole,member\n"
    before = state(db)
    response = confirm_raw(login_as("admin"), world.organization, content.encode())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "1 row is refused" in html and "No team called “Ei ole”" in html
    assert state(db) == before


def test_confirm_after_a_change_since_the_preview_shows_the_new_preview(world, login_as, db):
    client = login_as("coordinator")
    content = HEADER + "A,a@example.fi,Opintotoimisto,member\n"
    html = upload(client, world.organization, content).get_data(as_text=True)
    make_user(world.organization, {world.team: "member"}, email="a@example.fi")
    before = state(db)
    response = confirm(client, world.organization, html)
    assert response.status_code == 409
    assert "changed after the preview" in response.get_data(as_text=True)
    assert state(db) == before


def test_confirm_without_the_file_asks_to_upload_again(world, login_as):
    response = login_as("coordinator").post(f"{import_url(world.organization)}/confirm")
    assert response.status_code == 422
    assert "The file to import did not arrive." in response.get_data(as_text=True)


def test_admin_imports_into_any_organization(world, login_as, db):
    client = login_as("admin")
    content = HEADER + "Vieras,uusi@example.fi,Opiskelijapalvelut,member\n"
    html = upload(client, world.foreign_organization, content).get_data(as_text=True)
    assert confirm(client, world.foreign_organization, html).status_code == 303
    assert user_by_email(db, "uusi@example.fi").organization_id == world.foreign_organization.id


def test_coordinator_of_another_organization_gets_404(world, login, db):
    foreign_coordinator = make_user(world.foreign_organization, is_coordinator=True)
    client = login(foreign_coordinator)
    content = HEADER + "A,a@example.fi,Opintotoimisto,member\n"
    assert client.get(import_url(world.organization)).status_code == 404
    assert upload(client, world.organization, content).status_code == 404
    before = state(db)
    assert confirm_raw(client, world.organization, content.encode()).status_code == 404
    assert state(db) == before
