"""Dense search in Chroma: each way of serving a filtered query returns what an exact filtered query returns."""

import numpy as np
import pytest
from conftest import SEED
from pdfs import make_pdf, report_pages

from index.ingest import Ingestor
from index.records import doc_id_of


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory):
    from index.settings import Settings
    from index.store import open_store

    folder = tmp_path_factory.mktemp("corpus")
    for number, company in enumerate(["Alpha", "Beta", "Gamma"]):
        (folder / f"{company.upper()}_2022_10K.pdf").write_bytes(make_pdf(report_pages(company, 6 + 4 * number, seed_word=company.lower())))
    (folder / "seed.txt").write_text(SEED.read_text())
    store = open_store(Settings(data_dir=tmp_path_factory.mktemp("vectors-store")))
    report = Ingestor(store, progress=False).ingest([folder])
    assert not report.failed
    return store


def exact(store, vector, doc_ids, k):
    found = store.vectors.collection.get(include=["embeddings"])
    rows = [(item, 1.0 - float(np.dot(embedding, vector))) for item, embedding in zip(found["ids"], found["embeddings"])
            if doc_id_of(item) in doc_ids]
    return sorted(rows, key=lambda row: row[1])[:k]


def assert_same_neighbours(got, expected):
    """Same distances in the same order; the same passages, except where two are tied at the cut-off."""
    assert [distance for _, distance in got] == pytest.approx([distance for _, distance in expected], abs=1e-4)
    if expected:
        cutoff = expected[-1][1] - 1e-4
        assert {item for item, distance in got if distance < cutoff} == {item for item, distance in expected if distance < cutoff}


def allowed_counts(store, doc_ids):
    return {document.id: document.passage_count for document in store.documents() if document.id in doc_ids}


@pytest.mark.parametrize("query", ["revenue grew in the period", "accumulated deficit", "alpha3 research investment"])
def test_every_filtered_path_matches_the_exact_answer(corpus_store, query, monkeypatch):
    vector = corpus_store.embeddings.embed_query(query)
    documents = corpus_store.documents()
    vectors = corpus_store.vectors
    for chosen in ([documents[0].id], [documents[0].id, documents[2].id], [document.id for document in documents[1:]]):
        expected = exact(corpus_store, vector, set(chosen), 10)
        allowed = allowed_counts(corpus_store, chosen)
        assert_same_neighbours(vectors.search(vector, 10, allowed), expected)
        # The same answer through Chroma's own filter, which the fast paths fall back to.
        doc_ids = list(allowed)
        where = {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": doc_ids}}
        assert_same_neighbours(vectors._nearest(vector, 10, where), expected)


@pytest.mark.parametrize(("exact_limit", "pool_limit", "first_where"), [(0, 10**6, None), (0, 0, "filtered")])
def test_over_fetch_and_chroma_filter_paths(corpus_store, monkeypatch, exact_limit, pool_limit, first_where):
    """Force the over-fetch path, then the exact Chroma filter, and check both give the exact answer."""
    vectors = corpus_store.vectors
    monkeypatch.setattr(vectors, "exact_limit", exact_limit)
    monkeypatch.setattr(vectors, "pool_limit", pool_limit)
    calls = []
    original = vectors._nearest

    def spy(query_vector, k, where=None):
        calls.append(where)
        return original(query_vector, k, where)

    monkeypatch.setattr(vectors, "_nearest", spy)
    vector = corpus_store.embeddings.embed_query("revenue grew in the period")
    for document in corpus_store.documents():
        calls.clear()
        got = vectors.search(vector, 5, {document.id: document.passage_count})
        assert_same_neighbours(got, exact(corpus_store, vector, {document.id}, 5))
        assert (calls[0] is None) == (first_where is None)


def test_empty_filter_and_empty_store(corpus_store, store):
    vector = corpus_store.embeddings.embed_query("anything")
    assert corpus_store.vectors.search(vector, 5, {}) == []
    assert store.vectors.search(vector, 5) == []


def test_langchain_vector_store_sees_the_same_collection(corpus_store):
    documents = corpus_store.vectors.vectorstore.similarity_search("accumulated deficit", k=5)
    assert len(documents) == 5
    assert all(document.id and document.metadata["doc_id"] == doc_id_of(document.id) for document in documents)
    ours = corpus_store.vectors.search(corpus_store.embeddings.embed_query("accumulated deficit"), 5)
    assert [document.id for document in documents] == [item for item, _ in ours], "the same collection, the same order"
    assert any("Accumulated deficit" in document.page_content for document in documents)
