"""Fields and schemas shared by the API's resources."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from lean.core.input_checks import CONTROL_CHARACTERS, LARGEST_ID


def Id(*, strict: bool = True, **kwargs) -> ma.fields.Integer:
    """An id: a whole number our tables can hold (larger ones name no row). In JSON it must be
    a number; in a query string (strict=False) it is its digits."""
    return ma.fields.Integer(
        strict=strict, validate=ma.validate.Range(min=1, max=LARGEST_ID), **kwargs
    )


class Text(ma.fields.String):
    """Text as people type it: no control characters but line breaks and tabs."""

    def __init__(self, *, max_length: int, required_text: bool = False, **kwargs) -> None:
        validators = [ma.validate.Length(min=1 if required_text else 0, max=max_length)]
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if CONTROL_CHARACTERS.search(text):
            raise ma.ValidationError(str(_l("The text contains an invisible control character.")))
        return text


# The moments a database can compare: one outside these years names no row, and one in the
# year 1 with a zone east of UTC would not even survive its conversion to UTC (a 500).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, tzinfo=UTC)


def Moment(**kwargs) -> ma.fields.AwareDateTime:
    """A moment in ISO 8601 with its zone (one without a zone is taken as UTC), 1900–2999."""
    kwargs.setdefault("validate", ma.validate.Range(min=EARLIEST, max=LATEST))
    return ma.fields.AwareDateTime(format="iso", default_timezone=UTC, **kwargs)
