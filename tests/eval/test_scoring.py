"""Scoring an Answer against a question: normalizations of numbers, outcomes, and TAT-QA's text metrics."""

from __future__ import annotations

from decimal import Decimal

import pytest

from index.records import Answer, AnswerValue, Citation
from eval.questionset import EvalQuestion
from eval.scoring import exact_match, f1, normalize, outcome, short_answer


def question(**fields) -> EvalQuestion:  # noqa: ANN003
    return EvalQuestion.model_validate({"id": "q", "question": "What was it?", **fields})


def said(number: str | None, unit: str = "USD", scale: int = 1, text: str = "It was so [1].", refused: bool = False) -> Answer:
    value = None if number is None else AnswerValue(number=Decimal(number), unit=unit, scale=scale)
    return Answer(question="q", text=text, value=value, refused=refused)


@pytest.mark.parametrize(("gold", "prediction", "expected"), [
    ({"answer": 1577, "scale": "million"}, said("1577000000"), "correct"),            # units vs millions
    ({"answer": 1577, "scale": "million"}, said("1577", scale=1_000_000), "correct"),
    ({"answer": 1577, "scale": "million"}, said("1577"), "correct"),                  # a table without its scale
    ({"answer": 1577, "scale": "million"}, said("1600", scale=1_000_000), "wrong"),  # 1.5% off
    ({"answer": 1577, "scale": "million"}, said("1590", scale=1_000_000), "correct"),  # within 1%
    ({"answer": 12.5, "unit": "percent"}, said("12.5", unit="percent"), "correct"),
    ({"answer": 12.5, "unit": "percent"}, said("0.125", unit="ratio"), "correct"),    # fraction vs percent
    ({"answer": 0.47, "tolerance": 0}, said("0.4688"), "correct"),                    # gold's precision
    ({"answer": 0.47, "tolerance": 0}, said("0.4638"), "wrong"),
    ({"answer": 5, "tolerance": 0}, said("-5"), "wrong"),                              # a sign is an answer
    ({"answer": 5, "tolerance": 0}, said(None), "wrong"),
    ({"answer": 5, "tolerance": 0}, said(None, refused=True), "refused"),
])
def test_numbers(gold, prediction, expected):
    assert outcome(question(answer_type="number", **gold), prediction) == expected


def test_an_amount_question_ignores_the_printed_sign():
    capex = EvalQuestion.model_validate({"id": "q", "question": "What was the capital expenditure amount in 2018?",
                                         "answer": 1577, "answer_type": "number"})
    assert outcome(capex, said("-1577")) == "correct"
    change = EvalQuestion.model_validate({"id": "q", "question": "What was the change in net cash?",
                                          "answer": 1577, "answer_type": "number"})
    assert outcome(change, said("-1577")) == "wrong"


def test_refusals_booleans_and_text():
    refusal = question(answer_type="refusal", answer=None)
    assert outcome(refusal, said(None, refused=True)) == "correct"
    assert outcome(refusal, said("5")) == "wrong"
    assert outcome(refusal, said(None, text="Short-term debt is not reported (nil) for March 31, 2023 [1].")) == "correct"
    yes = question(answer_type="boolean", answer=True)
    assert outcome(yes, said(None, text="Yes: revenue increased.")) == "correct"
    assert outcome(yes, said(None, text="No, it fell.")) == "wrong"
    text = question(answer_type="text", answer=["Fixed price", "Other"])
    assert outcome(text, said(None, text="The contract types are fixed-price and other.")) == "correct"
    assert outcome(text, said(None, text="Only fixed-price contracts.")) == "wrong"


def test_tatqa_normalization_and_metrics():
    assert normalize("The $1,496.5 million, total!") == "1496.5 million total"
    assert exact_match("the Total Sales", "total sales") == 1.0
    assert exact_match(["b", "a"], ["a", "b"]) == 1.0
    assert f1("total sales in 2019", "total sales") == pytest.approx(2 * (2 / 4) * 1 / (2 / 4 + 1), abs=1e-4)
    assert f1(["a b", "c"], ["c", "a b"]) == 1.0
    assert f1(["a b"], ["a b", "c"]) == 0.5
    assert f1("x", "y") == 0.0


def _quoting(sentence: str) -> Answer:
    citation = Citation(n=1, doc_id="d", title="t", quote=sentence, start=0, end=len(sentence))
    return Answer(question="q", text=f"The disclosures say: “{sentence}” [1]", citations=[citation])


@pytest.mark.parametrize(("asked", "sentence", "short"), [
    # TAT-QA dev questions and the sentences their gold spans come from.
    ("What is the company paid on a cost-plus type contract?",
     "On a cost-plus type contract, we are paid our allowable incurred costs plus a profit which can be fixed.",
     "our allowable incurred costs plus a profit which can be fixed"),
    ("What is the remaining estimated life of plan participants?",
     "The remaining estimated life of plan participants, which was approximately 16 years as of December 31, 2019.",
     "approximately 16 years as of December 31, 2019"),
    # The question's words come last: the words before them are the answer.
    ("Who audits the company?", "Ernst & Young LLP audits the company.", "Ernst & Young LLP"),
])
def test_short_answer_is_the_span_after_the_question_words(asked, sentence, short):
    assert short_answer(asked, _quoting(sentence)) == short


def test_short_answer_of_a_figure_and_of_a_refusal():
    assert short_answer("What was revenue?", said("1496.5", scale=1_000_000)) == "1496.5"
    assert short_answer("What was revenue?", said(None, refused=True, text="The disclosures do not say.")) == ""
    assert exact_match(short_answer("What was revenue?", said("1496.5")), "$1,496.5") == 1.0
