"""Attachments of kaizens and of board cards: checked by their bytes, photos shrunk, turned
into sRGB and stripped of metadata, stored under generated names, thumbnails made once.

Files follow their change's fate: a file written for a change goes again when it is rolled
back (files_kept_only_with_the_change), a file it frees goes only once it is committed
(remove_after_commit). Photos are made outside any transaction (checked_outside_transaction).
"""

from __future__ import annotations

import io
import logging
import math
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePath

from flask import Response, current_app, send_from_directory
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from lean.core import unit_of_work
from lean.core.extensions import db
from lean.models import Attachment
from lean.models.base import utcnow

# The image formats we accept, as Pillow names them, and the format each is kept in when it
# need not change: a multi-picture JPEG (MPO, as some phones write) is kept as its first picture.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
# The formats we store, and the type we serve them as.
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF_TYPE = "application/pdf"
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", PDF_TYPE: ".pdf"}
THUMBNAIL_SIZE = (480, 480)
# A few words on what a photo shows, its alt text (Attachment.description's length).
DESCRIPTION_MAX_LENGTH = 200
# Lossy qualities tried in turn until a photo fits in IMAGE_STORED_MAX_BYTES; then the picture
# is halved, at most SHRINK_STEPS times (2,048 px → 512 px), and refused if it still does not
# fit: no loop without an end, whatever the picture.
QUALITIES = (85, 75, 65, 50, 35)
SHRINK_STEPS = 2
# Modes Pillow resamples well; others (palettes, 16-bit, 1-bit) are made RGB(A) first.
RESAMPLED_MODES = frozenset({"L", "LA", "RGB", "RGBA", "CMYK"})
# Every stored photo is sRGB, which browsers assume of a picture without a profile.
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# Pillow's own guard against decompression bombs only warns up to twice its limit and then
# fails with a message that names no size. Ours (config IMAGE_MAX_PIXELS) refuses every
# picture over the limit from its header, before decoding, so Pillow's is switched off: the
# only images Pillow opens in Vertaa are uploads, and they all pass through check_uploads.
Image.MAX_IMAGE_PIXELS = None
IMAGE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError)

logger = logging.getLogger(__name__)


class UploadRefused(ValueError):
    """A file that may not be stored; the message names the file and the rule."""


@dataclass
class CheckedUpload:
    """A file ready to store: a photo already re-encoded, with its thumbnail."""

    name: str
    data: bytes
    content_type: str
    thumbnail: bytes | None = None
    description: str = ""
    # What the file is to its owner: a kaizen's "before" or "after" photo, else "".
    role: str = ""

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES.values()

    @property
    def download_name(self) -> str:
        """The uploader's file name, its extension matching what is stored now."""
        return served_name(self.name, self.content_type)


def served_name(name: str, content_type: str) -> str:
    """The name a file is stored and offered under: the uploader's, ending in the extension of
    the type its bytes are. A PDF named `minutes.pdf.bat` is `minutes.pdf`, `invoice.html` is
    `invoice.pdf`: a saved copy never opens as a program or a web page."""
    extension = EXTENSIONS.get(content_type)
    if not extension:
        return name
    # Windows drops trailing dots and spaces when saving: "minutes.bat." would be minutes.bat.
    name = name.rstrip(". ")
    path = PurePath(name)
    if path.suffix.lower() in _same(extension):
        return name
    stem = path.stem if path.suffix else name
    if PurePath(stem).suffix.lower() in _same(extension):
        return stem  # the right extension was followed by a wrong one
    return f"{stem}{extension}"


def _same(extension: str) -> set[str]:
    return {".jpg", ".jpeg"} if extension == ".jpg" else {extension}


def _megabytes(size: float) -> str:
    return format_decimal(size / (1024 * 1024), "#,##0.##")


@dataclass
class _Received:
    """A file read and identified by its own bytes; a picture's size read from its header,
    its pixels not yet decoded."""

    name: str
    data: bytes
    description: str
    image_format: str | None = None  # None: a PDF
    pixels: int = 0


