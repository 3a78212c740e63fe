"""The kaizen log: quick entry, attachments, search, edit and delete, promotion and export."""

import csv
import io
import os
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lean.models import Attachment, Event, Improvement, KaizenEntry
from tests.conftest import make_kaizen, make_user, theme

HTMX = {"HX-Request": "true"}
MB = 1024 * 1024
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n"


def image_bytes(kind: str = "PNG", size=(640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, kind)
    return buffer.getvalue()


def entry_form(**overrides) -> dict:
    form = {
        "title": "Tulostin lähemmäs",
        "before": "Todistukset haettiin toisesta kerroksesta",
        "after": "Tulostin on palvelupisteen vieressä",
        "theme_id": str(theme().id),
    }
    form.update(overrides)
    return form


def multipart(fields: dict, files=()) -> dict:
    """A multipart body encoded in memory (the test client would spool big ones to a file
    that it never closes)."""
    data = MultiDict(fields)
    for number, (name, content) in enumerate(files):
        data.add(f"files-{number}-file", FileStorage(io.BytesIO(content), filename=name))
    boundary, body = encode_multipart(data)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def post_entry(client, team, files=(), headers=None, **fields):
    return client.post(
        f"/teams/{team.id}/kaizen", headers=headers or {}, **multipart(entry_form(**fields), files)
    )


def test_quick_entry_appears_on_top_and_the_form_is_ready_again(world, login_as, db):
    make_kaizen(world.team, title="Vanhempi kaizen", done_on=date.today() - timedelta(days=3))
    response = post_entry(login_as("member"), world.team, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.index("Tulostin lähemmäs") < html.index("Vanhempi kaizen")
    assert 'id="kaizen-title" maxlength="200" name="title" required type="text" value=""' in html
    entry = db.session.scalar(select(KaizenEntry).where(KaizenEntry.title == "Tulostin lähemmäs"))
    assert entry.done_on == date.today() and entry.author_id == world.users["member"].id
    assert (
        db.session.scalar(select(Event.kind).where(Event.subject_type == "kaizen_entry"))
        == "created"
    )


def fetch(client, url):
    """A served file's response, read and closed (files are streamed from disk)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def test_attachments_are_stored_with_thumbnails_and_served_to_readers(world, login_as, db, app):
    client = login_as("member")
    png, pdf = image_bytes(), b"%PDF-1.7\n1 0 obj <<>> endobj\n"
    response = post_entry(client, world.team, files=[("kuva.png", png), ("ohje.pdf", pdf)])
    assert response.status_code == 303
    image, document = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert (image.content_type, document.content_type) == ("image/png", "application/pdf")
    assert image.stored_name != "kuva.png" and image.thumbnail_name and not document.thumbnail_name
    served = fetch(client, f"/attachments/{image.id}")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    # Re-encoded (nothing of the original's metadata kept), the same picture.
    assert Image.open(io.BytesIO(served.data)).size == (640, 480)
    assert served.headers["Content-Disposition"].startswith("inline")
    thumbnail = fetch(client, f"/attachments/{image.id}/thumbnail")
    assert thumbnail.mimetype == "image/webp"
    assert max(Image.open(io.BytesIO(thumbnail.data)).size) <= 480
    download = fetch(client, f"/attachments/{document.id}")
    assert download.headers["Content-Disposition"].startswith("attachment")
    # Another organization gets 404 for the file as for the entry.
    outsider = login_as("foreign_member")
    assert outsider.get(f"/attachments/{image.id}").status_code == 404
    assert outsider.get(f"/attachments/{image.id}/thumbnail").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "ohjelma.pdf",
            b"MZ\x90\x00\x03" + b"\x00" * 100,
            "“ohjelma.pdf” is not a JPG, PNG, WebP or PDF file.",
        ),
        ("tyhja.png", b"", "“tyhja.png” is empty."),
        (
            "iso.pdf",
            b"%PDF-1.4" + b"0" * (MB - 8 + 1),
            "“iso.pdf” is larger than 1 MB.",
        ),  # 1 MB + 1 byte
        ("kuva.gif", b"GIF89a" + b"\x00" * 50, "“kuva.gif” is not a JPG, PNG, WebP or PDF file."),
        (
            "muistio.txt",
            "Tämä on tekstiä".encode(),
            "“muistio.txt” is not a JPG, PNG, WebP or PDF file.",
        ),
    ],
)
def test_bad_uploads_are_refused_by_name_and_rule_and_the_text_is_kept(
    world, login_as, db, name, content, message
):
    response = post_entry(login_as("member"), world.team, files=[(name, content)], headers=HTMX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Todistukset haettiin toisesta kerroksesta" in html
    assert 'value="Tulostin lähemmäs"' in html
    assert db.session.scalar(select(KaizenEntry)) is None


def test_a_png_named_pdf_is_stored_as_the_png_it_is(world, login_as, db):
    post_entry(login_as("member"), world.team, files=[("raportti.pdf", image_bytes())])
    attachment = db.session.scalar(select(Attachment))
    assert attachment.content_type == "image/png" and attachment.thumbnail_name


def test_exactly_one_megabyte_is_accepted(world, login_as, db):
    content = b"%PDF-1.4" + b"0" * (MB - 8)
    assert (
        post_entry(login_as("member"), world.team, files=[("raja.pdf", content)]).status_code == 303
    )


def test_more_than_three_attachments_are_refused(world, login_as, db):
    files = [(f"kuva{n}.png", image_bytes()) for n in range(4)]
    response = post_entry(login_as("member"), world.team, files=files)
    assert response.status_code == 422
    assert "At most 3 attachments per entry." in response.get_data(as_text=True)


def test_a_request_over_the_size_limit_gets_a_friendly_page(world, login_as):
    files = [(f"iso{n}.png", b"\x89PNG" + b"0" * 10 * MB) for n in range(4)]
    response = post_entry(login_as("member"), world.team, files=files)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert "<html" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("tulostin", ["Tulostin lähemmäs"]),
        ("TULOST", ["Tulostin lähemmäs"]),  # the start of a word, in any case
        ("lähem", ["Tulostin lähemmäs"]),
        ("lahem", []),  # ä is not a
        ("palaute kysely", ["Palautekysely"]),
        ("jono", ["Palautekysely", "Jonotus"]),  # found in before, after or effect too
        ("kysely palaute", ["Palautekysely"]),
        ('"; DROP TABLE', []),
    ],
)
def test_search_finds_words_in_title_before_after_and_effect(world, login_as, query, titles):
    author = world.users["member"]
    make_kaizen(world.team, author, title="Tulostin lähemmäs", before="Kävely", after="Lähellä")
    make_kaizen(
        world.team,
        author,
        title="Palautekysely",
        before="Palaute kysely puuttui",
        after="jono lyheni",
    )
    make_kaizen(world.team, author, title="Jonotus", before="Pitkä jono", after="Ajanvaraus")
    html = (
        login_as("member")
        .get(f"/teams/{world.team.id}/kaizen", query_string={"q": query})
        .get_data(as_text=True)
    )
    shown = [t for t in ("Tulostin lähemmäs", "Palautekysely", "Jonotus") if f">{t}</h3>" in html]
    assert sorted(shown) == sorted(titles)


def test_filters_by_theme_author_and_dates(world, login_as):
    member, supervisor = world.users["member"], world.users["supervisor"]
    make_kaizen(world.team, member, title="Vanha", done_on=date(2026, 1, 10))
    make_kaizen(
        world.team,
        supervisor,
        title="Uusi",
        done_on=date(2026, 6, 1),
        theme=theme("service_process"),
    )
    client = login_as("member")

    def titles(**args):
        html = client.get(f"/teams/{world.team.id}/kaizen", query_string=args).get_data(
            as_text=True
        )
        shown = [t for t in ("Vanha", "Uusi") if f">{t}</h3>" in html]
        return sorted(shown, key=lambda title: html.index(f">{title}</h3>"))

    assert titles() == ["Uusi", "Vanha"]  # newest first
    assert titles(theme=theme("service_process").id) == ["Uusi"]
    assert titles(author=member.id) == ["Vanha"]
    assert titles(date_from="2026-02-01") == ["Uusi"]
    assert titles(date_to="2026-02-01") == ["Vanha"]


def test_log_pages_by_twenty_five(world, login_as):
    for number in range(30):
        make_kaizen(
            world.team,
            world.users["member"],
            title=f"Nro {number:02}",
            done_on=date(2026, 1, 1) + timedelta(days=number),
        )
    client = login_as("member")
    first = client.get(f"/teams/{world.team.id}/kaizen").get_data(as_text=True)
    assert (
        first.count('class="kaizen ') == 25 and ">Nro 29</h3>" in first and "Page 1 of 2" in first
    )
    second = client.get(f"/teams/{world.team.id}/kaizen?page=2").get_data(as_text=True)
    assert second.count('class="kaizen ') == 5 and ">Nro 00</h3>" in second


def test_log_runs_the_same_queries_for_few_and_many_entries(world, login_as, query_counter):
    client = login_as("member")
    url = f"/teams/{world.team.id}/kaizen"
    author = world.users["member"]
    make_kaizen(world.team, author)
    client.get(url)
    with query_counter() as few:
        client.get(url)
    for number in range(60):
        entry = make_kaizen(world.team, make_user(world.organization, {world.team: "member"}))
        if number % 3 == 0:
            from lean.kaizen.services import update_kaizen
            from lean.shared.uploads import CheckedUpload

            update_kaizen(
                author,
                entry,
                entry.version,
                {},
                uploads=[CheckedUpload("k.png", image_bytes(size=(20, 20)), "image/png")] * 2,
            )
    with query_counter() as many:
        client.get(url)
    assert few.value == many.value <= 9


def test_author_edits_their_entry_and_supervisor_any(world, login, db):
    member, supervisor = world.users["member"], world.users["supervisor"]
    other = make_user(world.organization, {world.team: "member"})
    entry = make_kaizen(world.team, member)

    def edit(user, title):
        return login(user).post(
            f"/kaizen/{entry.id}/edit",
            data=entry_form(title=title, version=entry.version),
            content_type="multipart/form-data",
        )

    assert edit(other, "Toisen muokkaus").status_code == 403
    assert edit(member, "Oma muokkaus").status_code == 303
    db.session.refresh(entry)
    assert edit(supervisor, "Esihenkilön muokkaus").status_code == 303
    db.session.refresh(entry)
    assert entry.title == "Esihenkilön muokkaus"


def test_stale_edit_is_refused_and_keeps_the_typed_text(world, login, db):
    member, supervisor = world.users["member"], world.users["supervisor"]
    entry = make_kaizen(world.team, member)
    loaded = entry.version
    login(supervisor).post(
        f"/kaizen/{entry.id}/edit",
        data=entry_form(title="Ensin", version=loaded),
        content_type="multipart/form-data",
    )
    response = login(member).post(
        f"/kaizen/{entry.id}/edit",
        data=entry_form(title="Myöhemmin", version=loaded),
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'value="Myöhemmin"' in html
    # The saved title is listed beside the typed one; unchanged fields are not listed.
    differences = html[html.index("<table") : html.index("</table>")]
    assert '<th scope="row">Title</th><td>Ensin</td><td>Myöhemmin</td>' in differences
    assert "Before" not in differences
    db.session.refresh(entry)
    assert entry.title == "Ensin"


def test_delete_asks_first_then_supervisor_can_restore_within_30_days(world, login, db):
    member, supervisor = world.users["member"], world.users["supervisor"]
    entry = make_kaizen(world.team, member, title="Poistettava")
    client = login(member)
    assert "Delete “Poistettava”?" in client.get(f"/kaizen/{entry.id}/delete").get_data(
        as_text=True
    )
    assert client.post(f"/kaizen/{entry.id}/delete").status_code == 303
    assert ">Poistettava</h3>" not in client.get(f"/teams/{world.team.id}/kaizen").get_data(
        as_text=True
    )
    assert client.get(f"/teams/{world.team.id}/kaizen/deleted").status_code == 403
    boss = login(supervisor)
    assert "Poistettava" in boss.get(f"/teams/{world.team.id}/kaizen/deleted").get_data(
        as_text=True
    )
    assert boss.post(f"/kaizen/{entry.id}/restore").status_code == 303
    assert ">Poistettava</h3>" in client.get(f"/teams/{world.team.id}/kaizen").get_data(
        as_text=True
    )
    kinds = db.session.scalars(
        select(Event.kind).where(Event.subject_type == "kaizen_entry").order_by(Event.id)
    ).all()
    assert kinds == ["created", "deleted", "restored"]


def test_entries_deleted_over_30_days_ago_cannot_be_restored(world, login, db):
    entry = make_kaizen(world.team, world.users["member"])
    login(world.users["member"]).post(f"/kaizen/{entry.id}/delete")
    db.session.refresh(entry)
    entry.deleted_at -= timedelta(days=31)
    db.session.commit()
    assert login(world.users["supervisor"]).post(f"/kaizen/{entry.id}/restore").status_code == 404


def test_purge_removes_expired_deleted_entries_with_their_files(world, login_as, db, app):
    client = login_as("member")
    for title in ("Vanha poisto", "Tuore poisto", "Voimassa"):
        post_entry(client, world.team, files=[("kuva.png", image_bytes())], title=title)
    entries = {e.title: e for e in db.session.scalars(select(KaizenEntry))}
    for title in ("Vanha poisto", "Tuore poisto"):
        client.post(f"/kaizen/{entries[title].id}/delete")
    db.session.refresh(entries["Vanha poisto"])
    entries["Vanha poisto"].deleted_at -= timedelta(days=31)
    db.session.commit()
    expired = entries["Vanha poisto"].attachments[0]
    expired_files = [upload_path(app, n) for n in (expired.stored_name, expired.thumbnail_name)]
    assert all(path.exists() for path in expired_files)

    result = app.test_cli_runner().invoke(args=["purge-deleted"])

    assert "1 deleted kaizen entries removed" in result.output
    titles = set(db.session.scalars(select(KaizenEntry.title)))
    assert titles == {"Tuore poisto", "Voimassa"}
    assert not any(path.exists() for path in expired_files)
    assert db.session.scalar(select(func.count(Attachment.id))) == 2
    # The recent deletion can still be restored; the history records the purge.
    restored = login_as("supervisor").post(f"/kaizen/{entries['Tuore poisto'].id}/restore")
    assert restored.status_code == 303
    assert db.session.scalar(select(Event).where(Event.kind == "purged")) is not None
    # Search no longer finds the purged text.
    search = login_as("coordinator").get(f"/teams/{world.team.id}/kaizen?q=poisto")
    assert "Tuore poisto" in search.get_data(as_text=True)
    assert "Vanha poisto" not in search.get_data(as_text=True)


def upload_path(app, name):
    from pathlib import Path

    return Path(app.config["UPLOAD_FOLDER"]) / name


def test_promote_makes_a_plan_card_linked_both_ways(world, login_as, db):
    entry = make_kaizen(
        world.team, world.users["member"], title="Isompi juttu", effect="Säästää aikaa"
    )
    client = login_as("member")
    response = client.post(f"/kaizen/{entry.id}/promote")
    card = db.session.scalar(select(Improvement).where(Improvement.title == "Isompi juttu"))
    assert response.location == f"/improvements/{card.id}"
    assert (
        card.stage == "plan" and card.problem == "Ennen" and card.expected_effect == "Säästää aikaa"
    )
    assert "Promoted from the kaizen" in client.get(response.location).get_data(as_text=True)
    assert "Became a board card" in client.get(f"/teams/{world.team.id}/kaizen").get_data(
        as_text=True
    )


def read_csv(data: bytes, separator=","):
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=separator))


@pytest.mark.parametrize("separator", [",", ";"])
def test_csv_export_cell_by_cell(world, login_as, separator):
    member = world.users["member"]
    make_kaizen(
        world.team,
        member,
        title='Hyllyt; "uudet" ja äöå',
        before="Rivi 1\nRivi 2",
        after="=SUM(A1)",
        done_on=date(2026, 3, 4),
        hours_saved_per_month=2,
    )
    make_kaizen(
        world.team, member, title="Muu", done_on=date(2026, 1, 1), theme=theme("service_process")
    )
    query = {"separator": "semicolon"} if separator == ";" else {}
    hours = "2,0" if separator == ";" else "2.0"  # Finnish Excel reads a decimal comma
    query["theme"] = theme().id
    response = login_as("member").get(
        f"/teams/{world.team.id}/kaizen/export.csv", query_string=query
    )
    excel = "-excel" if separator == ";" else ""  # the two variants never share a name
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="vertaa-kaizens-opintotoimisto-2026-03-04--2026-03-04{excel}.csv"'
    )
    rows = read_csv(response.data, separator)
    assert rows[0] == [
        "Date",
        "Team",
        "Title",
        "Before",
        "After",
        "Effect",
        "Theme",
        "Hours saved per month",
        "Author",
        "Attachments",
        "Before photo",
        "After photo",
    ]
    assert rows[1:] == [
        [
            "2026-03-04",
            "Opintotoimisto",
            'Hyllyt; "uudet" ja äöå',
            "Rivi 1\nRivi 2",
            "'=SUM(A1)",
            "",
            "Change leadership",
            hours,
            member.name,
            "0",
            "",
            "",
        ]
    ]


def test_xlsx_export_and_the_coordinators_whole_organization(world, login_as):
    make_kaizen(world.team, world.users["member"], title="Tiimin kaizen", done_on=date(2026, 5, 5))
    make_kaizen(world.other_team, title="Toisen tiimin kaizen")
    make_kaizen(world.foreign_team, title="Vieras kaizen")
    team_file = login_as("member").get(f"/teams/{world.team.id}/kaizen/export.xlsx")
    # The name says what, whose and which period (the first and last day in the file).
    assert team_file.headers["Content-Disposition"] == (
        'attachment; filename="vertaa-kaizens-opintotoimisto-2026-05-05--2026-05-05.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(team_file.data)).active
    assert [c.value for c in sheet[2]][1:3] == ["Opintotoimisto", "Tiimin kaizen"]
    assert sheet["A2"].is_date and sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert sheet.auto_filter.ref == "A1:L2"
    assert sheet.column_dimensions["A"].width >= len("2026-05-05")
    assert sheet.max_row == 2
    assert login_as("member").get("/kaizen/export.xlsx").status_code == 403
    whole = login_as("coordinator").get("/kaizen/export.csv")
    titles = {row[2] for row in read_csv(whole.data)[1:]}
    assert titles == {"Tiimin kaizen", "Toisen tiimin kaizen"}


def test_board_shows_this_months_kaizens_and_links_to_the_log(world, login_as):
    make_kaizen(world.team, world.users["member"])
    make_kaizen(world.team, world.users["member"], done_on=date.today() - timedelta(days=70))
    html = login_as("member").get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert "1 kaizen this month" in html
    assert f'href="/teams/{world.team.id}/kaizen"' in html


# ---- photos from phones, pictures that are bombs, files never left behind ------------------

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def phone_photo() -> bytes:
    """A 4000×3000 JPEG as a phone takes it sideways: EXIF orientation 6, a GPS location, a
    camera model; noisy enough to weigh megabytes."""
    image = Image.effect_noise((4000, 3000), 60).convert("RGB")
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # rotate 90° clockwise to show it upright: 3000 wide, 4000 high
    exif[0x0110] = "Puhelin 12"
    exif[GPS_IFD] = {1: "N", 2: (60.0, 10.0, 30.0), 3: "E", 4: (24.0, 56.0, 15.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, exif=exif)
    return buffer.getvalue()


def stored_file(app, attachment: Attachment) -> bytes:
    return (Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name).read_bytes()


def upload_files(app) -> set[str]:
    return {path.name for path in Path(app.config["UPLOAD_FOLDER"]).iterdir()}


def test_a_phone_photo_is_stored_upright_small_and_without_its_location(world, login_as, db, app):
    photo = phone_photo()
    assert 2 * MB < len(photo) <= 10 * MB
    assert Image.open(io.BytesIO(photo)).getexif()[GPS_IFD]
    response = post_entry(login_as("member"), world.team, files=[("IMG_2041.jpg", photo)])
    assert response.status_code == 303
    attachment = db.session.scalar(select(Attachment))
    stored = stored_file(app, attachment)
    assert len(stored) < MB and attachment.size == len(stored)
    picture = Image.open(io.BytesIO(stored))
    assert picture.format == "JPEG" and attachment.content_type == "image/jpeg"
    assert picture.size == (1536, 2048)  # turned upright, the long side 2,048 px
    exif = picture.getexif()
    assert GPS_IFD not in exif and ORIENTATION not in exif and 0x0110 not in exif
    assert not picture.getexif().get_ifd(GPS_IFD)
    assert "exif" not in picture.info and "xmp" not in picture.info


def test_a_10_mb_picture_is_accepted_and_stored_under_1_mb(world, login_as, db, app):
    side = 1800  # random pixels: a PNG that no compression makes smaller than ~9.7 MB
    noise = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert 9 * MB < buffer.tell() <= 10 * MB
    response = post_entry(login_as("member"), world.team, files=[("kohina.png", buffer.getvalue())])
    assert response.status_code == 303
    attachment = db.session.scalar(select(Attachment))
    assert len(stored_file(app, attachment)) < MB
    # Stored as a JPEG now: the name offered for download says so.
    assert attachment.original_name == "kohina.jpg" and attachment.content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "“iso.jpg” is larger than 10 MB."),
        ("fi", "”iso.jpg” on suurempi kuin 10 Mt."),
        ("sv", "”iso.jpg” är större än 10 MB."),
    ],
)
def test_a_picture_over_10_mb_is_refused_by_name_and_rule(world, login, db, language, message):
    client = login(world.users["member"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    content = b"\xff\xd8\xff\xe0" + b"0" * 10 * MB
    response = post_entry(client, world.team, files=[("iso.jpg", content)], headers=HTMX)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(KaizenEntry)) is None


def test_a_pdf_is_still_limited_to_1_mb(world, login_as, db):
    content = b"%PDF-1.4" + b"0" * 2 * MB
    response = post_entry(login_as("member"), world.team, files=[("ohje.pdf", content)])
    assert response.status_code == 422
    assert "“ohje.pdf” is larger than 1 MB." in response.get_data(as_text=True)


def test_a_decompression_bomb_is_refused_from_its_header(world, login_as, db, app):
    buffer = io.BytesIO()
    Image.new("L", (10_000, 10_000)).save(buffer, "PNG", optimize=True)
    bomb = buffer.getvalue()
    assert len(bomb) < MB  # 100 megapixels in a small file
    before = upload_files(app)
    started = time.monotonic()
    response = post_entry(
        login_as("member"), world.team, files=[(f"pommi{n}.png", bomb) for n in range(3)]
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "“pommi0.png” has too many pixels (10000 × 10000); at most 40 megapixels." in html
    assert "“pommi2.png” has too many pixels" in html
    assert elapsed < 5, elapsed  # decoding three of them took 20–30 s
    assert db.session.scalar(select(KaizenEntry)) is None
    assert upload_files(app) == before


def test_each_photo_gets_a_description_used_as_its_alt_text(world, login_as, db):
    client = login_as("member")
    fields = entry_form(**{"files-0-description": "Tulostin palvelupisteen vieressä"})
    response = client.post(
        f"/teams/{world.team.id}/kaizen",
        **multipart(fields, [("IMG_1.png", image_bytes()), ("IMG_2.png", image_bytes())]),
    )
    assert response.status_code == 303
    first, second = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert (first.description, second.description) == ("Tulostin palvelupisteen vieressä", "")
    html = client.get(f"/teams/{world.team.id}/kaizen").get_data(as_text=True)
    assert 'alt="Tulostin palvelupisteen vieressä"' in html
    assert 'alt="IMG_2.png"' in html  # no description: the file name

    entry = db.session.scalar(select(KaizenEntry))
    edit = client.get(f"/kaizen/{entry.id}/edit").get_data(as_text=True)
    # Once, on the attachment it describes; the slots for new files start empty.
    assert edit.count('value="Tulostin palvelupisteen vieressä"') == 1
    response = client.post(
        f"/kaizen/{entry.id}/edit",
        **multipart(
            entry_form(
                version=str(entry.version),
                **{f"attachment-{second.id}-description": "Uusi hylly"},
            )
        ),
    )
    assert response.status_code == 303
    html = client.get(f"/teams/{world.team.id}/kaizen").get_data(as_text=True)
    assert 'alt="Uusi hylly"' in html and 'alt="Tulostin palvelupisteen vieressä"' in html


def test_a_description_too_long_is_refused(world, login_as, db):
    fields = entry_form(**{"files-0-description": "x" * 201})
    response = login_as("member").post(
        f"/teams/{world.team.id}/kaizen", **multipart(fields, [("kuva.png", image_bytes())])
    )
    assert response.status_code == 422
    assert "Field cannot be longer than 200 characters." in response.get_data(as_text=True)
    assert db.session.scalar(select(KaizenEntry)) is None


def test_an_upload_folder_that_cannot_be_written_saves_nothing_and_says_so(
    world, login_as, db, app, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    app.config["UPLOAD_FOLDER"] = str(blocker / "uploads")
    response = post_entry(
        login_as("member"), world.team, files=[("kuva.png", image_bytes())], headers=HTMX
    )
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "The attachments could not be stored, so nothing was saved." in html
    assert 'value="Tulostin lähemmäs"' in html  # what was typed stays
    assert db.session.scalar(select(KaizenEntry)) is None
    assert db.session.scalar(select(Attachment)) is None


def test_a_database_failure_after_the_files_were_written_leaves_no_file(world, login_as, db, app):
    def refuse_events(connection, cursor, statement, *args):
        if statement.startswith("INSERT INTO event"):
            raise OperationalError(statement, {}, Exception("the disk is full"))

    client = login_as("member")
    before = upload_files(app)
    event.listen(db.engine, "before_cursor_execute", refuse_events)
    try:
        response = post_entry(
            client, world.team, files=[("kuva.png", image_bytes()), ("ohje.pdf", b"%PDF-1.7")]
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", refuse_events)
    assert response.status_code >= 500
    assert upload_files(app) == before
    assert db.session.scalar(select(KaizenEntry)) is None
    assert db.session.scalar(select(Attachment)) is None


def test_attachments_are_revalidated_and_not_served_after_logout(world, login_as, db):
    client = login_as("member")
    post_entry(client, world.team, files=[("kuva.png", image_bytes())])
    attachment = db.session.scalar(select(Attachment))
    for url in (f"/attachments/{attachment.id}", f"/attachments/{attachment.id}/thumbnail"):
        served = fetch(client, url)
        assert served.status_code == 200
        cache = served.headers["Cache-Control"]
        assert "private" in cache and "no-cache" in cache and "max-age=3600" not in cache
        assert served.headers["ETag"] and served.headers["Last-Modified"]
        # Revalidating an unchanged file costs a 304 without the body.
        again = client.get(url, headers={"If-None-Match": served.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        again.close()
    client.post("/logout")
    after = fetch(client, f"/attachments/{attachment.id}")
    assert after.status_code != 200 and after.data[:4] != b"\x89PNG"


def test_purge_also_removes_files_a_killed_worker_left_without_a_row(world, login_as, db, app):
    post_entry(login_as("member"), world.team, files=[("kuva.png", image_bytes())])
    kept = db.session.scalar(select(Attachment))
    folder = Path(app.config["UPLOAD_FOLDER"])
    # Every file's time is set from the test's clock: the file system stamps them with the real
    # time, which may be any distance from the clock the app reads.
    an_hour_and_more_ago, a_minute_ago = time.time() - 3700, time.time() - 60
    orphan, fresh = folder / ("a" * 32), folder / ("b" * 32 + "-thumb")
    other = folder / "README.txt"
    for path in (orphan, fresh, other):
        path.write_bytes(b"left behind")
    for path in (orphan, other, folder / kept.stored_name, folder / kept.thumbnail_name):
        os.utime(path, (an_hour_and_more_ago, an_hour_and_more_ago))
    os.utime(fresh, (a_minute_ago, a_minute_ago))

    result = app.test_cli_runner().invoke(args=["purge-deleted"])

    assert not orphan.exists()
    # A file of a request still running, a file not named by the app, and files in use stay.
    assert fresh.exists() and other.exists()
    assert (folder / kept.stored_name).exists() and (folder / kept.thumbnail_name).exists()
    assert "files without an attachment removed" in result.output
    fresh.unlink()
    other.unlink()


def test_the_before_and_after_photos_show_side_by_side_named_and_in_the_export(world, login_as, db):
    client = login_as("member")
    fields = entry_form(
        **{"files-0-description": "Jono tiskillä", "files-1-description": "Ei jonoa"}
    )
    files = [("ennen.png", image_bytes()), ("jalkeen.png", image_bytes()), ("ohje.pdf", PDF)]
    assert (
        client.post(f"/teams/{world.team.id}/kaizen", **multipart(fields, files)).status_code == 303
    )
    before, after, other = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert (before.role, after.role, other.role) == ("before", "after", "")

    html = client.get(f"/teams/{world.team.id}/kaizen").get_data(as_text=True)
    photos = html.split('class="before-after-photos"')[1].split("</div>")[0]
    # The before photo first, each under its name; the other file below them.
    assert photos.index('alt="Jono tiskillä"') < photos.index("<figcaption>Before</figcaption>")
    assert photos.index("<figcaption>Before</figcaption>") < photos.index('alt="Ei jonoa"')
    assert photos.index('alt="Ei jonoa"') < photos.index("<figcaption>After</figcaption>")
    assert "ohje.pdf" not in photos
    assert (
        "ohje.pdf" in html.split('class="before-after-photos"')[1].split('class="attachments"')[1]
    )

    rows = read_csv(client.get(f"/teams/{world.team.id}/kaizen/export.csv").data)
    assert rows[0][-2:] == ["Before photo", "After photo"]
    assert rows[1][-2:] == [
        f"http://localhost/attachments/{before.id}",
        f"http://localhost/attachments/{after.id}",
    ]


def test_a_pdf_chosen_as_a_photo_is_kept_as_another_file(world, login_as, db):
    client = login_as("member")
    assert post_entry(client, world.team, files=[("ohje.pdf", PDF)]).status_code == 303
    assert db.session.scalar(select(Attachment.role)) == ""
    html = client.get(f"/teams/{world.team.id}/kaizen").get_data(as_text=True)
    assert "before-after-photos" not in html and "ohje.pdf" in html


def test_a_new_before_photo_takes_the_place_of_the_old_one(world, login_as, db, app):
    client = login_as("member")
    files = [("vanha.png", image_bytes()), ("jalkeen.png", image_bytes()), ("ohje.pdf", PDF)]
    post_entry(client, world.team, files=files)
    entry = db.session.scalar(select(KaizenEntry))
    old = entry.photo("before")
    old_file = Path(app.config["UPLOAD_FOLDER"]) / old.stored_name
    assert old_file.exists()
    edit = client.get(f"/kaizen/{entry.id}/edit").get_data(as_text=True)
    assert "A new photo takes the place of “vanha.png”." in edit
    # Three files already: a new before photo is a replacement, not a fourth file.
    response = client.post(
        f"/kaizen/{entry.id}/edit",
        **multipart(entry_form(version=str(entry.version)), [("uusi.png", image_bytes())]),
    )
    assert response.status_code == 303
    db.session.expire_all()
    entry = db.session.get(KaizenEntry, entry.id)
    assert entry.photo("before").original_name == "uusi.png"
    assert entry.photo("after").original_name == "jalkeen.png"
    assert len(entry.attachments) == 3
    assert not old_file.exists()
