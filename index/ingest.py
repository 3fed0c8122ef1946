"""Ingestion: files and folders in, complete documents out, idempotently.

- An unchanged file adds nothing (its id is its content hash).
- A changed file (same path, new content) is written in full first, then its old version is removed,
  so search always sees exactly one complete version and no orphans are left.
- A document becomes visible only when all its passages are written. A run killed mid-way leaves an
  invisible 'writing' document; the next run finishes it (re-using the vectors already written) or drops it.
- A bad file gets a one-line error naming it; the rest of the batch goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.errors import DisclosuresError, IngestError
from index.chunking import Chunker
from index.facts import FACTS_VERSION, FactReport, extract_facts
from index.loading import SUPPORTED_SUFFIXES, LoadedFile, load_file
from index.metadata import infer_meta
from index.periods import duration_of_label
from index.preparation import PrepareOptions, Prepared, build_passages, exit_with_parent, parse, prepare
from index.records import Document, DocumentMeta
from index.store import Store

# From this many files on, the next files are prepared (loaded, chunked, their facts read) in a second process
# while the current one is embedded and written; below it, starting that process costs more than it saves.
PREPARE_AHEAD_MIN_FILES = 3
# How many files the preparing process may run ahead (each prepared file waits in memory).
PREPARE_AHEAD = 2


@dataclass
class IngestOutcome:
    path: str
    status: str  # added | replaced | unchanged | updated | failed
    doc_id: str | None = None
    title: str | None = None
    pages: int | None = None
    passages: int = 0
    embedded: int = 0
    facts: int = 0
    error: str | None = None


@dataclass
class IngestReport:
    outcomes: list[IngestOutcome] = field(default_factory=list)
    seconds: float = 0.0
    load_seconds: float = 0.0
    embed_seconds: float = 0.0
    fact_seconds: float = 0.0
    recovered: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[IngestOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "failed"]

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def pages(self) -> int:
        return sum(outcome.pages or 0 for outcome in self.outcomes if outcome.status in ("added", "replaced"))

    @property
    def passages(self) -> int:
        return sum(outcome.passages for outcome in self.outcomes if outcome.status in ("added", "replaced"))

    @property
    def embedded(self) -> int:
        return sum(outcome.embedded for outcome in self.outcomes)

    def summary(self) -> dict:
        seconds = max(self.seconds, 1e-9)
        return {
            "files": len(self.outcomes),
            "added": self.count("added"),
            "replaced": self.count("replaced"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "failed": self.count("failed"),
            "pages": self.pages,
            "passages": self.passages,
            "embedded": self.embedded,
            "facts": sum(outcome.facts for outcome in self.outcomes if outcome.status in ("added", "replaced")),
            "seconds": round(self.seconds, 2),
            "fact_seconds": round(self.fact_seconds, 2),
            "pages_per_second": round(self.pages / self.load_seconds, 1) if self.load_seconds else None,
            "passages_per_second": round(self.passages / seconds, 1),
            "embedded_per_second": round(self.embedded / self.embed_seconds, 1) if self.embed_seconds else None,
        }

    def to_json(self) -> dict:
        return {"summary": self.summary(), "documents": [asdict(outcome) for outcome in self.outcomes],
                "recovered": self.recovered}


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[IngestOutcome]]:
    """Files to ingest, recursively; a named path that is missing or unsupported becomes a failure outcome."""
    files: list[Path] = []
    problems: list[IngestOutcome] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(
                child for child in path.rglob("*")
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in child.relative_to(path).parts)
            )
            if not found:
                problems.append(IngestOutcome(str(path), "failed", error=f"{path}: no supported files in folder (looked for {', '.join(sorted(SUPPORTED_SUFFIXES))})"))
            candidates = found
        elif path.exists():
            candidates = [path]
        else:
            problems.append(IngestOutcome(str(path), "failed", error=f"{path}: no such file or folder"))
            continue
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(candidate)
    return files, problems


class Ingestor:
    def __init__(self, store: Store, overrides: DocumentMeta | None = None, progress: bool = True):
        self.store = store
        self.overrides = overrides
        self.progress = progress
        self.chunker = Chunker(store.settings.chunk_size, store.settings.chunk_overlap)
        self.max_bytes = int(store.settings.max_file_mb * 1_000_000)
        self._started = time.perf_counter()

    def ingest(self, paths: Sequence[Path]) -> IngestReport:
        report = IngestReport()
        started = self._started = time.perf_counter()
        files, problems = expand_paths(paths)
        report.outcomes.extend(problems)
        with self.store.writing():
            # Vectors of another model or backend are refused here, before any document is touched: found in the
            # middle of a file, the refusal would leave it unfinished, and the clean-up below would drop it.
            self.store.vectors  # noqa: B018 - opening the collection checks its model
            report.recovered = self.store.drop_unfinished("removing")
            bar = self._bar(len(files))
            try:
                for path, prepared in self._prepared(files):
                    try:
                        outcome = self._ingest_file(path, prepared(), report, bar)
                    except IngestError as exc:
                        outcome = IngestOutcome(str(path), "failed", error=str(exc))
                    except DisclosuresError as exc:
                        outcome = IngestOutcome(str(path), "failed", error=f"{path}: {exc}")
                    report.outcomes.append(outcome)
                    if bar is not None:
                        bar.update(1)
                        self._postfix(bar, report, started)
            finally:
                if bar is not None:
                    bar.close()
            report.recovered += self.store.drop_unfinished("writing")
            self.store.keyword.rebuild(self.store.catalog)
        report.seconds = time.perf_counter() - started
        return report

    def _prepared(self, files: list[Path]) -> Iterator[tuple[Path, Callable[[], Prepared]]]:
        """Each file with a call that gives it prepared. With enough files, a second process prepares up to
        PREPARE_AHEAD files ahead of the one being written; a failure there is raised by the call, as it would be
        in this process, and a preparing process that dies (out of memory, killed) is replaced by this one."""
        options = PrepareOptions(self.max_bytes, self.store.settings.chunk_size, self.store.settings.chunk_overlap,
                                 self.overrides)
        current = frozenset(self.store.catalog.current_ids(self.store.fingerprint, FACTS_VERSION))
        if len(files) < PREPARE_AHEAD_MIN_FILES:
            for path in files:
                yield path, lambda path=path: prepare(path, options, current)
            return
        # spawn, not fork: this process holds the model's and Chroma's threads, which a fork would copy mid-state.
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=exit_with_parent, initargs=(os.getpid(),))
        pending: deque[tuple[Path, Future | None]] = deque()
        broken = False
        try:
            for path in files:
                future = None
                if not broken:
                    try:
                        future = pool.submit(prepare, path, options, current)
                    except BrokenProcessPool:  # it died (or could not start: a script without a __main__ guard)
                        broken = True
                pending.append((path, future))
                if len(pending) > PREPARE_AHEAD:
                    yield self._waited(*pending.popleft(), options, current)
            while pending:
                yield self._waited(*pending.popleft(), options, current)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def _waited(path: Path, future: Future | None, options: PrepareOptions,
                current: frozenset[str]) -> tuple[Path, Callable[[], Prepared]]:
        def result() -> Prepared:
            if future is not None:
                try:
                    return future.result()
                except BrokenProcessPool:
                    pass
            return prepare(path, options, current)
        return path, result

    def _bar(self, total: int):
        if not self.progress or total == 0:
            return None
        from tqdm import tqdm

        return tqdm(total=total, unit="doc", desc="ingest", file=sys.stderr, dynamic_ncols=True, leave=True)

    def _postfix(self, bar, report: IngestReport, started: float, extra: int = 0) -> None:  # noqa: ANN001
        elapsed = max(time.perf_counter() - started, 1e-9)
        passages = report.passages + extra
        bar.set_postfix_str(f"pages={report.pages} passages={passages} {passages / elapsed:.1f} passages/s", refresh=True)

    def _ingest_file(self, path: Path, prepared: Prepared, report: IngestReport, bar) -> IngestOutcome:  # noqa: ANN001
        store = self.store
        catalog = store.catalog
        loaded, meta = prepared.loaded, prepared.meta
        source = str(path.resolve())
        document = Document(
            id=prepared.doc_id,
            source_path=source,
            content_hash=loaded.content_hash,
            page_count=loaded.page_count,
            char_count=len(loaded.text),
            **{**meta.model_dump(), "title": meta.title or path.stem},
        )
        report.load_seconds += prepared.load_seconds
        older = [doc_id for doc_id in catalog.ids_by_source(source) if doc_id != document.id]
        state = catalog.state_of(document.id)
        if state == ("complete", store.fingerprint):
            existing = catalog.document(document.id)
            status = "unchanged"
            if existing is not None and _meta_changed(existing, document):
                catalog.update_metadata(document.model_copy(update={"source_path": existing.source_path}))
                status = "updated"
            fact_count = None
            if catalog.facts_version(document.id) < FACTS_VERSION:
                fact_count = self._refresh_facts(document, loaded, report)
                if fact_count is None:  # the stored text differs from today's loader: write it afresh
                    state = None
                else:
                    status = "updated"
            if state is not None:
                store.drop(older)
                return IngestOutcome(str(path), status, document.id, document.title, loaded.page_count,
                                     existing.passage_count if existing else 0, facts=fact_count or 0)

        if prepared.passages is None:  # it was current when the run started, and is not any more
            prepared.passages, prepared.facts, prepared.fact_seconds = parse(document.id, loaded, meta, self.chunker)
        passages, facts = prepared.passages, prepared.facts
        report.fact_seconds += prepared.fact_seconds
        catalog.begin(document, store.fingerprint)
        embedded = 0
        # Groups of several model batches: the model sorts each group by length, so less padding is computed.
        batch_size = store.settings.embedding_batch_size * 8
        for start in range(0, len(passages), batch_size):
            count, seconds = store.vectors.write(passages[start:start + batch_size])
            embedded += count
            report.embed_seconds += seconds
            if bar is not None:
                self._postfix(bar, report, self._started, extra=min(start + batch_size, len(passages)))
        catalog.complete(document, passages, loaded.text, loaded.pages, superseded=older, facts=facts,
                         facts_version=FACTS_VERSION)
        # Vectors of an earlier, differently chunked version of this same content, or of a killed run.
        store.vectors.delete_ids(set(store.vectors.ids_of(document.id)) - {passage.id for passage in passages})
        store.drop(older)
        return IngestOutcome(str(path), "replaced" if older else "added", document.id, document.title,
                             loaded.page_count, len(passages), embedded, facts=len(facts))


    def _refresh_facts(self, document: Document, loaded: LoadedFile, report: IngestReport) -> int | None:
        """Re-extract the facts of a stored document whose facts an older extractor wrote, against its stored
        passages (so every fact keeps pointing at a passage that exists). None when the stored text is not what
        the loader gives today, so the document must be written afresh."""
        catalog = self.store.catalog
        if catalog.document_text(document.id) != loaded.text:
            return None
        started = time.perf_counter()
        _, tables = self.chunker.layout(loaded)
        facts = extract_facts(document.id, loaded.text, tables, catalog.passages_of(document.id), document.period_end,
                              duration_of_label(document.period)).facts
        report.fact_seconds += time.perf_counter() - started
        catalog.replace_facts(document.id, facts, FACTS_VERSION)
        return len(facts)


def read_facts(path: Path, max_bytes: int = 10**9, chunker: Chunker | None = None) -> tuple[LoadedFile, FactReport]:
    """The facts of one file exactly as ingest finds them, without embedding or storing anything
    (for the corpus report, the benchmarks and the tests)."""
    loaded = load_file(path, max_bytes)
    meta = infer_meta(path, loaded.text, loaded.title)
    drafts, tables = (chunker or Chunker()).layout(loaded)
    doc_id = loaded.content_hash[:16]
    passages = build_passages(doc_id, loaded, drafts)
    return loaded, extract_facts(doc_id, loaded.text, tables, passages, meta.period_end, duration_of_label(meta.period))


def _meta_changed(existing: Document, new: Document) -> bool:
    fields = ("title", "company", "ticker", "form", "period", "period_end", "filing_date")
    return any(getattr(existing, name) != getattr(new, name) for name in fields)
