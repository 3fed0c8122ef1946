"""BM25 keyword search over passages (bm25s), persisted next to Chroma and kept in step with the catalog, with
what the store's facts say of each passage: the statement its table prints and the line items it holds.

The index records the catalog generation it was built from (and the format it was built in). A search first
checks that generation and rebuilds (or reloads what another process built) when the catalog has moved on, so it
never returns a passage that no longer exists. Each build is written to a new folder and switched to by renaming
a pointer file.

`lines(metrics, doc_ids)` lists the passages whose table rows are those line items (index/synonyms.yaml metrics,
as the fact parser tagged them), the primary statements first: search ranks them as a list of its own, so that
"Apple's net income in fiscal 2022" finds the income statement even where its words are spread over a page.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.catalog import Catalog

_POINTER = "CURRENT"
# Bump when what a build holds changes: an index built in another format is rebuilt, not loaded.
FORMAT = 3
PRIMARY_STATEMENTS = ("income_statement", "balance_sheet", "cash_flow")


@dataclass
class _Loaded:
    generation: int
    passage_ids: list[str]
    doc_of_passage: np.ndarray  # index into doc_ids, per passage
    doc_ids: list[str]
    retriever: object | None  # bm25s.BM25, or None for an empty store
    pages: list[int | None]  # per passage, its page (None in text and HTML documents)
    statements: dict[int, str]  # passage index -> the statement most of its table facts are of
    line_items: dict[str, list[int]]  # metric -> passages whose table rows are that line item
    number_of: dict[str, int] | None = None  # passage id -> index, made on first use


class KeywordIndex:
    def __init__(self, directory: Path):
        self.directory = directory
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        self._stemmer = None

    # --- tokenizing -------------------------------------------------------------------------------------

    def _tokenize(self, texts: list[str]) -> list[list[str]]:
        import bm25s

        if self._stemmer is None:
            import Stemmer

            self._stemmer = Stemmer.Stemmer("english")
        tokenized = bm25s.tokenize(texts, stopwords="en", stemmer=self._stemmer, return_ids=False, show_progress=False)
        # Adjacent-word pairs (after stop words are dropped) make line items match as phrases:
        # "research and development expenses" scores the R&D row, not any row that says "expenses".
        return [tokens + [f"{first}_{second}" for first, second in zip(tokens, tokens[1:])] for tokens in tokenized]

    # --- building and loading ---------------------------------------------------------------------------

    def ensure_current(self, catalog: Catalog) -> _Loaded:
        generation = catalog.generation()
        with self._lock:
            if self._loaded is not None and self._loaded.generation == generation:
                return self._loaded
            loaded = self._load_from_disk()
            if loaded is None or loaded.generation != generation:
                loaded = self._build(catalog, generation)
            self._loaded = loaded
            return loaded

    def rebuild(self, catalog: Catalog) -> None:
        """Build now (after an ingest), so the next search does not pay for it."""
        self.ensure_current(catalog)

    def _load_from_disk(self) -> _Loaded | None:
        import bm25s

        pointer = self.directory / _POINTER
        try:
            name = pointer.read_text().strip()
            folder = self.directory / name
            meta = json.loads((folder / "passages.json").read_text())
        except (OSError, ValueError):
            return None
        if meta.get("format") != FORMAT:
            return None
        retriever = None
        if meta["passage_ids"]:
            try:
                retriever = bm25s.BM25.load(str(folder), mmap=False, show_progress=False)
            except (OSError, ValueError):
                return None
        statements = {int(number): name for number, name in meta["statements"].items()}  # JSON keys are text
        return _Loaded(meta["generation"], meta["passage_ids"], np.asarray(meta["doc_of_passage"], dtype=np.int32),
                       meta["doc_ids"], retriever, meta["pages"], statements, meta["line_items"])

    def _build(self, catalog: Catalog, generation: int) -> _Loaded:
        import bm25s

        passages = list(catalog.iter_passages())
        doc_ids = sorted({passage.doc_id for passage in passages})
        doc_index = {doc_id: number for number, doc_id in enumerate(doc_ids)}
        passage_ids = [passage.id for passage in passages]
        doc_of_passage = np.asarray([doc_index[passage.doc_id] for passage in passages], dtype=np.int32)
        retriever = None
        if passages:
            retriever = bm25s.BM25()
            retriever.index(self._tokenize([passage.keyword_text() for passage in passages]), show_progress=False)
        pages = [passage.page for passage in passages]
        statements, line_items = _table_lines(catalog, {passage_id: number
                                                        for number, passage_id in enumerate(passage_ids)})
        folder_name = f"gen-{generation}-{os.getpid()}"
        folder = self.directory / folder_name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        if retriever is not None:
            retriever.save(str(folder), show_progress=False)
        (folder / "passages.json").write_text(json.dumps({
            "format": FORMAT, "generation": generation, "passage_ids": passage_ids, "doc_ids": doc_ids,
            "doc_of_passage": doc_of_passage.tolist(), "pages": pages, "statements": statements,
            "line_items": line_items,
        }))
        temporary = self.directory / f"{_POINTER}.{os.getpid()}.tmp"
        temporary.write_text(folder_name)
        os.replace(temporary, self.directory / _POINTER)
        self._remove_old_builds(keep=folder_name)
        return _Loaded(generation, passage_ids, doc_of_passage, doc_ids, retriever, pages, statements, line_items)

    def _remove_old_builds(self, keep: str) -> None:
        for child in self.directory.glob("gen-*"):
            if child.name != keep:
                shutil.rmtree(child, ignore_errors=True)

    # --- searching --------------------------------------------------------------------------------------

    def search(self, catalog: Catalog, query: str, k: int, doc_ids: set[str] | None = None) -> list[tuple[str, float]]:
        """(passage id, BM25 score), best first; only passages with a positive score, of doc_ids when given."""
        loaded = self.ensure_current(catalog)
        if loaded.retriever is None or not loaded.passage_ids:
            return []
        tokens = self._tokenize([query])
        if not tokens or not tokens[0]:
            return []
        mask = None
        if doc_ids is not None:
            allowed = [number for number, doc_id in enumerate(loaded.doc_ids) if doc_id in doc_ids]
            if not allowed:
                return []
            mask = np.isin(loaded.doc_of_passage, allowed).astype(np.float32)
        k = min(k, len(loaded.passage_ids))
        results = loaded.retriever.retrieve(tokens, k=k, show_progress=False, weight_mask=mask, n_threads=0)
        hits = []
        for index, score in zip(results.documents[0], results.scores[0]):
            if score > 0:
                hits.append((loaded.passage_ids[int(index)], float(score)))
        return hits

    def lines(self, catalog: Catalog, metrics: list[str], doc_ids: set[str] | None = None) -> list[tuple[str, str | None]]:
        """(passage id, statement) of the passages whose table rows are these line items, of doc_ids when given:
        those of a primary statement first, then those holding more of the items, each in document order."""
        loaded = self.ensure_current(catalog)
        counts: dict[int, int] = {}
        for metric in metrics:
            for number in loaded.line_items.get(metric, ()):
                counts[number] = counts.get(number, 0) + 1
        if doc_ids is not None:
            allowed = {number for number, doc_id in enumerate(loaded.doc_ids) if doc_id in doc_ids}
            counts = {number: count for number, count in counts.items() if int(loaded.doc_of_passage[number]) in allowed}
        ranked = sorted(counts, key=lambda number: (loaded.statements.get(number) not in PRIMARY_STATEMENTS,
                                                    -counts[number], number))
        return [(loaded.passage_ids[number], loaded.statements.get(number)) for number in ranked]

    def places(self, catalog: Catalog, passage_ids: list[str]) -> dict[str, tuple[int | None, str | None]]:
        """Each of these passages' page (None in a document without pages) and the statement its table prints
        (None if it prints none)."""
        loaded = self.ensure_current(catalog)
        if loaded.number_of is None:
            loaded.number_of = {passage_id: number for number, passage_id in enumerate(loaded.passage_ids)}
        found = {}
        for passage_id in passage_ids:
            number = loaded.number_of.get(passage_id)
            if number is not None:
                found[passage_id] = (loaded.pages[number], loaded.statements.get(number))
        return found


def _table_lines(catalog: Catalog, number_of: dict[str, int]) -> tuple[dict[int, str], dict[str, list[int]]]:
    """Per passage, the statement most of its table facts are of; per metric, the passages printing that line."""
    votes: dict[int, dict[str, int]] = {}
    line_items: dict[str, set[int]] = {}
    for passage_id, statement, metric in catalog.table_fact_places():
        number = number_of.get(passage_id)
        if number is None:
            continue
        tally = votes.setdefault(number, {})
        tally[statement] = tally.get(statement, 0) + 1
        if metric:
            line_items.setdefault(metric, set()).add(number)
    statements = {number: max(tally, key=lambda name: (tally[name], name)) for number, tally in votes.items()}
    return statements, {metric: sorted(numbers) for metric, numbers in line_items.items()}
