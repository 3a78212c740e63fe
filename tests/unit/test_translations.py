"""Every string of the catalog template has a Finnish and a Swedish translation."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGS = Path(__file__).resolve().parents[2] / "lean" / "translations"


def messages(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_catalog_translates_every_string(language):
    template = messages(CATALOGS / "messages.pot")
    catalog = messages(CATALOGS / language / "LC_MESSAGES" / "messages.po")
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        strings = translated.string if translated else None
        if isinstance(strings, tuple):
            strings = all(strings)
        if not strings or (translated and translated.fuzzy):
            missing.append(message.id)
    assert missing == []
