"""Filing choice: with many filings of one company in the store, which one a figure question is answered from.

One filing per company: the filing of the last period asked when its primary statements print every period asked
(an analyst asking for FY2019 reads the FY2019 10-K; a later filing's five-year table or restated column is a
different figure), else the most recent one that does. A fiscal year is read from
annual reports first; a question about balances (the current ratio of FY2019) from a filing that prints that
year's balance sheet; a metric over averages (return on equity) from one that also prints the year before.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from assistant.metric_values import BALANCE_ITEMS, years_back
from assistant.metrics import metric_named
from assistant.question.query import Query
from index.cache import CatalogCache
from index.companies import company_key
from index.periods import Period, fact_year, period_matcher
from index.records import Document

_PRIMARY = ("income_statement", "balance_sheet", "cash_flow")
_ANY_TABLE = (*_PRIMARY, "comprehensive_income", "equity", "segment", "other")


def reporting_documents(cache: CatalogCache, query: Query, doc_ids: list[str]) -> list[str]:
    """For a figure question naming periods, one filing per company: the most recent one that reports every
    period asked. Companies with no such filing keep all their documents, so a refusal can still name the
    closest figure."""
    periods = list(query.periods)
    if len(doc_ids) < 2 or not periods or query.kind == "narrative":
        return doc_ids
    # A metric over averages (return on equity) also reads the balances a year or more before.
    entry = metric_named(query.analyst_metric) if query.analyst_metric else None
    back = max((years_back(item.role) for item in entry.inputs), default=0) if entry else 0
    last = periods[-1]
    if back and last.year and re.fullmatch(r"(?:FY)?\d{4}", last.label):
        periods = [*periods, *(last.model_copy(update={"label": f"FY{last.year - years}", "year": last.year - years,
                                                       "end": None, "text": f"fiscal {last.year - years}"})
                               for years in range(1, back + 1))]
    by_company: dict[str, list[Document]] = defaultdict(list)
    for doc_id in doc_ids:
        document = cache.document(doc_id)
        by_company[company_key(document)].append(document)
    needs = _needs(query)
    # A fiscal year is read from annual reports first (a 10-Q's prior year-end column is not the place to cite
    # for "the end of fiscal 2022"), then from the most recent filing.
    yearly = any(period.duration == "FY" or re.fullmatch(r"(?:FY)?\d{4}", period.label) for period in periods)
    chosen: list[str] = []
    for group in by_company.values():
        if len(group) == 1:
            chosen.append(group[0].id)
            continue
        # The filing of the period asked first (FY2019's figures as the FY2019 10-K reports them, not as a later
        # filing's five-year table or restatement prints them), then the most recent.
        own = {last.label.upper(), f"FY{last.year}" if yearly and last.year else last.label.upper()}

        def is_own(document: Document) -> bool:
            # Its period, or for a balance date asked ("as of September 25, 2021"), the filing of that date.
            return (document.period or "").upper() in own or (
                bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", last.label)) and document.period_end is not None
                and last.end is not None and document.period_end == last.end and _annual(document))

        group.sort(key=lambda document: (is_own(document), yearly and _annual(document),
                                         document.period_end or dt.date.min, document.filing_date or dt.date.min),
                   reverse=True)
        reporting = next((document.id for document in group if _reports(cache, document.id, periods, needs)), None) or \
            next((document.id for document in group if _reports(cache, document.id, periods, needs, primary=False)), None)
        chosen.extend([reporting] if reporting else [document.id for document in group])
    return chosen


def _needs(query: Query) -> set[str]:
    """What a fiscal year has to be printed as for this question: "FY" (flows), "instant" (balances at the year
    end: the current ratio of FY2019 needs the balance sheet at its end), or both (return on equity)."""
    keys = list(query.metrics)
    entry = metric_named(query.analyst_metric) if query.analyst_metric else None
    if entry is not None:
        keys += [item.key for item in entry.inputs]
    balances = [key for key in keys if key in BALANCE_ITEMS]
    if not keys or len(balances) < len(keys):
        return {"FY", "instant"} if balances else {"FY"}
    return {"instant"}


def _reported_facts(cache: CatalogCache, doc_id: str, primary: bool) -> list:
    """The table facts of a document that count as reporting a period (see `_reports`)."""
    statements = _PRIMARY if primary else _ANY_TABLE
    end = cache.document(doc_id).period_end
    # A later year's column (contractual obligations due in "Fiscal 2022") is a forecast, not a period reported.
    return [fact for fact in cache.facts_of([doc_id])
            if fact.source == "table" and fact.column_certain and fact.statement in statements
            and (end is None or (fact.period_end or dt.date.min) <= end + dt.timedelta(days=7))
            and (end is None or fact.period_end is not None or (fact_year(fact) or 0) <= end.year)]


def _reports(cache: CatalogCache, doc_id: str, periods: list[Period], needs: set[str], primary: bool = True) -> bool:
    """Whether a document's primary statements print every one of these periods: a year as a full fiscal year
    (a quarterly release's year-end balance sheet does not report the year), a date as a balance. A later
    release's trend table of earlier quarters does not count: the filing of the period itself wins. With
    `primary=False`, any table counts (for filings whose statements were not recognised as such)."""
    facts = cache.memo(("reported", doc_id, primary), lambda: _reported_facts(cache, doc_id, primary))
    for period in periods:
        if period.duration and period.duration != "FY":
            required = [period.duration]
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", period.label):
            required = ["instant"]
        else:
            required = sorted(needs or {"FY"})
        matches = period_matcher(period.label)
        for duration in required:
            if not any(fact.duration == duration and matches(fact) for fact in facts):
                return False
    return True


def _annual(document: Document) -> bool:
    return (document.form or "").upper().startswith(("10-K", "20-F", "40-F")) or (document.period or "").startswith("FY")
