"""Hybrid retrieval over the seed: ten analyst questions must find the passages that answer them."""

import pytest
from conftest import SEED
from langchain_core.retrievers import BaseRetriever

from index.errors import NotFoundError, QueryError
from index.ingest import Ingestor
from index.records import DocumentMeta, SearchFilters
from index.retrieval import HybridRetriever, reciprocal_rank_fusion

# (question, text the answering passage contains, how many hits may be looked at)
SEED_QUESTIONS = [
    ("How much did R&D grow in the first half of 2021?", "Research and development expenses were $5.5 million", 3),
    ("research and development expenses six months ended June 30, 2021", "Research and development expenses (5,508,356 (4,315,033", 3),
    ("What was the net loss for the six months ended June 30, 2021?", "reported a net loss of $17.1 million", 3),
    ("general and administrative fees", "General and administrative fees were $2.6 million", 2),
    ("How much cash and restricted cash did Aptorum have at June 30, 2021?", "cash and restricted cash totalled approximately $20.1 million", 3),
    ("total current assets on the balance sheet", "Total current assets 21,918,114 33,656,815", 3),
    ("accumulated deficit", "Accumulated deficit (46,570,550 (30,489,126", 3),
    ("net loss per share basic and diluted", "Net loss per share basic and diluted (0.47 (0.21", 3),
    ("Which program started a Phase 1 clinical study in Canada?", "ALS-4 program", 3),
    ("sales agreement with H.C. Wainwright at the market offering", "Sales Agreement with H.C. Wainwright", 3),
]


@pytest.mark.parametrize(("question", "evidence", "k"), SEED_QUESTIONS, ids=[question for question, _, _ in SEED_QUESTIONS])
def test_seed_questions_find_their_evidence(seed_store, question, evidence, k):
    hits = HybridRetriever(store=seed_store, k=k).search(question)
    assert any(evidence in hit.passage.text for hit in hits), [hit.passage.text[:80] for hit in hits]


def test_the_issue_check_returns_the_narrative_and_the_income_statement(seed_store):
    hits = HybridRetriever(store=seed_store, k=3).search("research and development expenses six months ended June 30, 2021")
    kinds = {hit.passage.kind for hit in hits}
    assert kinds == {"text", "table"}
    assert any("Research and development expenses were $5.5 million" in hit.passage.text for hit in hits)
    assert any("Research and development expenses (5,508,356" in hit.passage.text for hit in hits)


def test_hits_carry_scores_ranks_and_document(seed_store):
    hits = HybridRetriever(store=seed_store, k=5).search("net loss")
    assert len(hits) == 5
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    for hit in hits:
        assert hit.dense_rank or hit.keyword_rank
        assert hit.document.id == hit.passage.doc_id and hit.document.title


def test_is_a_langchain_retriever(seed_store):
    retriever = HybridRetriever(store=seed_store, k=2)
    assert isinstance(retriever, BaseRetriever)
    documents = retriever.invoke("accumulated deficit")
    assert len(documents) == 2
    assert documents[0].metadata["doc_id"] == seed_store.documents()[0].id
    assert {"page", "section", "start", "end", "title", "score"} <= set(documents[0].metadata)


def test_filters_restrict_by_document_company_form_and_period(store, tmp_path):
    other = tmp_path / "ACME_2023Q4_EARNINGS.txt"
    other.write_text("Acme Corp (NYSE: ACME) today reported net loss of $3 million for the fourth quarter ended December 31, 2023.")
    Ingestor(store, progress=False).ingest([SEED, other])
    retriever = HybridRetriever(store=store, k=5)
    aptorum = next(document for document in store.documents() if document.ticker == "APM")
    acme = next(document for document in store.documents() if document.ticker == "ACME")

    def doc_ids(filters):
        return {hit.document.id for hit in retriever.search("net loss", filters=filters)}

    assert doc_ids(None) == {aptorum.id, acme.id}
    assert doc_ids(SearchFilters(company="acme")) == {acme.id}
    assert doc_ids(SearchFilters(company="APM")) == {aptorum.id}
    assert doc_ids(SearchFilters(company="Aptorum Group")) == {aptorum.id}
    assert doc_ids(SearchFilters(docs=[acme.id[:8]])) == {acme.id}
    assert doc_ids(SearchFilters(docs=["ACME_2023Q4_EARNINGS"])) == {acme.id}
    assert doc_ids(SearchFilters(period="2021H1")) == {aptorum.id}
    assert doc_ids(SearchFilters(period="2023")) == {acme.id}
    assert doc_ids(SearchFilters(form="earnings")) == {aptorum.id, acme.id}
    assert doc_ids(SearchFilters(company="Nobody Inc")) == set()
    with pytest.raises(NotFoundError, match="no document 'nope'"):
        retriever.search("net loss", filters=SearchFilters(docs=["nope"]))


def test_empty_query_is_an_error(seed_store):
    with pytest.raises(QueryError, match="empty query"):
        HybridRetriever(store=seed_store).search("   ")


def test_reciprocal_rank_fusion_prefers_items_both_lists_rank_well():
    fused = reciprocal_rank_fusion({"dense": ["a", "b", "c"], "keyword": ["b", "d", "a"]}, k=60)
    order = sorted(fused, key=lambda item: -fused[item][0])
    assert order[:2] == ["b", "a"]
    assert fused["b"][1] == {"dense": 2, "keyword": 1}
    assert fused["d"][0] == pytest.approx(1 / 62)


def test_flag_overrides_let_a_filter_find_a_document(store, tmp_path):
    memo = tmp_path / "memo.txt"
    memo.write_text("Board memo: dividends of $0.25 per share were approved for the quarter.")
    Ingestor(store, overrides=DocumentMeta(company="Widget Works"), progress=False).ingest([memo])
    hits = HybridRetriever(store=store).search("dividends", filters=SearchFilters(company="widget"))
    assert hits and hits[0].document.company == "Widget Works"
