"""Password rules: long enough and not among the commonly used ones."""

from functools import cache

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

MIN_LENGTH = 10


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most used passwords of leaked lists, as zxcvbn ships them."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str) -> str | None:
    """Why a password may not be used, or None when it is good."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(count)d characters.", count=MIN_LENGTH))
    if password.lower() in common_passwords() or len(set(password)) < 4:
        return str(_l("This password is too common. Choose a longer phrase of your own."))
    return None


def strong_password(form, field) -> None:
    """WTForms validator for a new password."""
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)
