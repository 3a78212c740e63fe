"""Attachments: checked by their bytes, stored under generated names, thumbnails made once."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.datastructures import FileStorage

# What Pillow calls the image formats we accept, and the type we serve them as.
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF_TYPE = "application/pdf"
THUMBNAIL_SIZE = (480, 480)
# Refuse pictures whose pixels would take hundreds of MB to decode (decompression bombs).
Image.MAX_IMAGE_PIXELS = 50_000_000


class UploadRefused(ValueError):
    """A file that may not be stored; the message names the file and the rule."""


@dataclass
class CheckedUpload:
    name: str
    data: bytes
    content_type: str

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES.values()


def check_upload(file: FileStorage) -> CheckedUpload:
    """The file's type as its own bytes tell it; its name and the browser's claim are ignored."""
    name = Path(file.filename or "").name[:255] or _("unnamed file")
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = file.read(limit + 1)
    if not data:
        raise UploadRefused(_("“%(name)s” is empty.", name=name))
    if len(data) > limit:
        raise UploadRefused(_("“%(name)s” is larger than 1 MB.", name=name))
    if data.startswith(b"%PDF-"):
        return CheckedUpload(name, data, PDF_TYPE)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        image_format = None
    if image_format not in IMAGE_TYPES:
        raise UploadRefused(_("“%(name)s” is not a JPG, PNG, WebP or PDF file.", name=name))
    return CheckedUpload(name, data, IMAGE_TYPES[image_format])


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(upload: CheckedUpload) -> tuple[str, str | None]:
    """Write the file (and an image's thumbnail); return their generated names."""
    folder = upload_folder()
    stored_name = uuid.uuid4().hex
    (folder / stored_name).write_bytes(upload.data)
    if not upload.is_image:
        return stored_name, None
    thumbnail_name = f"{stored_name}-thumb"
    with Image.open(io.BytesIO(upload.data)) as image:
        thumbnail = ImageOps.exif_transpose(image)
        thumbnail.thumbnail(THUMBNAIL_SIZE)
        # Re-encoding drops the original's metadata (camera, location) from the thumbnail.
        thumbnail.save(folder / thumbnail_name, format="WEBP", quality=80)
    return stored_name, thumbnail_name


def remove_stored(*names: str | None) -> None:
    folder = upload_folder()
    for name in names:
        if name:
            (folder / name).unlink(missing_ok=True)