def check_uploads(
    files: Iterable[tuple[FileStorage, str]],
) -> tuple[list[CheckedUpload], list[str]]:
    """The files that may be stored, photos shrunk, upright, in sRGB and without metadata, and a
    message for each one refused, naming the file and the rule.

    Every picture's size is read from its header first: pictures with too many pixels, alone
    or together, are refused before any of them is decoded.
    """
    config = current_app.config
    received, errors = [], []
    for file, description in files:
        try:
            received.append(_received(file, description))
        except UploadRefused as refused:
            errors.append(str(refused))
    pixels = sum(upload.pixels for upload in received)
    limit = config["KAIZEN_REQUEST_MAX_PIXELS"]
    if pixels > limit:
        errors.append(
            _(
                "The photos have too many pixels together (%(megapixels)s megapixels); at most "
                "%(limit)d megapixels at a time. Add the others by editing the kaizen afterwards.",
                megapixels=format_decimal(pixels / 1_000_000, "#,##0.#"),
                limit=limit // 1_000_000,
            )
        )
        return [], errors
    checked = []
    for upload in received:
        try:
            checked.append(_checked(upload))
        except UploadRefused as refused:
            errors.append(str(refused))
    return checked, errors


def _received(file: FileStorage, description: str) -> _Received:
    """The file's type as its own bytes tell it (its name and the browser's claim are ignored),
    and a picture's size from its header."""
    config = current_app.config
    name = Path(file.filename or "").name[:255] or _("unnamed file")
    data = file.read(config["IMAGE_MAX_BYTES"] + 1)
    if not data:
        raise UploadRefused(_("“%(name)s” is empty.", name=name))
    if data.startswith(b"%PDF-"):
        if len(data) > config["ATTACHMENT_MAX_BYTES"]:
            raise UploadRefused(
                _(
                    "“%(name)s” is larger than %(size)s MB.",
                    name=name,
                    size=_megabytes(config["ATTACHMENT_MAX_BYTES"]),
                )
            )
        return _Received(name, data, description)
    if len(data) > config["IMAGE_MAX_BYTES"]:
        raise UploadRefused(
            _(
                "“%(name)s” is larger than %(size)s MB.",
                name=name,
                size=_megabytes(config["IMAGE_MAX_BYTES"]),
            )
        )
    not_accepted = _("“%(name)s” is not a JPG, PNG, WebP or PDF file.", name=name)
    try:
        # Only the header is read: nothing is decoded yet.
        with Image.open(io.BytesIO(data)) as image:
            image_format, (width, height) = image.format, image.size
    except IMAGE_ERRORS:
        raise UploadRefused(not_accepted) from None
    if image_format not in ACCEPTED_FORMATS:
        raise UploadRefused(not_accepted)
    limit = config["IMAGE_MAX_PIXELS"]
    if width * height > limit:
        raise UploadRefused(
            _(
                "“%(name)s” has too many pixels (%(width)d × %(height)d); "
                "at most %(megapixels)d megapixels.",
                name=name,
                width=width,
                height=height,
                megapixels=limit // 1_000_000,
            )
        )
    return _Received(name, data, description, image_format, width * height)


def _checked(upload: _Received) -> CheckedUpload:
    if upload.image_format is None:
        return CheckedUpload(upload.name, upload.data, PDF_TYPE, description=upload.description)
    data, content_type, thumbnail = _shrunk_image(upload, upload.image_format)
    return CheckedUpload(upload.name, data, content_type, thumbnail, upload.description)


class _TimeBudget:
    """IMAGE_MAX_SECONDS for one picture, asked between the steps of its work: a picture that
    takes longer is refused rather than keep a worker."""

    def __init__(self, name: str):
        self.name = name
        self.ends = time.monotonic() + current_app.config["IMAGE_MAX_SECONDS"]

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise UploadRefused(
                _("“%(name)s” took too long to process; try a smaller picture.", name=self.name)
            )


def _shrunk_image(upload: _Received, image_format: str) -> tuple[bytes, str, bytes]:
    """Re-encode a photo at most IMAGE_MAX_SIDE pixels on its long side, under
    IMAGE_STORED_MAX_BYTES, with its thumbnail."""
    budget = _TimeBudget(upload.name)
    try:
        with Image.open(io.BytesIO(upload.data)) as image:
            picture = _upright_small_srgb(image)
    except IMAGE_ERRORS:
        raise UploadRefused(
            _("“%(name)s” is damaged and cannot be shown.", name=upload.name)
        ) from None
    budget.check()
    stored, content_type = _encoded(picture, ACCEPTED_FORMATS[image_format], budget)
    thumbnail = picture.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    buffer = io.BytesIO()
    thumbnail.save(buffer, format="WEBP", quality=80)
    return stored, content_type, buffer.getvalue()


