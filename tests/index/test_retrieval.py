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


# --- what the query is about: company, period, form; statement tables; pages ----------------------------------

def _statement(years: tuple[int, int], net_income: tuple[str, str]) -> str:
    return (f"CONSOLIDATED STATEMENTS OF OPERATIONS\n(In millions)\nYear ended December 31, {years[0]} {years[1]}\n"
            f"Net sales 1,000 900\nCost of sales 600 500\nGross margin 400 400\nOperating income 150 140\n"
            f"Net income {net_income[0]} {net_income[1]}\n")


# Globex says everything a question about Acme asks, more often than Acme does; only the scope tells them apart.
FILINGS = {
    "ACME_2022_10K": "Acme Corp Annual Report for fiscal 2022\n\nManagement discussion. Net income grew in fiscal 2022 "
                     "because costs fell.\n\n" + _statement((2022, 2021), ("100", "90")),
    "ACME_2021_10K": "Acme Corp Annual Report for fiscal 2021\n\nManagement discussion. Net income grew in fiscal 2021 "
                     "as prices rose.\n\n" + _statement((2021, 2020), ("90", "80")),
    "GLOBEX_2022_10K": "Globex Annual Report for fiscal 2022\n\nNet income in fiscal 2022: what was net income in "
                       "fiscal 2022? Net income in fiscal 2022 was the net income the board expected for fiscal 2022."
                       "\n\n" + _statement((2022, 2021), ("70", "60")),
}


@pytest.fixture(scope="module")
def filings_store(tmp_path_factory):
    from conftest import store_of_texts

    return store_of_texts(tmp_path_factory, FILINGS, "filings")


def _stems(hits) -> list[str]:
    from pathlib import Path

    return [Path(hit.document.source_path).stem for hit in hits]


def test_a_query_naming_a_company_and_year_searches_that_companys_filing_of_that_year(filings_store):
    hits = HybridRetriever(store=filings_store, k=5).search("What was Acme's net income in fiscal 2022?")
    assert _stems(hits)[0] == "ACME_2022_10K"
    assert "GLOBEX_2022_10K" not in _stems(hits), "another company's filing is not this question's"


def test_the_filing_of_the_period_comes_before_a_later_one_that_prints_it_as_a_comparative(filings_store):
    hits = HybridRetriever(store=filings_store, k=5).search("What was Acme's net income in fiscal 2021?")
    stems = _stems(hits)
    assert stems[0] == "ACME_2021_10K"
    assert "ACME_2022_10K" in stems, "the FY2022 10-K prints fiscal 2021 too"
    assert "GLOBEX_2022_10K" not in stems


def test_a_figure_question_ranks_the_statement_table_above_prose_that_repeats_its_words(filings_store):
    hits = HybridRetriever(store=filings_store, k=3).search("What was Globex's net income in fiscal 2022?")
    assert hits[0].passage.kind == "table" and "Net income 70 60" in hits[0].passage.text


def test_a_question_asking_why_is_answered_from_prose_not_pushed_to_the_statements(filings_store):
    hits = HybridRetriever(store=filings_store, k=3).search("Why did Acme's net income grow in fiscal 2021?")
    assert hits[0].passage.kind == "text" and "as prices rose" in hits[0].passage.text


def test_the_callers_filter_wins_over_the_company_the_query_names(filings_store):
    hits = HybridRetriever(store=filings_store, k=5).search("What was Acme's net income in fiscal 2022?",
                                                           filters=SearchFilters(company="Globex"))
    assert hits and set(_stems(hits)) == {"GLOBEX_2022_10K"}
    # The query's period still narrows within the caller's documents, which its company cannot.
    hits = HybridRetriever(store=filings_store, k=5).search(
        "What was Acme's net income in fiscal 2022?", filters=SearchFilters(docs=["ACME_2021_10K", "ACME_2022_10K"]))
    assert set(_stems(hits)) == {"ACME_2022_10K"}


def test_a_period_no_filing_reports_does_not_empty_the_search(filings_store):
    hits = HybridRetriever(store=filings_store, k=5).search("What was Acme's net income in fiscal 2015?")
    assert hits and set(_stems(hits)) <= {"ACME_2021_10K", "ACME_2022_10K"}


def test_for_a_figure_question_each_further_passage_of_a_page_counts_less(store, tmp_path):
    from pdfs import make_pdf

    # Page 1 says "pangolin budget" in six paragraphs (six passages); page 2 says it once among other lines.
    crowded = [f"Paragraph {number}: the pangolin budget for the pangolin programme was raised again this year, "
               "and the pangolin budget review followed. " + "Other business continued as usual. " * 12
               for number in range(6)]
    first = [line[start:start + 110] for line in crowded for start in range(0, len(line), 110)]
    second = ["Appendix", *["Other business continued as usual in every region."] * 12,
              "The pangolin budget is mentioned here once."]
    pdf = tmp_path / "PANGOLIN_2022_10K.pdf"
    pdf.write_bytes(make_pdf([first, second]))
    Ingestor(store, progress=False).ingest([pdf])
    passages = store.catalog.passages_of(store.documents()[0].id)
    assert sum(passage.page == 1 for passage in passages) >= 3, "the test needs several passages on page 1"
    hits = HybridRetriever(store=store, k=2).search("How much was the pangolin budget?")
    assert {hit.passage.page for hit in hits} == {1, 2}, "the second hit is another page, not page 1 again"
    # An explanation is often several passages of one page, which complete each other: they stay together.
    hits = HybridRetriever(store=store, k=2).search("Why was the pangolin budget raised again?")
    assert [hit.passage.page for hit in hits] == [1, 1]
