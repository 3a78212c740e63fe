"""The catalogs use the glossary's words: no rejected synonym appears in a translation."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "lean" / "translations"
COLUMNS = ("en", "fi", "sv", "meaning", "rejected fi", "rejected sv")


def glossary_rows() -> list[dict[str, str]]:
    rows = []
    for line in (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == len(COLUMNS) and cells[0] not in ("en", "---"):
            rows.append(dict(zip(COLUMNS, cells, strict=True)))
    return rows


def translations(language: str) -> list[str]:
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    texts = []
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            texts.extend(strings)
    return texts


def test_the_glossary_covers_every_domain_word():
    terms = {row["en"] for row in glossary_rows()}
    for word in ("stand-up", "escalation", "practice", "adoption", "mirroring", "theme",
                 "focus area", "owner", "due date", "blocked", "kaizen", "A3 sheet", "Plan",
                 "Do", "Check", "Act", "Root-cause analysis"):  # fmt: skip
        assert word in terms


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_no_rejected_synonym_appears_in_the_catalog(language):
    texts = [text.lower() for text in translations(language)]
    found = []
    for row in glossary_rows():
        for rejected in filter(
            None, (word.strip() for word in row[f"rejected {language}"].split(","))
        ):
            found += [(rejected, text) for text in texts if rejected.lower() in text]
    assert found == []


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_quotes_are_the_same_mark_at_both_ends(language):
    assert [text for text in translations(language) if "“" in text or "„" in text] == []
