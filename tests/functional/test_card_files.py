"""Photos and documents on a board card: added through the kaizen log's checks, served to the
card's readers only, removed with their files, and a photo as the card's cover on the board."""

import io
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import make_url, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lean.core.extensions import db as _db
from lean.models import Attachment, Event
from tests.conftest import World, empty_tables, make_app, make_improvement, make_kaizen, make_user
from tests.functional.test_kaizen import (
    GPS_IFD,
    HTMX,
    MB,
    fetch,
    image_bytes,
    phone_photo,
    stored_file,
    upload_files,
)
from tests.functional.test_query_counts import count_queries, fill_board
from tests.functional.test_sqlite_locking import logged_in_client
from tests.functional.test_upload_limits import (  # noqa: F401  (while_decoding: a fixture)
    another_save,
    encoded,
    noise,
    while_decoding,
)

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n"


def post_file(client, improvement, name, content, description="", headers=None):
    """A card's upload form sent as the browser sends it (multipart, in memory)."""
    data = MultiDict({"description": description})
    data.add("file", FileStorage(io.BytesIO(content), filename=name))
    boundary, body = encode_multipart(data)
    return client.post(
        f"/improvements/{improvement.id}/files",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers or {},
    )


def card_files(db, improvement) -> list[Attachment]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.improvement_id == improvement.id)
            .order_by(Attachment.id)
        )
    )


def file_events(db, improvement) -> list[tuple[str, dict]]:
    return [
        (event.kind, event.data)
        for event in db.session.scalars(
            select(Event)
            .where(
                Event.subject_type == "improvement",
                Event.subject_id == improvement.id,
                Event.kind.in_(("file_added", "file_removed", "cover_changed")),
            )
            .order_by(Event.id)
        )
    ]


def announced(response) -> str:
    return json.loads(response.headers["HX-Trigger"])["vertaa:announce"]["message"]


# ---- adding -----------------------------------------------------------------------------


def test_a_photo_is_added_in_place_with_its_description_as_alt_text(world, login_as, db, app):
    client = login_as("member")
    response = post_file(
        client, world.improvement, "tulostin.png", image_bytes(), "Tulostin palvelupisteellä", HTMX
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    [photo] = card_files(db, world.improvement)
    assert photo.content_type == "image/png" and photo.thumbnail_name and not photo.is_cover
    assert photo.kaizen_id is None and photo.description == "Tulostin palvelupisteellä"
    # The section in place, the photo's thumbnail with its description as alt text, the
    # history out of band, and the change said in the live region.
    assert html.lstrip().startswith('<section id="card-files"')
    assert f'src="/attachments/{photo.id}/thumbnail" alt="Tulostin palvelupisteellä"' in html
    assert 'id="card-history" data-hx-swap-oob="true"' in html
    assert "added the photo “tulostin.png”" in html
    assert announced(response) == "“tulostin.png” added to the card."
    # The file field is focused, ready for the next one; the form is empty again.
    assert "autofocus" in html and 'id="card-file-input"' in html
    form = html[html.index('id="card-file-form"') :]
    assert 'value="Tulostin palvelupisteellä"' not in form
    assert file_events(db, world.improvement) == [
        ("file_added", {"attachment_id": photo.id, "name": "tulostin.png", "photo": True})
    ]
    served = fetch(client, f"/attachments/{photo.id}")
    assert served.status_code == 200 and served.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(served.data)).size == (640, 480)
    assert served.headers["Cache-Control"] == "private, no-cache"


def test_a_pdf_is_added_without_javascript_and_listed_with_its_name_and_size(world, login_as, db):
    client = login_as("member")
    response = post_file(client, world.improvement, "ohje.pdf.exe", PDF)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/improvements/{world.improvement.id}#card-files")
    [document] = card_files(db, world.improvement)
    assert document.original_name == "ohje.pdf" and not document.thumbnail_name
    page = client.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert "“ohje.pdf” added to the card." in page  # the flashed message
    assert f'<a class="card-file-document" href="/attachments/{document.id}">ohje.pdf</a>' in page
    assert "PDF, 1 kB" in page
    assert "Use as cover" not in page  # a document is never a cover
    download = fetch(client, f"/attachments/{document.id}")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "ohje.pdf" in download.headers["Content-Disposition"]


