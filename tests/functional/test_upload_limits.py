"""Uploads that cost a worker too much or would be served unsafely: huge colour profiles, too
many pixels, slow pictures, SQLite's write lock held while photos are shrunk, PDFs with
another extension, and multi-picture JPEGs."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import struct
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from PIL import Image, ImageFile
from sqlalchemy import make_url, select, update
from werkzeug.http import parse_options_header

from lean.core.extensions import db as _db
from lean.models import Attachment, KaizenEntry
from tests.conftest import World, empty_tables, make_app, make_kaizen
from tests.functional.test_kaizen import (
    HTMX,
    MB,
    entry_form,
    fetch,
    image_bytes,
    multipart,
    post_entry,
    stored_file,
)
from tests.functional.test_sqlite_locking import logged_in_client

# ---- helpers ---------------------------------------------------------------------------------


@contextmanager
def finishes_within(seconds: float) -> Iterator[None]:
    """Fail the test, instead of hanging it, when the block runs longer than `seconds`."""

    def too_slow(_signal, _frame):
        raise TimeoutError(f"the upload was still being processed after {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def while_decoding(monkeypatch) -> Callable[[Callable[[ImageFile.ImageFile], None]], None]:
    """while_decoding(action): action(picture) runs each time Pillow is about to decode a
    picture's pixels (every format's load passes through ImageFile.load), in the middle of
    the request; the decoding itself then goes on as always."""

    def install(action: Callable[[ImageFile.ImageFile], None]) -> None:
        decode = ImageFile.ImageFile.load

        def load(picture):
            if picture.tile:  # not yet decoded
                action(picture)
            return decode(picture)

        monkeypatch.setattr(ImageFile.ImageFile, "load", load)

    return install


def encoded(picture: Image.Image, kind: str, **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, kind, **options)
    return buffer.getvalue()


def noise(size: tuple[int, int]) -> Image.Image:
    return Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + bytes(4) + _s15(x) + _s15(y) + _s15(z)


# sRGB's red, green and blue as XYZ (D50), as an ICC matrix profile writes them.
SRGB_RED, SRGB_GREEN, SRGB_BLUE = (
    (0.4361, 0.2225, 0.0139),
    (0.3851, 0.7169, 0.0971),
    (
        0.1431,
        0.0606,
        0.7141,
    ),
)


def rgb_profile(red, green, blue) -> bytes:
    """A minimal ICC v2 display profile with these primaries and linear tone curves."""
    linear = b"curv" + bytes(4) + struct.pack(">I", 0)
    tags = [
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz(*red)),
        (b"gXYZ", _xyz(*green)),
        (b"bXYZ", _xyz(*blue)),
        (b"rTRC", linear),
        (b"gTRC", linear),
        (b"bTRC", linear),
    ]
    start = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        table += signature + struct.pack(">II", start + len(data), len(body))
        data += body + bytes(-len(body) % 4)
    header = (
        struct.pack(">I", start + len(data))
        + bytes(4)
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + bytes(12)
        + b"acsp"
        + bytes(28)
        + _xyz(0.9642, 1.0, 0.8249)[8:]
        + bytes(48)
    )
    return header + struct.pack(">I", len(tags)) + table + data


def the_attachment(db) -> Attachment:
    return db.session.scalar(select(Attachment))


# ---- colour profiles -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["JPEG", "WEBP"])
def test_a_photo_with_a_huge_colour_profile_is_stored_without_it(world, login_as, db, app, kind):
    """Pillow writes the profile into every encoding: a 1.5 MB one never fit under 1 MB."""
    photo = encoded(
        Image.new("RGB", (200, 200), (30, 120, 60)), kind, icc_profile=os.urandom(1_500_000)
    )
    assert len(photo) > MB
    with finishes_within(60):
        response = post_entry(login_as("member"), world.team, files=[("profiili.jpg", photo)])
    assert response.status_code == 303
    stored = stored_file(app, the_attachment(db))
    assert len(stored) < MB
    picture = Image.open(io.BytesIO(stored))
    assert "icc_profile" not in picture.info
    assert picture.size == (200, 200)


def test_a_photo_is_stored_in_the_colours_its_profile_means(world, login_as, db, app):
    """A profile is not dropped but applied: a picture whose profile says that its red
    channel is green is stored green, in sRGB, with no profile left to apply twice."""
    red_means_green = rgb_profile(SRGB_GREEN, SRGB_RED, SRGB_BLUE)
    photo = encoded(Image.new("RGB", (64, 64), (255, 0, 0)), "PNG", icc_profile=red_means_green)
    response = post_entry(login_as("member"), world.team, files=[("vihrea.png", photo)])
    assert response.status_code == 303
    picture = Image.open(io.BytesIO(stored_file(app, the_attachment(db))))
    assert "icc_profile" not in picture.info
    red, green, blue = picture.convert("RGB").getpixel((32, 32))
    assert green > 240 and red < 15 and blue < 15


def test_a_colour_profile_that_cannot_be_read_is_dropped(world, login_as, db, app):
    photo = encoded(Image.new("RGB", (64, 64), (255, 0, 0)), "PNG", icc_profile=b"not a profile")
    response = post_entry(login_as("member"), world.team, files=[("punainen.png", photo)])
    assert response.status_code == 303
    picture = Image.open(io.BytesIO(stored_file(app, the_attachment(db))))
    assert "icc_profile" not in picture.info
    assert picture.convert("RGB").getpixel((32, 32)) == (255, 0, 0)


# ---- bounded work per picture ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "“kohina.png” cannot be made smaller than 0,01 MB; try a smaller picture."),
        ("fi", "Kuvaa ”kohina.png” ei saa pienemmäksi kuin 0,01 Mt; kokeile pienempää kuvaa."),
        ("sv", "”kohina.png” går inte att göra mindre än 0,01 MB; försök med en mindre bild."),
    ],
)
def test_a_photo_that_cannot_be_shrunk_under_the_limit_is_refused_by_name(
    world, login, db, app, language, message
):
    """The shrinking stops after a fixed number of halvings and says so."""
    # After two halvings, 375 × 375 px of noise still weigh some 12,800 bytes as a JPEG.
    app.config["IMAGE_STORED_MAX_BYTES"] = 10_000
    client = login(world.users["member"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    photo = encoded(noise((1500, 1500)), "PNG")
    with finishes_within(60):
        response = post_entry(client, world.team, files=[("kohina.png", photo)], headers=HTMX)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(KaizenEntry)) is None


def test_a_photo_that_takes_too_long_is_refused_by_name(world, login_as, db, app):
    app.config["IMAGE_MAX_SECONDS"] = 0  # every picture takes some time
    response = post_entry(
        login_as("member"), world.team, files=[("hidas.jpg", image_bytes("JPEG"))], headers=HTMX
    )
    assert response.status_code == 422
    assert "“hidas.jpg” took too long to process; try a smaller picture." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(KaizenEntry)) is None


@pytest.mark.parametrize(
    ("size", "largest_decoded"),
    [
        ((7000, 5000), (3500, 2500)),  # a big photo: decoded at half its size
        ((16000, 2000), (4000, 500)),  # a panorama: at a quarter
    ],
)
def test_a_big_jpeg_is_decoded_at_a_fraction_of_its_size(
    world, login_as, db, app, while_decoding, size, largest_decoded
):
    decoded = []
    while_decoding(lambda picture: decoded.append((picture.format, picture.size)))
    photo = encoded(Image.new("RGB", size, (90, 140, 200)), "JPEG")
    response = post_entry(login_as("member"), world.team, files=[("iso.jpg", photo)])
    assert response.status_code == 303
    assert decoded == [("JPEG", largest_decoded)]
    stored = Image.open(io.BytesIO(stored_file(app, the_attachment(db))))
    assert max(stored.size) == 2048


def test_photos_with_too_many_pixels_together_are_refused_before_any_is_decoded(
    world, login_as, db, app, while_decoding
):
    """Each under the limit of one picture, but together over that of one save."""
    decoded = []
    while_decoding(lambda picture: decoded.append(picture.size))
    flat = encoded(Image.new("L", (5000, 5000), 200), "PNG")  # 25 megapixels in a small file
    files = [(f"tasainen{n}.png", flat) for n in range(3)]
    response = post_entry(login_as("member"), world.team, files=files, headers=HTMX)
    assert response.status_code == 422
    assert (
        "The photos have too many pixels together (75 megapixels); at most 60 megapixels "
        "at a time. Add the others by editing the kaizen afterwards."
    ) in response.get_data(as_text=True)
    assert decoded == []
    assert db.session.scalar(select(KaizenEntry)) is None
    # Two of them fit.
    response = post_entry(login_as("member"), world.team, files=files[:2])
    assert response.status_code == 303


# ---- SQLite's write lock is free while photos are shrunk -------------------------------------

# How long the other writer waits for the lock before it counts as kept waiting.
LOCK_WAIT = 0.5


@pytest.fixture
def sqlite_team(sqlite_database) -> Iterator[SimpleNamespace]:
    """A team, its member and one of their kaizens in an SQLite database."""
    setup = make_app(sqlite_database)
    with setup.app_context():
        world = World()
        entry = make_kaizen(world.team, world.users["member"], title="Vanha kaizen")
        facts = SimpleNamespace(
            team=world.team.id,
            member=world.users["member"].email,
            member_id=world.users["member"].id,
            kaizen=entry.id,
            version=entry.version,
            path=make_url(sqlite_database).database,
            url=sqlite_database,
            form=entry_form(),  # read now: the test's own reads would take the write lock
        )
        _db.session.commit()  # the builders' transaction holds the write lock
        yield facts
        _db.session.remove()
        empty_tables()
        _db.engine.dispose()


def another_save(path: str, statement: str, *parameters) -> float | None:
    """Another process's save: the seconds it waited for the write lock, None when it waited
    LOCK_WAIT in vain."""
    writer = sqlite3.connect(path, timeout=LOCK_WAIT, isolation_level=None)
    began = time.monotonic()
    try:
        writer.execute("BEGIN IMMEDIATE")
        waited = time.monotonic() - began
        writer.execute(statement, parameters)
        writer.execute("COMMIT")
        return waited
    except sqlite3.OperationalError:
        return None
    finally:
        writer.close()


def photos() -> list[tuple[str, bytes]]:
    return [
        ("IMG_1.jpg", encoded(noise((600, 400)), "JPEG")),
        ("IMG_2.webp", encoded(noise((600, 400)), "WEBP")),
    ]


def test_others_save_while_a_new_kaizens_photos_are_shrunk(sqlite_team, while_decoding):
    client = logged_in_client(sqlite_team.url, 15, sqlite_team.member)
    waits = []
    while_decoding(
        lambda _picture: waits.append(
            another_save(
                sqlite_team.path,
                "UPDATE team SET name = name || '' WHERE id = ?",
                sqlite_team.team,
            )
        )
    )
    response = client.post(
        f"/teams/{sqlite_team.team}/kaizen", **multipart(sqlite_team.form, photos())
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert len(waits) == 2
    assert None not in waits, "the write lock was held while the photos were decoded"
    with make_app(sqlite_team.url).app_context():
        entry = _db.session.scalar(select(KaizenEntry).where(KaizenEntry.title != "Vanha kaizen"))
        assert len(entry.attachments) == 2


def test_others_save_while_an_edits_photos_are_shrunk(sqlite_team, while_decoding):
    client = logged_in_client(sqlite_team.url, 15, sqlite_team.member)
    waits = []
    while_decoding(
        lambda _picture: waits.append(
            another_save(
                sqlite_team.path,
                "UPDATE team SET name = name || '' WHERE id = ?",
                sqlite_team.team,
            )
        )
    )
    response = client.post(
        f"/kaizen/{sqlite_team.kaizen}/edit",
        **multipart({**sqlite_team.form, "version": str(sqlite_team.version)}, photos()),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert None not in waits and len(waits) == 2
    with make_app(sqlite_team.url).app_context():
        entry = _db.session.get(KaizenEntry, sqlite_team.kaizen)
        assert entry.title == "Tulostin lähemmäs" and len(entry.attachments) == 2


def test_a_member_removed_while_their_photos_were_shrunk_cannot_save(sqlite_team, while_decoding):
    """The permission is asked again in the save's own transaction."""
    client = logged_in_client(sqlite_team.url, 15, sqlite_team.member)
    waits = []
    while_decoding(
        lambda _picture: waits.append(
            another_save(
                sqlite_team.path,
                "DELETE FROM membership WHERE user_id = ? AND team_id = ?",
                sqlite_team.member_id,
                sqlite_team.team,
            )
        )
    )
    response = client.post(
        f"/teams/{sqlite_team.team}/kaizen", **multipart(sqlite_team.form, photos()[:1])
    )
    assert None not in waits
    assert response.status_code == 403
    with make_app(sqlite_team.url).app_context():
        assert (
            _db.session.scalar(select(KaizenEntry).where(KaizenEntry.title != "Vanha kaizen"))
            is None
        )


