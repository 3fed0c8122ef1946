"""What a question adds to the periods it names (index/periods.py reads those): a comparison with the prior period
("year over year", "last year"), "the end of 2020" as the year end, and the end dates of the documents it names."""

from __future__ import annotations

import re

from index.periods import Period
from index.records import Document

PRIOR = re.compile(
    r"\b(?:year[\s-]+over[\s-]+year|yoy|y/y|(?:the\s+)?(?:prior|previous|preceding)\s+(?:fiscal\s+)?(?:year|period)|"
    r"(?:the\s+)?same\s+period\s+(?:of\s+|in\s+)?(?:the\s+)?(?:prior|previous|last)\s+year|last\s+year)\b", re.I)


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
