"""Forms of the kaizen log."""

from typing import cast

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lean.models import Theme, User
from lean.shared.fields import DayField, FigureField, optional_int, theme_choices
from lean.shared.uploads import DESCRIPTION_MAX_LENGTH
from lean.shared.web import choices

# What the slots of the entry are: its before photo, its after photo, and another file.
SLOT_ROLES = ("before", "after", "")


class AttachmentSlotForm(Form):
    """One file to attach and the few words that describe it to those who cannot see it."""

    file = FileField(_l("Photo or document"))
    description = StringField(
        _l("Short description"), validators=[Optional(), Length(max=DESCRIPTION_MAX_LENGTH)]
    )


class KaizenForm(FlaskForm):
    """The quick entry on top of the log, and the edit page."""

    version = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    before = TextAreaField(
        _l("Before: what was the problem?"), validators=[DataRequired(), Length(max=5000)]
    )
    after = TextAreaField(_l("After: what changed?"), validators=[DataRequired(), Length(max=5000)])
    theme_id = SelectField(_l("Theme"), coerce=optional_int, validators=[InputRequired()])
    effect = TextAreaField(_l("Effect"), validators=[Optional(), Length(max=5000)])
    hours_saved_per_month = FigureField(
        _l("Hours saved per month"),
        places=1,
        validators=[Optional(), NumberRange(min=0, max=10000)],
    )
    done_on = DayField(_l("Date"))
    # One slot per file, as many as an entry may carry (ATTACHMENTS_PER_ENTRY, three): the
    # before photo, the after photo and one more file (SLOT_ROLES).
    files = FieldList(FormField(AttachmentSlotForm), min_entries=3)
    remove_attachments = SelectMultipleField(
        _l("Remove attachments"),
        coerce=int,
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def __init__(self, themes: list[Theme], *args, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.theme_id.choices = choices([("", _l("Choose a theme"))]) + theme_choices(themes)
        self.remove_attachments.choices = choices((a.id, a.original_name) for a in attachments)

    def changes(self) -> dict:
        """The submitted values; an empty date leaves the entry's date as it is."""
        changes = {  # of a validated form: the required texts are there
            "title": cast(str, self.title.data).strip(),
            "before": cast(str, self.before.data).strip(),
            "after": cast(str, self.after.data).strip(),
            "effect": (self.effect.data or "").strip(),
            "theme_id": self.theme_id.data,
            "hours_saved_per_month": self.hours_saved_per_month.data,
        }
        if self.done_on.data:
            changes["done_on"] = self.done_on.data
        return changes

    def _chosen(self) -> list[tuple[FileStorage, str, str]]:
        return [
            (slot.form.file.data, (slot.form.description.data or "").strip(), role)
            for number, slot in enumerate(self.files)
            if slot.form.file.data and getattr(slot.form.file.data, "filename", None)
            # A slot beyond the three (sent by hand) is another file, and counts as one.
            for role in [SLOT_ROLES[number] if number < len(SLOT_ROLES) else ""]
        ]

    def uploaded_files(self) -> list[tuple[FileStorage, str]]:
        """The files chosen, each with its description."""
        return [(file, description) for file, description, _role in self._chosen()]

    def uploaded_roles(self) -> list[str]:
        """What each chosen file is, in the same order: "before", "after" or "" (another)."""
        return [role for _file, _description, role in self._chosen()]


class KaizenFilterForm(FlaskForm):
    """The log's filters, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    theme = SelectField(_l("Theme"), coerce=optional_int, validators=[Optional()])
    author = SelectField(_l("Author"), coerce=optional_int, validators=[Optional()])
    date_from = DayField(_l("From"))
    date_to = DayField(_l("To"))

    def __init__(self, themes: list[Theme], authors: list[User], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = choices([("", _l("All themes"))]) + theme_choices(themes)
        self.author.choices = choices([("", _l("Everyone"))] + [(u.id, u.name) for u in authors])
