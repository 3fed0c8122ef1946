"""The question parser: a question, the documents it may be about and the conversation so far -> a `Query`.

A follow-up ("And in 2020?", "What's the percentage change?", "What about revenue?") takes what it leaves out
from the `ConversationState` of the earlier turns: the companies, the line or metric, the operation and unit of an
elliptical question ("And ..."), and the periods.
"""

from __future__ import annotations

import re

from assistant.metrics import metric_in, metric_named
from assistant.question.companies import filing_in
from assistant.question.formulas import formula_in, parts_defined
from assistant.question.labels import PRONOUN, blank, label_in
from assistant.question.operations import NARRATIVE, definition_in, operation_in, selection_in
from assistant.question.periods import (
    PRIOR,
    THAT_PERIOD,
    at_year_end,
    span_of_years,
    statement_in,
    with_document_ends,
    years_of_average,
)
from assistant.question.query import ACROSS_PERIODS, ConversationState, Formula, Kind, Query, Term
from assistant.question.units import unit_in
from index.companies import companies_in
from index.periods import like, ordered, periods_in, prior, unique
from index.records import Document
from index.synonyms import metric as line_item
from index.synonyms import metrics_in_order

_ELLIPTICAL = re.compile(r"^\s*(?:and|what\s+about|how\s+about|same\s+(?:for|in)|now|also|then)\b", re.I)
# A follow-up that asks its own question ("And what was net loss in that period?") asks for a level, not the
# operation of the turn before.
_OWN_QUESTION = re.compile(r"\b(?:what|how\s+(?:much|large|big|high|low|small))\s+(?:was|were|is|are)\b", re.I)
_INSTRUCTION = re.compile(r"\b(?:please\s+)?(?:answer|express|give|provide|state|show)(?:\s+(?:your|the)\s+"
                          r"(?:answer|result|figure))?(?:\s+(?:it|this))?\b", re.I)
_NEUTRAL = frozenset("""
what which whats how much many was were is are be been being did does do has have had will would the a an of for in on
at to by from during over between across and or with its it their company company's firm business year years yearly
annual annually fiscal period periods ended ending end as reported according value amount figure level calculate
calculated compute computed determine find tell me please using use based answer rounded round rounding decimal
decimals percent percentage percentages places place nearest whole number approximately about overall consolidated
basis ratio metric average mean both each combined total same this that these those then there here my our we you your
respectively than through thru until to since versus vs defined define let us so now also but ok okay well report reports
reporting gaap ends year-end year-ends balance balances beginning ending opening closing start starting generated earned paid spent recorded recognized
recognised produced achieved delivered posted had incurred
""".split())
_NEUTRAL_PATTERN = re.compile(r"(?:\w+['’]s|(?:two|three|four|five|six|seven|eight|nine|ten|\d+)-years?|fy\d*|q[1-4]|h[12])",
                              re.I)
_STATED = re.compile(r"(?:\(|,\s*)([^(),?]*?\b(?:divided\s+by|over|÷|/|as\s+a\s+(?:%|percent(?:age)?|share|proportion)\s+of)"
                     r"\b[^(),?]*?)(?:\)|(?=\?\s*$))")
_BOTH = re.compile(r"\b(?:both|each|those|these|all)\b", re.I)
_AVERAGED = re.compile(r"(?<!weighted\s)(?<!weighted-)\b(?:average|mean)\b", re.I)
_WHOLE_FIRST = re.compile(r"\b(?:what|which)\s+(?:percent(?:age)?|%|share|proportion|fraction|part)\s+of\b", re.I)


def _metric_words(name: str | None) -> set[str]:
    """The words of a catalogue metric's names and of its inputs' names ("acid-test", "cash dividends paid")."""
    entry = metric_named(name) if name else None
    if entry is None:
        return set()
    words = {word for alias in entry.aliases for word in re.findall(r"\w+", alias.lower())}
    for needed in entry.inputs:
        words |= _item_words(needed.key)
    return words


def _item_words(key: str) -> set[str]:
    try:
        item = line_item(key)
    except KeyError:
        return set()
    return {word for text in (*item.words, *item.labels) for word in re.findall(r"\w+", text.lower())}


