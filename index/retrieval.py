"""Hybrid retrieval: BM25, dense (Chroma) and statement-line candidates fused by reciprocal rank fusion, within the
filings the query is about.

`HybridRetriever` is an ordinary LangChain `BaseRetriever`; `search()` returns typed SearchHits for our own
front ends. Every hit is checked against the catalog, so only passages of complete documents come back.

How a search ranks, in order:
1. Scope (index/scope.py): the company, period and form the query names are resolved as answering resolves
   them. The company and form narrow the documents searched; the period keeps the filings that report it and
   prefers the filing of that period. A filter the caller passes wins over what the query says: the query's
   company is not resolved when the caller filters by company (likewise period and form), and anything resolved
   only narrows within the caller's documents.
2. Candidates: BM25 over the query with its line items spelled as filings print them (index/synonyms.py), the
   dense neighbours of the query, and, for a question asking for a figure, the passages whose table rows are the
   line items the query names (primary statements first): three ranked lists, fused by RRF.
3. Priors: a primary statement table (income statement, balance sheet, cash flow) gains as much as one more
   first place (a figure question is answered from the statements); a filing that is not of the period asked
   loses part of its score (`PERIOD_PREFERENCE`); for a figure question, each further passage of a page already
   ranked counts `REPEATED_PAGE` as much, so that the top hits cover several statements rather than the parts of
   one split table (a question asking for an explanation keeps a page's passages together: they are often the
   sentences that complete each other).
"""

from __future__ import annotations

import re

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LangChainDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.errors import QueryError
from index.keyword import PRIMARY_STATEMENTS
from index.periods import periods_in
from index.records import SearchFilters, SearchHit, doc_id_of
from index.scope import QueryScope, query_scope
from index.store import Store
from index.synonyms import expand_query, metrics_in

# How much of its score a filing keeps per unit of period fit it lacks: the filing of the period keeps all of it,
# a later filing printing the period as a comparative column (fit 0.6) keeps 80%.
PERIOD_PREFERENCE = 0.5
# A primary statement table's bonus for a figure question, in first places of one more ranked list.
STATEMENT_BONUS = 1.0
# The share of its score the second passage of a page keeps (the third keeps its square, ...).
REPEATED_PAGE = 0.5
# A question that asks for an explanation, a date, a name or a place is answered from prose, not from a
# statement's lines (as the rule-based backend reads it, assistant/rules/backend.py).
_PROSE = re.compile(r"\b(?:why|explain\w*|describe|discuss\w*|drove|drivers?|reasons?|caused?|factors?|"
                    r"according\s+to)\b|^\s*(?:when|who|where)\b", re.I)
_ASKS = re.compile(r"\s*(?:what|how|which)\b", re.I)
# What a question asking for a figure says besides a line item: a measure computed from the statements.
_MEASURE = re.compile(r"\b(?:how\s+much|how\s+many|ratio|margin|rate|per\s+share|eps|ebitda|cash\s+flows?|"
                      r"capex|return\s+on|turnover|percentage|growth|grew|increase|decrease|change)\b", re.I)


def reciprocal_rank_fusion(rankings: dict[str, list[str]], k: int = 60,
                           weights: dict[str, float] | None = None) -> dict[str, tuple[float, dict[str, int]]]:
    """Fuse ranked lists of ids: score = sum over lists of weight / (k + rank), rank starting at 1, weight 1 unless
    `weights` gives the list another."""
    fused: dict[str, tuple[float, dict[str, int]]] = {}
    for name, ids in rankings.items():
        weight = (weights or {}).get(name, 1.0)
        for rank, item in enumerate(ids, start=1):
            score, ranks = fused.get(item, (0.0, {}))
            fused[item] = (score + weight / (k + rank), {**ranks, name: rank})
    return fused


def asks_for_figure(query: str, items: list[str]) -> bool:
    """Whether a query asks for a figure the statements print rather than for an explanation or a fact of the
    prose: it names a measure, or a line item (`items`) as a question or with a period ("net income in 2022"; not
    "the sales agreement with the underwriter", whose "sales" is no line)."""
    if _PROSE.search(query):
        return False
    asked = bool(_ASKS.match(query)) or query.rstrip().endswith("?")
    return bool(_MEASURE.search(query)) or (bool(items) and (asked or bool(periods_in(query)[0])))


