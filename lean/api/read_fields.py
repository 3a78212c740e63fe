"""Query parameters of the API's read lists: moments and days a database can compare.

A moment or a day outside these years names no row, and would not survive the conversion to
UTC (the year 1 in Helsinki is before the first day Python knows): it is refused with a 422.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import marshmallow as ma

from lean.api.schemas import Moment

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def Since(**kwargs) -> ma.fields.AwareDateTime:
    """A moment in ISO 8601 with its zone (UTC when none is given), between 1900 and 2999."""
    return Moment(
        validate=ma.validate.Range(
            min=datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=UTC),
            max=datetime.combine(LAST_DAY, datetime.min.time(), tzinfo=UTC),
        ),
        **kwargs,
    )


def Day(**kwargs) -> ma.fields.Date:
    """A day (YYYY-MM-DD) between 1900 and 2999."""
    return ma.fields.Date(validate=ma.validate.Range(min=FIRST_DAY, max=LAST_DAY), **kwargs)
