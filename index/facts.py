"""Facts: every figure a document states, from its tables and its sentences, with provenance.

`extract_facts` parses the tables the chunker found (index/tables/), reconciles them (index/reconcile.py),
reads the figures of the narrative (index/narrative.py), links a narrative figure to the table fact it rounds
("$5.5 million" and 5,508,356) and records where the two disagree.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal

from index.chunking import TableSpan
from index.labels import normalize_label
from index.narrative import NarrativeFigure, figures_in
from index.periods import describe_period, fact_matches_period
from index.records import Fact, Passage
from index.reconcile import Check, balance_sheet_reconciles, reconcile
from index.synonyms import metric_of_label
from index.tables.classification import table_scale
from index.tables.model import ParsedTable
from index.tables.parsing import parse_table
from index.tables.rows import assign_columns, attach_groups, rows_from_lines
from index.tables.runs import statement_region

FACTS_VERSION = 15
"""The version of the fact extractor. Bump it when extraction changes: the next ingest then re-extracts the
facts of documents written by an older version (or before facts existed) from their stored text, without
re-embedding them."""

_STOP = {"and", "the", "of", "a", "an", "for", "to", "in", "on", "net", "total", "less"}


def fact_id(doc_id: str, ordinal: int) -> str:
    return f"{doc_id}-f{ordinal:05d}"


@dataclass
class FactReport:
    """What the parser found in one document (for benchmarks and the corpus report)."""

    facts: list[Fact] = field(default_factory=list)
    tables: list[ParsedTable] = field(default_factory=list)
    checks: list[list[Check]] = field(default_factory=list)
    seconds: float = 0.0  # time spent parsing (tables, reconciliation, narrative, links)

    def statement_tables(self) -> Counter:
        return Counter(table.statement for table in self.tables)

    def balance_sheets(self) -> list[bool | None]:
        return [balance_sheet_reconciles(table, checks) for table, checks in zip(self.tables, self.checks)
                if table.statement == "balance_sheet"]


def extract_facts(doc_id: str, text: str, tables: list[TableSpan], passages: list[Passage],
                  period_end: dt.date | None = None, duration: str | None = None) -> FactReport:
    started = time.perf_counter()
    report = FactReport()
    locate = _Locator(passages)
    tables = _rejoin_statements(text, tables, passages)
    parsed_tables: list[tuple[int, ParsedTable]] = []
    previous: tuple[TableSpan, ParsedTable] | None = None
    for table_id, span in enumerate(tables):
        parsed = parse_table(text[span.start:span.end], span.header_end - span.start, span.start, span.shape,
                             span.title, span.page)
        if parsed is None or not parsed.columns:
            continue
        # A statement broken across a page goes on without its title, sometimes repeating its column header.
        headless = span.title is None and (not any(column.year for column in parsed.columns) or (
            previous is not None and previous[1].statement != "other" and len(parsed.columns) == len(previous[1].columns)))
        if headless and previous is not None and _continues(text, previous[0], span):
            inherited = text[previous[0].start:previous[0].header_end]
            # (A statement printed several rows to a line goes on so on the next page.)
            shapes = ("runs", span.shape) if previous[1].shape == "runs" and span.shape == "lines" else (span.shape,)
            parsed = next((found for shape in shapes if (found := parse_table(
                text[span.start:span.end], span.header_end - span.start, span.start, shape, previous[1].title,
                span.page, inherited)) is not None and len(found.columns) == len(previous[1].columns)), parsed)
        else:
            inherited = None
        if inherited and previous is not None and len(parsed.columns) == len(previous[1].columns):
            # The rest of a statement broken across a page: one table, so its totals can be checked whole.
            previous[1].rows.extend(parsed.rows)
            previous[1].end = parsed.end
            previous = (span, previous[1])
            continue
        parsed_tables.append((table_id, parsed))
        previous = (span, parsed)
    _take_stray_rows(text, tables, parsed_tables, locate)
    _scale_from_captions(text, tables, parsed_tables)
    for table_id, parsed in parsed_tables:
        attach_groups(parsed.rows)
        report.checks.append(reconcile(parsed))
        report.tables.append(parsed)
        report.facts.extend(_table_facts(parsed, doc_id, table_id, locate))
    narrative = _narrative_facts(text, tables, passages, doc_id, locate, period_end, duration)
    _link(narrative, report.facts)
    report.facts.extend(narrative)
    for ordinal, fact in enumerate(report.facts):
        fact.id = fact_id(doc_id, ordinal)
    _resolve_links(report.facts)
    report.seconds = time.perf_counter() - started
    return report


def _rejoin_statements(text: str, tables: list[TableSpan], passages: list[Passage]) -> list[TableSpan]:
    """A statement printed several rows to a line (index/tables/runs.py) is cut by the chunker into pieces, or
    read as prose, where a line of rows looks like a sentence: it is read whole, from its title to its last row,
    in place of those pieces, when its columns are the periods its header names."""
    pages: dict[int, tuple[int, int]] = {}
    for passage in passages:
        if passage.page is not None:
            start, end = pages.get(passage.page, (passage.start, passage.end))
            pages[passage.page] = (min(start, passage.start), max(end, passage.end))
    rejoined = list(tables)
    for page, (start, end) in sorted(pages.items()):
        region = statement_region(text, start, end)
        if region is None:
            continue
        span = TableSpan(region.start, region.end, region.header_end, region.title, page, "runs")
        parsed = parse_table(text[span.start:span.end], span.header_end - span.start, span.start, span.shape,
                             span.title, page)
        if parsed is None or parsed.statement == "other" or any(column.year is None for column in parsed.columns):
            continue
        rejoined = [other for other in rejoined if other.end <= span.start or other.start >= span.end]
        rejoined.append(span)
    return sorted(rejoined, key=lambda span: span.start)


def _take_stray_rows(text: str, tables: list[TableSpan], parsed_tables: list[tuple[int, ParsedTable]],
                     locate: _Locator) -> None:
    """A statement whose last rows went to the top of the next page, alone ("Total liabilities and stockholders'
    equity $ 19,956 $ 20,850" before the next statement's title): too short to be a table of their own, they are
    the statement's, and its identities need them."""
    starts = sorted(span.start for span in tables)
    for table_id, parsed in parsed_tables:
        span = tables[table_id]
        if parsed.statement in ("other", "narrative") or span.page is None or parsed.end != span.end:
            continue
        following = [start for start in starts if start >= span.end]
        gap_end = min([*following, span.end + 600, len(text)])
        position = span.end
        rows = []
        for line in text[span.end:gap_end].split("\n"):
            line_start, position = position, position + len(line) + 1
            stripped = line.strip()
            if not stripped or re.fullmatch(r"(?:page\s+)?\d{1,3}|table of contents", stripped, re.I):
                continue  # page furniture between the pages
            found = rows_from_lines(line, line_start, html=False)
            passage = locate.find(line_start, line_start + len(line))
            if (len(found) != 1 or not found[0].label or len(found[0].numbers) != len(parsed.columns)
                    or passage is None or passage.page != span.page + 1):
                break
            rows.extend(found)
        if rows:
            assign_columns(rows, len(parsed.columns))
            parsed.rows.extend(rows)
            parsed.end = rows[-1].numbers[-1].end


# A caption stating a table's scale in the prose around it: "consisted of the following (in thousands):",
# "(dollars in millions)", "(amounts in table in millions)", "(shares in thousands, except per share data)".
_CAPTION = re.compile(r"\([^()]{0,80}?\b(?:thousands|millions|billions)\b[^()]{0,100}\)", re.I)
_CAPTION_REACH = 300
"""How far before a table its caption may end (the sentence introducing it, then the table)."""


def _scale_from_captions(text: str, tables: list[TableSpan], parsed_tables: list[tuple[int, ParsedTable]]) -> None:
    """A table that states no scale takes the one its caption states in the prose: the caption just before it,
    or, in a document of one table, the captions of its prose when they all agree (a table printed apart from
    the sentence that introduces it). Each of the money and share scales is taken only where the table has none."""
    if not parsed_tables:
        return
    regions = _outside_tables(len(text), tables)
    captions = [(match.start(), match.end(), table_scale(match.group())) for start, end in regions
                for match in _CAPTION.finditer(text, start, end)]
    captions = [(start, end, scales) for start, end, scales in captions if scales != (1, 1)]
    if not captions:
        return
    alone = len(parsed_tables) == 1
    for table_id, parsed in parsed_tables:
        if parsed.scale != 1 and parsed.share_scale != 1:
            continue
        span = tables[table_id]
        before = [scales for start, end, scales in captions if span.start - _CAPTION_REACH <= end <= span.start
                  and not any(span.start > other.end > end for other in tables)]
        if before:
            money, share = before[-1]
        elif alone:
            moneys = {scales[0] for _, _, scales in captions if scales[0] != 1}
            shares = {scales[1] for _, _, scales in captions if scales[1] != 1}
            money = moneys.pop() if len(moneys) == 1 else 1
            share = shares.pop() if len(shares) == 1 else 1
        else:
            continue
        if parsed.scale == 1 and money != 1:
            parsed.scale = money
        if parsed.share_scale == 1 and share != 1:
            parsed.share_scale = share


def _continues(text: str, before: TableSpan, span: TableSpan) -> bool:
    """A table at the top of the page after another table's page, with nothing but page furniture between:
    the same statement, broken across the page."""
    if before.page is None or span.page != before.page + 1:
        return False
    between = text[before.end:span.start]
    return len(between) < 400 and not re.search(r"[a-z]{3,}[.!?](?:\s|$)", between)


class _Locator:
    """Which passage holds a character span (the first that contains it), and its page."""

    def __init__(self, passages: list[Passage]):
        self.passages = sorted(passages, key=lambda passage: passage.start)
        self.starts = [passage.start for passage in self.passages]

    def find(self, start: int, end: int, kind: str | None = None) -> Passage | None:
        index = bisect.bisect_right(self.starts, start) - 1
        while index >= 0:
            passage = self.passages[index]
            if passage.start <= start and end <= passage.end and (kind is None or passage.kind == kind):
                return passage
            if start - passage.start > 20_000:
                break
            index -= 1
        return None


def _table_facts(table: ParsedTable, doc_id: str, table_id: int, locate: _Locator) -> list[Fact]:
    facts = []
    for row in table.data_rows:
        metric = metric_of_label(row.label)
        for position, number in enumerate(row.numbers):
            column_index = row.columns[position] if row.columns is not None else None
            column = table.columns[column_index] if column_index is not None else None
            passage = locate.find(number.start, number.end)
            cell_kind = table.kind_of_cell(row, position)
            facts.append(Fact(
                id="", doc_id=doc_id, source="table", statement=table.statement, table_title=table.title,
                table_id=table_id, label=row.label, label_norm=normalize_label(row.label), metric=metric,
                group=row.group, column=column_index, column_label=column.label if column else None,
                period=column.period if column else None, period_end=column.period_end if column else None,
                duration=column.duration if column else None, column_certain=row.columns is not None,
                raw=number.raw, value=number.value, scale=table.scale_of_kind(cell_kind),
                currency=table.currency if cell_kind in ("money", "per_share") else None, kind=cell_kind,
                decimals=number.decimals, passage_id=passage.id if passage else None,
                page=passage.page if passage else table.page, start=number.start, end=number.end,
                reconciled=row.reconciled, note=row.note,
            ))
    return facts


def _narrative_facts(text: str, tables: list[TableSpan], passages: list[Passage], doc_id: str, locate: _Locator,
                     period_end: dt.date | None, duration: str | None) -> list[Fact]:
    facts = []
    regions = _outside_tables(len(text), tables)
    for start, end in regions:
        for figure in figures_in(text, start, end, period_end, duration):
            passage = locate.find(figure.start, figure.end, "text") or locate.find(figure.start, figure.end)
            facts.append(_fact_of_figure(figure, doc_id, passage))
    return facts


def _outside_tables(length: int, tables: list[TableSpan]) -> list[tuple[int, int]]:
    regions = []
    position = 0
    for table in sorted(tables, key=lambda span: span.start):
        if table.start > position:
            regions.append((position, table.start))
        position = max(position, table.end)
    if position < length:
        regions.append((position, length))
    return regions


def _fact_of_figure(figure: NarrativeFigure, doc_id: str, passage: Passage | None) -> Fact:
    period = describe_period(figure.period_end, figure.duration) if figure.period_end else None
    return Fact(
        id="", doc_id=doc_id, source="text", statement="narrative", label=figure.label,
        label_norm=normalize_label(figure.label), metric=metric_of_label(figure.label), period=period,
        period_end=figure.period_end, duration=figure.duration, raw=figure.raw, value=figure.value,
        scale=figure.scale, currency="USD" if figure.kind in ("money", "per_share") else None, kind=figure.kind,
        decimals=figure.decimals, passage_id=passage.id if passage else None, page=passage.page if passage else None,
        start=figure.start, end=figure.end, sentence=figure.sentence,
    )


@lru_cache(maxsize=8192)
def _tokens(label: str) -> Counter:
    return Counter(word for word in re.findall(r"[a-z]+", normalize_label(label)) if word not in _STOP)


def _same_thing(narrative: Fact, table: Fact) -> bool:
    """Whether a sentence's label names the table row: the same metric, or the sentence's words are (nearly)
    all of the row's words."""
    if narrative.metric and narrative.metric == table.metric:
        return True
    words, row_words = _tokens(narrative.label), _tokens(table.label)
    if not words or not row_words:
        return False
    contained = all(row_words[word] >= count for word, count in words.items())
    return contained and sum(words.values()) >= 0.7 * sum(row_words.values())


def _rounds_to(narrative: Fact, table: Fact) -> bool:
    if narrative.value is None or table.amount is None:
        return False
    quantum = Decimal(1).scaleb(-narrative.decimals)
    stated = abs(narrative.value)
    printed = (abs(table.amount) / narrative.scale).quantize(quantum, rounding=ROUND_HALF_UP)
    return printed == stated


def _link(narrative: list[Fact], table_facts: list[Fact]) -> None:
    money = [table for table in table_facts if table.kind == "money" and table.value is not None]
    # Index the table facts by label word and by metric, so each sentence figure meets only plausible rows.
    by_word: dict[str, set[int]] = defaultdict(set)
    by_metric: dict[str, set[int]] = defaultdict(set)
    for index, table in enumerate(money):
        for word in _tokens(table.label):
            by_word[word].add(index)
        if table.metric:
            by_metric[table.metric].add(index)
    for fact in narrative:
        if fact.kind != "money":
            continue
        words = list(_tokens(fact.label))
        pool = set(by_metric.get(fact.metric, set())) if fact.metric else set()
        if words:
            shared = set.intersection(*(by_word.get(word, set()) for word in words))
            pool |= shared
        candidates = [money[index] for index in sorted(pool)
                      if (fact.period_end is None or money[index].period_end in (None, fact.period_end))
                      and (fact.duration in (None, money[index].duration) or money[index].duration is None)
                      and _same_thing(fact, money[index])]
        if not candidates:
            continue
        agreeing = [table for table in candidates if _rounds_to(fact, table)]
        if agreeing:
            fact.linked_fact = _pending(agreeing[0])
        else:
            other = candidates[0]
            fact.note = (f"disagrees with the table: {other.label} {other.raw}"
                         f"{' ' + other.period if other.period else ''} is not {fact.raw}")


def _pending(table: Fact) -> str:
    # Ids are given once all facts are known; hold the object until then.
    return f"@pending:{id(table)}"


def _resolve_links(facts: list[Fact]) -> None:
    by_object = {f"@pending:{id(fact)}": fact for fact in facts}
    for fact in facts:
        if fact.linked_fact and fact.linked_fact.startswith("@pending:"):
            target = by_object.get(fact.linked_fact)
            fact.linked_fact = target.id if target else None
            if target is not None and target.linked_fact is None:
                target.linked_fact = fact.id


# --- look-ups -------------------------------------------------------------------------------------------

class _PoolCatalog:
    """`Catalog.facts` over facts already in memory (same selection rules)."""

    def __init__(self, pool: list[Fact]):
        self.pool = pool

    def facts(self, doc_ids=None, metrics=None, label_like=None, fact_ids=None) -> list[Fact]:  # noqa: ANN001
        wanted = None if doc_ids is None else set(doc_ids)
        chosen = set(metrics or ())
        found = []
        for fact in self.pool:
            if wanted is not None and fact.doc_id not in wanted:
                continue
            if fact_ids is not None and fact.id not in fact_ids:
                continue
            if (chosen or label_like) and not (fact.metric in chosen or (label_like and label_like in fact.label_norm)):
                continue
            found.append(fact)
        return sorted(found, key=lambda fact: (fact.doc_id, fact.id))


def find_facts(catalog, doc_ids: list[str] | None = None, label: str | None = None,  # noqa: ANN001
               period: str | None = None, statement: str | None = None, pool: list[Fact] | None = None) -> list[Fact]:
    """Facts by document, label (synonym-aware: 'R&D', 'capex', 'revenue') and period. With `pool` (the facts of
    `doc_ids`, already loaded), the same selection is made in memory instead of in the catalog."""
    from index.synonyms import metric, metrics_in

    if pool is not None:
        catalog = _PoolCatalog(pool)

    metrics: list[str] = []
    like = None
    if label:
        metrics = metrics_in(label)
        if (own := metric_of_label(label)) and own not in metrics:
            metrics.append(own)
        like = normalize_label(label)
    facts = catalog.facts(doc_ids, metrics or None, like) if label else catalog.facts(doc_ids)
    if label and metrics:
        # A statement whose revenue is its only line under a "Revenue" header ("Healthcare services income").
        for key in metrics:
            under = metric(key).only_line_under
            if not under:
                continue
            covered = {fact.doc_id for fact in facts if fact.metric == key}
            candidates = [fact for fact in catalog.facts(doc_ids)
                          if fact.doc_id not in covered and fact.source == "table" and fact.statement == "income_statement"
                          and fact.group and normalize_label(fact.group) in under]
            by_table: dict[tuple[str, int | None], set[str]] = defaultdict(set)
            for fact in candidates:
                by_table[(fact.doc_id, fact.table_id)].add(fact.label)
            for fact in candidates:
                if len(by_table[(fact.doc_id, fact.table_id)]) == 1:
                    facts.append(fact.model_copy(update={"note": (fact.note + "; " if fact.note else "") +
                                                          f"the only line under '{fact.group}'", "metric": key}))
    if label:
        # The line the analyst names, when the document prints it: "Cash" is not "Restricted cash", "Total equity"
        # not "Total equity attributable to ...". Otherwise every line that mentions it.
        own = metric_of_label(label)
        exact = [fact for fact in facts if fact.label_norm == like or (own is not None and fact.metric == own)]
        starting = [fact for fact in facts if fact.label_norm.startswith(like + " ")]
        facts = exact or starting or facts
    if period:
        facts = [fact for fact in facts if fact_matches_period(fact, period)]
    if statement:
        facts = [fact for fact in facts if fact.statement == statement]
    return facts
