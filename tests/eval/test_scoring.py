"""Scoring an Answer against a question (eval/scoring.py), on small hand-written answers: every rule of the strict
reading, the lenient reading beside it, wrong figures, and TAT-QA's text metrics."""

from __future__ import annotations

from decimal import Decimal

import pytest

from index.records import Answer, AnswerValue, Citation
from eval.questionset import EvalQuestion
from eval.scoring import cited, exact_match, f1, lenient_outcome, normalize, outcome, score, short_answer, wrong_figure

DOCUMENT = ("Revenue grew on services. Research and development expenses (5,508,356 (4,315,033\n"
            "The MAD study is commencing in Q3, 2021. Cash 19,935,888 3,495,231\n")


def question(**fields) -> EvalQuestion:  # noqa: ANN003
    return EvalQuestion.model_validate({"id": "q", "question": "What was it?", **fields})


def quoting(*quotes: str, doc_id: str = "d") -> list[Citation]:
    citations = []
    for n, quote in enumerate(quotes, start=1):
        start = DOCUMENT.find(quote)
        citations.append(Citation(n=n, doc_id=doc_id, title="t", quote=quote, start=max(start, 0),
                                  end=max(start, 0) + len(quote)))
    return citations


def said(number: str | None, unit: str = "USD", scale: int = 1, text: str = "It was so [1].", refused: bool = False,
         citations: list[Citation] | None = None, grounded: bool = True) -> Answer:
    value = None if number is None else AnswerValue(number=Decimal(number), unit=unit, scale=scale)
    return Answer(question="q", text=text, value=value, refused=refused, citations=citations or [],
                  grounded=grounded, unsupported_numbers=[] if grounded else ["42"])


def readings(gold: EvalQuestion, answer: Answer, text: str | None = None) -> tuple[str, str]:
    result = score(gold, answer, text, "d" if text else None)
    assert result.outcome == outcome(gold, answer, text, "d" if text else None)
    assert result.lenient == lenient_outcome(gold, answer)
    return result.outcome, result.lenient


# --- numbers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("gold", "prediction", "strict", "lenient"), [
    ({"answer": 1577, "scale": "million"}, said("1577000000"), "correct", "correct"),   # units vs millions
    ({"answer": 1577, "scale": "million"}, said("1577", scale=1_000_000), "correct", "correct"),
    # Printed without a scale: 1,577 is not 1,577 million; only the lenient reading reads it as printed.
    ({"answer": 1577, "scale": "million"}, said("1577"), "wrong", "correct"),
    ({"answer": 1577}, said("1577"), "correct", "correct"),                             # no scale on either side
    ({"answer": 1577, "scale": "million"}, said("1.577", scale=1_000_000_000), "correct", "correct"),
    # The gold's printed precision: 0.47 takes 0.4688, not 0.4638; "26.20" wants two decimals.
    ({"answer": "0.47"}, said("0.4688"), "correct", "correct"),
    ({"answer": "0.47"}, said("0.4638"), "wrong", "wrong"),
    ({"answer": "26.20", "unit": "percent"}, said("26.24", unit="percent"), "wrong", "correct"),
    ({"answer": "26.20", "unit": "percent"}, said("26.204", unit="percent"), "correct", "correct"),
    # An explicit tolerance is relative; without one, 1% is the lenient reading's default only.
    ({"answer": 1577, "scale": "million", "tolerance": "0.01"}, said("1590", scale=1_000_000), "correct", "correct"),
    ({"answer": 1577, "scale": "million"}, said("1590", scale=1_000_000), "wrong", "correct"),
    ({"answer": 1577, "scale": "million"}, said("1600", scale=1_000_000), "wrong", "wrong"),
    ({"answer": 1577, "tolerance": 0}, said("1590"), "wrong", "wrong"),
    # Percent against fraction: a ratio is unambiguous; a bare number is not.
    ({"answer": 12.5, "unit": "percent"}, said("12.5", unit="percent"), "correct", "correct"),
    ({"answer": 12.5, "unit": "percent"}, said("0.125", unit="ratio"), "correct", "correct"),
    ({"answer": 12.5, "unit": "percent"}, said("0.125", unit="number"), "wrong", "correct"),
    ({"answer": 5}, said("-5"), "wrong", "wrong"),                                      # a sign is an answer
    ({"answer": 5}, said(None), "wrong", "wrong"),
    ({"answer": 5}, said(None, refused=True), "refused", "refused"),
    ({"answer": 5}, said("5", refused=True), "refused", "refused"),
])
def test_numbers(gold, prediction, strict, lenient):
    assert readings(question(answer_type="number", **gold), prediction) == (strict, lenient)


