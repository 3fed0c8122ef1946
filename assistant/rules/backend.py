"""The offline answering backend: deterministic, no model. A parsed `Query` -> an `Answer`.

Figure questions are answered from the facts the ingest extracted (index/facts.py): the line a question asks
about is chosen by scoring every line of the documents (metric synonyms, label words), then its facts for the
periods asked are read, or combined by the calculator (assistant/calculator.py) through `@FACT_ID` references.
Narrative questions are answered with the sentences of the best retrieved passages that share most words with
the question. Every figure in an answer is a cited table row or a calculator result; when nothing in the
documents supports an answer, the answer is a refusal naming the closest thing found. Never a guessed figure.

Sign convention (../shared/DOMAIN.md): a line whose amounts are printed negative (an expense, a loss, a deficit
in parentheses) is stated, and combined, as positive amounts of that line ("R&D expenses were 5,508,356",
"R&D grew 27.66%"), via abs() in the calculator expression. Lines with both signs keep their signs.
"""

from __future__ import annotations

import datetime as dt

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal

from collections.abc import Sequence

from assistant.backends import Scope
from assistant.calculator import calculate, format_number
from index.errors import CalculationError
from assistant.guard import guard_answer
from assistant.metrics import MetricError, compute, line_item_of, metric_named, years_back
from assistant.question import Period, Query, fix_period
from index.records import Answer, AnswerValue, Citation, Document, Fact, Figure, SearchFilters
from index.facts import fact_matches_period, find_facts, period_matcher
from index.synonyms import metric as vocabulary_metric
from index.synonyms import metric_position, metrics_in_order

_STOP = frozenset("""a an and the of for to in on at by as or from with what was were is are did does do how much many
which that this it its their company's company group limited inc less per be been has have had than between over
during ended ending six three nine twelve months month year years half first second h1 h2 q1 q2 q3 q4 fy quarter
june december march september total value amount""".split())
_NEGATIVE_WORDS = re.compile(r"loss|expense|deficit|cost|fees|outflow|purchase|paid|payment|repurchase|provision|"
                             r"capital expenditure|additions to|acquisition",
                             re.I)
_UNITS = {"money": "USD", "shares": "shares", "per_share": "USD_per_share", "percent": "percent", "count": "count"}
_BREADTH = {"FY": 0, "instant": 1, "9M": 2, "6M": 3, "3M": 4}
_SCALE_WORDS = {1_000: "thousand", 1_000_000: "million", 1_000_000_000: "billion"}
_FALL = re.compile(r"\bhow\s+much\s+did\b.*\b(?:fall|drop|decline|decrease|shrink)\b", re.I)
_HIGHER = re.compile(r"\bhow\s+much\s+(?:higher|lower|more|less|larger|smaller|bigger)\b", re.I)
_BIGGER = re.compile(r"\b(?:larger|bigger|greater|higher|smaller|lower)\b", re.I)
_PART_OF = re.compile(r"\b(?:percent(?:age)?|share|proportion|fraction)\s+of\s+", re.I)
_NARRATIVE_SYNONYMS = {"start": "commencing", "starting": "commencing", "begin": "commencing", "fund": "funding",
                       "territory": "region", "buy": "purchased", "bought": "purchased"}
_POSSESSIVE_NAME = re.compile(r"\b([A-Z][A-Za-z&.-]+(?:\s+[A-Z][A-Za-z&.-]+){0,2})['’]s\b")


def _stem(word: str) -> str:
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# Words a question may wrap a line's name in without narrowing it ("How much did Apple spend on R&D").
_GENERIC_WORDS = frozenset(_stem(word) for word in """fiscal spend spent report reported record recorded generate generated
consolidated gaap annual overall calendar end date period business firm corporation reporting statement statements
balance sheet figure figures number level levels much about approximately roughly overall full whole latest
recent prior previous last next company companies held hold holding own owned pay paid incur incurred earn earned
make made post posted book booked recognize recognized recognised show shown see disclose disclosed state stated declare
declared give tell find value values respective respectively""".split())


@lru_cache(maxsize=65536)
def _words(text: str) -> frozenset[str]:
    return frozenset(_stem(word) for word in re.findall(r"[A-Za-z][A-Za-z&]*", text) if word.lower() not in _STOP)


@lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9&]+", " ", text.lower()).split())


# --- lines ------------------------------------------------------------------------------------------------


@dataclass
class Line:
    """One printed row (a table line, or a sentence's figure): its facts by period."""

    key: tuple
    label: str
    facts: list[Fact] = field(default_factory=list)
    metrics: set[str] = field(default_factory=set)
    score: float = 0.0

    @property
    def table(self) -> bool:
        return self.facts[0].source == "table"

    def for_period(self, period: Period) -> Fact | None:
        found = [fact for fact in self.facts if fact_matches_period(fact, period.label)]
        if period.duration:
            found = [fact for fact in found if fact.duration == period.duration] or found
        # A bare year ("revenue in 2022") is the fiscal year, or the balance at its end, before any quarter.
        found.sort(key=lambda fact: (fact.column_certain is False, 0 if period.duration else _BREADTH.get(fact.duration, 5),
                                     fact.start))
        return found[0] if found else None

    def periods(self) -> list[Fact]:
        """The line's facts, one per period end, oldest first."""
        seen: dict = {}
        for fact in sorted(self.facts, key=lambda fact: fact.start):
            if fact.period_end and fact.column_certain and fact.period_end not in seen:
                seen[fact.period_end] = fact
        return [seen[end] for end in sorted(seen)]

    @property
    def magnitude(self) -> bool:
        """Amounts printed negative are of an expense or loss line: stated as positive amounts."""
        values = [fact.value for fact in self.facts if fact.value is not None]
        return bool(values) and all(value < 0 for value in values) and (
            bool(_NEGATIVE_WORDS.search(self.label)) or self.facts[0].statement == "income_statement")


