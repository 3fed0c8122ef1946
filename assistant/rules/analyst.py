"""Analyst metrics in rule-based answers: a metric of the catalogue (assistant/metrics.py) computed for the period
asked (assistant/metric_values.py), each input read from the line of the documents that prints it, in a primary
statement first, every input cited."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from assistant.citations import Evidence
from assistant.metric_values import compute, years_back
from assistant.metrics import metric_named
from assistant.question.query import Query
from assistant.rules.lines import PRIMARY_STATEMENTS, Line, LineFinder
from index.errors import MetricError
from index.numbers import scale_word
from index.periods import years_before
from index.records import Answer, AnswerValue, Fact


def answer_metric(query: Query, lines: LineFinder, evidence: Evidence, refuse) -> Answer:  # noqa: ANN001
    """The named (or defined) metric for the last period asked; `refuse(what)` words a refusal."""
    entry = metric_named(query.analyst_metric or query.question) or metric_named(query.question)
    if entry is None:
        return refuse(query.analyst_metric or "this metric")
    if not entry.computable:
        return refuse(f"{entry.name}, which is not computed here ({entry.definition})")
    candidates_of = [line for line in lines.all_lines() if line.table]
    periods = list(query.periods)

    def lookup(key: str, role: str) -> Fact | None:
        candidates = [line for line in candidates_of if key in line.metrics]
        back = years_back(role)
        if periods:
            # The line whose fact is of the period asked (the fiscal year before a quarter of the same year), in a
            # primary statement first.
            target = periods[-1]

            def rank(line: Line) -> tuple:
                fact = line.for_period(target)
                if fact is None:
                    return (2, 0)
                exact = fact.duration == target.duration if target.duration else fact.duration in ("FY", "instant")
                return (0 if fact.statement in PRIMARY_STATEMENTS else 1, 0 if exact else 1)

            candidates.sort(key=rank)
        for line in candidates:
            if not periods:
                available = line.periods()
                if len(available) > back:
                    return available[-1 - back]
                continue
            # The first line that prints the period asked (the 10-K's, not a later 10-Q's), and for a prior role
            # the same line `back` years earlier (a balance at the prior year end).
            fact = line.for_period(periods[-1])
            if fact is None or fact.period_end is None:
                continue
            if not back:
                return fact
            earlier = years_before(fact.period_end, back)
            for other in line.facts:
                if (other.period_end and other.column_certain and other.value is not None
                        and other.duration == fact.duration and abs((other.period_end - earlier).days) <= 10):
                    return other
        return None

    label = periods[-1].label if periods else "the latest period"
    try:
        figure = compute(entry, label, lookup)
    except MetricError as exc:
        return refuse(f"what {entry.name} needs ({exc})")
    evidence.figures.append(figure)
    cited = evidence.markers(figure.facts)
    unit = query.unit
    number = figure.value
    scale = 1
    if entry.unit == "money" and unit.scale and unit.scale > 1:
        scale = unit.scale
        decimals = unit.decimals if unit.decimals is not None else 2
        number = (figure.value / scale).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        shown = f"${number:,} {scale_word(scale)} ({figure.display})"
    else:
        if unit.decimals is not None:
            number = number.quantize(Decimal(1).scaleb(-unit.decimals), rounding=ROUND_HALF_UP)
        shown = figure.display
    kind = {"percent": "percent", "money": "USD", "days": "days"}.get(entry.unit, "ratio")
    period = figure.facts[0].period if figure.facts else label
    text = f"The {entry.name} for {period} was {shown}{cited}. {figure.derivation}."
    return Answer(question=query.question, text=text, citations=evidence.citations, figures=evidence.figures,
                  value=AnswerValue(number=number, unit=kind, scale=scale))
