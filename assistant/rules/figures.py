"""Figure answers: a line's value for a period, its change across periods, or two lines combined, every figure a
cited row or a calculator result (assistant/calculator.py, through `@FACT_ID` references). When the documents do
not print what is asked, the answer is a refusal naming what is missing and pointing to the nearest line they do
print, without stating its figure as if it answered.

Sign convention (../shared/DOMAIN.md): a line whose amounts are printed negative (an expense, a loss, a deficit
in parentheses) is stated, and combined, as positive amounts of that line ("R&D expenses were 5,508,356",
"R&D grew 27.66%"), via abs() in the calculator expression. Lines with both signs keep their signs.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from assistant.calculator import calculate, format_number
from assistant.citations import Evidence
from assistant.question.query import Query
from assistant.rules.lines import PRIMARY_STATEMENTS, Line, LineFinder, metric_words, negative_label, period_order, without_periods, words
from index.cache import CatalogCache
from index.companies import company_key
from index.labels import label_key
from index.numbers import NAMED_SCALES, scale_word
from index.periods import Period, fact_period_label, fact_year
from index.records import Answer, AnswerValue, Fact, Figure
from index.sentences import sentence_spans
from index.synonyms import metrics_in_order

_UNITS = {"money": "USD", "shares": "shares", "per_share": "USD_per_share", "percent": "percent", "count": "count"}
_FALL = re.compile(r"\bhow\s+much\s+did\b.*\b(?:fall|drop|decline|decrease|shrink)\b", re.I)
_HIGHER = re.compile(r"\bhow\s+much\s+(?:higher|lower|more|less|larger|smaller|bigger)\b", re.I)
_DIFFERENCE_BETWEEN = re.compile(r"\bdifference\b(?:\s+in\s+(?:the\s+)?[\w\s,'&()-]+?)?\s+between\b", re.I)
# "the difference between the average investment income and average financing costs": an operation inside it.
_NESTED_OPERATION = re.compile(r"\b(?:average|mean|total|sum|change|growth|percent(?:age)?|ratio|proportion|share)\b",
                               re.I)
_BIGGER = re.compile(r"\b(?:larger|bigger|greater|higher|smaller|lower)\b", re.I)
_YEAR_SPAN = re.compile(r"\b(?:from|between)\s+(?:fiscal\s+|FY\s*)?((?:19|20)\d{2})\s*(?:to|and|through|-|–)\s*"
                        r"(?:fiscal\s+|FY\s*)?((?:19|20)\d{2})\b|\b((?:19|20)\d{2})\s*(?:-|–|through)\s*((?:19|20)\d{2})\b", re.I)
_NESTED = re.compile(r"\b(?:change|difference|increase|decrease|growth)\b.*\baverage\b|\baverage\s+(?:annual\s+)?"
                     r"(?:change|difference|increase|decrease|growth)\b", re.I)
_TOTAL_OF_PERIODS = re.compile(r"\b(?:total|sum|combined|aggregate)\b", re.I)
# "the total cost of goods sold for 2018 and 2019 respectively": each period's total, not their sum.
_EACH = re.compile(r"\b(?:respectively|respective|each)\b", re.I)
_PERCENT_ASKED = re.compile(r"\(\s*%\s*\)|\bin\s+percent(?:age)?s?\b(?!\s+of)", re.I)
_POINTS = re.compile(r"\bpercentage\s+points?\b|\bbasis\s+points?\b", re.I)
_POINTS_OR_RELATIVE = re.compile(r"\bpercentage\s+points?\b|\bbasis\s+points?\b|\brelative\b", re.I)
_SHARE_OF = re.compile(r"\b(percent(?:age)?|proportion|share)\s+of\b", re.I)
_CHANGE_IN_SHARE = re.compile(r"\bchange\s+in\s+(?:the\s+)?(?:percentage|proportion|share)\s+of\b", re.I)
_CHANGE_WORDS = re.compile(r"\b(?:chang|increas|decreas|grow|grew|declin|ris|rose|fell|fall|drop|differen|varian|"
                           r"movement|growth|higher|lower|up|down)", re.I)
_PART_OF = re.compile(r"(?:\b(?:percent(?:age)?|share|proportion|fraction)|%)\s*of\s+", re.I)


def when(fact: Fact, fallback: str = "") -> str:
    """"for the six months ended June 30, 2021", "at December 31, 2020"."""
    period = fact.period or fallback
    if fact.duration == "instant" and not period.lower().startswith(("at ", "as of")):
        return f"at {period}"
    if re.match(r"(?:three|six|nine|twelve|\d+)\s+months|year|fiscal", period, re.I):
        return f"for the {period}"
    return f"for {period}"


class FigureAnswers:
    """Answers one figure question from the lines of the chosen documents."""

    def __init__(self, cache: CatalogCache, query: Query, lines: LineFinder, evidence: Evidence):
        self.cache = cache
        self.query = query
        self.question = query.question
        self.lines = lines
        self.evidence = evidence

    def answer(self, exact: bool) -> Answer:
        """The figure the question asks for. `exact` is False when the question names no document, so that a line
        several documents print is not answered from one of them at random."""
        query = self.query
        operation = query.operation
        if operation == "average" and re.search(r"weighted[\s-]+average", self.question, re.I):
            operation = "value"
        if (operation == "change" and len(query.periods) <= 1 and _DIFFERENCE_BETWEEN.search(self.question)
                and not _NESTED_OPERATION.search(self.question)):
            named = self.lines.named()
            if len(named) == 2:
                # "the difference between A and B" of two lines, for one period: A − B.
                return self.combine("difference", named)
        if operation in ("sum", "compare", "ratio", "margin") or (operation == "direction" and len(query.metrics) > 1):
            named = self.lines.named()
            if len(named) >= 2:
                return self.combine(operation, named[:2] if operation != "sum" else named)
            if operation == "sum" and len(query.periods) >= 2:
                operation = "sum_periods"  # "the sum of interest income in 2018 and 2019": one line, several periods
            elif operation in ("ratio", "margin", "sum"):
                return self.refuse("the lines this combines")
        metrics = list(query.metrics)
        best = self.lines.best(1, self.question, metrics)
        if not best and query.inherited:
            best = self.lines.best(1, query.label or "", metrics)
        if not best:
            return self.refuse(query.label or ", ".join(metric_words(key) for key in metrics) or "the figure asked about")
        line = self.lines.primary_twin(best[0])
        if not exact:
            tied = [other for other in self.lines.best(8, self.question, metrics) if other.score >= line.score - 0.01]
            if len({other.facts[0].doc_id for other in tied}) > 1:
                return self.ambiguous(tied)
        if headings := self.other_headings(line):
            # "Vested" under both "RSUs" and "PSUs": the question names neither heading, so which is not known.
            return Answer(question=self.question, refused=True, text=(
                f"{line.label} is printed under several headings of one table ({'; '.join(headings)}), and the "
                f"question does not say which one it means. Name the heading and ask again."))
        if operation == "value" and len(query.periods) >= 2:
            if _TOTAL_OF_PERIODS.search(without_label(self.question, line.label)) and not _EACH.search(self.question):
                operation = "sum_periods"  # "the total special termination benefits charge in 2018 and 2019"
            elif _HIGHER.search(self.question) or _FALL.search(self.question):
                operation = "change"
            elif _BIGGER.search(self.question):
                operation = "compare"
        if operation == "value":
            if unexplained := self.lines.unexplained(line, query.unparsed or None, operations=False):
                # "revenue from cloud gaming subscriptions" is not "Total revenues": name the closest, do not guess.
                asked = query.label or ", ".join(unexplained)
                return self.refuse(f"{asked} (no line of them is about {', '.join(unexplained)})", line)
            return self.value(line)
        if operation == "compare" and len(query.periods) < 2 and len(self.lines.named()) < 2:
            operation = "direction"
        if operation in ("change", "pct_change", "average", "cagr") and _NESTED.search(without_label(self.question, line.label)):
            # "the change in the average ... between 2017-2018 and 2018-2019": an operation over another one.
            return self.refuse(f"a {_OPERATION_WORDS[operation]} of {'changes' if operation == 'average' else 'averages'}"
                               f" of {line.label}", line)
        if unexplained := self.lines.unexplained(line, query.unparsed or self.question):
            # "the change in current federal tax expense" is not the change in "Income tax expense".
            return self.refuse(f"{' '.join(unexplained)} (no line of them is about {', '.join(unexplained)})", line)
        rest = without_label(self.question, line.label)
        others = [other for other in self.lines.named() if label_key(other.label) != label_key(line.label)
                  and words(label_key(without_periods(other.label)))  # a row printed as "Fiscal 2022" is a period
                  and (name := label_key(re.sub(r"\([^)]*\)", " ", other.label))) and words(name)
                  and re.search(rf"\b{re.escape(name)}\b", rest)]
        if others and rest != label_key(self.question):
            # "the difference between the average of A and the average of B": one line's change would be a
            # nearby question, not this one.
            names = ", ".join(other.label for other in [line, *others])
            return self.refuse(f"a {_OPERATION_WORDS.get(operation, operation)} combining several lines ({names})", line)
        if operation in ("change", "pct_change") and _SHARE_OF.search(self.question) and not _is_percent(line):
            # "the change in the percent of total sales from APAC": a share, which a line of amounts does not print.
            return self.refuse(f"{_SHARE_OF.search(self.question).group(1).lower()} of the total for {line.label} "
                               f"(the line found prints amounts)", line)
        if operation == "change" and (query.unit.percent or _PERCENT_ASKED.search(self.question)) and not _is_percent(line):
            operation = "pct_change"  # "the change (%)" of an amount is its percentage change
        elif operation == "pct_change" and _is_percent(line) and (_CHANGE_IN_SHARE.search(self.question)
                                                                  or _POINTS.search(self.question)):
            # "the change in the percentage of sales", "in percentage points", of a line of percentages: its difference
            operation = "change"
        elif operation == "pct_change" and _is_percent(line) and not _POINTS_OR_RELATIVE.search(self.question):
            # The percentage change of a rate (WACC 9.5% -> 9.0%) is -0.5 points or -5.3%: which is meant?
            return self.refuse(f"which percentage change of {line.label} is meant (a line of percentages: the change "
                               f"in percentage points, or the relative change?)", line)
        return self.between_periods(operation, line)

    def other_headings(self, line: Line) -> list[str]:
        """The headings of a table that print a row of the same label with other figures, when the question names
        neither the line's own heading nor theirs; [] when the line is the one meant."""
        first = line.facts[0]
        asked = label_key(self.question)

        def heading(of: Line) -> str:
            return (of.facts[0].group or self.lines.heading(of) or "").strip(" :")

        def named(group: str) -> bool:
            key = label_key(group)
            return bool(key) and re.search(rf"(?<![\w&]){re.escape(key)}(?![\w&])", asked) is not None

        own = heading(line)
        if not line.table or named(own):
            return []
        values = {fact.value for fact in line.facts}
        rivals = [other for other in self.lines.all_lines()
                  if other is not line and other.table and other.facts[0].doc_id == first.doc_id
                  and other.facts[0].table_id == first.table_id and label_key(other.label) == label_key(line.label)
                  and label_key(heading(other)) != label_key(own) and {fact.value for fact in other.facts} != values]
        if not rivals or any(named(heading(other)) for other in rivals):
            return []
        return list(dict.fromkeys(heading(of) or "no heading" for of in [line, *rivals]))

    # --- refusals

    def ambiguous(self, lines: list[Line]) -> Answer:
        """Several documents print the line and the question names none of them: say which, do not guess."""
        names = []
        for line in lines:
            document = self.cache.document(line.facts[0].doc_id)
            name = f"{document.company or document.title} ({document.title}, doc {document.id})"
            if name not in names:
                names.append(name)
        text = (f"Several documents report {lines[0].label}: {'; '.join(names)}. Name the company or the document "
                f"(--doc) and I will answer from it.")
        return Answer(question=self.question, text=text, refused=True)

    def refuse(self, what: str, line: Line | None = None) -> Answer:
        """A refusal naming what is missing in the question's words; the nearest printed line, when there is one,
        is pointed to as where to look, never stated as if it answered the question."""
        said = [period.text or period.label for period in self.query.periods]
        periods = " and ".join(said) if len(said) == 2 else ", ".join(said)
        if periods and not re.match(r"(?:for|in|at|as\s+of|during|on|from|between)\b", periods, re.I):
            periods = f"for {periods}"
        text = f"The disclosures do not report {what}" + (f" {periods}" if periods else "") + "."
        if line is not None and line.ambiguous:
            facts = next(iter(line.ambiguous.values()))
            columns = "; ".join(f"{fact.column_label or 'column ' + str((fact.column or 0) + 1)}"
                                f" [{self.evidence.cite_fact(fact)}]" for fact in facts)
            text = (f"{line.label} is printed in several columns for the period asked ({columns}), and the question "
                    f"does not say which of them it means.")
            return Answer(question=self.question, text=text, citations=self.evidence.citations, refused=True)
        if line is not None and line.periods():
            closest = line.periods()[-1]
            marker = self.evidence.cite_fact(closest)
            where = f"{closest.period or 'another period'}, [{marker}]{self.evidence.cite_linked(closest)}"
            if label_key(what).startswith(label_key(line.label)):
                printed = ", ".join(fact.period or "" for fact in line.periods())
                text += (f" They print {line.label} for {printed} (the latest: {where}), not for every period asked; "
                         f"this is not an answer.")
            else:
                text += (f" This is not an answer: the nearest line they print is \u201c{line.label}\u201d ({where}), "
                         f"which is not the figure asked for.")
        return Answer(question=self.question, text=text, citations=self.evidence.citations, refused=True)

    # --- the periods a line is read for

    def periods_for(self, line: Line, needed: int) -> list[Period]:
        """The periods asked, or, when the question names fewer than it needs, the latest the line prints."""
        periods = list(self.query.periods)
        if len(periods) >= needed:
            return periods
        available = line.periods()
        if len(periods) == 1 and needed == 2 and (asked := line.for_period(periods[0])) is not None:
            # "the 2019 average", "the change in 2019": the period asked and the one the line prints before it.
            earlier = [fact for fact in available if period_order(fact) < period_order(asked)]
            if not earlier:
                return periods
            before = earlier[-1]
            return [Period(label=before.period_end.isoformat() if before.duration == "instant" and before.period_end
                           else fact_period_label(before), text=before.period or "", end=before.period_end), periods[0]]
        if self.query.compare_prior or needed >= 2 or not periods:
            chosen = available[-needed:]
            return [Period(label=fact.period_end.isoformat() if fact.duration == "instant" and fact.period_end
                           else fact_period_label(fact),
                           text=fact.period or "", end=fact.period_end) for fact in chosen]
        return periods

    def printed_periods(self, line: Line) -> list[Period] | None:
        """Every period the line's table prints it for, oldest first, when the question names none ("the average
        net cash used in investing activities"); None when its columns are not one clean series of periods (two
        columns of one period with different values, or periods of different lengths), which no period can pick."""
        facts = [fact for fact in line.facts if fact.column_certain and fact.value is not None
                 and (fact.period_end is not None or fact_year(fact) is not None)]
        if not facts or len({(fact.doc_id, fact.table_id) for fact in facts}) != 1:
            return None
        by_period: dict = {}
        for fact in facts:
            by_period.setdefault(fact.period_end or fact_year(fact), []).append(fact)
        if any(len({fact.value for fact in same}) > 1 for same in by_period.values()):
            return None
        if len({fact.duration for fact in facts}) != 1:
            return None
        chosen = sorted((same[0] for same in by_period.values()), key=period_order)
        return [Period(label=fact.period_end.isoformat() if fact.duration == "instant" and fact.period_end
                       else fact_period_label(fact), text=fact.period or "", end=fact.period_end) for fact in chosen]

    def span_periods(self, line: Line) -> list[Period]:
        """Every period the line prints within a span of years the question names ("from 2017 to 2019",
        "2017-2019", "between 2017 and 2019"), oldest first; [] when it names none."""
        match = _YEAR_SPAN.search(self.question)
        if not match:
            return []
        first, last = sorted(int(year) for year in match.groups() if year)
        chosen = [fact for fact in line.periods() if (year := fact_year(fact)) is not None and first <= year <= last]
        if len({fact_year(fact) for fact in chosen}) != last - first + 1 or len(chosen) != last - first + 1:
            return []  # a year of the span missing, or printed twice: not read as the span
        return [Period(label=fact.period_end.isoformat() if fact.duration == "instant" and fact.period_end
                       else fact_period_label(fact), text=fact.period or "", end=fact.period_end) for fact in chosen]

    # --- one line, one or more periods

    def value(self, line: Line) -> Answer:
        parts: list[str] = []
        headline: AnswerValue | None = None
        missing: list[str] = []
        printed: list[str] = []
        for period in self.periods_for(line, 1):
            fact = line.for_period(period)
            if fact is None or not fact.column_certain:
                missing.append(period.text or period.label)
                continue
            marker = self.evidence.cite_fact(fact)
            if fact.value is None:
                parts.append(f"{line.label} is not reported (nil) for {fact.period or period.text} [{marker}].")
                continue
            # A loss, expense or deficit printed in parentheses is stated as a positive amount of that line.
            magnitude = line.magnitude or (fact.value < 0 and negative_label(line.label))
            shown, value = self.stated_amount(abs(fact.amount) if magnitude else fact.amount, fact)
            parts.append(f"{line.label[:1].upper()}{line.label[1:]} {when(fact, period.text)} was {shown} "
                         f"[{marker}]{self.evidence.cite_linked(fact)}.")
            headline = headline or value
            printed.append(fact.raw.strip())
        if not parts:
            return self.refuse(f"{line.label}", line)
        text = " ".join(parts)
        if missing:
            text += f" {line.label} is not reported for {', '.join(missing)}."
        # Several periods asked ("the respective values in 2018 and 2019"): each as printed, in the order asked.
        spans = printed if len(printed) >= 2 and not missing else []
        return Answer(question=self.question, text=text, citations=self.evidence.citations, value=headline, spans=spans)

    def stated_amount(self, amount: Decimal, fact: Fact) -> tuple[str, AnswerValue]:
        """The amount for reading, and the headline value in the unit the question asks."""
        unit = self.query.unit
        dollars = "$" if fact.kind in ("money", "per_share") and (fact.currency in (None, "USD", "$")) else ""
        sign = "-" if amount < 0 else ""
        plain = format_number(abs(amount), False)
        if unit.scale and unit.scale > 1 and fact.kind == "money":
            scaled = amount / unit.scale
            decimals = unit.decimals if unit.decimals is not None else 1
            scaled = scaled.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
            return (f"{sign}{dollars}{abs(scaled):,} {scale_word(unit.scale)} ({plain})",
                    AnswerValue(number=scaled, unit=_UNITS.get(fact.kind, "number"), scale=unit.scale))
        # A percentage as the table prints it: "13.0%" is read "13%", a rate printed bare (its "%" only in a header)
        # stays bare, as the guard checks the answer against the printed cell.
        reading = f"{sign}{dollars}{plain}{'%' if fact.kind == 'percent' and '%' in fact.raw else ''}"
        if fact.kind in ("money", "shares") and fact.scale in NAMED_SCALES:
            # As the table prints it, in its unit: "$99,803 million" for 99,803 under "(in millions)".
            printed = amount / fact.scale
            number = printed.quantize(Decimal(1).scaleb(-unit.decimals), rounding=ROUND_HALF_UP) \
                if unit.decimals is not None else printed
            return (f"{sign}{dollars}{format_number(abs(printed), False)} {scale_word(fact.scale)}",
                    AnswerValue(number=number, unit=_UNITS.get(fact.kind, "number"), scale=fact.scale))
        if fact.kind == "money" and abs(amount) >= 1_000_000:
            reading = f"{sign}{dollars}{abs(amount) / 1_000_000:.1f} million ({plain})"
        number = amount
        if unit.decimals is not None:
            number = amount.quantize(Decimal(1).scaleb(-unit.decimals), rounding=ROUND_HALF_UP)
        return reading, AnswerValue(number=number, unit=_UNITS.get(fact.kind, "number"), scale=1)

    def computed(self, expression: str, facts: list[Fact]) -> tuple[Figure, AnswerValue]:
        """The calculator's result over these facts, kept as evidence, and its headline value as asked."""
        figure = calculate(expression, {fact.id: fact for fact in facts}.get)
        self.evidence.figures.append(figure)
        unit = self.query.unit
        number = figure.value
        if unit.decimals is not None:
            number = number.quantize(Decimal(1).scaleb(-unit.decimals), rounding=ROUND_HALF_UP)
        scale = 1
        if unit.scale and unit.scale > 1 and figure.unit == "number":
            scale = unit.scale
            scaled = figure.value / scale
            # As asked; else whole units when exact ("$2,655 million"), else two decimals.
            decimals = unit.decimals if unit.decimals is not None else (0 if scaled == scaled.to_integral_value() else 2)
            number = scaled.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        money = all(fact.kind == "money" for fact in facts)
        kind = "percent" if figure.unit == "percent" else ("USD" if money and not expression.startswith("ratio") else "ratio")
        return figure, AnswerValue(number=number, unit=kind, scale=scale)

    def shown(self, figure: Figure, value: AnswerValue | None) -> str:
        """The result as the question asks it stated ("33.3%", "$300,168.7 million"), with the calculator's exact
        figure beside it when they differ."""
        if value is None:
            return figure.display
        if value.scale > 1:
            sign, dollars = ("-" if value.number < 0 else ""), ("$" if value.unit == "USD" else "")
            return f"{sign}{dollars}{abs(value.number):,} {scale_word(value.scale)} ({figure.display})"
        if self.query.unit.decimals is not None:
            stated = f"{value.number:,}" + ("%" if value.unit == "percent" else "")
            return stated if stated == figure.display else f"{stated} ({figure.display})"
        return figure.display

    def between_periods(self, operation: str, line: Line) -> Answer:
        """A line across periods: its change, percentage change, CAGR, average, direction or which was larger."""
        facts = []
        periods = self.periods_for(line, 2)
        spanning = operation in ("average", "sum_periods")
        if spanning:
            periods = self.span_periods(line) or periods
        implicit = not self.query.periods and not self.query.compare_prior
        if implicit:
            # No period named: the periods the table prints, when that is unambiguous — both of two columns, or
            # every column for an average ("the average X" over a three-year table is of the three years); a
            # change over three years could be of any two of them, so it is refused.
            printed = self.printed_periods(line)
            word = _OPERATION_WORDS.get(operation, operation)
            if operation in ("change", "pct_change") and not _CHANGE_WORDS.search(without_label(self.question, line.label)):
                # "the average net change in cash": the change is the line's own name, not the operation asked.
                return self.refuse(f"the {word} asked of {line.label} (the line is itself a change)", line)
            if printed is None or len(printed) < 2 or (len(printed) > 2 and not spanning):
                said = ", ".join(f"{fact.period or fact.column_label} [{self.evidence.cite_fact(fact)}]"
                                 for fact in line.periods())
                text = (f"The question names no period, and the {word} of {line.label} could be between several: "
                        f"the disclosures print it for {said or 'no period I can tell apart'}. Say which periods.")
                return Answer(question=self.question, text=text, citations=self.evidence.citations, refused=True)
            periods = printed
        asked = periods if spanning else periods[-2:]
        # Over more years than one filing prints (a CAGR from FY2019 to FY2022): each year from the company's own
        # filing of that year, the same statement line.
        across = not spanning and any(line.for_period(period) is None for period in asked)
        for period in asked:
            fact = self.twin(line, period) if across else line.for_period(period)
            if fact is None or fact.value is None or not fact.column_certain:
                return self.refuse(f"{line.label}", line)
            facts.append(fact)
        if len(facts) < 2:
            return self.refuse(f"{line.label} for two periods", line)
        old, new = facts[0], facts[-1]
        if period_order(old) > period_order(new):
            old, new = new, old
        a, b = _reference(old, line), _reference(new, line)
        cited = self.evidence.markers([old, new])
        span = f"from {old.period} to {new.period}"
        value: AnswerValue | None
        if operation == "pct_change":
            figure, value = self.computed(f"pct_change({a}, {b})", facts)
            text = f"{line.label} changed by {self.shown(figure, value)} {span}{cited}: {figure.derivation}."
        elif operation == "cagr":
            first, last = period_order(old)[0], period_order(new)[0]
            if dt.date.min in (first, last):
                return self.refuse(f"the dates of {line.label}'s periods", line)
            years = max(1, round((last - first).days / 365.25))
            figure, value = self.computed(f"cagr({a}, {b}, {years})", facts)
            text = (f"The compound annual growth rate of {line.label} {span} ({years} year{'s' if years > 1 else ''}) "
                    f"was {self.shown(figure, value)}{cited}: {figure.derivation}.")
        elif spanning:
            cited = self.evidence.markers(facts)
            said = ", ".join(fact.period or "" for fact in facts[:-1]) + f" and {facts[-1].period}"
            function, word = ("avg", "average") if operation == "average" else ("sum", "total")
            figure, value = self.computed(f"{function}({', '.join(_reference(fact, line) for fact in facts)})", facts)
            text = f"The {word} of {line.label} for {said} was {self.shown(figure, value)}{cited}: {figure.derivation}."
        elif operation in ("direction", "compare"):
            figure, value = self.computed(f"{b} - {a}", facts)
            value = None
            if operation == "compare" and len(self.query.periods) >= 2:
                larger = new if figure.value > 0 else old
                text = (f"{line.label} was larger at {larger.period} ({figure.derivation} between "
                        f"{new.period} and {old.period}){cited}.")
            else:
                word = "increased" if figure.value > 0 else "decreased" if figure.value < 0 else "did not change"
                text = f"{line.label} {word} {span}{cited}: {figure.derivation}."
                text += self.cite_explanation(line, "increase" if figure.value > 0 else "decrease")
        else:  # change
            fall = bool(_FALL.search(self.question))
            figure, value = self.computed(f"{a} - {b}" if fall else f"{b} - {a}", facts)
            text = f"{line.label} {'fell by' if fall else 'changed by'} {self.shown(figure, value)} {span}{cited}: {figure.derivation}."
        if operation in ("pct_change", "change"):
            grew = new.value and old.value and abs(new.value) > abs(old.value)
            text += self.cite_explanation(line, "increase" if grew else "decrease")
        if implicit:
            text += (f" The question names no period; this is over every period the table prints for "
                     f"{line.label}.")
        return Answer(question=self.question, text=text, citations=self.evidence.citations,
                      figures=self.evidence.figures, value=value)

    def twin(self, line: Line, period: Period) -> Fact | None:
        """The fact of a period for a primary statement's line, from the company's filing of that period (else its
        latest filing that prints it): the same statement, the same printed label."""
        if line.facts[0].statement not in PRIMARY_STATEMENTS:
            return None
        company = company_key(self.cache.document(line.facts[0].doc_id))
        key = label_key(line.label)
        found: list[tuple[bool, bool, dt.date, Fact]] = []
        for other in self.lines.all_lines():
            # The same printed label, or the same line item under an earlier label ("Net sales" before Apple
            # printed "Total net sales").
            same = label_key(other.label) == key
            if (not other.table or other.facts[0].statement != line.facts[0].statement
                    or not (same or (line.metrics and other.metrics == line.metrics))):
                continue
            document = self.cache.document(other.facts[0].doc_id)
            if company_key(document) != company:
                continue
            fact = other.for_period(period)
            if fact is None or fact.value is None or not fact.column_certain:
                continue
            own = (document.period or "").upper() in {period.label.upper(), f"FY{period.year}"}
            found.append((own, same, document.period_end or dt.date.min, fact))
        # Two lines of one filing's statement giving different values for the line item: not one of them.
        rivals = {(item[3].doc_id, item[3].value) for item in found if not item[1]}
        found = [item for item in found if item[1] or len({value for doc, value in rivals if doc == item[3].doc_id}) == 1]
        return max(found, key=lambda item: item[:3])[3] if found else None

    def cite_explanation(self, line: Line, direction: str) -> str:
        """" [n]" for a sentence explaining a change in the line ("The decrease in legal and professional fees was
        ..."), else ""."""
        fact = line.facts[0]
        text = self.cache.text(fact.doc_id)
        name = re.escape(re.sub(r"\([^)]*\)\s*", "", line.label).strip().lower())
        match = re.search(rf"The {direction} in {name}\b", text, re.I)
        if not match:
            return ""
        # The whole sentence ("net of $7.6 million, and ..."), not up to the first full stop in a number.
        spans = sentence_spans(text, match.start(), min(len(text), match.start() + 2000))
        start, end = spans[0] if spans else (match.start(), match.end())
        return f" [{self.evidence.cite_span(fact.doc_id, start, end)}]"

    # --- two or more lines, one period

    def combine(self, operation: str, lines: list[Line]) -> Answer:
        """Lines the question names, for one period: their sum, which is larger, or one as a ratio of the other."""
        if len(self.query.periods) > 1 and operation != "compare":
            # "the respective proportions in 2018 and 2019": one figure per period, which this answer cannot give.
            return self.refuse(f"one {'total' if operation == 'sum' else 'ratio'} per period of "
                               f"{' and '.join(line.label for line in lines)}")
        rest: list[str] = [self.query.unparsed or self.question]
        for line in lines:
            rest = self.lines.unexplained(line, " ".join(rest))
            if not rest:
                break
        if rest:
            # "cost of services as a percentage of services net sales": no line is about "cost" here, so the lines
            # found are not the ones asked about.
            return self.refuse(f"{' '.join(rest)} (no line of {' and '.join(line.label for line in lines)} is about "
                               f"{', '.join(rest)})", lines[0])
        period_list = self.periods_for(lines[0], 1)
        if not period_list:  # the line prints no period the question could mean
            return self.refuse(f"{lines[0].label}", lines[0])
        period = period_list[-1]
        facts = []
        for line in lines:
            fact = line.for_period(period)
            if fact is None or fact.value is None:
                return self.refuse(f"{line.label}", line)
            facts.append(fact)
        refs = [_reference(fact, line) for fact, line in zip(facts, lines)]
        cited = self.evidence.markers(facts)
        at = facts[0].period or period.text
        names = " and ".join(line.label for line in lines)
        value: AnswerValue | None
        if operation == "sum":
            figure, value = self.computed(f"sum({', '.join(refs)})", facts)
            text = f"{names} for {at} total {self.shown(figure, value)}{cited}: {figure.derivation}."
            stated = [fact for fact in self.cache.facts_of(self.lines.doc_ids) if fact.source == "text"
                      and label_key(fact.label_norm) == label_key(names) and fact.period_end == facts[0].period_end]
            if stated:
                text += f" The release states it in words [{self.evidence.cite_fact(stated[0])}]."
        elif operation == "difference":
            # "The difference between A and B" says no direction: the gap, and which is the larger.
            larger, smaller = 0, 1
            figure, value = self.computed(f"{refs[0]} - {refs[1]}", facts)
            if figure.value < 0:
                larger, smaller = 1, 0
                figure, value = self.computed(f"{refs[1]} - {refs[0]}", facts)
            text = (f"{lines[larger].label} exceeded {lines[smaller].label} by {self.shown(figure, value)} for {at}"
                    f"{cited}: {figure.derivation}.")
        elif operation == "compare":
            figure, value = self.computed(f"{refs[0]} - {refs[1]}", facts)
            larger, smaller = (lines[0], lines[1]) if figure.value >= 0 else (lines[1], lines[0])
            text = f"{larger.label} were larger than {smaller.label} for {at}{cited}: {figure.derivation}."
            value = None
        else:  # ratio or margin: part first, whole second
            part, whole = 0, 1
            cue = _PART_OF.search(self.question)
            if cue:
                rest = label_key(self.question[cue.end():])
                after = metrics_in_order(self.question[cue.end():])
                # The line named right after "as a percentage of" is the whole; by its printed name first ("of
                # revenue" is "Revenue", not "Cost of revenue", which the revenue vocabulary also covers).
                after_lines = [i for i, line in enumerate(lines) if re.match(rf"(?:the\s+|total\s+)*{re.escape(label_key(line.label))}\b", rest)]
                after_lines = after_lines or [i for i, line in enumerate(lines) if set(after[:1]) & line.metrics]
                if after_lines:
                    whole = after_lines[0]
                    part = 1 - whole
            if cue or operation == "margin" or self.query.unit.percent:
                figure, value = self.computed(f"margin({refs[part]}, {refs[whole]})", facts)
                text = (f"{lines[part].label} was {self.shown(figure, value)} of {lines[whole].label} for {at}{cited}: "
                        f"{figure.derivation}.")
            else:
                figure, value = self.computed(f"ratio({refs[part]}, {refs[whole]})", facts)
                text = (f"The ratio of {lines[part].label} to {lines[whole].label} for {at} was {self.shown(figure, value)}"
                        f"{cited}: {figure.derivation}.")
        return Answer(question=self.question, text=text, citations=self.evidence.citations,
                      figures=self.evidence.figures, value=value)


_OPERATION_WORDS = {"change": "change", "pct_change": "percentage change", "average": "average", "cagr": "growth rate",
                    "sum_periods": "total",
                    "direction": "comparison", "compare": "comparison"}


def without_label(question: str, label: str) -> str:
    """The question without the line's printed name ("Total revenue" says nothing of a total over periods)."""
    name = label_key(re.sub(r"\([^)]*\)", " ", label))
    return re.sub(rf"\b{re.escape(name)}\b", " ", label_key(question)) if name else label_key(question)


def _is_percent(line: Line) -> bool:
    """A line of percentages in its period columns (not one whose change columns print a '%')."""
    return any(fact.kind == "percent" for fact in line.periods())


def _reference(fact: Fact, line: Line) -> str:
    """The fact in a calculator expression: its magnitude for a line stated as positive amounts."""
    return f"abs(@{fact.id})" if line.magnitude else f"@{fact.id}"