def _lines(facts: list[Fact]) -> list[Line]:
    lines: dict[tuple, Line] = {}
    for fact in sorted(facts, key=lambda fact: fact.start):
        # The group keeps apart rows printed with the same label under different headings (Apple's "Term debt"
        # under current and under non-current liabilities).
        key = (fact.doc_id, fact.source, fact.table_id if fact.source == "table" else fact.label_norm, fact.label_norm,
               fact.group if fact.source == "table" else None)
        line = lines.setdefault(key, Line(key=key, label=fact.label))
        line.facts.append(fact)
        if item := line_item_of(fact):
            line.metrics.add(item)
    return list(lines.values())


def _metric_words(key: str) -> str:
    try:
        entry = vocabulary_metric(key)
        return (entry.labels or entry.words or (key.replace("_", " "),))[0]
    except KeyError:
        return key.replace("_", " ")


# --- the backend ------------------------------------------------------------------------------------------


class RuleBackend:
    """Answers a parsed query from a store's catalog (facts, document text) and its hybrid retriever."""

    name = "offline"

    def __init__(self, store):  # noqa: ANN001
        self.store = store
        self.catalog = store.catalog
        self._generation: int | None = None
        self._texts: dict[str, str] = {}
        self._documents: dict[str, Document] = {}
        self._facts: dict[str, list[Fact]] = {}

    # --- plumbing: what is read from the catalog is kept until the catalog changes (its generation moves)

    def _fresh(self) -> None:
        generation = self.catalog.generation()
        if generation != self._generation:
            self._generation = generation
            self._texts, self._documents, self._facts = {}, {}, {}

    def facts_of(self, doc_ids: list[str]) -> list[Fact]:
        """Every fact of these documents (kept in memory per document)."""
        missing = [doc_id for doc_id in doc_ids if doc_id not in self._facts]
        if missing:
            for doc_id in missing:
                self._facts[doc_id] = []
            for fact in self.catalog.facts(missing):
                self._facts[fact.doc_id].append(fact)
        return [fact for doc_id in doc_ids for fact in self._facts.get(doc_id, [])]

    def fact_by_id(self, fact_id: str) -> Fact | None:
        doc_id = fact_id.split("-f")[0]
        for fact in self.facts_of([doc_id]):
            if fact.id == fact_id:
                return fact
        found = self.catalog.facts(fact_ids=[fact_id])
        return found[0] if found else None

    def text(self, doc_id: str) -> str:
        if doc_id not in self._texts:
            self._texts[doc_id] = self.catalog.document_text(doc_id)
        return self._texts[doc_id]

    def document(self, doc_id: str) -> Document:
        if doc_id not in self._documents:
            self._documents.update({document.id: document for document in self.catalog.documents()})
        return self._documents[doc_id]

    # --- entry point

    def answer(self, query: Query, scope: Scope, history: Sequence[tuple[str, str]] = ()) -> Answer:
        self._fresh()
        documents = list(scope.documents)
        doc_ids = scope.narrow(query.doc_ids) if query.doc_ids or scope.filtered else []
        unknown = self._unknown_company(query, documents)
        if unknown and not query.doc_ids:
            names = ", ".join(sorted({document.company or document.title for document in documents}))
            return self._finish(Answer(question=query.question, refused=True, text=(
                f"The disclosures do not cover {unknown}: none of the ingested documents is about it, so I cannot "
                f"answer. The documents are about: {names}.")))
        if _COUNTING.search(query.question):
            return self._finish(Answer(question=query.question, refused=True, text=(
                "I cannot count lines, periods or items that meet a condition reliably; ask for the figures "
                "themselves (for example, the values for each year) and compare them.")))
        doc_ids = self.reporting_documents(query, doc_ids or [document.id for document in documents])
        ctx = _Context(self, query, doc_ids)
        try:
            if self._is_narrative(query, ctx):
                answer = ctx.narrative()
                if (not answer.refused and query.kind != "narrative" and query.operation in _COMPUTED
                        and not _states_result(answer, query.operation)):
                    # A calculation asked for and no figures to compute it from: passages near the question are
                    # context, not an answer, and saying so beats quoting them as if they were one.
                    answer = answer.model_copy(update={"refused": True, "text": (
                        f"The disclosures do not give figures I can compute the {_OPERATION_NAMES[query.operation]} "
                        "from. " + answer.text.replace("The disclosures say:", "The closest passages say:", 1))})
            else:
                answer = ctx.figure()
        except (CalculationError, MetricError) as exc:
            answer = Answer(question=query.question, refused=True,
                            text=f"The disclosures do not give enough to answer this: {exc}.")
        return self._finish(answer)

    def reporting_documents(self, query: Query, doc_ids: list[str]) -> list[str]:
        """For a figure question naming periods, one filing per company: the most recent one that reports every
        period asked (a later filing's figures supersede as-originally-reported ones: restatements,
        discontinued operations). Companies with no such filing keep all their documents, so a refusal can
        still name the closest figure."""
        periods = [fix_period(query.question, period) for period in query.periods]
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
            document = self.document(doc_id)
            by_company[_company_key(document)].append(document)
        chosen: list[str] = []
        for group in by_company.values():
            if len(group) == 1:
                chosen.append(group[0].id)
                continue
            # A fiscal year is read from annual reports first (a 10-Q's prior year-end column is not the place to
            # cite for "the end of fiscal 2022"), then from the most recent filing.
            yearly = any(period.duration == "FY" or re.fullmatch(r"(?:FY)?\d{4}", period.label) for period in periods)
            group.sort(key=lambda document: (yearly and _annual(document), document.period_end or dt.date.min,
                                             document.filing_date or dt.date.min), reverse=True)
            needs = self._needs(query)
            reporting = next((document.id for document in group if self._reports(document.id, periods, needs)), None) or \
                next((document.id for document in group if self._reports(document.id, periods, needs, primary=False)), None)
            chosen.extend([reporting] if reporting else [document.id for document in group])
        return chosen

    @staticmethod
    def _needs(query: Query) -> set[str]:
        """What a fiscal year has to be printed as for this question: "FY" (flows), "instant" (balances at the
        year end: the current ratio of FY2019 needs the balance sheet at its end), or both (return on equity)."""
        from assistant.metrics import BALANCE_ITEMS

        keys = list(query.metrics)
        entry = metric_named(query.analyst_metric) if query.analyst_metric else None
        if entry is not None:
            keys += [item.key for item in entry.inputs]
        balances = [key for key in keys if key in BALANCE_ITEMS]
        if not keys or len(balances) < len(keys):
            return {"FY", "instant"} if balances else {"FY"}
        return {"instant"}

    def _reports(self, doc_id: str, periods: list[Period], needs: set[str] | None = None, primary: bool = True) -> bool:
        """Whether a document's primary statements print every one of these periods: a year as a full fiscal year
        (a quarterly release's year-end balance sheet does not report the year), a date as a balance. A later
        release's trend table of earlier quarters does not count: the filing of the period itself wins. With
        `primary=False`, any table counts (for filings whose statements were not recognised as such)."""
        statements = ("income_statement", "balance_sheet", "cash_flow") if primary else (
            "income_statement", "balance_sheet", "cash_flow", "comprehensive_income", "equity", "segment", "other")
        facts = [fact for fact in self.facts_of([doc_id])
                 if fact.source == "table" and fact.column_certain and fact.statement in statements]
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

    def _finish(self, answer: Answer) -> Answer:
        return guard_answer(answer)

    @staticmethod
    def _unknown_company(query: Query, documents: list[Document]) -> str | None:
        """A company the question names with a possessive ("Pfizer's") that no document is about."""
        from assistant.question import resolve_companies

        for match in _POSSESSIVE_NAME.finditer(query.question):
            name = match.group(1)
            if name.split()[0].lower() in ("what", "which", "how", "company", "the", "and"):
                continue
            _, ids, _ = resolve_companies(f"{name}'s", documents)
            if not ids:
                return name
        return None

    @staticmethod
    def _is_narrative(query: Query, ctx: "_Context") -> bool:
        if query.kind == "narrative":
            return True
        if query.analyst_metric or query.operation in ("ratio", "sum", "margin", "compare", "direction"):
            return False
        if re.match(r"\s*(?:when|why|who|where)\b", query.question, re.I):
            return True
        if not query.periods and not query.compare_prior:
            return True
        # No line of the documents is what the question names: the answer, if any, is in the prose.
        if query.metrics:
            return False
        if any(line.table for line in ctx.best_lines(1)):
            return False
        # A follow-up ("And in 2021?") names its line through the previous turn.
        return not ("metrics" in query.inherited and query.label and any(line.table for line in ctx.best_lines(1, query.label)))


