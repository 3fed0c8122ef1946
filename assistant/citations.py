"""Citations: the one place an answer's evidence is gathered and numbered, for every backend.

    evidence = Evidence(cache)                    # one per answer (index/cache.py reads the catalog)
    n = evidence.cite_fact(fact)                  # the printed row (label through its last number), or the sentence
    n = evidence.cite_span(doc_id, start, end)    # any span of a document (a passage an LLM was shown)
    evidence.markers([fact_a, fact_b])            # " [1] [2]"
    evidence.citations, evidence.figures          # what the Answer carries

A citation's `quote` is always an exact substring of the document's text at `start:end`; a span inside one already
cited gets that citation's number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.cache import CatalogCache
from index.records import Citation, Fact, Figure


def line_key(fact: Fact) -> tuple:
    """Facts of one printed line share this key: a table row's label under its heading (Apple prints "Term debt"
    under current and under non-current liabilities: two lines), or a label in a document's sentences."""
    table = fact.source == "table"
    return (fact.doc_id, fact.source, fact.table_id if table else fact.label_norm, fact.label_norm,
            fact.group if table else None)


class Evidence:
    """The citations and computed figures of one answer."""

    def __init__(self, cache: CatalogCache):
        self.cache = cache
        self.citations: list[Citation] = []
        self.figures: list[Figure] = []

    def cite_span(self, doc_id: str, start: int, end: int, passage_id: str | None = None,
                  page: int | None = None) -> int:
        """The citation number of text[start:end] of a document (a new citation unless one already holds it)."""
        for citation in self.citations:
            if citation.doc_id == doc_id and citation.start <= start and end <= citation.end:
                return citation.n
        section = None
        if passage_id:
            passage = self.cache.passage(passage_id)
            if passage is not None:
                section, page = passage.section, passage.page if page is None else page
        citation = Citation(n=len(self.citations) + 1, doc_id=doc_id, title=self.cache.document(doc_id).title,
                            page=page, section=section, passage_id=passage_id,
                            quote=self.cache.text(doc_id)[start:end], start=start, end=end)
        self.citations.append(citation)
        return citation.n

    def cite_fact(self, fact: Fact) -> int:
        """The citation number of a fact's row (the row label through its last printed number) or sentence."""
        text = self.cache.text(fact.doc_id)
        if fact.source == "table":
            # The row: its label, then every number the row prints (the flattened text keeps a table on one line).
            row = self.row_facts(fact)
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
            start, end = sentence_span(text, fact.start, fact.end)
        return self.cite_span(fact.doc_id, start, end, fact.passage_id, fact.page)

    def row_facts(self, fact: Fact) -> list[Fact]:
        """The facts printed on the same table row as `fact` (its line, adjacent in the text)."""
        key = line_key(fact)
        ordered = sorted((other for other in self.cache.facts_of([fact.doc_id]) if line_key(other) == key),
                         key=lambda other: other.start)
        ids = [other.id for other in ordered]
        if fact.id not in ids:
            return [fact]
        row = [fact]
        text = self.cache.text(fact.doc_id)
        index = ids.index(fact.id)
        for step in (-1, 1):
            position = index + step
            previous = fact
            while 0 <= position < len(ordered):
                other = ordered[position]
                gap = text[min(previous.end, other.end):max(previous.start, other.start)]
                if other.table_id != fact.table_id or len(gap) > 4 or re.search(r"[A-Za-z]", gap):
                    break
                row.append(other)
                previous = other
                position += step
        return row

    def cite_linked(self, fact: Fact) -> str:
        """" [n]" for the sentence that states a table figure in words (its linked narrative fact), else ""."""
        if not fact.linked_fact:
            return ""
        found = self.cache.fact(fact.linked_fact)
        return "" if found is None else f" [{self.cite_fact(found)}]"

    def markers(self, facts: Iterable[Fact]) -> str:
        """" [1] [2]": the citation markers of these facts, each once, in order."""
        return "".join(f" [{n}]" for n in sorted({self.cite_fact(fact) for fact in facts}))


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
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