class HybridRetriever(BaseRetriever):
    """BM25 + dense + statement-line retrieval over the store, fused by RRF, within the query's scope and the
    caller's filters (see the module docstring)."""

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
        in_filters = list(documents.values()) if doc_ids is None else [documents[doc_id] for doc_id in doc_ids
                                                                       if doc_id in documents]
        scope = query_scope(query, in_filters, company=not (filters and filters.company),
                            period=not (filters and filters.period), form=not (filters and filters.form))
        if scope.doc_ids is not None:
            doc_ids = scope.doc_ids
        if doc_ids is None and store.catalog.unfinished():
            # Keep the dense candidates to complete documents while a crashed write awaits clean-up.
            doc_ids = list(documents)
        candidates = max(settings.search_candidates, k)
        allowed = None if doc_ids is None else {doc_id: documents[doc_id].passage_count for doc_id in doc_ids
                                                if doc_id in documents}
        allowed_ids = set(allowed) if allowed is not None else None
        keyword_hits = store.keyword.search(store.catalog, expand_query(query), candidates, allowed_ids)
        dense_hits = store.vectors.search(store.embeddings.embed_query(query), candidates, allowed)
        rankings = {"dense": [item for item, _ in dense_hits], "keyword": [item for item, _ in keyword_hits]}
        items = metrics_in(query)
        figure = asks_for_figure(query, items)
        lines: list[tuple[str, str | None]] = []
        if items and figure:
            lines = store.keyword.lines(store.catalog, items, allowed_ids)
            # Of two filings printing the line on their statements, the one of the period asked first.
            lines.sort(key=lambda line: (line[1] not in PRIMARY_STATEMENTS, -scope.weight(doc_id_of(line[0]))))
            lines = lines[:candidates]
            rankings["lines"] = [item for item, _ in lines]
        places = store.keyword.places(store.catalog, [item for ids in rankings.values() for item in ids])
        # The statement tables that print the line items asked; every statement table when none does (a measure
        # computed from them, "free cash flow") or the query names none the vocabulary knows ("current ratio").
        targets = {item for item, statement in lines if statement in PRIMARY_STATEMENTS}
        if figure and not targets:
            targets = {item for item, (_, statement) in places.items() if statement in PRIMARY_STATEMENTS}
        weights = {"dense": settings.resolved_dense_weight()}
        ranked = _ranked(reciprocal_rank_fusion(rankings, settings.rrf_k, weights), scope, targets, places, settings.rrf_k,
                         REPEATED_PAGE if figure else 1.0)
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


def _ranked(fused: dict[str, tuple[float, dict[str, int]]], scope: QueryScope, targets: set[str],
            places: dict[str, tuple[int | None, str | None]], rrf_k: int,
            repeated_page: float) -> list[tuple[str, tuple[float, dict[str, int]]]]:
    """The fused candidates with the priors of the module docstring applied (`targets`: the statement tables that
    gain the bonus; `repeated_page`: the share a page's further passages keep), best first."""
    bonus = STATEMENT_BONUS / (rrf_k + 1)
    scored = {}
    for item, (score, ranks) in fused.items():
        if item in targets:
            score += bonus
        score *= 1 - PERIOD_PREFERENCE * (1 - scope.weight(doc_id_of(item)))
        scored[item] = (score, ranks)
    ranked = []
    seen: dict[tuple[str, int], int] = {}
    for item, (score, ranks) in sorted(scored.items(), key=lambda entry: (-entry[1][0], entry[0])):
        page, _ = places.get(item, (None, None))
        if page is not None:  # text and HTML documents have no pages to repeat
            where = (doc_id_of(item), page)
            score *= repeated_page ** seen.get(where, 0)
            seen[where] = seen.get(where, 0) + 1
        ranked.append((item, (score, ranks)))
    return sorted(ranked, key=lambda entry: (-entry[1][0], entry[0]))


def to_langchain(hit: SearchHit) -> LangChainDocument:
    passage, document = hit.passage, hit.document
    metadata = {
        "passage_id": passage.id, "doc_id": passage.doc_id, "title": document.title, "company": document.company,
        "form": document.form, "period": document.period, "page": passage.page, "section": passage.section,
        "start": passage.start, "end": passage.end, "kind": passage.kind, "score": hit.score,
    }
    return LangChainDocument(id=passage.id, page_content=passage.text, metadata=metadata)
