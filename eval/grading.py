"""Grading an Answer against a gold question: the number within tolerance (after scale), a refusal refused, the
required phrases present, each gold quote cited, and every number in the text grounded."""

from __future__ import annotations

from decimal import Decimal

from index.records import Answer
from eval.questions import GoldQuestion


def cited(gold_quote: str, answer: Answer, text: str) -> bool:
    """A gold quote lies within one of the answer's quotes, or overlaps one's span in the document."""
    if any(gold_quote in citation.quote for citation in answer.citations):
        return True
    at = text.find(gold_quote)
    while at >= 0:
        if any(c.start < at + len(gold_quote) and at < c.end for c in answer.citations):
            return True
        at = text.find(gold_quote, at + 1)
    return False


def grade(gold: GoldQuestion, answer: Answer, text: str) -> str | None:
    """None when `answer` is right for `gold`, else a one-line reason. `text` is the gold document's text."""
    kind = gold.answer.kind
    if kind in ("refusal", "not_reported"):
        if not (answer.refused or "not reported" in answer.text.lower()):
            return f"should refuse / say not reported: {answer.text[:120]!r}"
    elif answer.refused:
        return f"refused: {answer.text[:120]!r}"
    elif kind == "number":
        if answer.value is None:
            return f"no value: {answer.text[:120]!r}"
        want = Decimal(gold.answer.value) * gold.answer.scale
        got = answer.value.number * answer.value.scale
        if abs(want - got) > Decimal(gold.answer.tolerance) * gold.answer.scale:
            return f"value {got} != {want}: {answer.text[:120]!r}"
    elif kind == "text":
        lowered = answer.text.lower()
        missing = [phrase for phrase in gold.answer.text_contains if phrase.lower() not in lowered]
        if missing:
            return f"text lacks {missing}: {answer.text[:150]!r}"
        if gold.answer.text_any and not any(phrase.lower() in lowered for phrase in gold.answer.text_any):
            return f"text has none of {gold.answer.text_any}: {answer.text[:150]!r}"
    for quote in gold.citations:
        if not cited(quote, answer, text):
            return f"gold citation not cited: {quote[:60]!r}"
    if not answer.grounded:
        return f"unsupported numbers {answer.unsupported_numbers}"
    return None


def wrong_figure(gold: GoldQuestion, answer: Answer) -> bool:
    """The one failure that must not happen: a figure given where the gold has another figure or none."""
    if answer.refused or answer.value is None:
        return False
    if gold.answer.kind in ("refusal", "not_reported"):
        return True
    if gold.answer.kind == "number":
        want = Decimal(gold.answer.value) * gold.answer.scale
        return abs(want - answer.value.number * answer.value.scale) > Decimal(gold.answer.tolerance) * gold.answer.scale
    return False
