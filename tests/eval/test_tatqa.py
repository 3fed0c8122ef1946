"""TAT-QA contexts as documents and questions (eval/tatqa.py), on a context written here in TAT-QA's shape."""

from __future__ import annotations

from decimal import Decimal

from eval.questionset import EvalQuestion
from eval.tatqa import document_text, questions_of, write_documents

CONTEXT = {
    "table": {"uid": "t1", "table": [["", "2019", "2018"], ["Fixed Price", "$  1,452.4", "$  1,146.2"],
                                      ["Total sales", "$1,496.5", "$1,202.9"]]},
    "paragraphs": [{"uid": "p2", "order": 2, "text": "Second   paragraph."}, {"uid": "p1", "order": 1, "text": "First."}],
    "questions": [
        {"uid": "q1", "question": "What was the change in total sales?", "answer": 293.6, "answer_type": "arithmetic",
         "answer_from": "table", "rel_paragraphs": [], "scale": "million", "derivation": "1,496.5 - 1,202.9"},
        {"uid": "q2", "question": "Which paragraph comes first?", "answer": ["First."], "answer_type": "span",
         "answer_from": "text", "rel_paragraphs": ["1"], "scale": ""},
        {"uid": "q3", "question": "Which rows?", "answer": ["Fixed Price", "Total sales"], "answer_type": "multi-span",
         "answer_from": "table", "rel_paragraphs": [], "scale": ""},
        {"uid": "q4", "question": "What share?", "answer": 97.05, "answer_type": "arithmetic", "answer_from": "table",
         "rel_paragraphs": [], "scale": "percent"},
    ],
}


def test_a_context_is_a_document_of_rows_then_paragraphs(tmp_path):
    text = document_text(CONTEXT)
    assert text.splitlines()[:3] == ["2019  2018", "Fixed Price  $ 1,452.4  $ 1,146.2", "Total sales  $1,496.5  $1,202.9"]
    assert text.index("First.") < text.index("Second paragraph.")
    [path] = write_documents([CONTEXT], tmp_path)
    assert path.name == "tatqa-t1.txt" and path.read_text() == text
    modified = path.stat().st_mtime_ns
    write_documents([CONTEXT], tmp_path)
    assert path.stat().st_mtime_ns == modified  # unchanged, so not re-ingested


def test_questions_map_answer_types_scales_and_evidence():
    change, span, multi, share = (EvalQuestion.model_validate(record) for record in questions_of(CONTEXT))
    assert change.answer_type == "number" and change.answer == Decimal("293.6") and change.scale == "million"
    assert change.doc == "tatqa-t1" and "tatqa:arithmetic" in change.tags and "1,496.5" in change.evidence[0].text
    assert span.answer == "First." and span.evidence[0].text == "First."
    assert multi.answer == ["Fixed Price", "Total sales"]
    assert share.unit == "percent" and share.scale is None