def parse_question(question: str, documents: list[Document], state: ConversationState | None = None,
                   catalogue: bool = True) -> Query:
    """Parse `question` against the documents it may be about and the conversation so far (see the module doc).
    Without the `catalogue`, a metric's name is read as the label of a line ("free cash flow" as a printed row)."""
    text = " ".join(question.replace("’", "'").split())
    last = state.last if state else None
    inherited: list[str] = []

    unclear: list[str] = []
    # "..., where purchases = cost of sales + ending inventories − beginning inventories": parts defined on their own.
    parts, part_spans = parts_defined(text)
    spoken = blank(text, part_spans, " ") if part_spans else text
    definition, defined, definition_span = definition_in(spoken)
    if definition is None and (stated := _STATED.search(spoken)) and formula_in(stated.group(1))[0] is not None:
        # "dividend payout ratio in fiscal 2016 (cash dividends paid divided by net income)", "capex intensity in
        # 2016, purchases of property and equipment as a % of net revenues": a formula said in passing.
        definition, definition_span = stated.group(1).strip(), stated.span()
    companies, doc_ids, company_spans = companies_in(text, documents)
    periods, period_spans = periods_in(text)
    filing_ids, filing_span = filing_in(text, documents, doc_ids)
    if filing_span is not None:
        # The year of a filing named ("its 2017 Form 10-K") is which document, not a period asked, unless it is
        # the only year the question names.
        others = periods_in(blank(text, [filing_span], " "))
        if others[0]:
            periods, period_spans = others
        if filing_ids:
            doc_ids = filing_ids
        else:
            unclear.append(f"\u201c{text[filing_span[0]:filing_span[1]].strip()}\u201d (no such filing is in the store)")
    statement, statement_span = statement_in(text)
    unit, unit_spans = unit_in(text)
    prior_match = PRIOR.search(text)
    prior_spans = [prior_match.span()] if prior_match else []
    prior_spans += [match.span() for match in THAT_PERIOD.finditer(text)]

    # The question proper (without its stated definition) decides the operation and the label.
    main = text[:definition_span[0]] if definition_span else text
    named, analyst_span = metric_in(main) if catalogue else (None, None)
    analyst = named.name.lower() if named else None
    if defined and (analyst is None or definition):
        analyst = " ".join(defined.lower().split())  # the name the question gives what it defines
    blanked = blank(blank(text, company_spans, "\x01"), [*period_spans, *unit_spans, *prior_spans,
                            *([analyst_span] if analyst_span else []), *([statement_span] if statement_span else []),
                            *([filing_span] if filing_span else []),
                            *([definition_span] if definition_span else []), *part_spans])
    metrics = metrics_in_order(blank(text, [*company_spans, *([analyst_span] if analyst_span else []),
                                            *([statement_span] if statement_span else [])]).replace("\x00", " "))
    # "the first half of 2021 and 2020": a bare year next to a shaped period is the same kind of period.
    shaped = [period for period in periods if period.label != str(period.year)]
    if shaped:
        periods = unique([like(period, shaped[0]) if period.label == str(period.year) else period
                           for period in periods])
    span = span_of_years(text, periods, period_spans) if len(periods) == 2 else None

    operation = operation_in(blank(main, [*([analyst_span] if analyst_span else [])]).replace("\x00", " "))
    if operation == "margin" and (analyst or not metrics):
        operation = None
    if operation == "ratio" and definition and len(metrics) < 2 and analyst:
        operation = None
    if operation is None and (analyst or definition):
        operation = "metric"
    compare_prior = prior_match is not None
    # "What about the prior year?" after a question about a period: the same question, a year earlier.
    period_switch = (last is not None and bool(last.periods) and compare_prior and not periods and operation is None
                     and bool(_ELLIPTICAL.match(text)) and not metrics and label_in(blank(text, company_spans, "\x01"),
                                                                                      blanked) is None)
    if period_switch:
        compare_prior = False
    if operation is None and compare_prior:
        operation = "compare"
    if operation in ("change", "direction", "compare") and unit.percent:
        operation = "pct_change"  # "the change ..., in percent" is a percentage change, never the amount

    # A definition the question states is a formula, and it wins over the catalogue.
    formula: Formula | None = None
    if definition:
        formula, unread = formula_in(definition, parts)
        if formula is None:
            unclear.append(f"the definition's \u201c{unread}\u201d (not a line item, number or operator I can read)")
    elif parts:
        # "debt-to-equity, with total debt as commercial paper plus current and non-current term debt": the
        # catalogue's formula in words, with the part the question defines put in.
        entry = metric_named(analyst) if analyst else None
        if entry is not None and entry.computable and not entry.generic:
            definition = " ".join(re.sub(r"\([^)]*\)", " ", entry.definition).split("=")[-1].split())
            formula, unread = formula_in(definition, parts)
            if formula is None:
                unclear.append(f"the definition's \u201c{unread}\u201d (not a line item, number or operator I can read)")
            definition += "".join(f", with {name} = {body}" for name, body in parts.items())
        else:
            unclear.append(f"the definition of {', '.join(parts)} (no formula of the question uses it)")
    for name in parts if formula is not None else []:
        if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", (definition or "").split(", with ")[0], re.I):
            unclear.append(f"the definition of {name} (the formula does not use it)")
    # "FY2019–FY2021 three-year average of X as a % of Y": the mean of the yearly ratios, each year from its column.
    years = years_of_average(main)
    averaged = years is not None or (bool(_AVERAGED.search(blank(main, [analyst_span] if analyst_span else [])))
                                     and span is not None)
    if averaged:
        if span is not None:
            periods = span
        elif years and len(periods) == 1 and periods[0].year:
            periods = [like(type(periods[0])(label=str(year), text=str(year), year=year), periods[0])
                       for year in range(periods[0].year - years + 1, periods[0].year + 1)]
        if years and len(periods) != years:
            named = ", ".join(period.label for period in periods) or "none"
            unclear.append(f"a {years}-year average over the years named ({named})")
        ratio_cue = operation_in(_AVERAGED.sub(" ", main)) in ("ratio", "margin")
        if formula is None and ratio_cue and len(metrics) == 2 and not analyst:
            whole_first = bool(_WHOLE_FIRST.search(main))
            part, whole = (metrics[1], metrics[0]) if whole_first else (metrics[0], metrics[1])
            formula = Formula(text=f"{part.replace('_', ' ')} / {whole.replace('_', ' ')}",
                              expression="margin({t0}, {t1})", terms=[Term(text=part.replace("_", " "), item=part),
                                                                      Term(text=whole.replace("_", " "), item=whole)])
        operation = "average"
    elif operation == "average" and (analyst or formula):
        operation = "metric"  # "return on assets, using average total assets": the metric's own average
    elif span is not None and operation in ("sum", "cagr"):
        periods = span if operation == "sum" else periods

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
            if "metrics" not in inherited:
                inherited.append("metrics")
            if kind == "figure" and last.kind == "narrative" and operation is None and not periods and \
                    not _OWN_QUESTION.search(text):
                kind = "narrative"
        if operation is None and elliptical and last.operation != "value" and not _OWN_QUESTION.search(text):
            operation = last.operation
            inherited.append("operation")
        if unit.is_empty() and elliptical and not last.unit.is_empty():
            unit = last.unit
            inherited.append("unit")
    operation = operation or "value"
    if period_switch and last is not None:
        periods = [prior(period) for period in last.periods]
        inherited.append("periods")
    if formula is not None and operation not in ("average",):
        operation = "metric"

    if last is not None and last.periods and (not doc_ids or "companies" in inherited or doc_ids == last.doc_ids):
        model = last.periods[-1]
        periods = [like(period, model) if period.label == str(period.year) else period for period in periods]
    if not periods and state is not None and state.turns:
        if operation in ACROSS_PERIODS or operation == "average" or operation == "sum":
            periods = state.recent_periods(2)
        elif last is not None and last.operation in ACROSS_PERIODS and len(last.periods) > 1 and not _BOTH.search(text):
            # "And what was net loss in that period?" after a change from H1 2020 to H1 2021: the period asked about.
            periods = list(last.periods[-1:])
        else:
            periods = list(last.periods) if last else []
        if periods:
            inherited.append("periods")
    elif (len(periods) == 1 and operation in ACROSS_PERIODS and last is not None and last.periods
          and periods[0].label != last.periods[-1].label and not compare_prior):
        # "What is the percentage change from 2020?" after a question about H1 2021: from H1 2020 to H1 2021.
        periods = ordered([periods[0], last.periods[-1]])
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
        if "metrics" not in inherited:
            inherited.append("metrics")

    # What no part of the reading consumed: the words a line's label has to explain.
    unparsed = " ".join(_INSTRUCTION.sub(" ", re.sub(r"[\x00\x01]+", " ", blanked)).split())
    extra: list[str] = []
    if (analyst or formula) and not unclear and kind == "figure":
        # A metric is all a question asks when every other word is a question word: "flibbertigibbet-adjusted
        # operating margin" is not the operating margin.
        named = set(re.findall(r"\w+", (analyst or "").lower())) | _metric_words(analyst)
        for term in formula.terms if formula else []:
            named |= set(re.findall(r"\w+", term.text.lower())) | _item_words(term.item)
        stray = [word for word in re.findall(r"(?<![\w&'’-])[A-Za-z][\w&'’-]*", unparsed)
                 if not all(part in _NEUTRAL | named for part in word.lower().replace("’", "'").split("-"))
                 and not _NEUTRAL_PATTERN.fullmatch(word)]
        extra = stray
    return Query(question=question, unparsed=unparsed, kind=kind, companies=companies, doc_ids=doc_ids, metrics=metrics, label=label,
                 analyst_metric=analyst, operation=operation, periods=periods, compare_prior=compare_prior,
                 unit=unit, definition=definition, formula=formula, statement=statement, unclear=unclear, extra=extra,
                 inherited=inherited, selection=selection_in(main) if kind == "figure" else None)