class _Context:
    """One question being answered."""

    def __init__(self, backend: RuleBackend, query: Query, doc_ids: list[str]):
        self.backend = backend
        self.query = query
        self.doc_ids = doc_ids
        self.question = query.question
        self.citations: list[Citation] = []
        self.figures: list[Figure] = []
        self._all_lines: list[Line] | None = None
        self._metric_facts: dict[str, set[str]] = {}
        self.fixed_periods = [fix_period(query.question, period) for period in query.periods]

    # --- lines

    def all_lines(self) -> list[Line]:
        if self._all_lines is None:
            facts = self.backend.facts_of(self.doc_ids)
            for key in {*self.query.metrics, "revenue", "cost_of_revenue"}:
                found = find_facts(self.backend.catalog, self.doc_ids, _metric_words(key), pool=facts)
                self._metric_facts[key] = {fact.id for fact in found}
            lines = _lines(facts)
            for line in lines:
                for key, ids in self._metric_facts.items():
                    if any(fact.id in ids for fact in line.facts) and (
                            key in line.metrics or not line.metrics or key == "revenue"):
                        line.metrics.add(key)
                if "cost_of_revenue" not in line.metrics and re.match(r"costs? of (?!revenue)", line.facts[0].label_norm) \
                        and line.facts[0].statement == "income_statement" and line.table:
                    line.metrics.add("cost_of_revenue")
            self._all_lines = lines
        return self._all_lines

    def score(self, line: Line, text: str, metrics: list[str], ranking: bool = False) -> float:
        """How well a line matches the question's words and metrics; with `ranking`, also how well it matches the
        periods asked and whether it is in a primary statement (to order lines that match, not to admit them)."""
        asked = _words(text)
        label = _words(line.label)
        optional = _words(" ".join(re.findall(r"\(([^)]*)\)", line.label)))
        found = len(label & asked)
        missing = len(label - asked - optional)
        name = _norm(line.facts[0].label_norm)
        contained = len(label) if name and f" {name} " in f" {_norm(text)} " else 0
        if set(metrics) & line.metrics or _narrows(line.facts[0].label_norm, metrics, asked):
            score = 3 + found + contained
        else:
            if not found or found < missing:
                return 0.0
            score = found - 1.5 * missing + contained
        fact = line.facts[0]
        score += (0.5 if fact.source == "table" else 0) + (0.3 if fact.statement not in ("other", "narrative") else 0)
        score += 0.2 if fact.statement in ("income_statement", "balance_sheet", "cash_flow") else 0
        if not ranking:
            return score
        score += 0.8 if fact.statement in ("income_statement", "balance_sheet", "cash_flow") else 0
        # A line that prints the periods asked beats the same line in a document of other periods (the 10-K's
        # fiscal 2022 net income, not the next 10-Q's quarter).
        periods = self.fixed_periods
        if periods:
            covered = 0.0
            for period in periods:
                fact = line.for_period(period)
                if fact is not None:
                    exact = fact.duration == period.duration if period.duration else fact.duration in ("FY", "instant")
                    covered += 1 if exact else 0.5
            score += 2 * covered / len(periods)
        return score

    def best_lines(self, count: int, text: str | None = None, metrics: list[str] | None = None) -> list[Line]:
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
            named = [(len(_words(line.label)), score, line) for score, line in scored if not line.table
                     and f" {_norm(line.label)} " in f" {_norm(text)} " and _words(top.label) < _words(line.label)]
            scored = tables
            if named:
                _, _, line = max(named, key=lambda item: (item[0], item[1]))
                scored = [(top_score + 1, line), *tables]
        scored.sort(key=lambda item: (-item[0], item[1].facts[0].start))
        result: list[Line] = []
        for score, line in scored:
            if any(_norm(line.label) == _norm(other.label) and line.facts[0].doc_id == other.facts[0].doc_id
                   for other in result):
                continue
            line.score = score
            result.append(line)
            if len(result) == count:
                break
        return result

    def mentioned_lines(self) -> list[Line]:
        """The lines a question names, in the order it names them (for sum, compare, ratio)."""
        text = self.question
        spans: list[tuple[int, int, Line]] = []
        table_lines = [line for line in self.all_lines() if line.table]
        for key in self.query.metrics:
            candidates = [line for line in table_lines if key in line.metrics]
            if not candidates:
                continue
            position = _position(key, text)
            spans.append((position, position + 1, candidates[0]))
        lowered = _norm(text)
        for line in sorted(table_lines, key=lambda line: -len(line.facts[0].label_norm)):
            name = _norm(re.sub(r"\([^)]*\)", " ", line.label))
            if not name:
                continue
            match = re.search(rf"(?<![\w&]){re.escape(name)}(?![\w&])", lowered)
            if not match:
                continue
            position = _position_in(text, name)
            if any(start <= position < end or line is other for start, end, other in spans):
                continue
            spans.append((position, position + len(name), line))
        result: list[Line] = []
        for _, _, line in sorted(spans, key=lambda item: item[0]):
            if all(line is not other and _norm(line.label) != _norm(other.label) for other in result):
                result.append(line)
        return result

    # --- citations

    def cite(self, fact: Fact) -> int:
        """The citation number of a fact's row (the row label through its last printed number) or sentence."""
        text = self.backend.text(fact.doc_id)
        if fact.source == "table":
            # The row: its label, then every number the row prints (the flattened text keeps a table on one line).
            row = [other for other in self._row_facts(fact)]
            first = min(row, key=lambda other: other.start)
            window = max(0, first.start - len(fact.label) - 200)
            head = text[window:first.start]
            at = head.rfind(fact.label)
            if at < 0:
                words = fact.label.split()
                at = head.rfind(words[0]) if words else -1
            start = window + at if at >= 0 else first.start
            end = max(other.end for other in row)
        else:
            start, end = _sentence_span(text, fact.start, fact.end)
        return self.add_citation(fact.doc_id, start, end, fact.passage_id, fact.page)

    def _row_facts(self, fact: Fact) -> list[Fact]:
        """The facts printed on the same table row as `fact` (same table and label, adjacent in the text)."""
        row = [fact]
        for line in self.all_lines():
            if any(other.id == fact.id for other in line.facts):
                ordered = sorted(line.facts, key=lambda other: other.start)
                index = [other.id for other in ordered].index(fact.id)
                for step in (-1, 1):
                    position = index + step
                    previous = fact
                    while 0 <= position < len(ordered):
                        other = ordered[position]
                        gap = self.backend.text(fact.doc_id)[min(previous.end, other.end):max(previous.start, other.start)]
                        if other.table_id != fact.table_id or len(gap) > 4 or re.search(r"[A-Za-z]", gap):
                            break
                        row.append(other)
                        previous = other
                        position += step
                break
        return row

    def add_citation(self, doc_id: str, start: int, end: int, passage_id: str | None = None,
                      page: int | None = None) -> int:
        for citation in self.citations:
            if citation.doc_id == doc_id and citation.start <= start and end <= citation.end:
                return citation.n
        text = self.backend.text(doc_id)
        section = None
        if passage_id:
            passage = self.backend.catalog.passages_by_id([passage_id]).get(passage_id)
            if passage is not None:
                section, page = passage.section, passage.page if page is None else page
        document = self.backend.document(doc_id)
        citation = Citation(n=len(self.citations) + 1, doc_id=doc_id, title=document.title, page=page,
                            section=section, passage_id=passage_id, quote=text[start:end], start=start, end=end)
        self.citations.append(citation)
        return citation.n

    def cite_linked(self, fact: Fact) -> str:
        """Also cite the sentence that states a table figure in words (a linked narrative fact)."""
        if not fact.linked_fact:
            return ""
        found = self.backend.fact_by_id(fact.linked_fact)
        if found is None:
            return ""
        return f" [{self.cite(found)}]"

    def cite_explanation(self, line: Line, direction: str) -> str:
        """A sentence explaining a change in the line ("The decrease in legal and professional fees was ...")."""
        fact = line.facts[0]
        text = self.backend.text(fact.doc_id)
        name = re.escape(re.sub(r"\([^)]*\)\s*", "", line.label).strip().lower())
        match = re.search(rf"The {direction} in {name}\b[^.]*\.", text, re.I)
        if not match:
            return ""
        return f" [{self.add_citation(fact.doc_id, match.start(), match.end())}]"

    # --- figure questions

    def periods(self, line: Line, needed: int) -> list[Period]:
        periods = [self._fix_period(period) for period in self.query.periods]
        if len(periods) >= needed:
            return periods
        available = line.periods()
        if self.query.compare_prior or needed >= 2 or not periods:
            chosen = available[-needed:]
            return [Period(label=fact.period_end.isoformat() if fact.duration == "instant" else
                           _period_label(fact), text=fact.period or "", end=fact.period_end) for fact in chosen]
        return periods

    def _fix_period(self, period: Period) -> Period:
        return fix_period(self.question, period)

    def figure(self) -> Answer:
        query = self.query
        if query.analyst_metric or query.operation == "metric":
            return self.analyst()
        operation = query.operation
        if operation == "average" and re.search(r"weighted[\s-]+average", self.question, re.I):
            operation = "value"
        if operation in ("sum", "compare", "ratio", "margin") or (operation == "direction" and len(query.metrics) > 1):
            lines = self.mentioned_lines()
            if len(lines) >= 2:
                return self.combine(operation, lines[:2] if operation != "sum" else lines)
            if operation in ("ratio", "margin", "sum"):
                return self.refuse("the lines this combines")
        line_text, metrics = self.question, list(query.metrics)
        lines = self.best_lines(1, line_text, metrics)
        if not lines and self.query.inherited:
            lines = self.best_lines(1, " ".join(p for p in (query.label or "",) if p), metrics)
        if not lines:
            return self.refuse(query.label or ", ".join(metrics) or "the figure asked about")
        line = lines[0]
        if not query.doc_ids:
            tied = [other for other in self.best_lines(8, line_text, metrics) if other.score >= line.score - 0.01]
            found = {other.facts[0].doc_id for other in tied}
            if len(found) > 1:
                return self.ambiguous(tied)
        if operation == "value" and len(query.periods) >= 2:
            if _HIGHER.search(self.question) or _FALL.search(self.question):
                operation = "change"
            elif _BIGGER.search(self.question):
                operation = "compare"
        if operation == "value":
            if unexplained := self.unexplained(line):
                # "revenue from cloud gaming subscriptions" is not "Total revenues": name the closest, do not guess.
                asked = query.label or ", ".join(unexplained)
                return self.refuse(f"{asked} (no line of them is about {', '.join(unexplained)})", line)
            return self.value(line)
        if operation == "compare" and len(query.periods) < 2 and len(self.mentioned_lines()) < 2:
            operation = "direction"
        return self.across(operation, line)

    def unexplained(self, line: Line) -> list[str]:
        """Words of the question's label that neither the line (its label, heading, table title) nor the
        vocabulary of its metrics accounts for: a narrower thing asked about than the line found."""
        from index.synonyms import metric as vocabulary_metric

        label = self.query.label or _blank_periods(self.question)
        covered = set(_words(line.label))
        for fact in line.facts:
            covered |= _words(fact.group or "") | _words(fact.table_title or "") | _words(fact.column_label or "")
        for key in line.metrics:
            try:
                entry = vocabulary_metric(key)
            except KeyError:
                continue
            for name in (*entry.labels, *entry.words):
                covered |= _words(name)
        for company in self.query.companies:
            covered |= _words(company)
        return sorted(word for word in _words(label) - covered - _GENERIC_WORDS if len(word) > 2)

    def ambiguous(self, lines: list[Line]) -> Answer:
        """Several documents print the line and the question names none of them: say which, do not guess."""
        names = []
        for line in lines:
            document = self.backend.document(line.facts[0].doc_id)
            name = f"{document.company or document.title} ({document.title}, doc {document.id})"
            if name not in names:
                names.append(name)
        text = (f"Several documents report {lines[0].label}: {'; '.join(names)}. Name the company or the document "
                f"(--doc) and I will answer from it.")
        return Answer(question=self.question, text=text, refused=True)

    def refuse(self, what: str, line: Line | None = None) -> Answer:
        periods = ", ".join(period.text or period.label for period in self.query.periods)
        text = f"The disclosures do not report {what}" + (f" for {periods}" if periods else "") + "."
        if line is not None and line.periods():
            closest = line.periods()[-1]
            marker = self.cite(closest)
            text += (f" The closest figure they report is {line.label} for {closest.period or 'another period'}: "
                     f"{closest.raw.strip()} [{marker}]{self.cite_linked(closest)}.")
        return Answer(question=self.question, text=text, citations=self.citations, refused=True)

    def value(self, line: Line) -> Answer:
        query = self.query
        periods = self.periods(line, 1)
        parts: list[str] = []
        headline: AnswerValue | None = None
        missing: list[str] = []
        for period in periods:
            fact = line.for_period(period)
            if fact is None or not fact.column_certain:
                missing.append(period.text or period.label)
                continue
            marker = self.cite(fact)
            if fact.value is None:
                parts.append(f"{line.label} is not reported (nil) for {fact.period or period.text} [{marker}].")
                continue
            # A loss, expense or deficit printed in parentheses is stated as a positive amount of that line.
            negative_line = fact.value < 0 and bool(_NEGATIVE_WORDS.search(line.label))
            amount = abs(fact.amount) if line.magnitude or negative_line else fact.amount
            shown, value = self.show(amount, fact)
            linked = self.cite_linked(fact)
            parts.append(f"{line.label[:1].upper()}{line.label[1:]} {_when(fact, period.text)} was {shown} "
                         f"[{marker}]{linked}.")
            headline = headline or value
        if not parts:
            return self.refuse(f"{line.label}", line)
        text = " ".join(parts)
        if missing:
            text += f" {line.label} is not reported for {', '.join(missing)}."
        return Answer(question=self.question, text=text, citations=self.citations, value=headline)

    def show(self, amount: Decimal, fact: Fact) -> tuple[str, AnswerValue]:
        """The amount for reading, and the headline value in the unit the question asks."""
        unit = self.query.unit
        dollars = "$" if fact.kind in ("money", "per_share") and (fact.currency in (None, "USD", "$")) else ""
        sign = "-" if amount < 0 else ""
        plain = format_number(abs(amount), False)
        if unit.scale and unit.scale > 1 and fact.kind == "money":
            scaled = amount / unit.scale
            decimals = unit.decimals if unit.decimals is not None else 1
            scaled = scaled.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
            word = _SCALE_WORDS.get(unit.scale, f"x{unit.scale}")
            return (f"{sign}{dollars}{abs(scaled):,} {word} ({plain})",
                    AnswerValue(number=scaled, unit=_UNITS.get(fact.kind, "number"), scale=unit.scale))
        reading = f"{sign}{dollars}{plain}"
        if fact.kind in ("money", "shares") and fact.scale in _SCALE_WORDS:
            # As the table prints it, in its unit: "$99,803 million" for 99,803 under "(in millions)".
            printed = amount / fact.scale
            number = printed.quantize(Decimal(1).scaleb(-unit.decimals), rounding=ROUND_HALF_UP) \
                if unit.decimals is not None else printed
            return (f"{sign}{dollars}{format_number(abs(printed), False)} {_SCALE_WORDS[fact.scale]}",
                    AnswerValue(number=number, unit=_UNITS.get(fact.kind, "number"), scale=fact.scale))
        if fact.kind == "money" and abs(amount) >= 1_000_000:
            reading = f"{sign}{dollars}{abs(amount) / 1_000_000:.1f} million ({plain})"
        number = amount
        if unit.decimals is not None:
            number = amount.quantize(Decimal(1).scaleb(-unit.decimals), rounding=ROUND_HALF_UP)
        return reading, AnswerValue(number=number, unit=_UNITS.get(fact.kind, "number"), scale=1)

    def reference(self, fact: Fact, line: Line) -> str:
        return f"abs(@{fact.id})" if line.magnitude else f"@{fact.id}"

    def resolver(self, facts: list[Fact]):  # noqa: ANN201
        by_id = {fact.id: fact for fact in facts}
        return by_id.get

    def computed(self, expression: str, facts: list[Fact], percent_asked: bool = False) -> tuple[Figure, AnswerValue]:
        figure = calculate(expression, self.resolver(facts))
        self.figures.append(figure)
        unit = self.query.unit
        number = figure.value
        if unit.decimals is not None:
            number = number.quantize(Decimal(1).scaleb(-unit.decimals), rounding=ROUND_HALF_UP)
        scale = 1
        if unit.scale and unit.scale > 1 and figure.unit == "number":
            scale = unit.scale
            number = (figure.value / scale).quantize(Decimal(1).scaleb(-(unit.decimals or 2)), rounding=ROUND_HALF_UP)
        money = all(fact.kind == "money" for fact in facts)
        kind = "percent" if figure.unit == "percent" else ("USD" if money and not expression.startswith("ratio") else "ratio")
        return figure, AnswerValue(number=number, unit=kind, scale=scale)

    def across(self, operation: str, line: Line) -> Answer:
        periods = self.periods(line, 2)
        facts = []
        for period in periods[-2:] if operation != "average" else periods:
            fact = line.for_period(period)
            if fact is None or fact.value is None or not fact.column_certain:
                return self.refuse(f"{line.label}", line)
            facts.append(fact)
        if len(facts) < 2:
            return self.refuse(f"{line.label} for two periods", line)
        old, new = facts[0], facts[-1]
        if old.period_end and new.period_end and old.period_end > new.period_end:
            old, new = new, old
        a, b = self.reference(old, line), self.reference(new, line)
        markers = sorted({self.cite(old), self.cite(new)})
        cited = "".join(f" [{n}]" for n in markers)
        when = f"from {old.period} to {new.period}"
        if operation == "pct_change":
            figure, value = self.computed(f"pct_change({a}, {b})", facts)
            text = f"{line.label} changed by {figure.display} {when}{cited}: {figure.derivation}."
        elif operation == "cagr":
            years = max(1, round((new.period_end - old.period_end).days / 365.25)) if old.period_end and new.period_end else 1
            figure, value = self.computed(f"cagr({a}, {b}, {years})", facts)
            text = f"The compound annual growth rate of {line.label} {when} ({years} year{'s' if years > 1 else ''}) was {figure.display}{cited}: {figure.derivation}."
        elif operation == "average":
            figure, value = self.computed(f"avg({', '.join(self.reference(fact, line) for fact in facts)})", facts)
            text = f"The average of {line.label} for {old.period} and {new.period} was {figure.display}{cited}: {figure.derivation}."
        elif operation in ("direction", "compare"):
            figure, value = self.computed(f"{b} - {a}", facts)
            if operation == "compare" and len(self.query.periods) >= 2:
                larger = new if figure.value > 0 else old
                text = (f"{line.label} was larger at {larger.period} ({figure.derivation} between "
                        f"{new.period} and {old.period}){cited}.")
                value = None
            else:
                word = "increased" if figure.value > 0 else "decreased" if figure.value < 0 else "did not change"
                text = f"{line.label} {word} {when}{cited}: {figure.derivation}."
                text += self.cite_explanation(line, "increase" if figure.value > 0 else "decrease")
                value = None
        else:  # change
            fall = bool(_FALL.search(self.question))
            expression = f"{a} - {b}" if fall else f"{b} - {a}"
            figure, value = self.computed(expression, facts)
            verb = "fell by" if fall else "changed by"
            text = f"{line.label} {verb} {figure.display} {when}{cited}: {figure.derivation}."
        if operation in ("pct_change", "change"):
            text += self.cite_explanation(line, "increase" if new.value and old.value and abs(new.value) > abs(old.value) else "decrease")
        return Answer(question=self.question, text=text, citations=self.citations, figures=self.figures, value=value)

    def combine(self, operation: str, lines: list[Line]) -> Answer:
        period_list = self.periods(lines[0], 1)
        if not period_list:  # the line prints no period the question could mean
            return self.refuse(f"{lines[0].label}", lines[0])
        period = period_list[-1]
        facts = []
        for line in lines:
            fact = line.for_period(period)
            if fact is None or fact.value is None:
                return self.refuse(f"{line.label}", line)
            facts.append(fact)
        refs = [self.reference(fact, line) for fact, line in zip(facts, lines)]
        cited = "".join(f" [{n}]" for n in sorted({self.cite(fact) for fact in facts}))
        when = facts[0].period or period.text
        names = " and ".join(line.label for line in lines)
        if operation == "sum":
            figure, value = self.computed(f"sum({', '.join(refs)})", facts)
            text = f"{names} for {when} total {figure.display}{cited}: {figure.derivation}."
            stated = [fact for fact in self.backend.facts_of(self.doc_ids) if fact.source == "text"
                      and _norm(fact.label_norm) == _norm(" and ".join(line.label for line in lines))
                      and fact.period_end == facts[0].period_end]
            if stated:
                text += f" The release states it in words [{self.cite(stated[0])}]."
        elif operation == "compare":
            figure, value = self.computed(f"{refs[0]} - {refs[1]}", facts)
            larger, smaller = (lines[0], lines[1]) if figure.value >= 0 else (lines[1], lines[0])
            text = (f"{larger.label} were larger than {smaller.label} for {when}{cited}: {figure.derivation}.")
            value = None
        else:  # ratio or margin: part first, whole second
            part, whole = 0, 1
            cue = _PART_OF.search(self.question)
            if cue:
                after = metrics_in_order(self.question[cue.end():])
                after_lines = [i for i, line in enumerate(lines) if (set(after[:1]) & line.metrics)
                               or _norm(self.question[cue.end():]).startswith(_norm(line.label))]
                if after_lines:
                    whole = after_lines[0]
                    part = 1 - whole
            if cue or operation == "margin" or self.query.unit.percent:
                figure, value = self.computed(f"margin({refs[part]}, {refs[whole]})", facts)
                text = f"{lines[part].label} was {figure.display} of {lines[whole].label} for {when}{cited}: {figure.derivation}."
            else:
                figure, value = self.computed(f"ratio({refs[part]}, {refs[whole]})", facts)
                text = f"The ratio of {lines[part].label} to {lines[whole].label} for {when} was {figure.display}{cited}: {figure.derivation}."
        return Answer(question=self.question, text=text, citations=self.citations, figures=self.figures, value=value)

    def analyst(self) -> Answer:
        entry = metric_named(self.query.analyst_metric or self.question) or metric_named(self.question)
        if entry is None:
            return self.refuse(self.query.analyst_metric or "this metric")
        lines = self.all_lines()
        base_period = [self._fix_period(period) for period in self.query.periods]

        def lookup(key: str, role: str) -> Fact | None:
            candidates = [line for line in lines if key in line.metrics and line.table]
            back = years_back(role)
            if base_period:
                # The line whose fact is of the period asked (the fiscal year before a quarter of the same
                # year), in a primary statement first.
                target = base_period[-1]

                def rank(line: Line) -> tuple:
                    fact = line.for_period(target)
                    if fact is None:
                        return (2, 0)
                    exact = fact.duration == target.duration if target.duration else fact.duration in ("FY", "instant")
                    primary = fact.statement in ("income_statement", "balance_sheet", "cash_flow")
                    return (0 if primary else 1, 0 if exact else 1)

                candidates.sort(key=rank)
            for line in candidates:
                if not base_period:
                    available = line.periods()
                    if len(available) > back:
                        return available[-1 - back]
                    continue
                # The first line that prints the period asked (the 10-K's, not a later 10-Q's), and for a
                # prior role the same line `back` years earlier (a balance at the prior year end).
                fact = line.for_period(base_period[-1])
                if fact is None or fact.period_end is None:
                    continue
                if not back:
                    return fact
                earlier = _years_before(fact.period_end, back)
                for other in line.facts:
                    if (other.period_end and other.column_certain and other.value is not None
                            and other.duration == fact.duration and abs((other.period_end - earlier).days) <= 10):
                        return other
            return None

        label = base_period[-1].label if base_period else "the latest period"
        try:
            figure = compute(entry, label, lookup)
        except MetricError as exc:
            return self.refuse(f"what {entry.name} needs ({exc})")
        self.figures.append(figure)
        cited = "".join(f" [{n}]" for n in sorted({self.cite(fact) for fact in figure.facts}))
        unit = self.query.unit
        number = figure.value
        scale = 1
        if entry.unit == "money" and unit.scale and unit.scale > 1:
            scale = unit.scale
            number = (figure.value / scale).quantize(Decimal(1).scaleb(-(unit.decimals if unit.decimals is not None else 2)),
                                                     rounding=ROUND_HALF_UP)
            shown = f"${number:,} {_SCALE_WORDS.get(scale, '')} ({figure.display})"
        else:
            if unit.decimals is not None:
                number = number.quantize(Decimal(1).scaleb(-unit.decimals), rounding=ROUND_HALF_UP)
            shown = figure.display
        kind = {"percent": "percent", "money": "USD", "days": "days"}.get(entry.unit, "ratio")
        when = figure.facts[0].period if figure.facts else label
        text = f"The {entry.name} for {when} was {shown}{cited}. {figure.derivation}."
        return Answer(question=self.question, text=text, citations=self.citations, figures=self.figures,
                      value=AnswerValue(number=number, unit=kind, scale=scale))

    # --- narrative questions

    def narrative(self) -> Answer:
        from index.retrieval import HybridRetriever

        filters = SearchFilters(docs=self.doc_ids) if self.doc_ids else None
        hits = HybridRetriever(store=self.backend.store, k=6, filters=filters).search(self.question)
        asked = _words(self.question) - {"say", "said", "expect", "explain", "explained", "drove", "happen"}
        asked |= {_NARRATIVE_SYNONYMS[word] for word in asked if word in _NARRATIVE_SYNONYMS}
        candidates: list[tuple[int, str, int, int, object, set[str]]] = []
        for rank, hit in enumerate(hits):
            passage = hit.passage
            if passage.kind == "table":
                continue
            for start, end in _sentences(passage.text):
                sentence = passage.text[start:end]
                candidates.append((rank, sentence, passage.start + start, passage.start + end, passage, _words(sentence)))
        frequency: dict[str, int] = defaultdict(int)
        for *_, words in candidates:
            for word in words:
                frequency[word] += 1
        scored = []
        for rank, sentence, start, end, passage, words in candidates:
            shared = asked & words
            if not shared:
                continue
            score = sum(1 + 1 / frequency[word] for word in shared) - 0.05 * rank
            scored.append((score, rank, sentence, start, end, passage))
        if not scored:
            return Answer(question=self.question, refused=True,
                          text="The disclosures do not say anything I can quote in answer to this.")
        scored.sort(key=lambda item: -item[0])
        best = scored[0][0]
        chosen = [item for item in scored[:3] if item[0] >= best * 0.6]
        # The sentence after the best one often finishes its thought ("... retained rights in the rest of the world").
        top = scored[0]
        following = [item for item in candidates if item[4] is top[5] and item[2] > top[3]]
        if following:
            after = min(following, key=lambda item: item[2])
            if after[2] - top[4] <= 3 and all(item[3] != after[2] for item in chosen):
                chosen.append((0, after[0], after[1], after[2], after[3], after[4]))
        chosen.sort(key=lambda item: item[3])
        parts = []
        for _, _, sentence, start, end, passage in chosen:
            marker = self.add_citation(passage.doc_id, start, end, passage.id, passage.page)
            parts.append(f"“{' '.join(sentence.split())}” [{marker}]")
        text = "The disclosures say: " + " ".join(parts)
        return Answer(question=self.question, text=text, citations=self.citations)


