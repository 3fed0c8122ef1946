"""List answers read off a table's structure: the row labels under the heading a question names ("the components
under deferred tax liabilities"), the rows a total line adds up ("the components of total revenue"), the rows of
the table the question names by its title, or its column headings ("the years / dates in the table").

Rows come in printed order, without total and subtotal lines (a row labelled "Total ...", or one whose figures are
the sum of the rows just above it in every column). The table is cited. When the question does not pick one
table or heading, the answer is a refusal naming the ones that could be meant; when nothing in the tables
matches, `answer_listing` returns None and the question is left to the other readers (a list may be in prose).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from assistant.citations import Evidence
from assistant.question.listing import ListRequest, asked_order
from assistant.question.query import Query
from assistant.rules.lines import Line, LineFinder, lines_of, words
from index.periods import MONTH_NAME, YEAR
from index.records import Answer, AnswerValue, Fact, Figure

# Words of a subject that say nothing about which heading or table ("the table's financial items").
_FRAME_WORDS = words("table tables financial item items component components listed shown line lines company "
                     "report reported reports have use used disclose disclosed different various main "
                     "considered calculation calculating calculated factored tabulate tabulated recorded "
                     "recognized recognised presented provided included include includes consist consists comprise "
                     "comprises made up")
_TOTAL_LABEL = re.compile(r"^\s*(?:sub-?\s*)?totals?\b", re.I)
# A caption or header line the table model read as a row: "($ in millions)", "(in thousands)".
_CAPTION = re.compile(r"^\s*\([^)]*\)\s*$|\bin\s+(?:thousands|millions|billions)\b", re.I)
_AROUND = 400  # characters before and after a table that introduce or explain it
_DATE = re.compile(rf"{MONTH_NAME}\s+\d{{1,2}},?\s+{YEAR}|\d{{1,2}}\s+{MONTH_NAME}\s+{YEAR}", re.I)


@dataclass
class _Block:
    """Rows a question may ask for: those under a heading, those a total line adds up, or a whole table's."""

    table: tuple[str, int]
    name: str
    kind: str  # "heading", "total" or "table"
    rows: list[Line] = field(default_factory=list)
    about: frozenset[str] = frozenset()  # for a whole table: the words of its title and the text around it


def answer_listing(request: ListRequest, query: Query, lines: LineFinder, evidence: Evidence,
                   mentions_table: bool) -> Answer | None:
    """The list `request` asks for, cited; a refusal when several tables or headings fit equally; None when no
    table of the documents fits (the list may be in the prose)."""
    tables = _tables(lines)
    if not tables:
        return None
    subject = words(request.subject) - _FRAME_WORDS - set().union(*(words(name) for name in query.companies))
    if request.target == "columns":
        return _columns(request, query, lines, evidence, tables, subject, mentions_table)
    blocks = [block for key, rows in tables.items() for block in _blocks(key, rows, lines)]
    named = _best_named(blocks, subject)
    if named is None and mentions_table:
        # A table named by its title or the text around it only when the question speaks of a table: "What does
        # services revenue comprise of?" is otherwise answered from the prose.
        named = _best_tables([block for block in blocks if block.kind == "table"], subject, request, mentions_table)
    if not named:
        return None
    distinct = {tuple(line.label for line in block.rows): block for block in named}
    if len(distinct) > 1:
        return _ambiguous(query, list(distinct.values()), lines)
    block = named[0]
    if block.kind == "table" and any(line.facts[0].group for line in block.rows):
        headings = list(dict.fromkeys((line.facts[0].group or "").strip(" :") for line in block.rows))
        return Answer(question=query.question, refused=True, text=(
            f"The table prints its rows under several headings ({'; '.join(h or 'no heading' for h in headings)}), "
            "and the question does not say which heading it means. Name the heading and ask again."))
    labels = [_printed_name(line.label) for line in block.rows]
    if len(labels) < 2 or (request.count is not None and len(labels) != request.count):
        return None
    marker = _cite_rows(block.rows, evidence)
    where = {"heading": f"under \u201c{block.name}\u201d", "total": f"adding up to \u201c{block.name}\u201d",
             "table": "as its rows"}[block.kind]
    if request.counting:
        # The count is of the rows cited, each named, so a reader can check it against the table.
        count = Decimal(len(labels))
        evidence.figures.append(Figure(expression=f"count({len(labels)} rows)", value=count, unit="number",
                                       display=str(len(labels)), derivation=f"{'; '.join(labels)}: {len(labels)} rows",
                                       facts=[line.facts[0] for line in block.rows]))
        text = f"The table lists {len(labels)} {request.noun} {where}: {'; '.join(labels)} [{marker}]."
        return Answer(question=query.question, text=text, citations=evidence.citations, figures=evidence.figures,
                      value=AnswerValue(number=count, unit="count"))
    text = f"The table lists {where}: {'; '.join(labels)} [{marker}]."
    return Answer(question=query.question, text=text, citations=evidence.citations, spans=labels)


