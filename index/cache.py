"""What answering reads from the catalog, kept in memory until the catalog changes (its generation moves).

    cache = CatalogCache(store.catalog)
    cache.refresh()                      # at the start of each question: forget everything if the catalog changed
    cache.facts_of([doc_id]) ; cache.fact(fact_id) ; cache.text(doc_id) ; cache.document(doc_id) ; cache.passage(id)

A question reads the same documents' facts and text many times over (every line considered, every row quoted); the
catalog is SQLite, so reading each once per catalog generation is what keeps `ask` fast.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TypeVar

from index.catalog import Catalog
from index.records import Document, Fact, Passage

T = TypeVar("T")


class CatalogCache:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._generation: int | None = None
        self._texts: dict[str, str] = {}
        self._documents: dict[str, Document] = {}
        self._facts: dict[str, list[Fact]] = {}
        self._passages: dict[str, Passage | None] = {}
        self._ends: dict[str, tuple[list[int], list[object]]] = {}
        self._memo: dict[tuple, object] = {}

    def refresh(self) -> None:
        """Forget what was read if the catalog has changed since (a document added, replaced or removed)."""
        generation = self.catalog.generation()
        if generation != self._generation:
            self._generation = generation
            self._texts, self._documents, self._facts, self._passages, self._ends = {}, {}, {}, {}, {}
            self._memo = {}

    def facts_of(self, doc_ids: list[str]) -> list[Fact]:
        """Every fact of these documents, in document order."""
        missing = [doc_id for doc_id in doc_ids if doc_id not in self._facts]
        if missing:
            for doc_id in missing:
                self._facts[doc_id] = []
            for fact in self.catalog.facts(missing):
                self._facts[fact.doc_id].append(fact)
        return [fact for doc_id in doc_ids for fact in self._facts.get(doc_id, [])]

    def memo(self, key: tuple, compute: Callable[[], T]) -> T:
        """What `compute` gives, computed once per catalog generation for this key (a reading of the stored
        documents that many questions repeat)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]

    def table_end_before(self, doc_id: str, position: int, table_id: object) -> int | None:
        """Where the last fact before `position` that is not of table `table_id` ends (the end of the table or
        text before it), or None; from the document's fact ends, sorted once per catalog generation."""
        if doc_id not in self._ends:
            pairs = sorted((fact.end, fact.table_id) for fact in self.facts_of([doc_id]) if fact.end is not None)
            self._ends[doc_id] = ([end for end, _ in pairs], [table for _, table in pairs])
        ends, tables = self._ends[doc_id]
        index = bisect.bisect_right(ends, position) - 1
        while index >= 0 and tables[index] == table_id:
            index -= 1
        return ends[index] if index >= 0 else None

    def fact(self, fact_id: str) -> Fact | None:
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

    def passage(self, passage_id: str) -> Passage | None:
        if passage_id not in self._passages:
            self._passages[passage_id] = self.catalog.passages_by_id([passage_id]).get(passage_id)
        return self._passages[passage_id]
