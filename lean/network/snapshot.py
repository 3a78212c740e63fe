"""What a practice shares: the parts of its source copied at publishing time.

The snapshot (Practice.content) has this shape; every key is optional, present only when the
publisher chose to share that part:

    {
      "approach": [{"part": "problem" | "what_was_tried" | "standard" | "before" | "after",
                    "text": str}],
      "result": str,                      # the measured result (a kaizen's effect)
      "impact": {"hours_saved_per_month": str | None, "money_saved_per_year": str | None,
                 "quality_change": str},
      "a3": {"sections": [{"heading": str, "text": str, "items": [str]}]},
    }

Nothing else of the source crosses to other organizations: no people, no dates, no history.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lean.models import Improvement, KaizenEntry


@dataclass
class Shares:
    """The parts of the source the publisher chose to share."""

    approach: bool = True
    result: bool = True
    impact: bool = True
    a3: bool = False


def a3_sheet_for_sharing(improvement_id: int) -> dict | None:
    """The card's A3 sheet as it may be shared (no person's name in it), or None without one."""
    from lean.a3.queries import a3_sections_for_sharing

    return a3_sections_for_sharing(improvement_id)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def clean_a3(sheet: dict | None) -> dict | None:
    """Only headings, texts and lists of text: whatever else the sheet holds stays home."""
    if not sheet:
        return None
    sections = []
    for section in sheet.get("sections") or []:
        heading = _text(section.get("heading"))
        text = _text(section.get("text"))
        items = [_text(item) for item in section.get("items") or [] if _text(item)]
        if heading and (text or items):
            sections.append({"heading": heading, "text": text, "items": items})
    return {"sections": sections} if sections else None


def improvement_content(improvement: Improvement, shares: Shares, a3: dict | None) -> dict:
    content: dict[str, Any] = {}
    if shares.approach:
        parts = ("problem", "what_was_tried", "standard")
        approach = [
            {"part": part, "text": _text(getattr(improvement, part))}
            for part in parts
            if _text(getattr(improvement, part))
        ]
        if approach:
            content["approach"] = approach
    if shares.result and _text(improvement.measured_result):
        content["result"] = _text(improvement.measured_result)
    if shares.impact:
        impact = {
            "hours_saved_per_month": _amount(improvement.hours_saved_per_month),
            "money_saved_per_year": _amount(improvement.money_saved_per_year),
            "quality_change": _text(improvement.quality_change),
        }
        if any(impact.values()):
            content["impact"] = impact
    sheet = clean_a3(a3) if shares.a3 else None
    if sheet:
        content["a3"] = sheet
    return content


def kaizen_content(entry: KaizenEntry, shares: Shares) -> dict:
    content: dict[str, Any] = {}
    if shares.approach:
        content["approach"] = [
            {"part": "before", "text": _text(entry.before)},
            {"part": "after", "text": _text(entry.after)},
        ]
    if shares.result and _text(entry.effect):
        content["result"] = _text(entry.effect)
    if shares.impact and entry.hours_saved_per_month is not None:
        content["impact"] = {
            "hours_saved_per_month": _amount(entry.hours_saved_per_month),
            "money_saved_per_year": None,
            "quality_change": "",
        }
    return content


def search_document(title: str, summary: str, learnings: str, content: dict) -> str:
    """Every shared text of a practice, in one string for the full-text index."""
    texts = [title, summary, learnings, content.get("result", "")]
    texts += [part["text"] for part in content.get("approach", [])]
    impact = content.get("impact") or {}
    texts.append(impact.get("quality_change") or "")
    for section in (content.get("a3") or {}).get("sections", []):
        texts += [section["heading"], section["text"], *section["items"]]
    return "\n".join(text for text in texts if text)
