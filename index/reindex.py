"""Re-embedding a store with the configured model: `disclosures reindex`.

The passages already in the catalog are embedded again, without reading the files; nothing else changes. The new
vectors go into a staging collection (`<collection>-reindex`, labelled with the new model) next to the live one, so
search keeps working on the old vectors while it runs. Once every passage of every complete document has a vector
there, the live collection is deleted, the staging one takes its name, and the documents' fingerprints are
updated in one transaction (so the next ingest does not re-process them).

A run that is killed resumes where it stopped: the staging collection keeps what was written (by passage id), and
only what is missing is embedded. A kill between the delete and the rename leaves only the staging collection,
complete, which the next run renames.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from index.errors import StoreError
from index.vectors import VectorIndex, make_client, model_label

STAGING_SUFFIX = "-reindex"


@dataclass
class ReindexReport:
    model: str
    previous_model: str | None
    documents: int
    passages: int
    embedded: int
    resumed: int
    seconds: float

    def to_json(self) -> dict:
        return {"model": self.model, "previous_model": self.previous_model, "documents": self.documents,
                "passages": self.passages, "embedded": self.embedded, "resumed": self.resumed,
                "seconds": round(self.seconds, 2),
                "passages_per_second": round(self.embedded / self.seconds, 1) if self.seconds else None}


def reindex(store, progress: bool = True, on_batch: Callable[[int, int], None] | None = None) -> ReindexReport:  # noqa: ANN001 - index.store.Store
    """Re-embed every passage of `store`'s complete documents with its configured model and backend, resumably.
    `on_batch(done, total)` is called after each batch is stored."""
    from index.store import require_documents

    require_documents(store)
    started = time.perf_counter()
    settings = store.settings
    name = settings.collection
    staging_name = f"{name}{STAGING_SUFFIX}"
    location = settings.chroma_url or str(store.data_dir / "chroma")
    label = model_label(store.model, settings.embedding_backend)
    with store.writing():
        client = make_client(settings.chroma_url, store.data_dir)
        existing = {collection.name if hasattr(collection, "name") else str(collection)
                    for collection in _call(client.list_collections, location)}
        previous = None
        if name in existing:
            previous = (_call(lambda: client.get_collection(name), location).metadata or {}).get("embedding_model")
        # The staging collection: a killed run's is kept when it holds this model's vectors, else started afresh.
        if staging_name in existing and not _staging_usable(client, staging_name, label, location):
            _call(lambda: client.delete_collection(staging_name), location)
        staging = VectorIndex(client, staging_name, store.embeddings, store.model, location, settings.embedding_backend)
        doc_ids = sorted(store.catalog.complete_ids())
        stored = set()
        for doc_id in doc_ids:
            stored.update(staging.ids_of(doc_id))
        passages = [passage for doc_id in doc_ids for passage in store.catalog.passages_of(doc_id)]
        missing = [passage for passage in passages if passage.id not in stored]
        resumed = len(passages) - len(missing)
        bar = _bar(len(passages), resumed) if progress else None
        embedded = 0
        batch_size = settings.embedding_batch_size * 8
        try:
            for start in range(0, len(missing), batch_size):
                count, _ = staging.write(missing[start:start + batch_size])
                embedded += count
                done = resumed + min(start + batch_size, len(missing))
                if bar is not None:
                    bar.update(min(batch_size, len(missing) - start))
                if on_batch is not None:
                    on_batch(done, len(passages))
        finally:
            if bar is not None:
                bar.close()
        # Vectors of passages no longer in the catalog (removed documents) are not carried over.
        stale = set(staging.collection.get(include=[])["ids"]) - {passage.id for passage in passages}
        staging.delete_ids(stale)
        _swap(client, name, staging_name, location)
        store.catalog.set_fingerprint(doc_ids, store.fingerprint)
        store.__dict__.pop("vectors", None)  # the store's handle pointed at the collection just deleted
    return ReindexReport(label, previous, len(doc_ids), len(passages), embedded, resumed,
                         time.perf_counter() - started)


def _staging_usable(client, staging_name: str, label: str, location: str) -> bool:  # noqa: ANN001
    collection = _call(lambda: client.get_collection(staging_name), location)
    return (collection.metadata or {}).get("embedding_model") == label


def _swap(client, name: str, staging_name: str, location: str) -> None:  # noqa: ANN001
    """The staging collection takes the live one's name. A killed run may have deleted the live one already; a
    reader may have created an empty one meanwhile, which goes too."""
    current = {collection.name if hasattr(collection, "name") else str(collection)
               for collection in _call(client.list_collections, location)}
    if name in current:
        _call(lambda: client.delete_collection(name), location)
    staging = _call(lambda: client.get_collection(staging_name), location)
    _call(lambda: staging.modify(name=name), location)


def _call(function, location: str):  # noqa: ANN001, ANN202
    try:
        return function()
    except StoreError:
        raise
    except Exception as exc:  # chromadb raises several types
        detail = (str(exc).splitlines() or [""])[0][:200]
        raise StoreError(f"Chroma at {location} failed during reindex: {type(exc).__name__}: {detail}") from exc


def _bar(total: int, initial: int):  # noqa: ANN202
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="passage", desc="reindex", file=sys.stderr, dynamic_ncols=True)