def test_an_edit_saved_meanwhile_by_someone_else_is_a_conflict(sqlite_team, while_decoding):
    client = logged_in_client(sqlite_team.url, 15, sqlite_team.member)
    waits = []
    while_decoding(
        lambda _picture: waits.append(
            another_save(
                sqlite_team.path,
                "UPDATE kaizen_entry SET title = 'Toisen muutos', version = version + 1 "
                "WHERE id = ?",
                sqlite_team.kaizen,
            )
        )
    )
    response = client.post(
        f"/kaizen/{sqlite_team.kaizen}/edit",
        **multipart({**sqlite_team.form, "version": str(sqlite_team.version)}, photos()[:1]),
    )
    assert None not in waits
    assert response.status_code == 409
    assert "Toisen muutos" in response.get_data(as_text=True)
    with make_app(sqlite_team.url).app_context():
        entry = _db.session.get(KaizenEntry, sqlite_team.kaizen)
        assert entry.title == "Toisen muutos" and entry.attachments == []


# ---- names a PDF is stored and served under --------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n"


def served_filename(response) -> str:
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    return options["filename"]


@pytest.mark.parametrize(
    ("name", "served"),
    [
        ("minutes.pdf.bat", "minutes.pdf"),
        ("invoice.html", "invoice.pdf"),
        ("photo.svg", "photo.pdf"),
        ("muistio", "muistio.pdf"),
        ("Ohje.PDF", "Ohje.PDF"),
        ("ohje.pdf", "ohje.pdf"),
        ("raportti.bat.", "raportti.pdf"),
    ],
)
def test_a_pdf_is_stored_and_served_with_the_pdf_extension(world, login_as, db, name, served):
    client = login_as("member")
    response = post_entry(client, world.team, files=[(name, PDF)])
    assert response.status_code == 303
    attachment = the_attachment(db)
    assert attachment.original_name == served
    assert served_filename(fetch(client, f"/attachments/{attachment.id}")) == served


