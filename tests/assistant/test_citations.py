"""Citations (assistant/citations.py): the evidence of one answer, on the seed release."""

from __future__ import annotations

import pytest

from assistant.citations import Evidence, sentence_span
from index.cache import CatalogCache


@pytest.fixture
def evidence(seed_store):
    cache = CatalogCache(seed_store.catalog)
    cache.refresh()
    return Evidence(cache)


def _fact(evidence, label: str, raw: str):
    [document] = evidence.cache.catalog.documents()
    return next(fact for fact in evidence.cache.facts_of([document.id]) if fact.label == label and fact.raw.strip("( ") == raw)


def test_a_table_fact_is_quoted_as_its_whole_row(evidence):
    fact = _fact(evidence, "Research and development expenses", "4,315,033")
    n = evidence.cite_fact(fact)
    [citation] = evidence.citations
    assert n == 1 and citation.quote == "Research and development expenses (5,508,356 (4,315,033"
    assert evidence.cache.text(fact.doc_id)[citation.start:citation.end] == citation.quote
    # The other cell of the row is inside that quote: the same citation.
    assert evidence.cite_fact(_fact(evidence, "Research and development expenses", "5,508,356")) == 1


def test_markers_cite_each_fact_once_in_order(evidence):
    rd = _fact(evidence, "Research and development expenses", "5,508,356")
    ga = _fact(evidence, "General and administrative fees", "2,564,117")
    assert evidence.markers([rd, ga, rd]) == " [1] [2]" and len(evidence.citations) == 2


def test_a_span_inside_a_citation_is_that_citation(evidence):
    [document] = evidence.cache.catalog.documents()
    text = evidence.cache.text(document.id)
    start = text.index("Research and development expenses (5,508,356")
    assert evidence.cite_span(document.id, start, start + 60) == 1
    assert evidence.cite_span(document.id, start + 5, start + 30) == 1 and len(evidence.citations) == 1


def test_a_sentence_span():
    text = "First one. The second, with 5.5 million. Third."
    start = text.index("5.5")
    assert text[slice(*sentence_span(text, start, start + 3))] == "The second, with 5.5 million."
