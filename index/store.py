"""The store: catalog (SQLite), passage vectors (Chroma) and the BM25 index, opened once per process.

Writers (ingest, remove) hold a lock file in the data dir, so two of them never interleave; readers
(search, the UI) need no lock, because they only see complete documents.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from langchain_core.embeddings import Embeddings

from index.errors import NotFoundError, StoreError
from index.settings import Settings, StoreSettings
from index.catalog import Catalog
from index.embedding import get_embeddings
from index.keyword import KeywordIndex
from index.companies import company_matches
from index.forms import normalize_form
from index.periods import document_matches_period
from index.records import Document, SearchFilters
from index.vectors import VectorIndex, make_client, model_label

# Bump when chunking or fact parsing changes what a document yields: stored documents are re-processed.
PIPELINE_VERSION = "pipeline-2"

_stores: dict[tuple, "Store"] = {}
_stores_lock = threading.Lock()


def open_store(settings: Settings | StoreSettings) -> "Store":
    """The process-wide Store for these settings (one catalog connection, one Chroma client, one model)."""
    if isinstance(settings, Settings):
        settings = settings.store
    key = (str(settings.data_dir), settings.chroma_url, settings.collection, settings.resolved_embedding_model(),
           settings.embedding_backend, str(settings.resolved_models_dir()), settings.chunk_size, settings.chunk_overlap)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = Store(settings)
            _stores[key] = store
        return store


class Store:
    def __init__(self, settings: StoreSettings):
        self.settings = settings
        self.data_dir = settings.data_dir
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data dir {self.data_dir}: {exc.strerror or exc}") from None
        self.catalog = Catalog(self.data_dir / "catalog.sqlite3")
        self.keyword = KeywordIndex(self.data_dir / "bm25")
        self.model = settings.resolved_embedding_model()

    @property
    def embeddings(self) -> Embeddings:
        return get_embeddings(self.model, self.settings.embedding_device, self.settings.embedding_batch_size,
                              self.settings.embedding_backend, self.settings.resolved_models_dir())

    @cached_property
    def vectors(self) -> VectorIndex:
        client = make_client(self.settings.chroma_url, self.data_dir)
        location = self.settings.chroma_url or str(self.data_dir / "chroma")
        return VectorIndex(client, self.settings.collection, self.embeddings, self.model, location,
                           self.settings.embedding_backend)

    @property
    def fingerprint(self) -> str:
        """What a document's passages depend on besides its content: re-ingest when this changes."""
        label = model_label(self.model, self.settings.embedding_backend)
        return f"{PIPELINE_VERSION}|{self.settings.chunk_size}|{self.settings.chunk_overlap}|{label}"

    # --- writing ----------------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        lock_path = self.data_dir / "write.lock"
        with open(lock_path, "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(
                    f"another ingest or remove is writing to {self.data_dir}; wait for it to finish"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def drop(self, doc_ids: list[str]) -> None:
        """Remove documents everywhere: marked first, so an interruption leaves them invisible and resumable.
        Call while holding `writing()`."""
        if doc_ids:
            self.catalog.mark_removing(doc_ids)
            self.vectors.delete_documents(doc_ids)
            self.catalog.delete(doc_ids)

    def drop_unfinished(self, status: str) -> list[str]:
        """Finish what an interrupted run left 'removing', or drop what it left 'writing'."""
        doc_ids = [doc_id for doc_id, state in self.catalog.unfinished() if state == status]
        self.drop(doc_ids)
        return doc_ids

    def remove(self, reference: str) -> Document:
        with self.writing():
            document = self.catalog.resolve(reference)
            self.drop([document.id])
            self.keyword.rebuild(self.catalog)
        return document

    # --- reading ----------------------------------------------------------------------------------------

    def documents(self) -> list[Document]:
        return self.catalog.documents()

    def filter_doc_ids(self, filters: SearchFilters | None) -> list[str] | None:
        """The complete documents a search may use; None when no filter applies and all documents are complete."""
        if filters is None or filters.is_empty():
            return None
        documents = self.catalog.documents()
        if filters.docs:
            wanted = {self.catalog.resolve(reference).id for reference in filters.docs}
            documents = [doc for doc in documents if doc.id in wanted]
        if filters.company:
            documents = [doc for doc in documents if company_matches(doc, filters.company)]
        if filters.form:
            form = normalize_form(filters.form).lower()
            documents = [doc for doc in documents if (doc.form or "").lower() == form]
        if filters.period:
            documents = [doc for doc in documents if document_matches_period(doc, filters.period)]
        return [doc.id for doc in documents]

    def describe_filters(self, filters: SearchFilters) -> str:
        parts = [f"{name}={value}" for name, value in filters.model_dump(exclude_none=True).items()]
        return ", ".join(parts)


def require_documents(store: Store) -> None:
    if not store.catalog.complete_ids():
        raise NotFoundError(f"no documents in {store.data_dir}; ingest some first: disclosures ingest PATH")
