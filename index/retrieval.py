"""Hybrid retrieval: BM25 and dense (Chroma) candidates fused by reciprocal rank fusion.

`HybridRetriever` is an ordinary LangChain `BaseRetriever`; `search()` returns typed SearchHits for our own
front ends. Every hit is checked against the catalog, so only passages of complete documents come back.
"""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LangChainDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.errors import QueryError
from index.records import SearchFilters, SearchHit
from index.store import Store
from index.synonyms import expand_query


def reciprocal_rank_fusion(rankings: dict[str, list[str]], k: int = 60) -> dict[str, tuple[float, dict[str, int]]]:
    """Fuse ranked lists of ids: score = sum over lists of 1 / (k + rank), rank starting at 1."""
    fused: dict[str, tuple[float, dict[str, int]]] = {}
    for name, ids in rankings.items():
        for rank, item in enumerate(ids, start=1):
            score, ranks = fused.get(item, (0.0, {}))
            fused[item] = (score + 1.0 / (k + rank), {**ranks, name: rank})
    return fused


class HybridRetriever(BaseRetriever):
    """BM25 + dense retrieval over the store, fused by RRF, with optional filters."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    k: int = 5
    filters: SearchFilters | None = None

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> list[SearchHit]:
        query = query.strip()
        if not query:
            raise QueryError("empty query: type some words to search for")
        k = k or self.k
        filters = filters if filters is not None else self.filters
        store = self.store
        settings = store.settings
        documents = {document.id: document for document in store.catalog.documents()}
        doc_ids = store.filter_doc_ids(filters)
        if doc_ids is not None and not doc_ids:
            return []
        if doc_ids is None and store.catalog.unfinished():
            # Keep the dense candidates to complete documents while a crashed write awaits clean-up.
            doc_ids = list(documents)
        candidates = max(settings.search_candidates, k)
        allowed = None if doc_ids is None else {doc_id: documents[doc_id].passage_count for doc_id in doc_ids if doc_id in documents}
        keyword_hits = store.keyword.search(store.catalog, expand_query(query), candidates, set(allowed) if allowed is not None else None)
        dense_hits = store.vectors.search(store.embeddings.embed_query(query), candidates, allowed)
        fused = reciprocal_rank_fusion(
            {"dense": [item for item, _ in dense_hits], "keyword": [item for item, _ in keyword_hits]}, settings.rrf_k
        )
        ranked = sorted(fused.items(), key=lambda item: (-item[1][0], item[0]))
        # Hydrate more than k: a candidate may belong to a document removed since the indexes were read.
        passages = store.catalog.passages_by_id([item for item, _ in ranked[: k * 3]])
        hits: list[SearchHit] = []
        for item, (score, ranks) in ranked:
            passage = passages.get(item)
            if passage is None or passage.doc_id not in documents:
                continue
            hits.append(SearchHit(passage=passage, document=documents[passage.doc_id], score=round(score, 6),
                                  dense_rank=ranks.get("dense"), keyword_rank=ranks.get("keyword")))
            if len(hits) == k:
                break
        return hits

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LangChainDocument]:
        return [to_langchain(hit) for hit in self.search(query)]


def to_langchain(hit: SearchHit) -> LangChainDocument:
    passage, document = hit.passage, hit.document
    metadata = {
        "passage_id": passage.id, "doc_id": passage.doc_id, "title": document.title, "company": document.company,
        "form": document.form, "period": document.period, "page": passage.page, "section": passage.section,
        "start": passage.start, "end": passage.end, "kind": passage.kind, "score": hit.score,
    }
    return LangChainDocument(id=passage.id, page_content=passage.text, metadata=metadata)
