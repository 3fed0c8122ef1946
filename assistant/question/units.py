"""The unit a question asks its answer in: "in USD millions", "as a percentage", "rounded to one decimal place"."""

from __future__ import annotations

import re

from assistant.question.query import Unit
from index.numbers import scale_of

_CURRENCY = r"(?:usd|us\$|u\.s\.\s+dollars|us\s+dollars|dollars|\$)"
_SCALE_WORD = r"(?:thousands|millions|billions|thousand|million|billion|mm|bn|k|m|b)"
_UNIT_SCALE = re.compile(
    rf"(?:\b(?:in|as|expressed\s+in|stated\s+in)\s+|\(\s*)(?:(?:the\s+)?{_CURRENCY}\s*)?({_SCALE_WORD})\b(?:\s+(?:of\s+)?{_CURRENCY})?\)?",
    re.I)
_UNIT_CURRENCY = re.compile(rf"\bin\s+({_CURRENCY})(?![\w$])(?!\s*{_SCALE_WORD}\b)", re.I)
_UNIT_PERCENT = re.compile(
    r"\b(?:in\s+(?:percent(?:age)?s?|%)|as\s+(?:a\s+)?percent(?:age)?s?(?!\s+(?:of|change|point))|"
    r"in\s+percentage\s+terms|expressed\s+as\s+a\s+percent(?:age)?(?!\s+of))(?=\W|$)", re.I)
_NUMBER_WORDS = {"zero": 0, "no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_DECIMALS = re.compile(
    r"\b(?:round(?:ed|ing)?\s+(?:your\s+(?:answer|result)\s+)?)?to\s+(?:the\s+nearest\s+)?(\d|zero|no|one|two|three|four|five)\s+"
    r"(?:decimal\s+(?:places?|points?)|decimals?|d\.?p\.?)\b", re.I)
_NEAREST = re.compile(r"\b(?:round(?:ed|ing)?\s+(?:your\s+(?:answer|result)\s+)?)?to\s+the\s+nearest\s+"
                      r"(whole\s+number|integer|whole\s+(?:dollar|percent)|dollar|tenth|hundredth|thousandth)\b", re.I)
_NEAREST_DECIMALS = {"tenth": 1, "hundredth": 2, "thousandth": 3}


def unit_in(text: str) -> tuple[Unit, list[tuple[int, int]]]:
    """The unit a question asks its answer in, and the spans saying so."""
    unit: dict[str, object] = {}
    spans: list[tuple[int, int]] = []
    if match := _UNIT_SCALE.search(text):
        unit["scale"] = scale_of(match.group(1))
        if re.search(_CURRENCY, match.group(), re.I):
            unit["currency"] = "USD"
        spans.append(match.span())
    if match := _UNIT_CURRENCY.search(text):
        unit["currency"] = "USD"
        if match.group(1).lower() == "dollars" and "scale" not in unit:
            unit["scale"] = 1
        spans.append(match.span())
    if match := _UNIT_PERCENT.search(text):
        unit["percent"] = True
        spans.append(match.span())
    if match := _DECIMALS.search(text):
        word = match.group(1).lower()
        unit["decimals"] = int(word) if word.isdigit() else _NUMBER_WORDS[word]
        spans.append(match.span())
    elif match := _NEAREST.search(text):
        unit["decimals"] = _NEAREST_DECIMALS.get(match.group(1).lower(), 0)
        spans.append(match.span())
    return Unit(**unit), spans
