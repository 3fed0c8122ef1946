"""Selection answers: the periods whose value of a line meets a test, or how many do ("In which year was revenue the
largest?", "Which years did net income exceed $30,000 thousand?", "How many years did sales exceed $5 million?").

Every value compared is a cited fact of one line, read the way a figure answer reads it (rules/lines.py chooses
the line; its unexplained words, a column the period alone cannot choose, a nil value: refusals). Values are
compared in Decimal, in the table's scale against the threshold's. The comparison is shown as a figure of the
answer (its derivation lists each value against the test) so that every number in the text is grounded. The
answer names the period as the document prints it, in `Answer.spans` (the short answer), never a guess: a tie, a
period missing, a threshold whose scale could be read two ways with different results are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from assistant.calculator import calculate, format_number
from assistant.citations import Evidence
from assistant.question.query import Query, Selection
from assistant.rules.figures import FigureAnswers
from assistant.rules.lines import Line, LineFinder, period_order, words
from index.labels import label_key
from index.numbers import scale_word
from index.periods import fact_year
from index.records import Answer, AnswerValue, Fact, Figure
from index.synonyms import metrics_in_order

_PERCENT_WORDS = re.compile(r"%|\bper\s*cent|\bpercent(?:age)?s?\b|\brates?\b|\bratios?\b|\bmargins?\b|\bshare\s+of\b",
                            re.I)
_AMOUNT_WORDS = re.compile(r"\$|\bamounts?\b|\bdollars?\b", re.I)
_YEAR_IN = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_DATE_OR_YEAR = re.compile(r"^(?:(?:fiscal(?:\s+year)?|fy|year\s+ended|years\s+ended)\s*)?(?:[A-Za-z]+\.?\s+\d{1,2},?\s+)?"
                           r"(?:19|20)\d{2}$", re.I)
_YEAR_SUFFIX = re.compile(r"\((?:fiscal\s+|fy\s*)?(?:19|20)\d{2}\)$", re.I)
_YEARLY = ("FY", "instant", None)
_COMPARISONS = {">": (lambda a, b: a > b, ">", "≤"), "<": (lambda a, b: a < b, "<", "≥"),
                ">=": (lambda a, b: a >= b, "≥", "<"), "<=": (lambda a, b: a <= b, "≤", ">")}


@dataclass
class _Value:
    """One period's value of the line: the fact, and the amount compared (its magnitude for a line stated as
    positive amounts)."""

    fact: Fact
    name: str
    compared: Decimal


def answer_selection(query: Query, lines: LineFinder, evidence: Evidence, figures: FigureAnswers,
                     exact: bool) -> Answer:
    """The answer to a selection question (query.selection), or a refusal naming what is missing."""
    return _Selector(query, lines, evidence, figures).answer(exact)


class _Selector:
    def __init__(self, query: Query, lines: LineFinder, evidence: Evidence, figures: FigureAnswers):
        assert query.selection is not None
        self.query = query
        self.selection: Selection = query.selection
        self.question = query.question
        self.lines = lines
        self.evidence = evidence
        self.figures = figures

    def refuse(self, text: str) -> Answer:
        return Answer(question=self.question, refused=True, text=text, citations=self.evidence.citations,
                      figures=self.evidence.figures)

    def answer(self, exact: bool) -> Answer:
        selection = self.selection
        if selection.target == "item":
            return self.refuse(f"I cannot yet tell which lines of a table make up the {selection.items} to compare; "
                               f"ask for each one's figure and compare them.")
        subject = selection.subject
        if not words(subject) and "metrics" in self.query.inherited and self.query.label:
            subject = self.query.label  # "Which year was it higher?" after a question about a line
        if not words(subject):
            return self.refuse("The question does not say which line to compare across the periods.")
        metrics = metrics_in_order(subject)
        best = self.lines.best(8, subject, metrics)
        if not best:
            return self.figures.refuse(subject)
        line = self._printed_as(subject) or self.lines.primary_twin(best[0])
        if not exact:
            tied = [other for other in best if other.score >= best[0].score - 0.01]
            if len({other.facts[0].doc_id for other in tied}) > 1:
                return self.figures.ambiguous(tied)
        line = self._one_of_its_label(line, subject)
        if line is None:
            return self.refuse(f"Several lines of the document are printed as \u201c{best[0].label}\u201d with different "
                               f"figures, and the question does not say which of them it means.")
        if unexplained := self.lines.unexplained(line, subject):
            return self.figures.refuse(f"{' '.join(unexplained)} (no line of them is about {', '.join(unexplained)})",
                                       line)
        kinds = self._kinds(line)
        if isinstance(kinds, Answer):
            return kinds
        # Each reading of the line (its amounts, its percentages, when the question does not say which) must give
        # the same answer; the first is the one shown.
        answers = []
        for percent in kinds:
            values = self._values(line, percent)
            if isinstance(values, Answer):
                return values
            answers.append(self._by_threshold(line, values) if selection.comparator is not None
                           else self._by_extreme(line, values))
        if len({(answer.refused, tuple(answer.spans), answer.value and answer.value.number) for answer in answers}) > 1:
            return self.refuse(f"{line.label} is printed both as amounts and as percentages, which give different "
                               f"answers, and the question does not say which to compare.")
        return answers[0]

    def _printed_as(self, subject: str) -> Line | None:
        """The one table line printed with exactly the name the question uses ("Amount computed at the statutory
        federal income tax rate"), before any line found through the vocabulary; None when there is not one."""
        name = label_key(subject)
        found = [line for line in self.lines.all_lines() if line.table and label_key(line.label) == name]
        if len(found) == 1:
            return found[0]
        return None

    # --- the line and its values

    def _one_of_its_label(self, line: Line, subject: str) -> Line | None:
        """The line, or the one of the lines printed with its label in the same document (a "Total" under each
        heading) that the question's words name by its heading; None when they do not tell them apart."""
        same = [other for other in self.lines.all_lines() if other.table and other is not line
                and other.facts[0].doc_id == line.facts[0].doc_id and label_key(other.label) == label_key(line.label)
                and sorted(str(fact.value) for fact in other.facts) != sorted(str(fact.value) for fact in line.facts)]
        if not same:
            return line
        asked = words(subject) - words(line.label)

        def heading_words(candidate: Line) -> int:
            fact = candidate.facts[0]
            return len(asked & (words(fact.group or "") | words(fact.table_title or "")))

        ranked = sorted([line, *same], key=heading_words, reverse=True)
        if heading_words(ranked[0]) > heading_words(ranked[1]):
            return ranked[0]
        return None

    def _values(self, line: Line, percent: bool) -> list[_Value] | Answer:
        """The values compared: one per period of the line (of the named years, when the question names them), of
        one kind (amounts or percentages), oldest first."""
        selection = self.selection
        facts = [fact for fact in line.facts if fact.source == "table" and fact.column_certain
                 and (fact.kind == "percent") == percent]
        noun_quarters = bool(re.search(r"\bquarters?\b", self.question, re.I)) and not re.search(
            r"\byears?\b", self.question, re.I)
        wanted = ("3M",) if noun_quarters else _YEARLY
        by_period: dict[object, list[Fact]] = {}
        for fact in facts:
            if fact.duration not in wanted:
                continue
            year = _year(fact)
            key = fact.period_end or (year and ("year", year)) or fact.period
            if key is None or (not noun_quarters and year is None):
                continue
            by_period.setdefault(key, []).append(fact)
        chosen: list[Fact] = []
        for key, found in by_period.items():
            if len({fact.value for fact in found}) > 1:
                columns = "; ".join(f"{fact.column_label or 'a column'} [{self.evidence.cite_fact(fact)}]"
                                    for fact in found)
                return self.refuse(f"{line.label} is printed in several columns for {found[0].period or key} "
                                   f"({columns}), and the question does not say which of them it means.")
            chosen.append(found[0])
        chosen.sort(key=period_order)
        named = self._named_years()
        if named:
            if noun_quarters:
                chosen = [fact for fact in chosen if _year(fact) in named]
            else:
                printed = {_year(fact): fact for fact in chosen}
                missing = [str(year) for year in sorted(named) if year not in printed]
                if missing:
                    return self.figures.refuse(f"{line.label} for {', '.join(missing)}", line)
                chosen = [printed[year] for year in sorted(named)]
        if len(chosen) < 2:
            return self.figures.refuse(f"{line.label} for the several periods the question compares", line)
        if selection.extreme and selection.comparative and len(chosen) > 2:
            printed = ", ".join(self._name(fact) for fact in chosen)
            return self.refuse(f"The question compares two periods, but {line.label} is printed for {printed}; name "
                               f"the two years to compare.")
        nil = [fact for fact in chosen if fact.value is None]
        if nil:
            said = ", ".join(f"{self._name(fact)} [{self.evidence.cite_fact(fact)}]" for fact in nil)
            return self.refuse(f"{line.label} is not reported (nil) for {said}, so I cannot compare it across the "
                               f"periods.")
        sign_test = selection.comparator is not None and selection.threshold == 0 and selection.threshold_scale == 1
        magnitude = line.magnitude and not sign_test and not (selection.threshold is not None and selection.threshold < 0)
        return [_Value(fact=fact, name=self._name(fact), compared=abs(fact.amount) if magnitude else fact.amount)
                for fact in chosen]

    def _kinds(self, line: Line) -> list[bool] | Answer:
        """Which of the line's values to compare: its amounts (False), its percentages (True), or both readings
        when it prints both and neither the threshold nor the question's words say which."""
        selection = self.selection
        kinds = {fact.kind == "percent" for fact in line.facts if fact.source == "table" and fact.column_certain}
        sign_test = selection.comparator is not None and selection.threshold == 0 and selection.threshold_scale == 1
        if selection.threshold_percent:
            if True not in kinds:
                return self.refuse(f"The question compares with a percentage, but {line.label} prints no "
                                   f"percentages.")
            return [True]
        if selection.comparator is not None and not sign_test:
            # A threshold written without a percent sign is an amount, unless the line is named as a rate.
            wanted = bool(_PERCENT_WORDS.search(selection.subject)) and selection.threshold_scale is None \
                and "$" not in selection.threshold_text
            if wanted not in kinds:
                return self.refuse(f"The question compares with {'a percentage' if wanted else 'an amount'}, but "
                                   f"{line.label} prints "
                                   f"{'no percentages' if wanted else 'percentages only'}.")
            return [wanted]
        if len(kinds) == 1:
            return list(kinds)
        if _PERCENT_WORDS.search(selection.subject) and not _AMOUNT_WORDS.search(self.question):
            return [True]
        if _AMOUNT_WORDS.search(self.question) and not _PERCENT_WORDS.search(selection.subject):
            return [False]
        return [False, True]

    def _named_years(self) -> set[int]:
        """The years the question names as the set compared ("between 2018 and 2019", "from 2017 to 2019")."""
        years = sorted({period.year for period in self.query.periods if period.year})
        span = re.search(r"\b(?:from|between)\s+(?:fiscal\s+|fy\s*)?((?:19|20)\d{2})\s*(?:to|through|-|–)\s*"
                         r"(?:fiscal\s+|fy\s*)?((?:19|20)\d{2})\b", self.question, re.I)
        if span:
            first, last = sorted(int(year) for year in span.groups())
            return set(range(first, last + 1))
        return set(years)

    @staticmethod
    def _name(fact: Fact) -> str:
        """The period as the document prints it: the year of a column headed by a year or a date ("2019",
        "December 31, 2019" -> "2019", "% of Total (2019)" -> "2019"), else the column's heading."""
        label = " ".join((fact.column_label or fact.period or "").split())
        years = _YEAR_IN.findall(label)
        if len(years) == 1 and (_DATE_OR_YEAR.match(label) or _YEAR_SUFFIX.search(label)):
            return years[0]
        return label or str(fact_year(fact) or "")

    def _shown(self, value: _Value) -> str:
        fact = value.fact
        number = value.compared / fact.scale
        text = format_number(number, False) + ("%" if fact.kind == "percent" else "")
        word = scale_word(fact.scale) if fact.kind != "percent" else ""
        return f"{text} {word}".strip()

    # --- the tests

    def _by_extreme(self, line: Line, values: list[_Value]) -> Answer:
        largest = self.selection.extreme == "max"
        target = max(value.compared for value in values) if largest else min(value.compared for value in values)
        winners = [value for value in values if value.compared == target]
        listed = self._listed(values)
        if len(winners) > 1:
            return self.refuse(f"{line.label} is the same for {' and '.join(value.name for value in winners)} "
                               f"({listed}): no one period is {'larger' if largest else 'smaller'}.")
        refs = ", ".join(f"abs(@{value.fact.id})" if value.compared != value.fact.amount else f"@{value.fact.id}"
                         for value in values)
        figure = calculate(f"{'max' if largest else 'min'}({refs})", {value.fact.id: value.fact for value in values}.get)
        self.evidence.figures.append(figure)
        winner = winners[0]
        word = ("higher" if largest else "lower") if self.selection.comparative else ("highest" if largest else "lowest")
        text = (f"{line.label[:1].upper()}{line.label[1:]} was {word} in {winner.name}: {listed}; "
                f"{figure.derivation}.")
        return Answer(question=self.question, text=text, citations=self.evidence.citations,
                      figures=self.evidence.figures, spans=[winner.name])

    def _by_threshold(self, line: Line, values: list[_Value]) -> Answer:
        selection = self.selection
        assert selection.threshold is not None and selection.comparator is not None
        passes, holds, fails = _COMPARISONS[selection.comparator]
        readings = self._readings(values)
        outcomes = {tuple(passes(value.compared, threshold) for value, threshold in zip(values, reading))
                    for reading in readings}
        listed = self._listed(values)
        if len(outcomes) != 1:
            return self.refuse(f"The question's threshold names no scale, and read in the table's printed unit or in "
                               f"full units it gives different answers ({listed}); say \u201cthousand\u201d, "
                               f"\u201cmillion\u201d or the full amount.")
        outcome = outcomes.pop()
        threshold = readings[0]
        shown_threshold = self._shown_threshold(values[0])
        steps = [f"{value.name}: {self._shown(value)} {holds if met else fails} {shown_threshold}"
                 for value, met in zip(values, outcome)]
        met = [value for value, ok in zip(values, outcome) if ok]
        markers = {value.fact.id: self.evidence.cite_fact(value.fact) for value in values}
        expression = "; ".join(f"@{value.fact.id} {selection.comparator} {limit}"
                               for value, limit in zip(values, threshold))
        figure = Figure(expression=expression, value=Decimal(len(met)), unit="number", display=str(len(met)),
                        derivation="; ".join(steps), facts=[value.fact for value in values])
        self.evidence.figures.append(figure)
        cited = "; ".join(f"{value.name}: {self._shown(value)} [{markers[value.fact.id]}]" for value in values)
        test = f"{ {'>': 'above', '<': 'below', '>=': 'at least', '<=': 'at most'}[selection.comparator]} {shown_threshold}"
        noun = "quarter" if all(value.fact.duration == "3M" for value in values) else "period"
        if selection.count:
            text = (f"{line.label[:1].upper()}{line.label[1:]} was {test} in {len(met)} of the {noun}s printed "
                    f"({cited}): {figure.derivation}.")
            return Answer(question=self.question, text=text, citations=self.evidence.citations,
                          figures=self.evidence.figures, value=AnswerValue(number=Decimal(len(met)), unit="count"))
        if not met:
            return self.refuse(f"No period printed has {line.label} {test} ({cited}: {figure.derivation}), so there is "
                               f"no period to name.")
        names = [value.name for value in sorted(met, key=lambda value: period_order(value.fact), reverse=True)]
        text = (f"{line.label[:1].upper()}{line.label[1:]} was {test} in {' and '.join(names)} ({cited}): "
                f"{figure.derivation}.")
        return Answer(question=self.question, text=text, citations=self.evidence.citations,
                      figures=self.evidence.figures, spans=names)

    def _readings(self, values: list[_Value]) -> list[list[Decimal]]:
        """The threshold in the unit of each value compared, once per way of reading its scale: a threshold with
        a scale word against the table's amounts (and, when the table states no scale, against its printed
        figures too, in case it is in that scale); one without, against the printed figures and the amounts."""
        selection = self.selection
        threshold = selection.threshold
        assert threshold is not None
        if selection.threshold_percent or all(value.fact.kind == "percent" for value in values):
            return [[threshold for _ in values]]
        readings = []
        if selection.threshold_scale is not None:
            readings.append([threshold * selection.threshold_scale for _ in values])
            if any(value.fact.scale == 1 for value in values) and selection.threshold_scale != 1:
                readings.append([threshold * value.fact.scale for value in values])
        else:
            readings.append([threshold for _ in values])
            readings.append([threshold * value.fact.scale for value in values])
        return readings

    def _shown_threshold(self, value: _Value) -> str:
        selection = self.selection
        assert selection.threshold is not None
        if selection.threshold_percent:
            return format_number(selection.threshold, False) + "%"
        scale = selection.threshold_scale or 1
        return f"{format_number(selection.threshold, False)} {scale_word(scale)}".strip()

    def _listed(self, values: list[_Value]) -> str:
        return "; ".join(f"{value.name}: {self._shown(value)} [{self.evidence.cite_fact(value.fact)}]"
                         for value in values)


def _year(fact: Fact) -> int | None:
    """The year of a fact's column: its period's, or the year a column of percentages prints after its heading
    ("% of Total (2019)")."""
    year = fact_year(fact)
    label = " ".join((fact.column_label or "").split())
    if year is None and (match := _YEAR_SUFFIX.search(label)) and len(_YEAR_IN.findall(label)) == 1:
        year = int(_YEAR_IN.search(match.group()).group(1))
    return year
