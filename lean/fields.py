"""Form helpers every area's forms share: optional ids, stage and theme choices, date limits."""

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from wtforms import ValidationError

from lean.models import STAGES, Theme
from lean.web import choices, name_in_language


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def stage_choices():
    from lean.labels import stage_label

    return choices((stage.value, stage_label(stage)) for stage in STAGES)


def theme_choices(themes: list[Theme]):
    return choices((theme.id, name_in_language(theme)) for theme in themes)


# Dates people mean lie well inside these; 0001-01-01 or 9999-12-31 overflow date arithmetic
# (the day after, a time zone's offset) and only ever come from a typo or a probe.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def plausible_date(form, field) -> None:
    """A WTForms validator: the date lies between EARLIEST_DATE and LATEST_DATE."""
    if field.data and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(
            _(
                "Give a date between %(earliest)s and %(latest)s.",
                earliest=format_date(EARLIEST_DATE),
                latest=format_date(LATEST_DATE),
            )
        )