# "How many years did net income exceed $30,000 thousand?", "How many types of intangible assets are there?":
# counting rows or periods, which the offline backend does not do (as opposed to "how many employees", a figure).
_COUNTING = re.compile(
    r"\bhow\s+many\s+(?:of\s+the\s+)?(?:[\w-]+\s+){0,3}?(?:years|quarters|periods|months|types|kinds|categories|"
    r"components|segments|items|assumptions|factors|elements|classes|sources|regions|countries|lines|"
    r"geographic\s+areas|subsidiaries|facilities|plans)\b", re.I)
_COMPUTED = frozenset({"change", "pct_change", "average", "cagr", "sum", "ratio", "margin"})
_OPERATION_NAMES = {"change": "change", "pct_change": "percentage change", "average": "average", "cagr": "growth rate",
                    "sum": "total", "ratio": "ratio", "margin": "margin"}


_RESULT_WORDS = {
    "change": r"increas|decreas|chang|grew|grow|declin|rose|fell|higher|lower|up\b|down\b|improv|reduc",
    "pct_change": r"percent|%|increas|decreas|grew|declin",
    "average": r"average|mean",
    "cagr": r"compound|annual\s+growth|cagr",
    "sum": r"total|combined|aggregate|together",
    "ratio": r"percent|%|ratio|times|proportion",
    "margin": r"margin|percent|%",
}


