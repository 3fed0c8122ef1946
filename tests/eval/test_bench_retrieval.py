"""The retrieval benchmark ranks each gold question's evidence as the harness does, in each way of asking, over a
store that already exists."""

import json

import pytest
from conftest import store_of_texts

from eval.bench_retrieval import documents_by_name, filters_for, main, summarize
from eval.harness import _first_match
from eval.questionset import load_question_set
from index.retrieval import HybridRetriever

TEXTS = {
    "ACME_2022_10K": "Acme Corp Annual Report for fiscal 2022\n\nThe okapi reserve rose to $12 million in fiscal 2022 "
                     "after the board approved a larger okapi programme.\n\nOther matters were routine.",
    "GLOBEX_2022_10K": "Globex Annual Report for fiscal 2022\n\nThe okapi reserve of Globex was $3 million in fiscal "
                       "2022, and okapi reserve policy did not change.\n\nOther matters were routine.",
}
QUESTIONS = [
    {"id": "q1", "question": "How large was Acme's okapi reserve in fiscal 2022?", "answer": "12000000",
     "answer_type": "number", "doc": "ACME_2022_10K.txt",
     "evidence": [{"doc": "ACME_2022_10K.txt", "text": "The okapi reserve rose to $12 million in fiscal 2022"}]},
    {"id": "q2", "question": "How large was the zebrafinch fund?", "answer": "1", "answer_type": "number",
     "doc": "GLOBEX_2022_10K.txt", "evidence": [{"doc": "GLOBEX_2022_10K.txt", "text": "zebrafinch fund of one dollar"}]},
    {"id": "q3", "question": "Who audits Acme?", "answer": None, "answer_type": "refusal"},  # no evidence: not counted
]


@pytest.fixture(scope="module")
def bench_store(tmp_path_factory):
    return store_of_texts(tmp_path_factory, TEXTS, "bench")


@pytest.fixture
def questions_file(tmp_path):
    path = tmp_path / "questions.jsonl"
    path.write_text("".join(json.dumps(question) + "\n" for question in QUESTIONS))
    return path


def test_reports_recall_mrr_and_latency_for_each_way_of_asking(bench_store, questions_file, tmp_path, capsys):
    out = tmp_path / "result.json"
    assert main(["--data-dir", str(bench_store.data_dir), "--questions", str(questions_file), "--out", str(out),
                 "--details"]) == 0
    result = json.loads(out.read_text())
    assert result == json.loads(capsys.readouterr().out)
    assert result["documents"] == 2 and result["questions"] == 2
    for mode in ("question_alone", "with_filters", "document"):
        block = result[mode]
        assert block["questions"] == 2
        # q1's evidence is found first; q2's words are in no document, so it is never found.
        assert block["recall_at"] == {"1": 0.5, "3": 0.5, "5": 0.5, "10": 0.5}
        assert block["mrr"] == 0.5
        assert 0 < block["p50_ms"] <= block["p95_ms"] <= block["max_ms"]
    assert result["ranks"] == {"q1": {"question_alone": 1, "with_filters": 1, "document": 1},
                               "q2": {"question_alone": None, "with_filters": None, "document": None}}


def test_ranks_are_the_harness_ranks_of_the_same_search(bench_store, questions_file, tmp_path, capsys):
    assert main(["--data-dir", str(bench_store.data_dir), "--questions", str(questions_file), "--details",
                 "--modes", "question_alone"]) == 0
    ranks = json.loads(capsys.readouterr().out)["ranks"]
    by_name = documents_by_name(bench_store.documents())
    retriever = HybridRetriever(store=bench_store, k=10)
    for question in load_question_set(questions_file):
        if question.evidence:
            hits = retriever.search(question.question, k=10)
            expected = _first_match(question, [(hit.passage.doc_id, hit.passage.page, hit.passage.text) for hit in hits],
                                    by_name)
            assert ranks[question.id] == {"question_alone": expected}


def test_filters_are_the_questions_company_and_period_or_its_document(bench_store, questions_file):
    by_name = documents_by_name(bench_store.documents())
    question = load_question_set(questions_file)[0]
    acme = by_name["acme_2022_10k"]
    assert filters_for("question_alone", question, by_name) is None
    with_filters = filters_for("with_filters", question, by_name)
    assert (with_filters.company, with_filters.period, with_filters.docs) == (acme.company, "FY2022", None)
    assert filters_for("document", question, by_name).docs == [acme.id]


def test_summary_counts_a_miss_as_no_reciprocal_rank():
    summary = summarize([1, 4, None, 2], [10.0, 30.0, 20.0, 40.0])
    assert summary["recall_at"] == {"1": 0.25, "3": 0.5, "5": 0.75, "10": 0.75}
    assert summary["mrr"] == round((1 + 0.25 + 0.5) / 4, 4)
    assert (summary["p50_ms"], summary["max_ms"]) == (25.0, 40.0)


def test_a_folder_that_is_no_store_is_a_clear_error(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path / "nowhere")]) == 2
    assert "is not a store" in capsys.readouterr().err