# --- the tables and their blocks -------------------------------------------------------------------------------


def _printed_name(label: str) -> str:
    """A row's name without the footnote marker glued to it ("Incentive schemes1", "Other benefits (2)")."""
    return re.sub(r"(?<=[a-z])\d{1,2}$|\s*\(\d{1,2}\)$|\s*\*+$", "", label.strip()).strip()


def _tables(lines: LineFinder) -> dict[tuple[str, int], list[Line]]:
    facts = [fact for fact in lines.cache.facts_of(lines.doc_ids) if fact.source == "table" and fact.table_id is not None
             and fact.column is not None and not _CAPTION.search(fact.label)]  # header lines read as rows
    tables: dict[tuple[str, int], list[Line]] = {}
    for line in sorted(lines_of(facts), key=lambda line: line.facts[0].start):
        fact = line.facts[0]
        tables.setdefault((fact.doc_id, fact.table_id), []).append(line)
    return tables


def _blocks(key: tuple[str, int], rows: list[Line], lines: LineFinder) -> list[_Block]:
    blocks: list[_Block] = []
    # Rows under one heading (a group, or the label-only line over the table's first rows), up to its first total.
    run: list[Line] = []
    for index, line in enumerate(rows):
        if run and line.facts[0].group != run[0].facts[0].group:
            blocks.extend(_headed(key, run, rows, lines))
            run = []
        run.append(line)
    if run:
        blocks.extend(_headed(key, run, rows, lines))
    # Rows a total line adds up.
    for index, line in enumerate(rows):
        added = _added_by(line, rows[:index])
        if added:
            blocks.append(_Block(table=key, name=line.label, kind="total", rows=added))
    kept = [line for index, line in enumerate(rows) if not _is_total(line, rows[:index])]
    first = rows[0].facts[0]
    text = lines.cache.text(first.doc_id)
    start = min(fact.start for line in rows for fact in line.facts)
    end = max(fact.end for line in rows for fact in line.facts)
    about = words(" ".join([first.table_title or "", text[max(0, start - _AROUND):end + _AROUND],
                            *(line.label for line in rows)]))
    blocks.append(_Block(table=key, name=first.table_title or "", kind="table", rows=kept, about=about))
    return blocks


def _headed(key: tuple[str, int], run: list[Line], rows: list[Line], lines: LineFinder) -> list[_Block]:
    heading = (run[0].facts[0].group or lines.heading(run[0])).strip(" :")
    if not heading:
        return []
    start = rows.index(run[0])
    components: list[Line] = []
    for offset, line in enumerate(run):
        if _is_total(line, rows[:start + offset]) or words(heading) <= words(line.label):
            break
        components.append(line)
    return [_Block(table=key, name=heading, kind="heading", rows=components)] if components else []


def _is_total(line: Line, before: list[Line]) -> bool:
    return bool(_TOTAL_LABEL.match(line.label)) or bool(_added_by(line, before))


def _values(line: Line) -> dict[int, Decimal]:
    # Percentages and per-share figures do not add up to a total's: only amounts and counts are compared.
    return {fact.column: fact.value for fact in line.facts
            if fact.column is not None and fact.value is not None and fact.kind in ("money", "shares", "count")}


def _added_by(line: Line, before: list[Line]) -> list[Line]:
    """The rows just above `line` whose figures add up to its own in every column it prints (at least two rows),
    or, for a line labelled "Total ...", the rows since the previous total; [] when it is not a total."""
    own = _values(line)
    if own and any(own.values()):
        total: dict[int, Decimal] = {column: Decimal(0) for column in own}
        for count, other in enumerate(reversed(before), start=1):
            values = _values(other)
            if not set(values) & set(own):
                break
            for column in own:
                total[column] += values.get(column, Decimal(0))
            if count >= 2 and all(total[column] == own[column] for column in own):
                return before[len(before) - count:]
    if _TOTAL_LABEL.match(line.label):
        since: list[Line] = []
        for other in reversed(before):
            if _TOTAL_LABEL.match(other.label) or other.facts[0].group != line.facts[0].group:
                break
            since.insert(0, other)
        return since if len(since) >= 2 else []
    return []


# --- which block the question names ----------------------------------------------------------------------------


def _best_named(blocks: list[_Block], subject: frozenset[str]) -> list[_Block] | None:
    """The headings and total lines the question names in full, the most specific first; None when it names none."""
    if not subject:
        return None
    scored = []
    for block in blocks:
        if block.kind == "table" or not block.rows:
            continue
        name = words(re.sub(r"\([^)]*\)", " ", block.name)) - {"total"}
        rows = set().union(*(words(line.label) for line in block.rows))
        # "What does the cost of products revenue comprise of?" asks about a row ("Products") under "Cost of
        # revenue", not for the rows under it.
        # A subject word that neither the heading nor its table accounts for ("zorkmid liabilities") is a narrower
        # or other thing than the heading: not this block.
        context = set().union(*(words(line.facts[0].table_title or "") | words(line.facts[0].group or "")
                                for line in block.rows))
        if name and name <= subject and not (subject - name) & rows and not (subject - name) - context:
            scored.append((len(name), -len(subject - name), block))
    if not scored:
        return None
    best = max(score[:2] for score in scored)
    return [block for *score, block in scored if tuple(score) == best]


