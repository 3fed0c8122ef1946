"""The question parser: a question, the documents it may be about and the conversation so far -> a `Query`.

A follow-up ("And in 2020?", "What's the percentage change?", "What about revenue?") takes what it leaves out
from the `ConversationState` of the earlier turns: the companies, the line or metric, the operation and unit of an
elliptical question ("And ..."), and the periods.
"""

from __future__ import annotations

import re

from assistant.metrics import metric_in
from assistant.question.companies import companies_in
from assistant.question.labels import PRONOUN, blank, label_in
from assistant.question.operations import NARRATIVE, definition_in, operation_in
from assistant.question.periods import PRIOR, at_year_end, with_document_ends
from assistant.question.query import ACROSS_PERIODS, ConversationState, Kind, Query
from assistant.question.units import unit_in
from index.periods import like, ordered, periods_in, prior, unique
from index.records import Document
from index.synonyms import metrics_in_order

_ELLIPTICAL = re.compile(r"^\s*(?:and|what\s+about|how\s+about|same\s+(?:for|in)|now|also|then)\b", re.I)


def parse_question(question: str, documents: list[Document], state: ConversationState | None = None) -> Query:
    """Parse `question` against the documents it may be about and the conversation so far (see the module doc)."""
    text = " ".join(question.replace("’", "'").split())
    last = state.last if state else None
    inherited: list[str] = []

    definition, defined, definition_span = definition_in(text)
    companies, doc_ids, company_spans = companies_in(text, documents)
    periods, period_spans = periods_in(text)
    unit, unit_spans = unit_in(text)
    prior_match = PRIOR.search(text)
    prior_spans = [prior_match.span()] if prior_match else []

    # The question proper (without its stated definition) decides the operation and the label.
    main = text[:definition_span[0]] if definition_span else text
    named, analyst_span = metric_in(main)
    analyst = named.name.lower() if named else None
    if analyst is None and defined:
        analyst = " ".join(defined.lower().split())
    blanked = blank(blank(text, company_spans, "\x01"), [*period_spans, *unit_spans, *prior_spans,
                            *([analyst_span] if analyst_span else []),
                            *([definition_span] if definition_span else [])])
    metrics = metrics_in_order(blank(text, [*company_spans, *([analyst_span] if analyst_span else [])]).replace("\x00", " "))
    # "the first half of 2021 and 2020": a bare year next to a shaped period is the same kind of period.
    shaped = [period for period in periods if period.label != str(period.year)]
    if shaped:
        periods = unique([like(period, shaped[0]) if period.label == str(period.year) else period
                           for period in periods])

    operation = operation_in(blank(main, [*([analyst_span] if analyst_span else [])]).replace("\x00", " "))
    if operation == "margin" and (analyst or not metrics):
        operation = None
    if operation == "ratio" and definition and len(metrics) < 2 and analyst:
        operation = None
    if operation is None and (analyst or definition):
        operation = "metric"
    compare_prior = prior_match is not None
    if operation is None and compare_prior:
        operation = "compare"

    kind: Kind = "narrative" if NARRATIVE.search(main) else "figure"
    label = label_in(blank(text, company_spans, "\x01"), blanked)
    if kind == "narrative" or operation in ("ratio", "sum", "margin", "metric"):
        label = None  # not one line's label
    if label and (label.lower() == (analyst or "").lower() or len(re.findall(r"[A-Za-z]", label)) < 2
                  or len(metrics) >= 2):
        label = None


    # --- what a follow-up leaves out, from the earlier turns.
    elliptical = bool(_ELLIPTICAL.match(text))
    if last is not None:
        if not doc_ids and last.doc_ids:
            companies, doc_ids = list(last.companies), list(last.doc_ids)
            inherited.append("companies")
        if not metrics and label is None and analyst is None and definition is None:
            metrics, label, analyst = list(last.metrics), last.label, last.analyst_metric
            inherited.append("metrics")
            if kind == "figure" and last.kind == "narrative" and operation is None:
                kind = "narrative"
        if operation is None and elliptical and last.operation != "value":
            operation = last.operation
            inherited.append("operation")
        if unit.is_empty() and elliptical and not last.unit.is_empty():
            unit = last.unit
            inherited.append("unit")
    operation = operation or "value"

    if last is not None and last.periods and (not doc_ids or "companies" in inherited or doc_ids == last.doc_ids):
        model = last.periods[-1]
        periods = [like(period, model) if period.label == str(period.year) else period for period in periods]
    if not periods and state is not None and state.turns:
        if operation in ACROSS_PERIODS or operation == "average" or operation == "sum":
            periods = state.recent_periods(2)
        else:
            periods = list(last.periods) if last else []
        if periods:
            inherited.append("periods")
    if compare_prior and len(periods) == 1:
        periods = [prior(periods[0]), periods[0]]
    elif (operation in ("change", "pct_change", "direction") and len(periods) == 1 and len(metrics) <= 1
          and "periods" not in inherited):
        # "Did R&D increase in 2021?" compares with the year before.
        periods = [prior(periods[0]), periods[0]]
        compare_prior = True
    periods = [at_year_end(text, period) for period in ordered(with_document_ends(periods, documents, doc_ids))]
    # "How much did it fall?": the pronoun is the line of the previous turn.
    if last is not None and not metrics and not analyst and (label is None or PRONOUN.match(label)):
        metrics, label = list(last.metrics), last.label
        analyst = last.analyst_metric
        inherited.append("metrics")

    return Query(question=question, kind=kind, companies=companies, doc_ids=doc_ids, metrics=metrics, label=label,
                 analyst_metric=analyst, operation=operation, periods=periods, compare_prior=compare_prior,
                 unit=unit, definition=definition, inherited=inherited)