def test_a_pdf_stored_earlier_under_another_extension_is_served_as_pdf(world, login_as, db):
    client = login_as("member")
    post_entry(client, world.team, files=[("minutes.pdf", PDF)])
    attachment = the_attachment(db)
    db.session.execute(
        update(Attachment)
        .where(Attachment.id == attachment.id)
        .values(original_name="minutes.pdf.bat")
    )
    db.session.commit()
    assert served_filename(fetch(client, f"/attachments/{attachment.id}")) == "minutes.pdf"


# ---- multi-picture JPEGs ---------------------------------------------------------------------


def test_a_multi_picture_jpeg_is_stored_as_its_first_picture(world, login_as, db, app):
    first, second = Image.new("RGB", (300, 200), (200, 40, 40)), Image.new("RGB", (300, 200))
    photo = encoded(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(photo)).format == "MPO"
    response = post_entry(login_as("member"), world.team, files=[("IMG_3D.jpg", photo)])
    assert response.status_code == 303
    attachment = the_attachment(db)
    picture = Image.open(io.BytesIO(stored_file(app, attachment)))
    assert picture.format == "JPEG" and attachment.content_type == "image/jpeg"
    assert attachment.original_name == "IMG_3D.jpg"
    red, green, blue = picture.getpixel((150, 100))
    assert red > 180 and green < 60 and blue < 60