def _states_result(answer: Answer, operation: str) -> bool:
    """Whether the first quoted sentence states the result itself ("The $29.3 million increase in ..."): a number
    and a word of the operation asked for."""
    if not answer.citations:
        return False
    quote = answer.citations[0].quote
    return bool(re.search(r"\d", quote)) and bool(re.search(_RESULT_WORDS[operation], quote, re.I))


def _blank_periods(text: str) -> str:
    """A question without its periods ("in fiscal 2023", "for the three months ended March 31, 2023")."""
    return re.sub(r"\b(?:in|for|during|as\s+of|at|on)?\s*(?:the\s+)?(?:(?:three|six|nine|twelve)\s+months\s+ended|"
                  r"(?:fiscal\s+)?years?\s+ended|fiscal|quarter\s+ended)?\s*(?:january|february|march|april|may|june|july|"
                  r"august|september|october|november|december)?\s*\d{0,2},?\s*(?:FY)?\d{4}\b", " ", text, flags=re.I)


def _annual(document: Document) -> bool:
    return (document.form or "").upper().startswith(("10-K", "20-F", "40-F")) or (document.period or "").startswith("FY")


def _company_key(document: Document) -> str:
    """One key per company however its filings spell it ("McDONALD’S CORPORATION", "McDonald's Corporation")."""
    name = document.company or document.ticker or document.id
    return re.sub(r"[^a-z0-9]+", "", name.lower().replace("’", "'"))


