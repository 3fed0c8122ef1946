"""What a search query is about: the companies, fiscal periods and forms it names, resolved against the documents
as answering resolves them (`companies_in`, `periods_in`), so that search looks where the question points.

    scope = query_scope("What was Apple's net income in fiscal 2021?", documents)
    scope.doc_ids        # Apple's filings that report fiscal 2021: its FY2021 10-K and the two 10-Ks after it
    scope.weights        # {FY2021 10-K: 1.0, FY2022 10-K: 0.6, FY2023 10-K: 0.6}: the filing of the period first

A company the query names is a filter (answering reads only that company's filings too). A form it names
("10-K", "earnings release") is a filter when some filing of that form is in scope. A period is a preference: the
filing of that period first, then the filings that print it as a comparative column (a 10-K's statements cover
two or three years, a quarter's filing the same quarter a year before), then the other filings of the same fiscal
year (a 10-Q's year-to-date figures); filings reporting none of the periods named are left out when any does.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from index.companies import companies_in
from index.periods import Period, half_end, periods_in, quarter_end
from index.records import Document

# How much a filing suits a period it does not end with, against 1.0 for the filing of that period.
OWN = 1.0
FOURTH_QUARTER_RELEASE = 0.8  # a fourth-quarter release reports the full year too, where no annual report does
COMPARATIVE = 0.6  # a later filing that prints the period as a comparative column
SAME_YEAR = 0.5  # a filing of the same fiscal year (a 10-Q's year-to-date figures, a release's outlook)
ANNUAL_YEARS_BACK = 2  # a 10-K prints three years of flows (two of balances)
_SAME_END_DAYS = 7

_FORMS = [(form, re.compile(pattern, re.I)) for form, pattern in [
    ("10-K", r"\b(?:form\s+)?10-?K\b|\bannual\s+reports?\b"),
    ("10-Q", r"\b(?:form\s+)?10-?Q\b|\bquarterly\s+reports?\b"),
    ("8-K", r"\b(?:form\s+)?8-?K\b"),
    ("earnings release", r"\b(?:earnings|press|news)\s+releases?\b|\bearnings\s+reports?\b"),
]]
_ANNUAL_FORMS = ("10-K", "20-F", "40-F")


@dataclass(frozen=True)
class QueryScope:
    """The documents a query points at (None: it names no company, form or period any document has) and how well
    each suits the periods it names (1.0 best; every document 1.0 when it names none)."""

    doc_ids: list[str] | None = None
    weights: dict[str, float] = field(default_factory=dict)
    companies: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)

    def weight(self, doc_id: str) -> float:
        return self.weights.get(doc_id, 1.0)


def query_scope(query: str, documents: list[Document], company: bool = True, period: bool = True,
                form: bool = True) -> QueryScope:
    """Resolve what `query` names among `documents` (see the module docstring). `company`, `period` and `form`
    False leave that part unresolved: the caller's own filter already says it."""
    chosen = list(documents)
    companies: list[str] = []
    if company:
        companies, ids, _ = companies_in(query, chosen)
        if ids:
            wanted = set(ids)
            chosen = [document for document in chosen if document.id in wanted]
    forms: list[str] = []
    if form:
        forms = [name for name, pattern in _FORMS
                 if pattern.search(query) and any(_is_form(document, name) for document in chosen)]
        if forms:
            chosen = [document for document in chosen if any(_is_form(document, name) for name in forms)]
    weights: dict[str, float] = {}
    labels: list[str] = []
    if period:
        periods, _ = periods_in(query)
        if periods:
            fits = {document.id: document_fit(document, periods) for document in chosen}
            if any(fits.values()):
                chosen = [document for document in chosen if fits[document.id] > 0]
                weights = {doc_id: fit for doc_id, fit in fits.items() if fit > 0}
                labels = [period.label for period in periods]
    if len(chosen) == len(documents):
        return QueryScope(None, weights, companies, labels, forms)
    return QueryScope([document.id for document in chosen], weights, companies, labels, forms)


def document_fit(document: Document, periods: list[Period]) -> float:
    """How well a document suits the periods a query names: the mean of its fit to each (0 when it reports none)."""
    return sum(period_fit(document, period) for period in periods) / len(periods)


def period_fit(document: Document, period: Period) -> float:
    """How well a document reports one period: OWN for the filing of that period, less for one that prints it as
    a comparative column or is of the same fiscal year, 0 for one that does not report it."""
    label = (document.period or "").upper()
    if label and label == period.label.upper():
        return OWN
    year = _fiscal_year(document)
    end = _end(document)
    annual = _is_annual(document)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period.label) and period.end is not None:
        # A balance date: the filing that ends on it (a 52-53-week year ends within days of the date a question
        # names), or one within a year after (its prior balance sheet column).
        if end is not None and abs((end - period.end).days) <= _SAME_END_DAYS:
            return OWN
        if end is not None and period.end < end <= _years_after(period.end, 1) + dt.timedelta(days=_SAME_END_DAYS):
            return COMPARATIVE
        return 0.0
    if period.year is None:
        return OWN if end is not None and end == period.end else 0.0
    if period.duration == "FY" or period.label == str(period.year):
        if annual and year == period.year:
            return OWN
        if annual and year is not None and period.year < year <= period.year + ANNUAL_YEARS_BACK:
            return COMPARATIVE
        if label == f"{period.year}Q4":
            return FOURTH_QUARTER_RELEASE
        if not annual and year == period.year:
            return SAME_YEAR
        return 0.0
    if period.quarter or period.half:
        part = f"Q{period.quarter}" if period.quarter else f"H{period.half}"
        # The same quarter a year later prints it as its comparative; a later quarter of the year does not.
        if label == f"{period.year + 1}{part}":
            return COMPARATIVE
    return 0.0


def _is_form(document: Document, form: str) -> bool:
    own = (document.form or "").lower()
    if form == "10-K":
        return _is_annual(document)
    if form == "earnings release":
        return own in ("earnings release", "press release")
    return own == form.lower()


def _is_annual(document: Document) -> bool:
    return (document.form or "").upper().startswith(_ANNUAL_FORMS) or (document.period or "").upper().startswith("FY")


def _fiscal_year(document: Document) -> int | None:
    """The fiscal year a document is of: its period label's (FY2022, 2023Q3), else its period end's."""
    if match := re.match(r"^(?:FY)?((?:19|20)\d{2})", document.period or "", re.I):
        return int(match.group(1))
    return document.period_end.year if document.period_end else None


def _end(document: Document) -> dt.date | None:
    """A document's period end, or the calendar end its period label implies (2022Q4: December 31, 2022)."""
    if document.period_end is not None:
        return document.period_end
    if match := re.fullmatch(r"((?:19|20)\d{2})([QH])([1-4])", document.period or "", re.I):
        year, kind, number = int(match.group(1)), match.group(2).upper(), int(match.group(3))
        if kind == "Q":
            return quarter_end(year, number)
        if number <= 2:
            return half_end(year, number)
    return None


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # February 29
        return day.replace(year=day.year + years, day=28)
