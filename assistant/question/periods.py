"""What a question adds to the periods it names (index/periods.py reads those): a comparison with the prior period
("year over year", "last year"), "the end of 2020" as the year end, and the end dates of the documents it names."""

from __future__ import annotations

import re

from index.periods import Period, like
from index.records import Document

PRIOR = re.compile(
    r"\b(?:year[\s-]+over[\s-]+year|yoy|y/y|(?:the\s+)?(?:prior|previous|preceding)\s+(?:fiscal\s+)?(?:year|period)|"
    r"(?:the\s+)?same\s+period\s+(?:of\s+|in\s+)?(?:the\s+)?(?:prior|previous|last)\s+year|last\s+year|"
    r"(?:the\s+)?(?:year|period|quarter)\s+before|a\s+year\s+(?:earlier|before|ago))\b", re.I)
# "in that (same) period": the period of the turn before, said with a demonstrative.
THAT_PERIOD = re.compile(r"\b(?:in|for|during|over|at|of)?\s*(?:that|this|the\s+same|that\s+same|those|these)\s+"
                         r"(?:same\s+)?(?:periods?|years?|quarters?|half|halves|dates?|times?|six\s+months|months)\b", re.I)


def at_year_end(question: str, period: Period) -> Period:
    """"At the end of 2020" is the year end (December 31 unless a document says otherwise), not the date the
    previous turn's period had in 2020."""
    match = re.search(r"\bend\s+of\s+(?:fiscal\s+)?((?:19|20)\d{2})\b", question, re.I)
    if match and period.duration == "instant" and period.year == int(match.group(1)):
        return period.model_copy(update={"label": f"{match.group(1)}-12-31",
                                         "end": period.end.replace(month=12, day=31) if period.end else None})
    return period


def with_document_ends(periods: list[Period], documents: list[Document], doc_ids: list[str]) -> list[Period]:
    """A period a named document is of takes the document's end date (Apple's FY2022 ends 2022-09-24)."""
    ends = {document.period.upper(): document.period_end for document in documents
            if document.id in doc_ids and document.period and document.period_end}
    result = []
    for period in periods:
        end = ends.get(period.label.upper())
        if end is not None and period.duration in ("FY", "3M", "6M") and (
                period.end is None or period.duration != "FY" or period.end == end):
            period = period.model_copy(update={"end": end})
        result.append(period)
    return result


# --- spans of years ------------------------------------------------------------------------------------------

_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                 "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9, "10": 10}
YEARS_AVERAGE = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten|\d{1,2})[\s-]+(?:fiscal[\s-]+)?years?\b"
                           r"(?:\s+\w+){0,2}?\s+(?:average|mean)\b|\b(?:average|mean)\s+(?:\w+\s+){0,6}?over\s+"
                           r"(?:the\s+)?(?:(?:last|past|previous)\s+)?(two|three|four|five|six|seven|eight|nine|ten|"
                           r"\d{1,2})\s+(?:fiscal\s+)?years\b", re.I)
_SPAN = re.compile(r"(?:–|—|-|\bto\b|\bthrough\b|\bthru\b|\buntil\b)", re.I)


def years_of_average(text: str) -> int | None:
    """N in "three-year average" / "average ... over the last three years"."""
    match = YEARS_AVERAGE.search(text)
    if not match:
        return None
    return _NUMBER_WORDS[(match.group(1) or match.group(2)).lower()]


def span_of_years(text: str, periods: list[Period], spans: list[tuple[int, int]]) -> list[Period] | None:
    """Every fiscal year of a span the text writes as a range ("FY2019–FY2021", "fiscal 2017 through 2019",
    "from 2017 to 2019"): the two named years and those between, old -> new. None when the text names no range."""
    if len(periods) != 2 or len(spans) != 2:
        return None
    first, second = sorted(zip(periods, spans), key=lambda item: item[1][0])
    between = text[first[1][1]:second[1][0]]
    if not _SPAN.fullmatch(between.strip()):
        return None
    (start, _), (end, _) = first, second
    if start.year is None or end.year is None or end.year <= start.year or end.year - start.year > 20:
        return None
    if start.duration not in ("FY", None) or end.duration not in ("FY", None) or start.quarter or start.half:
        return None
    model = start if start.duration == "FY" else end
    return [like(Period(label=str(year), text=str(year), year=year), model) if year not in (start.year, end.year)
            else (start if year == start.year else end) for year in range(start.year, end.year + 1)]


# --- the statement a question names ----------------------------------------------------------------------------

_STATEMENTS = [(name, re.compile(pattern, re.I)) for name, pattern in [
    ("balance_sheet", r"balance\s+sheets?|statements?\s+of\s+financial\s+(?:position|condition)"),
    ("cash_flow", r"cash[\s-]+flows?\s+statements?|statements?\s+of\s+cash[\s-]+flows?"),
    ("income_statement", r"income\s+statements?|statements?\s+of\s+(?:operations|income|earnings)|"
                         r"profit\s+and\s+loss\s+(?:statement|account)|p\s*&\s*l\b"),
]]
_STATEMENT_CUE = r"(?:using|from|per|according\s+to|based\s+on|on|in|as\s+(?:reported|shown|stated)\s+(?:on|in))\s+" \
                 r"(?:the\s+)?(?:company['’]s\s+|\w+['’]s\s+)?(?:(?:fiscal\s+|fy\s*)?(?:19|20)\d{2}\s+)?(?:consolidated\s+)?"


def statement_in(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """The primary statement a question says its figures come from ("using the balance sheet"), and its span."""
    for name, pattern in _STATEMENTS:
        if match := re.search(_STATEMENT_CUE + f"(?:{pattern.pattern})", text, re.I):
            return name, match.span()
    return None, None