def _when(fact: Fact, fallback: str = "") -> str:
    """"for the six months ended June 30, 2021", "at December 31, 2020"."""
    period = fact.period or fallback
    if fact.duration == "instant" and not period.lower().startswith(("at ", "as of")):
        return f"at {period}"
    if re.match(r"(?:three|six|nine|twelve|\d+)\s+months|year|fiscal", period, re.I):
        return f"for the {period}"
    return f"for {period}"


def _period_label(fact: Fact) -> str:
    end = fact.period_end
    if fact.duration == "6M" and end is not None:
        return f"{end.year}H{1 if end.month <= 6 else 2}"
    if fact.duration == "3M" and end is not None:
        return f"{end.year}Q{(end.month + 2) // 3}"
    if fact.duration == "FY" and end is not None:
        return f"FY{end.year}"
    return end.isoformat() if end else (fact.period or "")


def _position(key: str, text: str) -> int:
    try:
        return metric_position(key, text)
    except KeyError:
        return len(text)


def _position_in(text: str, name: str) -> int:
    pattern = r"\W+".join(re.escape(word) for word in name.split())
    match = re.search(pattern, text, re.I)
    return match.start() if match else len(text)


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9“\"(])|\n\s*\n|\n(?=\s*[•\-*])")


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((position, match.start() + (1 if text[match.start():match.start() + 1] in "\"”’)" else 0)))
        position = match.end()
    spans.append((position, len(text)))
    result = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start >= 15:
            result.append((start, end))
    return result


def _sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence of the document holding text[start:end]."""
    left = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, 0)
    stop = len(text)
    for mark in (". ", ".\n", "\n"):
        at = text.find(mark, end)
        if at >= 0:
            stop = min(stop, at + (1 if mark.startswith(".") else 0))
    while left < start and text[left].isspace():
        left += 1
    return left, stop


__all__ = ["RuleBackend"]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # February 29
        return day.replace(year=day.year - years, day=28)


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
                extra = _words(label_norm[len(label):])
                if extra and extra <= asked:
                    return True
    return False