def _best_tables(tables: list[_Block], subject: frozenset[str], request: ListRequest,
                 mentions_table: bool) -> list[_Block]:
    """The tables whose title, rows and surrounding text share most of the subject's words; every table when
    the question names no subject but "the table" (one table in scope answers; several are ambiguous)."""
    if not subject:
        return tables if mentions_table else []
    scored = [(len(subject & table.about), table) for table in tables]
    best = max((score for score, _ in scored), default=0)
    if best * 2 < len(subject) or best == 0:
        return []
    return [table for score, table in scored if score == best]


def _ambiguous(query: Query, blocks: list[_Block], lines: LineFinder) -> Answer:
    names = []
    for block in blocks:
        document = lines.cache.document(block.table[0])
        name = block.name or (block.rows[0].label + " ..." if block.rows else "a table")
        where = f"\u201c{name}\u201d in {document.title}"
        if where not in names:
            names.append(where)
    return Answer(question=query.question, refused=True, text=(
        f"Several tables or headings could be meant: {'; '.join(names[:6])}"
        f"{' and others' if len(names) > 6 else ''}. Name the table or heading and ask again."))


# --- column headings -------------------------------------------------------------------------------------------


def _columns(request: ListRequest, query: Query, lines: LineFinder, evidence: Evidence,
             tables: dict[tuple[str, int], list[Line]], subject: frozenset[str], mentions_table: bool) -> Answer | None:
    blocks = [block for key, rows in tables.items() for block in _blocks(key, rows, lines) if block.kind == "table"]
    chosen = _best_tables(blocks, subject, request, mentions_table)
    if not chosen:
        return None
    if len(chosen) > 1:
        return _ambiguous(query, chosen, lines)
    rows = tables[chosen[0].table]
    facts = sorted((fact for line in rows for fact in line.facts if fact.column is not None),
                   key=lambda fact: (fact.column, fact.start))
    headings: dict[int, Fact] = {}
    for fact in facts:
        headings.setdefault(fact.column, fact)
    items: list[tuple[str, dt.date | int]] = []
    for fact in headings.values():
        label = " ".join((fact.column_label or "").split())
        if request.noun.endswith("years"):
            found = re.findall(rf"\b{YEAR}\b", label)
            if len(set(found)) != 1:
                return None  # a column of no year or of several: not a list of years
            item = found[0]
            order: dt.date | int = int(item)
        elif request.noun == "periods" and not re.search(rf"\b{YEAR}\b", label):
            return None  # "Thereafter", "Change": the periods may be rows; not read as the columns
        elif request.noun == "dates":
            date = _DATE.search(label)
            if not date or fact.period_end is None:
                return None
            item, order = date.group(0), fact.period_end
        else:
            if not label:
                return None
            item, order = label, fact.period_end or dt.date.min
        if all(item != other for other, _ in items):
            items.append((item, order))
    if len(items) < 2 or (request.count is not None and len(items) != request.count):
        return None
    if request.chronological:
        items.sort(key=lambda pair: pair[1] if isinstance(pair[1], dt.date) else dt.date(pair[1], 12, 31))
    spans = [item for item, _ in items]
    marker = _cite_rows(rows, evidence)
    return Answer(question=query.question, text=f"The table's columns are for {', '.join(spans)} [{marker}].",
                  citations=evidence.citations, spans=spans)


def _cite_rows(rows: list[Line], evidence: Evidence) -> int:
    """One citation for the table: from its first row's label to its last row's last figure."""
    facts = [fact for line in rows for fact in line.facts]
    first = min(facts, key=lambda fact: fact.start)
    last = max(facts, key=lambda fact: fact.end)
    text = evidence.cache.text(first.doc_id)
    start = text.rfind("\n", 0, first.start) + 1
    return evidence.cite_span(first.doc_id, start, last.end, first.passage_id, first.page)


# --- several values, "respectively" ----------------------------------------------------------------------------


def answer_respectively(query: Query, answer_for: Callable[[Query], Answer]) -> Answer:
    """ "What was X in 2019 and 2018 respectively?": every value asked, in the order asked (`answer_for` reads a
    query's figures); a refusal naming what is missing when any one of them is, never a partial list."""
    order = asked_order(query.question, query.periods) or list(query.periods)
    answer = answer_for(query.model_copy(update={"periods": order}))
    if answer.refused or len(answer.spans) == len(order):
        return answer
    return answer.model_copy(update={"refused": True, "value": None, "spans": [], "text": (
        f"The disclosures do not give every value asked ({', '.join(period.text or period.label for period in order)}"
        f"), so this is not an answer. What they print: {answer.text}")})
