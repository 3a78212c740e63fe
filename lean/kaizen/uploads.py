"""Attachments: checked by their bytes, photos shrunk and stripped of metadata, stored under
generated names, thumbnails made once."""

from __future__ import annotations

import io
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePath

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.datastructures import FileStorage

# What Pillow calls the image formats we accept, and the type we serve them as.
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
PDF_TYPE = "application/pdf"
THUMBNAIL_SIZE = (480, 480)
# A stored photo must fit in this many bytes; lossy qualities tried in turn until it does.
STORED_IMAGE_MAX_BYTES = 1024 * 1024
QUALITIES = (85, 75, 65, 50, 35)
# Pillow's own guard against decompression bombs only warns up to twice its limit and then
# fails with a message that names no size. Ours (config IMAGE_MAX_PIXELS) refuses every
# picture over the limit from its header, before decoding, so Pillow's is switched off: the
# only images Pillow opens in Vertaa are uploads, and they all pass through check_upload.
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

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES.values()

    @property
    def download_name(self) -> str:
        """The uploader's file name, its extension matching what is stored now."""
        extension = EXTENSIONS.get(self.content_type)
        if not extension or PurePath(self.name).suffix.lower() in _same(extension):
            return self.name
        return f"{PurePath(self.name).stem or self.name}{extension}"


def _same(extension: str) -> set[str]:
    return {".jpg", ".jpeg"} if extension == ".jpg" else {extension}


def _megabytes(size: int) -> str:
    return format_decimal(size / (1024 * 1024), "#,##0.#")


def check_upload(file: FileStorage, description: str = "") -> CheckedUpload:
    """The file's type as its own bytes tell it (its name and the browser's claim are ignored);
    a photo comes back shrunk, turned upright and without its metadata."""
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
        return CheckedUpload(name, data, PDF_TYPE, description=description)
    if len(data) > config["IMAGE_MAX_BYTES"]:
        raise UploadRefused(
            _(
                "“%(name)s” is larger than %(size)s MB.",
                name=name,
                size=_megabytes(config["IMAGE_MAX_BYTES"]),
            )
        )
    data, content_type, thumbnail = _shrunk_image(name, data)
    return CheckedUpload(name, data, content_type, thumbnail, description)


def _shrunk_image(name: str, data: bytes) -> tuple[bytes, str, bytes]:
    """Re-encode a photo at most IMAGE_MAX_SIDE pixels on its long side, under 1 MB."""
    not_accepted = _("“%(name)s” is not a JPG, PNG, WebP or PDF file.", name=name)
    try:
        image = Image.open(io.BytesIO(data))
    except IMAGE_ERRORS:
        raise UploadRefused(not_accepted) from None
    with image:
        if image.format not in IMAGE_TYPES:
            raise UploadRefused(not_accepted)
        # Image.open has read only the header: refuse a huge picture before it is decoded.
        width, height = image.size
        limit = current_app.config["IMAGE_MAX_PIXELS"]
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
        try:
            picture = _upright_and_small(image)
        except IMAGE_ERRORS:
            raise UploadRefused(
                _("“%(name)s” is damaged and cannot be shown.", name=name)
            ) from None
        source_format = image.format
    stored, content_type = _encoded(picture, source_format)
    thumbnail = picture.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    buffer = io.BytesIO()
    thumbnail.save(buffer, format="WEBP", quality=80)
    return stored, content_type, buffer.getvalue()


def _upright_and_small(image: Image.Image) -> Image.Image:
    side = current_app.config["IMAGE_MAX_SIDE"]
    if image.format == "JPEG":
        # Decode a big JPEG straight at a fraction of its size: far less time and memory.
        image.draft("RGB", (side, side))
    upright = ImageOps.exif_transpose(image)  # decodes the (first) frame
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    picture = upright.convert("RGBA" if has_alpha else "RGB")
    picture.thumbnail((side, side), Image.Resampling.LANCZOS)
    # Nothing of the original's metadata (camera, time, GPS location, comments) goes along;
    # the colour profile stays, so that colours look the same.
    icc_profile = image.info.get("icc_profile")
    picture.info = {"icc_profile": icc_profile} if icc_profile else {}
    return picture


def _encoded(picture: Image.Image, source_format: str) -> tuple[bytes, str]:
    """The smallest good-looking encoding under the stored limit: a drawing or screenshot
    stays a sharp PNG when it fits; else JPEG, or WebP when it has transparency."""
    profile = {"icc_profile": picture.info["icc_profile"]} if "icc_profile" in picture.info else {}
    if source_format == "PNG":
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG", optimize=True, **profile)
        if buffer.tell() <= STORED_IMAGE_MAX_BYTES:
            return buffer.getvalue(), IMAGE_TYPES["PNG"]
    lossy = "WEBP" if picture.mode == "RGBA" or source_format == "WEBP" else "JPEG"
    while True:
        for quality in QUALITIES:
            buffer = io.BytesIO()
            picture.save(buffer, format=lossy, quality=quality, **profile)
            if buffer.tell() <= STORED_IMAGE_MAX_BYTES:
                return buffer.getvalue(), IMAGE_TYPES[lossy]
        # Noise no quality can squeeze: fewer pixels, then try again.
        picture = picture.resize((max(1, picture.width // 2), max(1, picture.height // 2)))


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