def test_an_amount_printed_negative_is_right_only_in_the_lenient_reading():
    capex = EvalQuestion.model_validate({"id": "q", "question": "What was the capital expenditure amount in 2018?",
                                         "answer": 1577, "answer_type": "number"})
    assert readings(capex, said("-1577")) == ("wrong", "correct")
    change = EvalQuestion.model_validate({"id": "q", "question": "What was the change in net cash?",
                                          "answer": 1577, "answer_type": "number"})
    assert readings(change, said("-1577")) == ("wrong", "wrong")


def test_wrong_figures():
    number = question(answer_type="number", answer=1577, scale="million")
    assert wrong_figure(number, said("1600", scale=1_000_000))
    assert wrong_figure(number, said("1577"))  # strictly read, 1,577 is another figure
    assert not wrong_figure(number, said("1577", scale=1_000_000))
    assert not wrong_figure(number, said(None, refused=True)) and not wrong_figure(number, said(None))
    refusal = question(answer_type="refusal", answer=None)
    assert wrong_figure(refusal, said("5")) and not wrong_figure(refusal, said(None, refused=True))
    text = question(answer_type="text", answer="services")
    assert not wrong_figure(text, said("5", text="Revenue grew on services."))
    assert score(number, said("1600", scale=1_000_000)).wrong_figure


# --- text ------------------------------------------------------------------------------------------------------


def paragraph(sentence: str) -> Answer:
    [citation] = quoting(sentence)
    return Answer(question="q", text=f"The disclosures say: “{sentence}” [1]", citations=[citation])


def test_a_span_is_matched_by_the_short_answer_not_by_the_quoted_paragraph():
    gold = EvalQuestion.model_validate({"id": "q", "question": "Who audits the company?", "answer": "Ernst & Young LLP",
                                        "answer_type": "text"})
    assert readings(gold, paragraph("Ernst & Young LLP audits the company.")) == ("correct", "correct")  # EM
    # The gold word is in the quoted paragraph, but the short answer is something else.
    other = EvalQuestion.model_validate({"id": "q", "question": "What is commencing?", "answer": "Q3",
                                         "answer_type": "text"})
    answer = paragraph("The MAD study is commencing in Q3, 2021.")
    assert short_answer(other.question, answer) == "in Q3, 2021"
    assert readings(other, answer) == ("wrong", "correct")
    assert "does not match" in score(other, answer).reason


def test_a_span_within_f1_or_an_alternative_is_correct():
    gold = EvalQuestion.model_validate({"id": "q", "question": "When is the MAD study commencing?",
                                        "answer": "in Q3 2021", "answer_type": "text"})
    assert readings(gold, paragraph("The MAD study is commencing in Q3, 2021.")) == ("correct", "correct")
    assert f1("in Q3, 2021 now", "in Q3 2021") >= 0.8  # one extra word still passes
    alternative = EvalQuestion.model_validate({"id": "q", "question": "When is the MAD study commencing?",
                                               "answer": "the third quarter", "alternatives": ["in Q3, 2021"],
                                               "answer_type": "text"})
    assert readings(alternative, paragraph("The MAD study is commencing in Q3, 2021.")) == ("correct", "correct")


def test_phrases_need_every_phrase_and_one_alternative():
    gold = question(answer_type="text", match="phrases", answer=["8%", "iPhone"], alternatives=["Services", "Mac"])
    assert readings(gold, said(None, text="Net sales rose 8%, driven by iPhone and Mac.")) == ("correct", "correct")
    # Both phrases but none of the alternatives: the lenient reading asks only for the phrases.
    assert readings(gold, said(None, text="Net sales rose 8% on iPhone.")) == ("wrong", "correct")
    assert "none of" in score(gold, said(None, text="Net sales rose 8% on iPhone.")).reason
    assert readings(gold, said(None, text="Net sales rose on iPhone and Mac.")) == ("wrong", "wrong")
    either = question(answer_type="text", match="phrases", answer=[], alternatives=["decrease", "fell"])
    assert readings(either, said(None, text="Income from operations fell.")) == ("correct", "correct")
    assert readings(either, said(None, text="Income from operations rose.")) == ("wrong", "wrong")
    assert readings(either, said(None, refused=True, text="The filing does not say.")) == ("refused", "refused")


def test_phrases_need_a_text_answer_and_something_to_match():
    with pytest.raises(ValueError, match="phrases"):
        question(answer_type="number", answer=5, match="phrases")
    with pytest.raises(ValueError, match="text answer"):
        question(answer_type="text", answer=[], match="phrases")


