"""The one exception every area raises when a save meets someone else's newer save."""

from dataclasses import dataclass
from typing import Any


@dataclass
class EditConflict(Exception):
    """The object was saved by someone else after the editor loaded it; `current` is as saved.

    `fields` names the fields both changed, when that is known (empty: the whole object).
    """

    current: Any
    fields: tuple[str, ...] = ()
