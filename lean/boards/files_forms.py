"""The form that adds a photo or a document to a card."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import StringField
from wtforms.validators import Length, Optional, ValidationError

from lean.shared.uploads import DESCRIPTION_MAX_LENGTH


class CardFileForm(FlaskForm):
    """One file and the few words that describe it to those who cannot see it."""

    file = FileField(_l("Photo or document"))
    description = StringField(
        _l("Short description"), validators=[Optional(), Length(max=DESCRIPTION_MAX_LENGTH)]
    )

    def validate_file(self, field) -> None:
        if not self.chosen_file():
            raise ValidationError(_l("Choose a photo or a PDF to add."))

    def chosen_file(self) -> FileStorage | None:
        data = self.file.data
        return data if isinstance(data, FileStorage) and data.filename else None

    def uploaded_files(self) -> list[tuple[FileStorage, str]]:
        """The file chosen with its description, as check_uploads takes them."""
        chosen = self.chosen_file()
        return [(chosen, (self.description.data or "").strip())] if chosen else []
