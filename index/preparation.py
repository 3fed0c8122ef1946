"""Preparing a file for the store: load, chunk and read its facts, everything ingest does before the model and the
writes. It needs nothing of the store, so ingest runs it for the next files in a second process while it embeds and
writes the current one (two cores: the parsing and the writing overlap).

    prepared = prepare(path, PrepareOptions(max_bytes, chunk_size, chunk_overlap), current={doc ids})

A file whose document is already stored as it would be written today (`current`) is only loaded: its passages and
facts are not needed.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from index.boilerplate import passage_kind
from index.chunking import Chunker, PassageDraft
from index.facts import extract_facts
from index.loading import LoadedFile, load_file
from index.metadata import infer_meta
from index.periods import duration_of_label
from index.records import DocumentMeta, Fact, Passage, passage_id


@dataclass(frozen=True)
class PrepareOptions:
    max_bytes: int
    chunk_size: int
    chunk_overlap: int
    overrides: DocumentMeta | None = None


@dataclass
class Prepared:
    loaded: LoadedFile
    meta: DocumentMeta
    load_seconds: float
    passages: list[Passage] | None = None  # None when the document was current (not parsed)
    facts: list[Fact] | None = None
    fact_seconds: float = 0.0

    @property
    def doc_id(self) -> str:
        return doc_id_of_hash(self.loaded.content_hash)


def exit_with_parent(parent: int) -> None:
    """In the preparing process: exit when the ingest that started it is gone (killed, even with SIGKILL), instead
    of waiting forever for work that will not come."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def doc_id_of_hash(content_hash: str) -> str:
    """A document's id: the start of its content hash."""
    return content_hash[:16]


def prepare(path: Path, options: PrepareOptions, current: frozenset[str] = frozenset()) -> Prepared:
    """Load `path`; unless its document id is in `current`, also chunk it and read its facts."""
    started = time.perf_counter()
    loaded = load_file(path, options.max_bytes)
    meta = infer_meta(path, loaded.text, loaded.title, options.overrides)
    prepared = Prepared(loaded, meta, time.perf_counter() - started)
    if prepared.doc_id not in current:
        prepared.passages, prepared.facts, prepared.fact_seconds = parse(
            prepared.doc_id, loaded, meta, Chunker(options.chunk_size, options.chunk_overlap))
    return prepared


def parse(doc_id: str, loaded: LoadedFile, meta: DocumentMeta, chunker: Chunker) -> tuple[list[Passage], list[Fact], float]:
    """The passages and facts of a loaded document, and the seconds the fact parser took."""
    drafts, tables = chunker.layout(loaded)
    passages = build_passages(doc_id, loaded, drafts)
    started = time.perf_counter()
    facts = extract_facts(doc_id, loaded.text, tables, passages, meta.period_end, duration_of_label(meta.period)).facts
    return passages, facts, time.perf_counter() - started


def build_passages(doc_id: str, loaded: LoadedFile, drafts: list[PassageDraft]) -> list[Passage]:
    """The passages of a document from the chunker's drafts, each with its text, span and header, and marked when
    it is boilerplate."""
    text = loaded.text
    return [
        Passage(
            id=passage_id(doc_id, ordinal), doc_id=doc_id, ordinal=ordinal, kind=draft.kind, page=draft.page,
            section=draft.section, start=draft.start, end=draft.end, text=text[draft.start:draft.end],
            header=text[draft.header_start:draft.header_end] if draft.header_start is not None else None,
            header_start=draft.header_start, header_end=draft.header_end,
            boilerplate=passage_kind(draft.section, text[draft.start:draft.end]),
        )
        for ordinal, draft in enumerate(drafts)
    ]