def _upright_small_srgb(image: Image.Image) -> Image.Image:
    """The picture at most IMAGE_MAX_SIDE px on its long side, upright by its EXIF orientation,
    its colours converted by its colour profile to sRGB, and nothing of its metadata (camera,
    time, GPS location, comments, the profile itself) left."""
    side = current_app.config["IMAGE_MAX_SIDE"]
    if image.format in ("JPEG", "MPO"):
        # Decode a big JPEG straight at 1/2, 1/4 or 1/8 of its size, never below the size it
        # is stored at: far less time and memory than decoding it whole.
        image.draft("RGB", _fitted(image.size, side))
    icc_profile = image.info.get("icc_profile")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image.mode not in RESAMPLED_MODES or "transparency" in image.info:
        image = image.convert("RGBA" if has_alpha else "RGB")
    # The bound is square, so shrinking before turning upright gives the same picture, and
    # the whole-size picture is never copied.
    image.thumbnail((side, side), Image.Resampling.LANCZOS)  # decodes
    upright = ImageOps.exif_transpose(image)
    picture = _in_srgb(upright, icc_profile, "RGBA" if has_alpha else "RGB")
    picture.info = {}
    return picture


def _fitted(size: tuple[int, int], side: int) -> tuple[int, int]:
    """The size a picture is stored at: its long side at most `side`, the same proportions."""
    scale = min(1.0, side / max(size))
    return max(1, math.ceil(size[0] * scale)), max(1, math.ceil(size[1] * scale))


