"""Loading question sets for the harness: the JSONL of the harness issue (the project's gold sets use it too), YAML
and TAT-QA's JSON, with one-line errors that name the line and the field."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SHARED, shared_or_skip

from index.errors import QuestionSetError
from eval.questionset import load_question_set

SEED_QUESTIONS = Path(__file__).resolve().parents[2] / "eval" / "questions" / "seed.jsonl"


def write(tmp_path, name: str, text: str):  # noqa: ANN201
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


FULL = {"id": "q17", "question": "What was 3M's FY2018 capex?", "answer": 1577.0, "answer_type": "number",
        "scale": "million", "tolerance": 0.01, "doc": "3M_2018_10K",
        "evidence": [{"doc": "3M_2018_10K", "page": 60, "text": "Purchases of property, plant and equipment"}],
        "tags": ["metrics", "cash flow"], "history": [{"question": "And before?", "answer": "..."}], "reviewer": "kim"}


def test_the_issue_format_with_every_field(tmp_path):
    path = write(tmp_path, "set.jsonl", json.dumps(FULL) + "\n\n// a comment line\n" + json.dumps(
        {"id": "q18", "question": "Why?", "answer": ["a", "b"], "answer_type": "text"}) + "\n")
    first, second = load_question_set(path)
    assert first.answer == Decimal("1577.0") and first.amount == Decimal("1577000000")
    assert first.evidence[0].page == 60 and first.tags == ["metrics", "cash flow"]
    assert first.history[0].question == "And before?"
    assert first.model_extra == {"reviewer": "kim"}  # unknown fields are kept and ignored
    assert second.answer == ["a", "b"] and second.tolerance is None and second.match == "span"


def test_yaml_with_the_same_fields(tmp_path):
    path = write(tmp_path, "set.yaml", "questions:\n  - id: a1\n    question: Did revenue rise?\n    answer: yes\n"
                                       "    answer_type: boolean\n  - id: a2\n    question: Growth?\n    answer: 12.5\n"
                                       "    answer_type: number\n    unit: '%'\n")
    first, second = load_question_set(path)
    assert first.answer is True and second.answer == Decimal("12.5") and second.unit == "percent"


@pytest.mark.parametrize(("text", "message"), [
    ('{"id": "q1", "question": "x", "answer_type": "number"}\n', "set.jsonl:1: question 'q1': answer: Field required"),
    ('{"id": "q1", "question": "x", "answer": "abc", "answer_type": "number"}\n', "set.jsonl:1: question 'q1': answer: 'abc' is not a number"),
    ('\n{"id": "q1", "question": "x", "answer": 1, "answer_type": "numeric"}\n', "set.jsonl:2: question 'q1': answer_type:"),
    ('{"id": "q1", "question": "x", "answer": 1, "answer_type": "number", "scale": "lakh"}\n', "set.jsonl:1: question 'q1': scale:"),
    ('{"id": "q1", "question": "x", "answer": 1, "answer_type": "number"}\n{"id": "q1", "question": "y", "answer": 2, "answer_type": "number"}\n',
     "set.jsonl:2: question 'q1': id: repeats the id of line 1"),
    ('{"id": "q1", "question": "x", "answer": 1, "answer_type": "number", "evidence": [{"doc": "d"}]}\n',
     "set.jsonl:1: question 'q1': evidence.0:"),
    ('{"id": "q1", "question": "x",\n', "set.jsonl:1: not valid JSON"),
    ('', "set.jsonl:0: holds no questions"),
])
def test_a_bad_set_names_the_line_and_the_field(tmp_path, text, message):
    with pytest.raises(QuestionSetError) as error:
        load_question_set(write(tmp_path, "set.jsonl", text))
    assert str(error.value).startswith(str(tmp_path / "set.jsonl").rsplit("/", 1)[0])
    assert message in str(error.value) and "\n" not in str(error.value)


def test_the_gold_fields_are_explicit(tmp_path):
    path = write(tmp_path, "set.jsonl", json.dumps({
        "id": "g1", "question": "Why did net sales rise?", "answer": ["8%"], "answer_type": "text",
        "match": "phrases", "alternatives": ["iPhone"], "citations": ["Total net sales increased 8%"],
        "notes": "MD&A"}) + "\n" + json.dumps({
        "id": "g2", "question": "Margin?", "answer": "26.20", "answer_type": "number", "unit": "percent",
        "tolerance": "0", "expression": "margin(1, 2)", "operands": ["1", "2"]}) + "\n")
    phrases, number = load_question_set(path)
    assert phrases.match == "phrases" and phrases.alternatives == ["iPhone"] and phrases.notes == "MD&A"
    assert phrases.citations == ["Total net sales increased 8%"] and phrases.model_extra == {}
    assert number.answer == Decimal("26.20") and str(number.answer) == "26.20"  # the printed precision is kept
    assert number.tolerance == 0 and number.expression == "margin(1, 2)" and number.operands == ["1", "2"]
    with pytest.raises(QuestionSetError, match=r"set.jsonl:1: question 'x': match:"):
        load_question_set(write(tmp_path, "set.jsonl", json.dumps(
            {"id": "x", "question": "q", "answer": 1, "answer_type": "number", "match": "phrases"}) + "\n"))


def test_the_seed_set_loads_with_history_and_evidence():
    questions = load_question_set(SEED_QUESTIONS)
    assert len(questions) == sum(1 for line in SEED_QUESTIONS.read_text().splitlines() if line.strip())
    by_id = {question.id: question for question in questions}
    third = by_id["seed-075"]  # the third turn of the G&A conversation
    assert [turn.question for turn in third.history] == ["What were G&A fees in H1 2021?", "And in 2020?"]
    assert third.answer == Decimal("23.47") and third.unit == "percent"
    assert {question.answer_type for question in questions} == {"number", "text", "refusal"}
    assert all(question.evidence for question in questions if question.answer_type != "refusal")


def test_tatqa_json_is_read_directly():
    path = shared_or_skip(SHARED / "benchmarks" / "tatqa" / "tatqa_dataset_dev.json")
    questions = load_question_set(path)
    contexts = json.loads(path.read_text())
    assert len(questions) == sum(len(context["questions"]) for context in contexts) == 1668
    raw = contexts[0]["questions"]
    first = next(question for question in questions if question.id == f"tatqa-{raw[0]['uid']}")
    assert first.doc == f"tatqa-{contexts[0]['table']['uid']}" and first.answer_type == "text"
    arithmetic = next(question for context in contexts for question in context["questions"]
                      if question["answer_type"] == "arithmetic" and question["scale"] == "million")
    loaded = next(question for question in questions if question.id == f"tatqa-{arithmetic['uid']}")
    assert loaded.answer_type == "number" and loaded.scale == "million"
    assert loaded.answer == Decimal(str(arithmetic["answer"]))
