"""Analyst metrics in rule-based answers: a metric of the catalogue (assistant/metrics.py) or a formula the question
states (assistant/question/formulas.py), computed for the period asked (assistant/metric_values.py), or averaged
over the years asked ("FY2019–FY2021 three-year average net margin" is the mean of the three yearly margins, each
from its own year's column). Each input is read from the line of the documents that prints it, from the statement
the question names or else a primary statement first, and every input is cited. A result outside plausible bounds
(assistant/sanity.py) is refused with its inputs shown.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from assistant.calculator import calculate
from assistant.citations import Evidence
from assistant.metric_values import BALANCE_ITEMS, expression_of, line_item_of, years_back
from assistant.metrics import METRICS, Input, metric_named
from assistant.question.query import Formula, Query
from assistant.rules.lines import PRIMARY_STATEMENTS, Line, LineFinder
from assistant.sanity import implausible
from index.errors import CalculationError, MetricError, MissingInput
from index.numbers import scale_word
from index.periods import Period, years_before
from index.records import Answer, AnswerValue, Fact, Figure

# How a line item's sign is read in a formula the question states, as the catalogue reads it (an expense printed in
# parentheses is still a positive expense).
_SIGNS = {needed.key: needed.sign for entry in METRICS for needed in entry.inputs if needed.sign != "signed"}


class FactLookup:
    """Facts of line items for a period: `lookup(key, role)` in the form assistant/metric_values.py asks."""

    def __init__(self, lines: LineFinder, statement: str | None):
        self.candidates = [line for line in lines.all_lines() if line.table]
        self.statement = statement

    def for_period(self, target: Period | None):  # noqa: ANN201 - metric_values.Lookup
        def lookup(key: str, role: str) -> Fact | None:
            candidates = [line for line in self.candidates if key in line.metrics]
            # A balance is read at a date, a flow over a period: "Inventories (2,642)" in the cash flow statement is
            # a change, never the inventory balance.
            candidates = [line for line in candidates if _fits(line, key)]
            if self.statement:
                # "Using the balance sheet": that statement's line, never a roll-forward, a note or a cash-flow change.
                candidates = [line for line in candidates if line.facts[0].statement == self.statement]
            back = years_back(role)
            if target is not None:
                def rank(line: Line) -> tuple:
                    fact = line.for_period(target)
                    if fact is None:
                        return (2, 0)
                    exact = fact.duration == target.duration if target.duration else fact.duration in ("FY", "instant")
                    return (0 if fact.statement in PRIMARY_STATEMENTS else 1, 0 if exact else 1)

                candidates.sort(key=rank)
            for line in candidates:
                if target is None:
                    available = line.periods()
                    if len(available) > back:
                        return available[-1 - back]
                    continue
                # The first line that prints the period asked (the 10-K's, not a later 10-Q's), and for a prior role
                # the same line `back` years earlier (a balance at the prior year end).
                fact = line.for_period(target)
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

        return lookup


def _fits(line: Line, key: str) -> bool:
    """Whether a line can give a line item: a balance from a balance sheet or a dated column, a flow from a period."""
    if key in BALANCE_ITEMS:
        return line.facts[0].statement == "balance_sheet" or any(fact.duration == "instant" for fact in line.facts)
    return line.facts[0].statement != "balance_sheet" and not all(fact.duration == "instant" for fact in line.facts)


def answer_metric(query: Query, lines: LineFinder, evidence: Evidence, refuse,  # noqa: ANN001
                  printed=None) -> Answer:  # noqa: ANN001
    """The named metric, or the formula the question states, for the period asked or averaged over the periods
    asked; `refuse(what)` words a refusal. When the catalogue cannot compute the metric, `printed()` may give the
    line the documents print under its name (a company's own "Free cash flow" or "Underlying EBITDA" row)."""
    if query.formula is not None:
        terms = query.formula.terms
        name = query.analyst_metric or (f"{terms[0].text} as a percentage of {terms[1].text}"
                                        if query.formula.expression == "margin({t0}, {t1})" else "ratio you defined")
        definition = query.formula.text
        unit = "percent" if query.formula.percent or query.formula.expression.startswith("margin(") else "number"
        # A ratio stated without "× 100" for a metric analysts quote in percent (a payout ratio, a margin), or asked
        # "in percent", is given in percent.
        named = metric_named(query.analyst_metric) if query.analyst_metric else None
        as_percent = unit == "number" and (query.unit.percent or (named is not None and named.unit == "percent"))
        if as_percent:
            unit = "percent"
        elif unit == "number" and ((named is not None and named.unit == "days") or re.search(r"\bin\s+days\b", query.question,
                                                                                              re.I)):
            unit = "days"  # "365 × average payables ÷ purchases ... in days"
    else:
        entry = metric_named(query.analyst_metric or query.question) or metric_named(query.question)
        if entry is None:
            return refuse(query.analyst_metric or "this metric")
        if not entry.computable:
            return _printed_or(printed,
                               lambda: refuse(f"{entry.name}, which is not computed here ({entry.definition})"))
        name, definition, unit = entry.name, entry.definition, entry.unit
    facts = FactLookup(lines, query.statement)
    averaged = query.operation == "average" and len(query.periods) >= 2
    targets: list[Period | None] = list(query.periods) if averaged else [query.periods[-1] if query.periods else None]
    expressions: list[str] = []
    used: dict[str, Fact] = {}
    corroborating: list[Fact] = []
    try:
        for target in targets:
            label = target.label if target else "the latest period"
            lookup = facts.for_period(target)
            if query.formula is not None:
                expression, inputs = _formula_expression(query.formula, name, label, lookup,
                                                         target.year if target else None)
                if as_percent:
                    expression = f"margin({expression}, 1)"
            else:
                expression, inputs = expression_of(entry, label, lookup)
                if entry.one_of:
                    _every_part(entry.one_of, inputs, facts.candidates)
                if entry.printed:
                    corroborating += _printed_subtotal(entry, label, lookup, expression, inputs)
            expressions.append(expression)
            used.update(inputs)
        _same_basis(name, used)
        figure = calculate(expressions[0] if not averaged else f"avg({', '.join(expressions)})", used.get)
    except (MetricError, CalculationError) as exc:
        if query.formula is not None:
            return refuse(f"what {name} needs ({exc})")
        return _printed_or(printed, lambda: refuse(f"what {name} needs ({exc})"))
    span = ", ".join(target.label for target in targets if target) if averaged else None
    label = targets[-1].label if targets[-1] else "the latest period"
    what = f"the average of the yearly {name} for {span}" if averaged else f"{name}, {label}"
    figure = figure.model_copy(update={"derivation": f"{what} = {'mean of ' if averaged else ''}{definition}: "
                                                     f"{figure.derivation}"})
    labels = {word for fact in figure.facts for word in re.findall(r"\w+", f"{fact.label} {fact.group or ''}".lower())}
    unexplained = [word for word in query.extra
                   if not all(part in labels for part in re.findall(r"\w+", word.lower()))]
    if unexplained:
        # "flibbertigibbet-adjusted operating margin" is not the operating margin: say so, do not answer it.
        return Answer(question=query.question, refused=True, text=(
            f"I did not understand \u201c{' '.join(unexplained)}\u201d in this question: the {name} I can compute "
            f"does not involve it, so I will not answer rather than answer a different question."))
    one_table = len({(fact.doc_id, fact.statement) for fact in figure.facts}) == 1 and all(
        fact.statement in PRIMARY_STATEMENTS for fact in figure.facts)
    if problem := implausible(name, figure.value, one_table):
        cited = evidence.markers(figure.facts)
        return Answer(question=query.question, refused=True, citations=evidence.citations, figures=[figure], text=(
            f"I will not state the {name}: {problem}, so its inputs are probably not on the same basis. "
            f"The inputs I found{cited}: {figure.derivation}."))
    evidence.figures.append(figure)
    cited = evidence.markers(figure.facts)
    number, shown, scale = _as_asked(figure, unit, query)
    kind = {"percent": "percent", "money": "USD", "days": "days"}.get(unit, "ratio")
    if figure.unit == "percent":
        kind = "percent"
    if averaged:
        text = f"The average {name} over {span} was {shown}{cited}. {figure.derivation}."
    else:
        # The period asked: the latest input's (an average's first input is the year before).
        latest = max(figure.facts, key=lambda fact: fact.period_end or date.min, default=None)
        period = latest.period if latest is not None and latest.period else label
        text = f"The {name} for {period} was {shown}{cited}. {figure.derivation}."
    if corroborating:
        names = sorted({fact.label for fact in corroborating})
        text += (f" The statements print {' and '.join(names)} as well{evidence.markers(corroborating)}, which gives "
                 f"the same {name}.")
    if query.formula is not None:
        text += f" (Computed with the definition you gave: {definition}.)"
    return Answer(question=query.question, text=text, citations=evidence.citations, figures=evidence.figures,
                  value=AnswerValue(number=number, unit=kind, scale=scale))


def _printed_or(printed, refusal) -> Answer:  # noqa: ANN001
    answer = printed() if printed is not None else None
    return answer if answer is not None and not answer.refused and answer.value is not None else refusal()


def _formula_expression(formula: Formula, name: str, period: str, lookup,  # noqa: ANN001
                        target_year: int | None) -> tuple[str, dict[str, Fact]]:
    """The formula's calculator expression for a period over `@FACT_ID`s, and the facts it uses."""
    expression = formula.expression
    used: dict[str, Fact] = {}
    for index, term in enumerate(formula.terms):
        roles = {"this": ("this",), "prior": ("prior",), "average": ("prior", "this"), "change": ("prior", "this")}[term.role]
        if term.years and target_year is not None:
            # "FY2019 revenue / average PP&E between FY2018 and FY2019": the years the definition names for a term
            # are those of the period asked (and the year before, for an average or a change), or it refuses.
            if term.role == "this" and term.years == [target_year - 1]:
                roles = ("prior",)
            elif not set(term.years) <= ({target_year - 1, target_year} if len(roles) == 2 else {target_year}):
                raise MetricError(f"the definition reads {term.text} for {', '.join(map(str, term.years))}, which "
                                  f"does not fit the period asked ({period})")
        references = []
        for role in roles:
            fact = lookup(term.item, role)
            if fact is None or fact.value is None:
                when = f"the year before {period}" if role == "prior" else period
                raise MissingInput(name, term.item, period, role,
                                   f"cannot compute {name} for {period}: {term.text} is not reported for {when}")
            if fact.kind != "money":
                raise MetricError(f"cannot compute {name} for {period}: {fact.label} is a {fact.kind} figure, "
                                  f"not an amount of money")
            used[fact.id] = fact
            references.append(f"abs(@{fact.id})" if _SIGNS.get(term.item) == "magnitude" else f"@{fact.id}")
        if term.role == "average":
            reference = f"avg({references[0]}, {references[1]})"
        elif term.role == "change":
            reference = f"({references[1]} - {references[0]})"
        else:
            reference = references[0]
        expression = expression.replace("{t%d}" % index, reference)
    return expression, used


_DEBT_LINE = re.compile(r"\b(?:debt|borrowings?|notes\s+payable|commercial\s+paper|loans?\s+payable|credit\s+facilit|"
                        r"senior\s+notes|convertible\s+notes|finance\s+lease\s+(?:liabilit|obligation))", re.I)


def _every_part(parts: tuple[str, ...], used: dict[str, Fact], lines: list[Line]) -> None:
    """A total summed from its parts (total debt: short-term + current portion + long-term) misses nothing the
    balance sheet prints: a debt line of the same statement and date that no part was read from ("Notes payable,
    current" where only the non-current notes were recognised) would make the total silently low, so it refuses."""
    taken = {fact.id for fact in used.values()}
    places = {(fact.doc_id, fact.table_id, fact.period_end) for fact in used.values() if line_item_of(fact) in parts}
    for line in lines:
        for fact in line.facts:
            if ((fact.doc_id, fact.table_id, fact.period_end) in places and fact.id not in taken and fact.value
                    and _DEBT_LINE.search(fact.label) and not re.match(r"\s*total\b", fact.label, re.I)
                    and line_item_of(fact) not in parts):
                raise MetricError(f"the statement also prints {fact.label} for {fact.period or 'that date'}, which is "
                                  f"not one of the parts I add up ({', '.join(parts)}), so the total could be "
                                  "incomplete")


def _printed_subtotal(entry, period: str, lookup, expression: str, inputs: dict[str, Fact]) -> list[Fact]:  # noqa: ANN001
    """The subtotal a metric computes, when the statement prints it and it agrees ("Gross profit" = net revenues −
    cost of net revenues): cited beside the inputs, so the answer shows the filing's own line too."""
    key, formula = entry.printed
    alternative = replace(entry, expression=formula, printed=(), inputs=(
        Input(key), *(needed for needed in entry.inputs if "{" + needed.key + "}" in formula)))
    try:
        other, other_inputs = expression_of(alternative, period, lookup)
        printed = next(fact for fact in other_inputs.values() if line_item_of(fact) == key)
        if printed.kind != "money" or printed.doc_id not in {fact.doc_id for fact in inputs.values()}:
            return []
        own, theirs = calculate(expression, inputs.get).value, calculate(other, other_inputs.get).value
    except (MetricError, CalculationError, StopIteration):
        return []
    return [printed] if abs(own - theirs) <= Decimal("0.01") * max(Decimal(1), abs(own)) else []


def _same_basis(name: str, facts: dict[str, Fact]) -> None:
    """The flows a metric divides or adds cover the same length of period: a quarter's next to a fiscal year's
    means two tables were mixed."""
    flows = {fact.duration for fact in facts.values() if fact.duration not in ("instant", None)}
    if len(flows) > 1:
        raise MetricError(f"its inputs cover different lengths of period ({', '.join(sorted(flows))})")


def _as_asked(figure: Figure, unit: str, query: Query) -> tuple[Decimal, str, int]:
    """The headline number, how the answer states it, and its scale, in the unit and rounding the question asks."""
    asked = query.unit
    if unit == "money" and asked.scale and asked.scale > 1:
        decimals = asked.decimals if asked.decimals is not None else 2
        number = (figure.value / asked.scale).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        return number, f"${number:,} {scale_word(asked.scale)} ({figure.display})", asked.scale
    number = figure.value
    if asked.decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-asked.decimals), rounding=ROUND_HALF_UP)
        if figure.unit == "percent":
            return number, f"{number}% ({figure.display})" if f"{number}%" != figure.display else figure.display, 1
        return number, f"{number:,} ({figure.display})" if f"{number:,}" != figure.display else figure.display, 1
    return number, figure.display, 1