def _in_srgb(picture: Image.Image, icc_profile: bytes | None, mode: str) -> Image.Image:
    """The picture's colours in sRGB. Its profile is applied, not kept: a kept profile goes into
    every encoding (a 1.5 MB profile never fits under 1 MB); a profile that cannot be read or
    applied is dropped, and the colours stay as they are, which is close enough."""
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(picture, source, SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass
        else:
            if converted is not None:  # None only for a conversion in place
                return converted
    return picture.convert(mode)


def _encoded(picture: Image.Image, kept_format: str, budget: _TimeBudget) -> tuple[bytes, str]:
    """The smallest good-looking encoding under the stored limit: a drawing or screenshot
    stays a sharp PNG when it fits; else JPEG, or WebP when it has transparency."""
    limit = current_app.config["IMAGE_STORED_MAX_BYTES"]
    if kept_format == "PNG":
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG", optimize=True)
        if buffer.tell() <= limit:
            return buffer.getvalue(), IMAGE_TYPES["PNG"]
    lossy = "WEBP" if picture.mode == "RGBA" or kept_format == "WEBP" else "JPEG"
    for step in range(SHRINK_STEPS + 1):
        if step:
            # Noise no quality can squeeze: half the pixels on each side, then try again.
            picture = picture.reduce(2)
        for quality in QUALITIES:
            budget.check()
            buffer = io.BytesIO()
            picture.save(buffer, format=lossy, quality=quality)
            if buffer.tell() <= limit:
                return buffer.getvalue(), IMAGE_TYPES[lossy]
    raise UploadRefused(
        _(
            "“%(name)s” cannot be made smaller than %(size)s MB; try a smaller picture.",
            name=budget.name,
            size=_megabytes(limit),
        )
    )


def make_thumbnail(data: bytes) -> bytes:
    """A 480-pixel WebP of an image stored without one."""
    with Image.open(io.BytesIO(data)) as image:
        thumbnail = ImageOps.exif_transpose(image)
        thumbnail.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        thumbnail.save(buffer, format="WEBP", quality=80)
    return buffer.getvalue()


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(upload: CheckedUpload, written: list[str]) -> tuple[str, str | None]:
    """Write the file (and an image's thumbnail); return their generated names.

    Each name joins `written` before its file is begun, so that whoever cleans up after a
    failure (a full disk half-way through a file included) finds every file to remove.
    """
    folder = upload_folder()
    stored_name = uuid.uuid4().hex
    written.append(stored_name)
    (folder / stored_name).write_bytes(upload.data)
    if not upload.is_image:
        return stored_name, None
    thumbnail_name = f"{stored_name}-thumb"
    written.append(thumbnail_name)
    (folder / thumbnail_name).write_bytes(upload.thumbnail or make_thumbnail(upload.data))
    return stored_name, thumbnail_name


def remove_stored(*names: str | None) -> None:
    """Remove files; one that cannot be removed is logged, never raised, so that the error
    that made us clean up is the one the user hears about."""
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    for name in names:
        if name:
            try:
                (folder / name).unlink(missing_ok=True)
            except OSError:
                logger.exception("could not remove the uploaded file %s", name)


# ---- between the request and the disk ---------------------------------------------------


def checked_outside_transaction(
    files: list[tuple[FileStorage, str]],
) -> tuple[list[CheckedUpload], list[str]]:
    """check_uploads, run with the request's read-only transaction ended.

    Shrinking photos takes a worker seconds, and on SQLite a request that may write holds the
    database's one write lock from its first statement (BEGIN IMMEDIATE): every other save
    would wait for our photos. So once the user is known and allowed to write (no one else
    may make us decode: the caller has asked the policy), the request's transaction, which
    has only read, ends, and the photos are made outside any. The caller then asks the policy
    again in the transaction its save begins.
    """
    if not files:
        return [], []
    # The refusals are written in the user's language: asked now, while the user is loaded,
    # so that no attribute of theirs is reloaded (in a new transaction) during the work.
    get_locale()
    unit_of_work.end_read_only_transaction()
    return check_uploads(files)


def new_attachment(upload: CheckedUpload, written: list[str]) -> Attachment:
    """The file stored (see store_upload) and its row, for the caller to give its owner."""
    stored_name, thumbnail_name = store_upload(upload, written)
    return Attachment(
        original_name=upload.download_name,
        description=upload.description,
        stored_name=stored_name,
        thumbnail_name=thumbnail_name,
        content_type=upload.content_type,
        size=len(upload.data),
        role=upload.role,
    )


def stored_names(attachments: Iterable[Attachment]) -> list[str]:
    """The files on disk of these attachments: each one's file and its thumbnail."""
    return [
        name
        for attachment in attachments
        for name in (attachment.stored_name, attachment.thumbnail_name)
        if name
    ]


def remove_after_commit(names: list[str]) -> None:
    """Remove the files of removed attachments once their removal is committed: a failed
    commit leaves both the rows and their files in place."""
    unit_of_work.after_commit(lambda: remove_stored(*names))


class FilesNotStored(Exception):
    """The upload folder refused a file (full, read-only, gone): nothing was saved."""


def files_not_stored_message() -> str:
    return _(
        "The attachments could not be stored, so nothing was saved. Try again in a moment; "
        "if it happens again, tell your administrator."
    )


@contextmanager
def files_kept_only_with_the_change() -> Iterator[list[str]]:
    """Files written inside the block are deleted again if the change is not kept.

    Whatever fails — writing a file (a full disk, a read-only folder), the database, the
    request's commit — the transaction is rolled back and every file begun is removed with
    it, so no file is left without its row nor a row without its file. A failed write
    becomes FilesNotStored, for the view to tell the user; other errors go on as they were.
    """
    written: list[str] = []
    unit_of_work.after_rollback(lambda: remove_stored(*written))
    try:
        yield written
    except OSError as error:
        # Rolled back before the view answers, so its page does not show the unsaved change.
        db.session.rollback()
        raise FilesNotStored() from error


def served_attachment(attachment: Attachment, thumbnail: bool) -> Response:
    """An attachment's file (or its thumbnail) for a reader the policy has let through: never
    run or sniffed, kept by the browser only and asked about again every time."""
    content_type = "image/webp" if thumbnail else attachment.content_type
    stored = attachment.thumbnail_name if thumbnail else attachment.stored_name
    response = send_from_directory(
        upload_folder(),
        str(stored),
        mimetype=content_type,
        as_attachment=not attachment.is_image,
        # The extension of what is served, also for files stored before names were checked.
        download_name=served_name(attachment.original_name, content_type),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # After logging out or losing access nothing is shown from the cache, and an unchanged
    # file costs a 304 (ETag and Last-Modified come from send_from_directory).
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Cookie"
    return response


# The names store_upload gives files: a uuid4 in hex, a thumbnail's with "-thumb".
STORED_NAME = re.compile(r"[0-9a-f]{32}(-thumb)?")


def remove_orphaned_files(older_than: timedelta = timedelta(hours=1)) -> int:
    """Remove stored files that no attachment (of a kaizen or a card) names, left by a worker
    killed between writing them and its commit (nothing else leaves one); files younger than
    `older_than` may belong to a request still running and stay."""
    referenced: set[str | None] = set()
    for stored_name, thumbnail_name in db.session.execute(
        select(Attachment.stored_name, Attachment.thumbnail_name)
    ):
        referenced.update((stored_name, thumbnail_name))
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    if not folder.is_dir():
        return 0
    cutoff = (utcnow() - older_than).timestamp()
    orphans = [
        path.name
        for path in folder.iterdir()
        if STORED_NAME.fullmatch(path.name)
        and path.name not in referenced
        and path.stat().st_mtime < cutoff
    ]
    remove_stored(*orphans)
    return len(orphans)
