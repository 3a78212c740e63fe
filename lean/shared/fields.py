"""Form helpers every area's forms share: ids, stage and theme choices, days and figures."""

from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from flask_babel import gettext as _
from wtforms import DateField, DecimalField, ValidationError
from wtforms.validators import Optional

from lean.core.i18n import format_day
from lean.core.input_checks import id_from
from lean.models import STAGES, Theme
from lean.shared.web import choices, name_in_language


def id_choice(value: str | int) -> int:
    """The coerce of a choice among ids (or other small whole numbers such as weekdays): what
    input_checks.id_from reads as one. Anything else raises ValueError, which the field shows
    as an invalid choice, so no view passes "²" or 2**63 on to the database."""
    if isinstance(value, int):
        return value
    number = id_from(value)
    if not number:  # not ASCII digits, or beyond our keys; no row has the id 0
        raise ValueError(value)
    return number


def optional_int(value: str | int | None) -> int | None:
    """The coerce of a select of ids with an empty choice, which is None."""
    return id_choice(value) if value not in (None, "", "None") else None


def stage_choices():
    from lean.shared.labels import stage_label

    return choices((stage.value, stage_label(stage)) for stage in STAGES)


def theme_choices(themes: list[Theme]):
    return choices((theme.id, name_in_language(theme)) for theme in themes)


# Dates people mean lie well inside these; 0001-01-01 or 9999-12-31 overflow date arithmetic
# (the day after, a time zone's offset) and only ever come from a typo or a probe.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def plausible_date(form, field) -> None:
    """A WTForms validator: the date lies between EARLIEST_DATE and LATEST_DATE (DayField)."""
    if field.data and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(
            _(
                "Give a date between %(earliest)s and %(latest)s.",
                earliest=format_day(EARLIEST_DATE),
                latest=format_day(LATEST_DATE),
            )
        )


class DayField(DateField):
    """Every date a form takes: optional unless told otherwise, and between EARLIEST_DATE and
    LATEST_DATE, which the browser's date picker is told too."""

    def __init__(self, label=None, validators=None, render_kw=None, **kwargs):
        validators = [*(validators if validators is not None else [Optional()]), plausible_date]
        render_kw = {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()} | (
            render_kw or {}
        )
        super().__init__(label, validators, render_kw=render_kw, **kwargs)


class FigureField(DecimalField):
    """A DecimalField for a NUMERIC column: rounded to `places` as the column keeps it.

    Decimal() reads "NaN", "Infinity" and "1e999999" too: no column holds them and comparing
    NaN with a bound raises, so they are "not a valid decimal value" like any other typo.
    Bound the size with NumberRange; a figure of more than 40 digits is refused here already.
    """

    _rounding = Context(prec=40, rounding=ROUND_HALF_UP, traps=[InvalidOperation])
    places: int  # a column's places: every figure is rounded

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.data is None:
            return
        try:
            if not self.data.is_finite():
                raise InvalidOperation
            self.data = self.data.quantize(Decimal(1).scaleb(-self.places), context=self._rounding)
        except InvalidOperation as error:
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value.")) from error
