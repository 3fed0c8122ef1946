"""Line matching: which printed line of the documents a question asks about.

A `Line` is one printed row (a table line, or a sentence's figure) with its facts by period. `LineFinder` scores
every line of the chosen documents against the question's words and metrics (index/synonyms.yaml), ranks the
ones that match by the periods they print and whether they are in a primary statement, finds the lines a
question names in order (for sums, ratios and comparisons), and says which words of the question no line
accounts for (a narrower thing asked about than the line found).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.citations import line_key
from assistant.metric_values import line_item_of
from assistant.question.query import Query
from index.cache import CatalogCache
from index.facts import find_facts
from index.labels import label_key
from index.periods import Period, fact_matches_period, fact_year
from index.records import Fact
from index.synonyms import metric as vocabulary_metric
from index.synonyms import metric_position, metric_span

PRIMARY_STATEMENTS = ("income_statement", "balance_sheet", "cash_flow")
_STOP = frozenset("""a an and the of for to in on at by as or from with what was were is are did does do how much many
which that this it its their company's company group limited inc less per be been has have had than between over
during ended ending six three nine twelve months month year years half first second h1 h2 q1 q2 q3 q4 fy quarter
june december march september total value amount""".split())
_NEGATIVE_WORDS = re.compile(r"loss|expense|deficit|cost|fees|outflow|purchase|paid|payment|repurchase|provision|"
                             r"capital expenditure|additions to|acquisition",
                             re.I)
_RATIO_CUE_BEFORE = re.compile(r"\bas\s+an?\s*(?:(?:percent(?:age)?|share|proportion|fraction)\s*)?$")
_RATIO_LABEL = re.compile(r"(?:percent(?:age)?|%|share|proportion|fraction)\s*of\b")
_BREADTH = {"FY": 0, "instant": 1, "9M": 2, "6M": 3, "3M": 4}
# A table's heading line over its first rows: a few words, no figures; not a scale caption or a sentence.
_HEADING_LINE = re.compile(r"[A-Za-z][^\d.;]{1,80}")
_NOT_HEADING = re.compile(r"(?:thousands|millions|billions)\b|\bexcept\b|['’]000|\bnotes?\b|^\W*$|\S\s{2,}\S|\s\|\s|[.;]$",
                          re.I)
_COLUMN_HEADER = re.compile(r"\b(?:19|20)\d{2}\b|\bF(?:Y\s*)?\d{2}\b|\b(?:january|february|march|april|may|june|july|august|"
                            r"september|october|november|december)\b|(?:thousands|millions|billions)\b|['’]000|\S\s{2,}\S",
                            re.I)


def stem(word: str) -> str:
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# Words a question may wrap a line's name in without narrowing it ("How much did Apple spend on R&D").
_GENERIC_WORDS = frozenset(stem(word) for word in """fiscal spend spent report reported record recorded generate generated
consolidated gaap annual overall calendar end date period business firm corporation reporting statement statements
balance sheet figure figures number level levels much about approximately roughly overall full whole latest
recent prior previous last next company companies held hold holding own owned pay paid incur incurred earn earned
make made post posted book booked recognize recognized recognised show shown see disclose disclosed state stated
give tell find value values respective respectively spending through thru until fast quickly large big
sized provide provided according using based per they them those these then now again instead also too same""".split())


# Words that say what is done with a line, not which line: read by the operation, not the line's label.
_OPERATION_WORDS = frozenset(stem(word) for word in """change changed percentage percent average mean increase
increased decrease decreased difference differ growth grow grew rise rose fall fell decline declined between compared
compare versus respective respectively annual year-over-year yoy cagr compound growth sum summed combined
together both each higher lower larger smaller bigger greater more less than then there would could if after before
period periods proportion ratio times same round rounded rounding decimal decimals place places nearest one two three
four five across up down go went gone versus vs over expressed express unit units million millions billion billions
thousand thousands usd dollar dollars percentage point points basis calculate compute computed using use based
answer give provide nominal plus minus added form share fraction portion part come came account accounted represent represented contribute
contributed constitute constituted plus minus add added adding divide divided multiplied multiply subtract subtracted""".split())


@lru_cache(maxsize=65536)
def words(text: str) -> frozenset[str]:
    """The content words of a text, stemmed: what questions and labels are compared by."""
    return frozenset(stem(word) for word in re.findall(r"[A-Za-z][A-Za-z&]*", text) if word.lower() not in _STOP)


def negative_label(label: str) -> bool:
    """A label that names an expense, a loss or an outflow ("Net loss", "Purchases of property")."""
    return bool(_NEGATIVE_WORDS.search(label))


@dataclass
class Line:
    """One printed row (a table line, or a sentence's figure): its facts by period."""

    key: tuple
    label: str
    facts: list[Fact] = field(default_factory=list)
    metrics: set[str] = field(default_factory=set)
    score: float = 0.0
    ambiguous: dict[str, list[Fact]] = field(default_factory=dict)

    @property
    def table(self) -> bool:
        return self.facts[0].source == "table"

    def for_period(self, period: Period) -> Fact | None:
        """The line's fact for a period; None also when the row prints several columns of that period with
        different values ("Domestic 2019", "International 2019"), which the period alone cannot choose between
        (the columns are then in `ambiguous`)."""
        found = [fact for fact in self.facts if fact_matches_period(fact, period.label)]
        if period.duration:
            found = [fact for fact in found if fact.duration == period.duration] or found
        # A bare year ("revenue in 2022") is the fiscal year, or the balance at its end, before any quarter.
        def rank(fact: Fact) -> tuple[bool, int]:
            return fact.column_certain is False, 0 if period.duration else _BREADTH.get(fact.duration, 5)

        found.sort(key=lambda fact: (*rank(fact), fact.start))
        if not found:
            return None
        # (Another column of the same period, or another row of the same label and heading.)
        rivals = [fact for fact in found[1:] if rank(fact) == rank(found[0]) and fact.table_id == found[0].table_id
                  and fact.value != found[0].value and fact.source == "table"]
        if rivals:
            self.ambiguous[period.label] = [found[0], *rivals]
            return None
        return found[0]

    def periods(self) -> list[Fact]:
        """The line's facts, one per period (its end date, or the year a column prints alone), oldest first."""
        seen: dict = {}
        for fact in sorted(self.facts, key=lambda fact: fact.start):
            key = fact.period_end or (fact_year(fact) and ("year", fact_year(fact)))
            if key and fact.column_certain and key not in seen:
                seen[key] = fact
        return sorted(seen.values(), key=period_order)

    @property
    def magnitude(self) -> bool:
        """Amounts printed negative are of an expense or loss line: stated as positive amounts."""
        values = [fact.value for fact in self.facts if fact.value is not None]
        return bool(values) and all(value < 0 for value in values) and (
            negative_label(self.label) or self.facts[0].statement == "income_statement")


def period_order(fact: Fact) -> tuple[dt.date, int]:
    """A fact's place in time: its end date, or the end of the year its column prints."""
    if fact.period_end is not None:
        return fact.period_end, 0
    year = fact_year(fact)
    return (dt.date(year, 12, 31) if year else dt.date.min), 1


def lines_of(facts: list[Fact]) -> list[Line]:
    lines: dict[tuple, Line] = {}
    for fact in sorted(facts, key=lambda fact: fact.start):
        key = line_key(fact)
        line = lines.setdefault(key, Line(key=key, label=fact.label))
        line.facts.append(fact)
        if item := line_item_of(fact):
            line.metrics.add(item)
    return list(lines.values())


def metric_words(key: str) -> str:
    """The words a vocabulary metric is printed or named by first ("research and development")."""
    try:
        entry = vocabulary_metric(key)
        return (entry.labels or entry.words or (key.replace("_", " "),))[0]
    except KeyError:
        return key.replace("_", " ")


def without_periods(text: str) -> str:
    """A question without its periods ("in fiscal 2023", "for the three months ended March 31, 2023")."""
    return re.sub(r"\b(?:in|for|during|as\s+of|at|on)?\s*(?:the\s+)?(?:(?:three|six|nine|twelve)\s+months\s+ended|"
                  r"(?:fiscal\s+)?years?\s+ended|fiscal|quarter\s+ended)?\s*(?:january|february|march|april|may|june|july|"
                  r"august|september|october|november|december)?\s*\d{0,2},?\s*(?:FY)?\d{4}\b", " ", text, flags=re.I)


class LineFinder:
    """The lines of the chosen documents, and which of them a question asks about."""

    def __init__(self, cache: CatalogCache, query: Query, doc_ids: list[str]):
        self.cache = cache
        self.query = query
        self.doc_ids = doc_ids
        self.question = query.question
        self._all: list[Line] | None = None
        self._headings: dict[tuple, str] = {}

    def all_lines(self) -> list[Line]:
        if self._all is None:
            facts = self.cache.facts_of(self.doc_ids)
            tagged: dict[str, set[str]] = {}
            for key in {*self.query.metrics, "revenue", "cost_of_revenue"}:
                found = find_facts(self.cache.catalog, self.doc_ids, metric_words(key), pool=facts)
                tagged[key] = {fact.id for fact in found}
            keys_of: dict[str, list[str]] = {}
            for key, ids in tagged.items():
                for fact_id in ids:
                    keys_of.setdefault(fact_id, []).append(key)
            lines = lines_of(facts)
            for line in lines:
                found_keys = {key for fact in line.facts for key in keys_of.get(fact.id, ())}
                for key in [key for key in tagged if key in found_keys]:  # in the order the keys were tagged
                    if key in line.metrics or not line.metrics or key == "revenue":
                        line.metrics.add(key)
                if "cost_of_revenue" not in line.metrics and re.match(r"costs? of (?!revenue)", line.facts[0].label_norm) \
                        and line.facts[0].statement == "income_statement" and line.table:
                    line.metrics.add("cost_of_revenue")
            lines = self._without_pro_forma(lines)
            if self.query.statement:
                # "Using the balance sheet": only that statement's lines, never a roll-forward, a note or a
                # cash-flow change with a similar label (no line of it: the answer refuses).
                lines = [line for line in lines if line.facts[0].statement == self.query.statement]
            self._all = lines
        return self._all

    def _without_pro_forma(self, lines: list[Line]) -> list[Line]:
        """Lines of a table the filing introduces as pro forma ("The unaudited pro forma financial information was
        as follows") are not the company's reported figures: unless the question asks for pro forma figures, they
        give way to any other line of the same label or line item."""
        if re.search(r"pro[\s-]*forma", self.question, re.I):
            return lines
        pro_forma: dict[tuple[str, object], bool] = {}
        shown: list[Line] = []
        for line in lines:
            fact = line.facts[0]
            if line.table and fact.statement not in PRIMARY_STATEMENTS:
                table = (fact.doc_id, fact.table_id)
                if table not in pro_forma:
                    # The prose between the table before this one and this table's first row.
                    end = self.cache.table_end_before(fact.doc_id, fact.start, fact.table_id)
                    start = max(fact.start - 1200, end if end is not None else fact.start - 1200)
                    before = self.cache.text(fact.doc_id)[max(0, start):fact.start]
                    pro_forma[table] = bool(re.search(r"pro[\s-]*forma", before, re.I))
                if pro_forma[table]:
                    continue
            shown.append(line)
        if len(shown) == len(lines):
            return lines
        kept = {id(line) for line in shown}
        keys = {label_key(line.label) for line in shown}
        items = set().union(*(line.metrics for line in shown)) if shown else set()
        return [line for line in lines if id(line) in kept or (label_key(line.label) not in keys
                                                               and not (line.metrics & items))]

    def score(self, line: Line, text: str, metrics: list[str], ranking: bool = False) -> float:
        """How well a line matches the question's words and metrics; with `ranking`, also how well it matches the
        periods asked and whether it is in a primary statement (to order lines that match, not to admit them)."""
        asked = words(text)
        label = words(line.label)
        optional = words(" ".join(re.findall(r"\(([^)]*)\)", line.label)))
        found = len(label & asked)
        missing = len(label - asked - optional)
        name = label_key(line.facts[0].label_norm)
        contained = len(label) if name and f" {name} " in f" {label_key(text)} " else 0
        if set(metrics) & line.metrics or _narrows(line.facts[0].label_norm, metrics, asked):
            score = 3 + found + contained
        else:
            if not found or found < missing:
                return 0.0
            score = found - 1.5 * missing + contained
        fact = line.facts[0]
        score += (0.5 if fact.source == "table" else 0) + (0.3 if fact.statement not in ("other", "narrative") else 0)
        score += 0.2 if fact.statement in PRIMARY_STATEMENTS else 0
        if not ranking:
            return score
        score += 0.8 if fact.statement in PRIMARY_STATEMENTS else 0
        # Of rows printed under one name ("Granted" under "RSUs" and under "PSUs"), the one under the heading the
        # question names.
        section = words(fact.group or "") | words(self.heading(line))
        score += 0.5 * len(section) if section and section <= asked else 0
        # A line that prints the periods asked beats the same line in a document of other periods (the 10-K's
        # fiscal 2022 net income, not the next 10-Q's quarter).
        periods = self.query.periods
        if periods:
            covered = 0.0
            for period in periods:
                fact = line.for_period(period)
                if fact is not None:
                    exact = fact.duration == period.duration if period.duration else fact.duration in ("FY", "instant")
                    covered += 1 if exact else 0.5
            score += 2 * covered / len(periods)
        return score

    def best(self, count: int, text: str | None = None, metrics: list[str] | None = None) -> list[Line]:
        """The `count` lines that best match the question (or `text`), best first, each label once per document."""
        text = text if text is not None else self.question
        metrics = self.query.metrics if metrics is None else metrics
        scored = [(self.score(line, text, metrics, ranking=True), line) for line in self.all_lines()
                  if self.score(line, text, metrics) >= 1]
        # Prefer table lines; a sentence's rounded figure only when no table prints the line, or when the
        # question names the sentence's line and it is more than the best table line ("cash and restricted
        # cash" is stated in a sentence; the balance sheet's "Cash" line is only part of it).
        tables = [(score, line) for score, line in scored if line.table]
        if tables:
            top_score, top = max(tables, key=lambda item: item[0])
            named = [(len(words(line.label)), score, line) for score, line in scored if not line.table
                     and f" {label_key(line.label)} " in f" {label_key(text)} " and words(top.label) < words(line.label)]
            scored = tables
            if named:
                _, _, line = max(named, key=lambda item: (item[0], item[1]))
                scored = [(top_score + 1, line), *tables]
        scored.sort(key=lambda item: (-item[0], item[1].facts[0].start))
        result: list[Line] = []
        for score, line in scored:
            if any(label_key(line.label) == label_key(other.label) and line.facts[0].doc_id == other.facts[0].doc_id
                   for other in result):
                continue
            line.score = score
            result.append(line)
            if len(result) == count:
                break
        return result

    def primary_twin(self, line: Line) -> Line:
        """The same figures as a primary statement prints them, when `line` is a note's table that repeats them
        ("Diluted earnings per share $ 6.11 $ 5.61" in the EPS note, "Diluted $ 6.11 $ 5.61" under the income
        statement's "Earnings per share:"): the statement is the place to cite. The line itself otherwise."""
        if not line.table or line.facts[0].statement in PRIMARY_STATEMENTS:
            return line
        amounts = {fact_year(fact): fact.amount for fact in line.periods() if fact.amount is not None}
        if len(amounts) < 2 or None in amounts:
            return line
        for other in self.all_lines():
            if (other.table and other.facts[0].statement in PRIMARY_STATEMENTS
                    and other.facts[0].doc_id == line.facts[0].doc_id):
                printed = {fact_year(fact): fact.amount for fact in other.periods()}
                if all(printed.get(year) == amount for year, amount in amounts.items()):
                    return Line(key=other.key, label=line.label, facts=other.facts, metrics=line.metrics | other.metrics,
                                score=line.score)
        return line

    def named(self) -> list[Line]:
        """The lines a question names, in the order it names them (for sum, compare, ratio)."""
        text = self.question
        spans: list[tuple[int, int, Line, bool]] = []  # start, end, line, named by a metric's words
        table_lines = [line for line in self.all_lines() if line.table]
        for key in self.query.metrics:
            candidates = [line for line in table_lines if key in line.metrics]
            if not candidates:
                continue
            # The line that prints the period asked, from a primary statement, before an MD&A table's.
            candidates.sort(key=self._named_preference)
            start, end = _span(key, text)
            spans.append((start, end, candidates[0], True))
        lowered = label_key(text)
        by_name: dict[str, list[Line]] = {}
        for line in table_lines:
            by_name.setdefault(label_key(re.sub(r"\([^)]*\)", " ", line.label)), []).append(line)
        for name in sorted(by_name, key=lambda name: -len(name)):
            if not name:
                continue
            found = re.search(rf"(?<![\w&]){re.escape(name)}(?![\w&])", lowered)
            if not found:
                continue
            line = self._one_named(by_name[name], lowered)
            if line is None:
                continue
            if _RATIO_CUE_BEFORE.search(lowered[:found.start()]) and (
                    _RATIO_LABEL.match(name) or _RATIO_LABEL.match(by_name[name][0].label.lower())):
                continue  # "R&D as a percentage of total net sales": the cue, not a line "Percentage of total net sales"
            position = _position_in(text, name)
            end = position + len(name)
            if any(line is other for _, _, other, _ in spans):
                continue
            overlapping = [item for item in spans if item[0] < end and position < item[1]]
            # Words already taken name no second line ("Net sales" inside "total net sales"); a longer printed name
            # around a metric's words is the more specific line, and takes its place.
            if overlapping and not all(by_metric and position <= start and stop <= end and stop - start < end - position
                                       for start, stop, _, by_metric in overlapping):
                continue
            spans = [item for item in spans if item not in overlapping]
            spans.append((position, end, line, False))
        result: list[Line] = []
        for _, _, line, _ in sorted(spans, key=lambda item: item[0]):
            if all(line is not other and label_key(line.label) != label_key(other.label) for other in result):
                result.append(line)
        return result

    def _one_named(self, lines: list[Line], lowered: str) -> Line | None:
        """Of the lines printed under one name, the one the question means: the one printing the period asked in a
        primary statement; among rows of one statement that differ ("Services" under net sales and under cost of
        sales), the one whose heading the question names; None when the question does not say which."""
        lines = sorted(lines, key=self._named_preference)
        best = [line for line in lines if self._named_preference(line) == self._named_preference(lines[0])]
        asked = self.query.periods[-1] if self.query.periods else None
        values = {fact.value if (fact := line.for_period(asked)) else None for line in best} if asked else set()
        if len(best) == 1 or len(values) <= 1:
            return lines[0]
        def named_group(line: Line) -> bool | None:
            group = label_key(line.facts[0].group or "")
            return bool(re.search(rf"(?<![\w&]){re.escape(group)}(?![\w&])", lowered)) if group else None

        headed = [line for line in best if named_group(line)]
        # A row under a heading the question does not name is narrower ("Services" under "Cost of sales").
        plain = [line for line in best if named_group(line) is None]
        chosen = headed or plain
        return chosen[0] if len(chosen) == 1 else None

    def _named_preference(self, line: Line) -> tuple[bool, bool]:
        asked = self.query.periods[-1] if self.query.periods else None
        prints = asked is None or line.for_period(asked) is not None
        return not prints, line.facts[0].statement not in PRIMARY_STATEMENTS

    def heading(self, line: Line) -> str:
        """The label-only lines a table prints between its column headers and its first row ("Net sales:",
        "Deferred tax assets", "Cash (used in) provided by:"): they head the rows above the table's first group
        header, which the table model leaves without a group. "" for any other line."""
        fact = line.facts[0]
        if not line.table or fact.group or fact.table_id is None:
            return ""
        key = (fact.doc_id, fact.table_id)
        if key not in self._headings:
            self._headings[key] = self._table_heading(fact.doc_id, fact.table_id)
        return self._headings[key]

    def _table_heading(self, doc_id: str, table_id: int) -> str:
        rows = [other for other in self.cache.facts_of([doc_id]) if other.source == "table" and other.table_id == table_id]
        if not rows:
            return ""
        first = min(rows, key=lambda other: other.start)
        text = self.cache.text(doc_id)
        row_start = text.rfind("\n", 0, first.start) + 1
        above = text[max(0, row_start - 800):row_start].split("\n")[:-1]
        heading: list[str] = []
        while above and len(heading) < 2 and _HEADING_LINE.fullmatch(above[-1].strip()) \
                and not _NOT_HEADING.search(above[-1]):
            heading.insert(0, above.pop().strip())
        # Only between the column headers (a line of periods, units or several cells) and the rows, not a
        # sentence or title before the table; never the first half of the first row's wrapped label.
        if not heading or not above or not _COLUMN_HEADER.search(above[-1]) or above[-1].rstrip().endswith((".", ";")):
            return ""
        said = " ".join(heading)
        if label_key(first.label).startswith(label_key(said)):
            return ""
        return said

    def unexplained(self, line: Line, text: str | None = None, operations: bool = True) -> list[str]:
        """Words of the question's label (or of `text`, the words the question's reading left over, less the words
        of operations when `operations`) that neither the line (its label, heading, table title) nor the vocabulary
        of its metrics accounts for: a narrower thing asked about than the line found, or a word not understood."""
        label = (re.sub(r"\bgrowth\s+rates?\b", " ", without_periods(text), flags=re.I) if text is not None
                 else (self.query.label or without_periods(self.question)))
        covered = set(words(line.label))
        for fact in line.facts:
            covered |= words(fact.group or "") | words(fact.table_title or "") | words(fact.column_label or "")
        # The table's heading above its first rows ("Net sales:" over "Romania"), only for a row the question names
        # in full: "net sales from Romania" is the row "Romania" under it.
        named = words(re.sub(r"\([^)]*\)", " ", line.label))
        if named and named <= words(self.question):
            covered |= words(self.heading(line))
        for key in line.metrics:
            try:
                entry = vocabulary_metric(key)
            except KeyError:
                continue
            for name in (*entry.labels, *entry.words):
                covered |= words(name)
        for company in self.query.companies:
            covered |= words(company)
        missing = {word for word in words(label) - covered - _GENERIC_WORDS if len(word) > 2}
        if text is not None and operations:
            missing -= _OPERATION_WORDS
        # Said in the question's own words ("sales", not the stem "sale"), each once, in the question's order.
        said: list[str] = []
        for word in re.findall(r"[A-Za-z][A-Za-z&]*", label):
            if stem(word) in missing and word.lower() not in _STOP and word.lower() not in (w.lower() for w in said):
                said.append(word)
        return said


def _position(key: str, text: str) -> int:
    try:
        return metric_position(key, text)
    except KeyError:
        return len(text)


def _span(key: str, text: str) -> tuple[int, int]:
    """Where a text names a metric, start and end (a point at its first mention when no span is found)."""
    try:
        found = metric_span(key, text)
    except KeyError:
        found = None
    if found is None:
        position = _position(key, text)
        return position, position + 1
    return found


def _position_in(text: str, name: str) -> int:
    pattern = r"\W+".join(re.escape(word) for word in name.split())
    match = re.search(pattern, text, re.I)
    return match.start() if match else len(text)


def _narrows(label_norm: str, metrics: list[str], asked: set[str]) -> bool:
    """A line that is a named metric's line narrowed by words the question uses ("net loss attributable to Intel"
    asks for "Net income (loss) attributable to Intel", not "Net income (loss)")."""
    for key in metrics:
        try:
            labels = vocabulary_metric(key).labels
        except KeyError:
            continue
        for label in labels:
            if label_norm.startswith(f"{label} "):
                extra = words(label_norm[len(label):])
                if extra and extra <= asked:
                    return True
    return False