def test_a_phone_photo_loses_its_location_and_camera(world, login_as, db, app):
    response = post_file(login_as("member"), world.improvement, "IMG_2041.jpg", phone_photo())
    assert response.status_code == 303
    [photo] = card_files(db, world.improvement)
    stored = stored_file(app, photo)
    assert len(stored) < MB
    picture = Image.open(io.BytesIO(stored))
    assert picture.size == (1536, 2048)  # upright, the long side 2,048 px
    assert not picture.getexif() and not picture.getexif().get_ifd(GPS_IFD)
    assert "exif" not in picture.info and "icc_profile" not in picture.info


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ohjelma.pdf", b"MZ\x90\x00" + b"\x00" * 100, "“ohjelma.pdf” is not a JPG, PNG"),
        ("iso.pdf", b"%PDF-1.4" + b"0" * MB, "“iso.pdf” is larger than 1 MB."),
        ("tyhja.png", b"", "“tyhja.png” is empty."),
    ],
)
def test_a_refused_file_is_named_with_its_rule_and_the_description_is_kept(
    world, login_as, db, app, name, content, message
):
    before = upload_files(app) if Path(app.config["UPLOAD_FOLDER"]).is_dir() else set()
    client = login_as("member")
    response = post_file(client, world.improvement, name, content, "Mitä kuvassa on", HTMX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The file was not added." in html and message in html
    assert 'class="form-errors" role="alert"' in html
    assert 'value="Mitä kuvassa on"' in html  # nothing typed is lost
    assert card_files(db, world.improvement) == [] and file_events(db, world.improvement) == []
    assert (upload_files(app) if Path(app.config["UPLOAD_FOLDER"]).is_dir() else set()) == before
    # Without JavaScript: a page of the card's files says the same, the text kept.
    page = post_file(client, world.improvement, name, content, "Mitä kuvassa on")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert message in text and 'value="Mitä kuvassa on"' in text and "<h1>Oma kortti</h1>" in text


def test_a_photo_too_big_is_refused_by_name(world, login_as, db):
    big = b"\xff\xd8\xff" + b"0" * (10 * MB)  # more than 10 MB, within the request's limit
    response = post_file(login_as("member"), world.improvement, "iso.jpg", big, headers=HTMX)
    assert response.status_code == 422
    assert "“iso.jpg” is larger than 10 MB." in response.get_data(as_text=True)


def test_no_file_chosen_asks_for_one(world, login_as, db):
    client = login_as("member")
    response = client.post(
        f"/improvements/{world.improvement.id}/files", data={"description": "Kuva"}, headers=HTMX
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose a photo or a PDF to add." in html and 'aria-invalid="true"' in html


def test_a_description_too_long_is_refused_and_kept(world, login_as, db):
    text = "k" * 201
    response = post_file(
        login_as("member"), world.improvement, "kuva.png", image_bytes(), text, HTMX
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Field cannot be longer than 200 characters." in html and f'value="{text}"' in html
    assert card_files(db, world.improvement) == []


def test_a_full_card_takes_no_more_files(world, login_as, db, app):
    app.config["CARD_FILES_MAX"] = 2
    client = login_as("member")
    for number in range(2):
        assert post_file(client, world.improvement, f"{number}.pdf", PDF).status_code == 303
    page = client.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert "This card has 2 files, the most a card may carry." in page
    assert 'id="card-file-form"' not in page
    response = post_file(client, world.improvement, "3.pdf", PDF, headers=HTMX)
    assert response.status_code == 422
    assert "This card has 2 files, the most a card may carry." in response.get_data(as_text=True)
    assert len(card_files(db, world.improvement)) == 2


# ---- who may ----------------------------------------------------------------------------


def test_files_are_served_to_the_cards_readers_only(world, login_as, db):
    post_file(login_as("member"), world.improvement, "kuva.png", image_bytes())
    [photo] = card_files(db, world.improvement)
    for role in ("member", "supervisor", "coordinator", "admin"):
        client = login_as(role)
        assert fetch(client, f"/attachments/{photo.id}").status_code == 200, role
        assert fetch(client, f"/attachments/{photo.id}/thumbnail").status_code == 200, role
    outsider = login_as("foreign_member")
    assert outsider.get(f"/attachments/{photo.id}").status_code == 404
    assert outsider.get(f"/attachments/{photo.id}/thumbnail").status_code == 404
    assert outsider.post(f"/attachments/{photo.id}/cover", data={"cover": "1"}).status_code == 404
    assert outsider.post(f"/attachments/{photo.id}/remove").status_code == 404
    assert post_file(outsider, world.improvement, "x.pdf", PDF).status_code == 404
    # An archived card stays readable, and so do its files.
    supervisor = login_as("supervisor")
    supervisor.post(f"/improvements/{world.improvement.id}/archive")
    assert fetch(login_as("member"), f"/attachments/{photo.id}").status_code == 200


def test_readers_who_may_not_write_see_the_files_but_change_nothing(world, login_as, db):
    post_file(login_as("member"), world.improvement, "kuva.png", image_bytes())
    [photo] = card_files(db, world.improvement)
    other = make_user(world.organization, {world.other_team: "member"}, email="other@example.fi")
    from tests.conftest import PASSWORD

    client = login_as("member").application.test_client()
    client.post("/login", data={"email": other.email, "password": PASSWORD})
    page = client.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert f'src="/attachments/{photo.id}/thumbnail"' in page
    assert 'id="card-file-form"' not in page and "Use as cover" not in page
    assert post_file(client, world.improvement, "x.pdf", PDF).status_code == 403
    assert client.post(f"/attachments/{photo.id}/cover", data={"cover": "1"}).status_code == 403
    assert client.post(f"/attachments/{photo.id}/remove").status_code == 403
    assert len(card_files(db, world.improvement)) == 1


def test_a_kaizens_file_is_not_a_cards_to_change(world, login_as, db):
    from lean.kaizen.services import update_kaizen
    from lean.shared.uploads import CheckedUpload

    entry = make_kaizen(world.team, world.users["member"])
    update_kaizen(
        world.users["member"],
        entry,
        entry.version,
        {},
        uploads=[CheckedUpload("ohje.pdf", PDF, "application/pdf")],
    )
    db.session.commit()
    attachment = entry.attachments[0]
    client = login_as("member")
    assert client.post(f"/attachments/{attachment.id}/remove").status_code == 404
    assert (
        client.post(f"/attachments/{attachment.id}/cover", data={"cover": "1"}).status_code == 404
    )
    assert fetch(client, f"/attachments/{attachment.id}").status_code == 200  # still the kaizen's


# ---- removing ---------------------------------------------------------------------------


def test_a_removed_file_leaves_the_card_and_the_disk(world, login_as, db, app):
    client = login_as("member")
    post_file(client, world.improvement, "kuva.png", image_bytes(), "Kuvaus")
    [photo] = card_files(db, world.improvement)
    names = {photo.stored_name, photo.thumbnail_name}
    assert names <= upload_files(app)
    client.post(f"/attachments/{photo.id}/cover", data={"cover": "1"})
    response = client.post(f"/attachments/{photo.id}/remove", headers=HTMX)
    assert response.status_code == 200
    assert announced(response) == "“kuva.png” removed from the card."
    html = response.get_data(as_text=True)
    assert "No photos or documents yet." in html and "removed the photo “kuva.png”" in html
    assert card_files(db, world.improvement) == []
    assert not names & upload_files(app)
    assert fetch(client, f"/attachments/{photo.id}").status_code == 404
    # The board no longer shows it as the cover.
    board = client.get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert "card-cover" not in board


def test_removing_without_javascript_goes_back_to_the_cards_files(world, login_as, db):
    client = login_as("member")
    post_file(client, world.improvement, "ohje.pdf", PDF)
    [document] = card_files(db, world.improvement)
    response = client.post(f"/attachments/{document.id}/remove")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("#card-files")
    assert "“ohje.pdf” removed from the card." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


# ---- the description ---------------------------------------------------------------------


def test_a_description_is_changed_and_becomes_the_alt_text_everywhere(world, login_as, db):
    client = login_as("member")
    post_file(client, world.improvement, "kuva.png", image_bytes())
    [photo] = card_files(db, world.improvement)
    client.post(f"/attachments/{photo.id}/cover", data={"cover": "1"})
    board = client.get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert f'src="/attachments/{photo.id}/thumbnail" alt="" width="240"' in board
    response = client.post(
        f"/attachments/{photo.id}/description", data={"description": " Palvelupiste "}, headers=HTMX
    )
    assert response.status_code == 200
    assert announced(response) == "The description of “kuva.png” is saved."
    html = response.get_data(as_text=True)
    assert f'<summary id="describe-{photo.id}" autofocus>' in html
    assert f'src="/attachments/{photo.id}/thumbnail" alt="Palvelupiste"' in html
    assert "described “kuva.png”: Palvelupiste" in html
    assert card_files(db, world.improvement)[0].description == "Palvelupiste"
    board = client.get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert f'src="/attachments/{photo.id}/thumbnail" alt="Palvelupiste" width="240"' in board
    # Emptied without JavaScript: the file's name is the alt text on the card again.
    response = client.post(f"/attachments/{photo.id}/description", data={"description": ""})
    assert response.status_code == 303 and response.headers["Location"].endswith("#card-files")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'alt="kuva.png"' in page and "removed the description of “kuva.png”" in page


def test_a_description_too_long_is_refused_in_place_and_kept(world, login_as, db):
    client = login_as("member")
    post_file(client, world.improvement, "kuva.png", image_bytes(), "Vanha")
    [photo] = card_files(db, world.improvement)
    text = "k" * 201
    response = client.post(
        f"/attachments/{photo.id}/description", data={"description": text}, headers=HTMX
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The description of “kuva.png” is longer than 200 characters." in html
    assert f'value="{text}" aria-invalid="true"' in html and "<details class" in html
    assert 'card-file-describe" open>' in html
    assert card_files(db, world.improvement)[0].description == "Vanha"


def test_only_the_boards_writers_describe_a_file(world, login_as, db):
    post_file(login_as("member"), world.improvement, "kuva.png", image_bytes(), "Vanha")
    [photo] = card_files(db, world.improvement)
    url = f"/attachments/{photo.id}/description"
    assert login_as("coordinator").post(url, data={"description": "X"}).status_code == 403
    assert login_as("foreign_member").post(url, data={"description": "X"}).status_code == 404
    assert card_files(db, world.improvement)[0].description == "Vanha"


# ---- the cover ----------------------------------------------------------------------------


def test_a_photo_becomes_the_cover_and_the_board_shows_it(world, login_as, db):
    client = login_as("member")
    post_file(client, world.improvement, "eka.png", image_bytes(), "Palvelupiste")
    post_file(client, world.improvement, "toka.png", image_bytes())
    first, second = card_files(db, world.improvement)
    response = client.post(f"/attachments/{first.id}/cover", data={"cover": "1"}, headers=HTMX)
    assert response.status_code == 200
    assert announced(response) == "“eka.png” is now the card's cover on the board."
    html = response.get_data(as_text=True)
    assert f'id="cover-{first.id}" aria-describedby="card-file-{first.id}-name" autofocus' in html
    assert "made the photo “eka.png” the card's cover" in html
    board = client.get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert (
        f'<img class="card-cover" src="/attachments/{first.id}/thumbnail" alt="Palvelupiste" '
        'width="240" height="72"'
    ) in board
    # Another photo takes its place: one cover per card.
    client.post(f"/attachments/{second.id}/cover", data={"cover": "1"})
    assert [f.is_cover for f in card_files(db, world.improvement)] == [False, True]
    board = client.get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    # Without a description the cover is decoration beside the card's title.
    assert f'src="/attachments/{second.id}/thumbnail" alt="" width="240"' in board
    assert board.count('class="card-cover"') == 1
    # And it is taken off again.
    response = client.post(f"/attachments/{second.id}/cover", data={"cover": "0"})
    assert response.status_code == 303
    assert [f.is_cover for f in card_files(db, world.improvement)] == [False, False]
    assert "card-cover" not in client.get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    changes = file_events(db, world.improvement)[2:]
    assert [(kind, data["name"], data["cover"]) for kind, data in changes] == [
        ("cover_changed", "eka.png", True),
        ("cover_changed", "toka.png", True),
        ("cover_changed", "toka.png", False),
    ]
    history = client.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert "removed the photo “toka.png” as the card's cover" in history


def test_the_database_keeps_one_cover_per_card(world, login_as, db):
    client = login_as("member")
    post_file(client, world.improvement, "eka.png", image_bytes())
    post_file(client, world.improvement, "toka.png", image_bytes())
    first, second = card_files(db, world.improvement)
    first.is_cover = second.is_cover = True
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_document_cannot_be_a_cover(world, login_as, db):
    client = login_as("member")
    post_file(client, world.improvement, "ohje.pdf", PDF)
    [document] = card_files(db, world.improvement)
    assert client.post(f"/attachments/{document.id}/cover", data={"cover": "1"}).status_code == 400
    assert not card_files(db, world.improvement)[0].is_cover


def test_the_moved_card_keeps_its_cover(world, login_as, db):
    client = login_as("member")
    post_file(client, world.improvement, "kuva.png", image_bytes(), "Kuvaus")
    [photo] = card_files(db, world.improvement)
    client.post(f"/attachments/{photo.id}/cover", data={"cover": "1"})
    response = client.post(
        f"/improvements/{world.improvement.id}/move",
        data={"stage": "plan", "from": "board"},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert f'src="/attachments/{photo.id}/thumbnail" alt="Kuvaus"' in html


def test_the_history_and_the_since_stand_up_list_tell_of_files(world, login_as, db):
    client = login_as("member")
    post_file(client, world.improvement, "ohje.pdf", PDF)
    [document] = card_files(db, world.improvement)
    client.post(f"/attachments/{document.id}/remove")
    page = client.get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert "added the document “ohje.pdf”" in page and "removed the document “ohje.pdf”" in page
    since = client.get(f"/teams/{world.team.id}/since-standup").get_data(as_text=True)
    assert "added the document “ohje.pdf”" in since and "file_added" not in since


def test_the_board_with_covers_runs_as_many_statements(world, login_as, db, query_counter):
    member = world.users["member"]
    client = login_as("member")
    url = f"/teams/{world.team.id}/board"
    fill_board(world.team, member, 4)
    without = count_queries(client, query_counter, url)
    for number in range(6):
        card = make_improvement(world.team, member, title=f"Kuvallinen {number}")
        post_file(client, card, "kuva.png", image_bytes(size=(64, 48)), f"Kuva {number}")
        [photo] = card_files(db, card)
        client.post(f"/attachments/{photo.id}/cover", data={"cover": "1"})
    html = client.get(url).get_data(as_text=True)
    assert html.count('class="card-cover"') == 6
    assert count_queries(client, query_counter, url) == without


# ---- SQLite's write lock is free while a card's photo is shrunk --------------------------


@pytest.fixture
def sqlite_card(sqlite_database) -> Iterator[SimpleNamespace]:
    """The world's card and its member in an SQLite database."""
    setup = make_app(sqlite_database)
    with setup.app_context():
        world = World()
        facts = SimpleNamespace(
            card=world.improvement.id,
            member=world.users["member"].email,
            member_id=world.users["member"].id,
            team=world.team.id,
            path=make_url(sqlite_database).database,
            url=sqlite_database,
        )
        _db.session.commit()  # the builders' transaction holds the write lock
        yield facts
        _db.session.remove()
        empty_tables()
        _db.engine.dispose()


def post_photo(client, card_id: int):
    data = MultiDict({"description": "Kuva"})
    photo = encoded(noise((600, 400)), "JPEG")
    data.add("file", FileStorage(io.BytesIO(photo), filename="IMG_1.jpg"))
    boundary, body = encode_multipart(data)
    return client.post(
        f"/improvements/{card_id}/files",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_others_save_while_a_cards_photo_is_shrunk(
    sqlite_card,
    while_decoding,  # noqa: F811  (the fixture imported above)
):
    client = logged_in_client(sqlite_card.url, 15, sqlite_card.member)
    waits = []
    while_decoding(
        lambda _picture: waits.append(
            another_save(
                sqlite_card.path, "UPDATE team SET name = name || '' WHERE id = ?", sqlite_card.team
            )
        )
    )
    response = post_photo(client, sqlite_card.card)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert waits and None not in waits, "the write lock was held while the photo was decoded"
    with make_app(sqlite_card.url).app_context():
        stored = _db.session.scalars(
            select(Attachment).where(Attachment.improvement_id == sqlite_card.card)
        ).all()
        assert [attachment.original_name for attachment in stored] == ["IMG_1.jpg"]


def test_a_member_removed_while_their_photo_was_shrunk_cannot_add_it(
    sqlite_card,
    while_decoding,  # noqa: F811  (the fixture imported above)
):
    """The permission is asked again in the save's own transaction."""
    client = logged_in_client(sqlite_card.url, 15, sqlite_card.member)
    waits = []
    while_decoding(
        lambda _picture: waits.append(
            another_save(
                sqlite_card.path,
                "DELETE FROM membership WHERE user_id = ? AND team_id = ?",
                sqlite_card.member_id,
                sqlite_card.team,
            )
        )
    )
    response = post_photo(client, sqlite_card.card)
    assert waits and None not in waits
    assert response.status_code == 403
    with make_app(sqlite_card.url).app_context():
        assert _db.session.scalar(select(Attachment)) is None