def test_booleans():
    yes = question(answer_type="boolean", answer=True)
    assert readings(yes, said(None, text="Yes: revenue increased.")) == ("correct", "correct")
    assert readings(yes, said(None, text="No, it fell.")) == ("wrong", "wrong")


# --- refusals --------------------------------------------------------------------------------------------------


def test_refusals():
    refusal = question(answer_type="refusal", answer=None)
    assert readings(refusal, said(None, refused=True)) == ("correct", "correct")
    assert readings(refusal, said("5")) == ("wrong", "wrong")
    nil = said(None, text="Short-term debt is not reported (nil) for March 31, 2023 [1].")
    assert readings(refusal, nil) == ("correct", "correct")


def test_a_not_reported_line_must_be_cited():
    gold = question(answer_type="refusal", answer="blank cell", citations=["Cash 19,935,888 3,495,231"])
    nil = "Cash is not reported (nil) for that date [1]."
    assert readings(gold, said(None, text=nil, citations=quoting("Cash 19,935,888 3,495,231"))) == ("correct", "correct")
    assert readings(gold, said(None, text=nil)) == ("wrong", "correct")


# --- citations and grounding ------------------------------------------------------------------------------------


def test_required_citations_must_be_cited():
    row = "Research and development expenses (5,508,356 (4,315,033"
    gold = question(answer_type="number", answer=5508356, citations=[row])
    assert readings(gold, said("5508356", citations=quoting(row))) == ("correct", "correct")
    missing = score(gold, said("5508356", citations=quoting("Revenue grew on services.")))
    assert (missing.outcome, missing.lenient) == ("wrong", "correct") and "not cited" in missing.reason
    # A citation that quotes more than the gold quote, or overlaps it in the document, cites it too.
    longer = said("5508356", citations=quoting("Revenue grew on services. Research and development expenses (5,508,356"))
    assert not cited(row, longer) and cited(row, longer, DOCUMENT, "d")
    assert readings(gold, longer, DOCUMENT) == ("correct", "correct")
    assert readings(gold, longer) == ("wrong", "correct")  # without the document only the quotes are compared
    elsewhere = said("5508356", citations=quoting("Revenue grew on services. Research and development", doc_id="x"))
    assert not cited(row, elsewhere, DOCUMENT, "d")  # a span in another document overlaps nothing here


def test_a_correct_answer_is_grounded():
    gold = question(answer_type="number", answer=5)
    result = score(gold, said("5", grounded=False))
    assert (result.outcome, result.lenient) == ("wrong", "correct") and "unsupported" in result.reason
    assert score(gold, said("5")).reason is None


# --- TAT-QA's metrics -------------------------------------------------------------------------------------------


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


def test_short_answer_is_the_answers_own_spans_when_it_gives_them():
    quoted = _quoting("In total, up to 6 cohorts for SAD and 3 cohorts for MAD have been planned.")
    one = quoted.model_copy(update={"spans": ["6"]})
    several = quoted.model_copy(update={"spans": ["6", "3"]})
    assert short_answer("How many cohorts are planned for SAD?", one) == "6"
    assert short_answer("How many cohorts are planned?", several) == ["6", "3"]
    assert exact_match(short_answer("How many cohorts are planned?", several), ["3", "6"]) == 1.0
    assert exact_match(short_answer("How many cohorts are planned?", several), "6") == 0.0
    # Without spans, the reading of the quoted sentence stays as it was.
    assert short_answer("How many cohorts are planned for SAD?", quoted) != "6"
    assert short_answer("q", several.model_copy(update={"refused": True})) == ""


@pytest.mark.parametrize(("gold", "answer", "strict"), [
    ("$85.1 million", said("85123", scale=1000, text="Underlying EBITDA for 2019 was $85,123 thousand [1]."), "correct"),
    ("36%", said("36.0336", unit="percent", text="It changed by 36.03% [1]."), "correct"),
    ("(2.3)%", said("-2.31", unit="percent", text="It fell by 2.31% [1]."), "correct"),
    ("$85.2 million", said("85123", scale=1000, text="It was $85,123 thousand [1]."), "wrong"),
    ("36%", said("36.0336", unit="USD", text="It was $36.03 [1]."), "wrong"),  # a percentage only by a percentage
])
def test_a_span_gold_that_is_one_amount_is_read_as_a_number(gold, answer, strict):
    question_ = EvalQuestion.model_validate({"id": "q", "question": "What was it?", "answer": gold,
                                             "answer_type": "text"})
    assert score(question_, answer).outcome == strict
