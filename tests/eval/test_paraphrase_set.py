"""The paraphrase set of issue 14 (eval/questions/paraphrase.jsonl): conversational questions and follow-ups, several
phrasings per intent, on the bundled sample and on three 10-Ks of ../shared (Apple 2022, eBay 2022, Oracle 2023).
The set is checked as data (every gold recomputed by the gold sets' own exact-fraction evaluator, every quote in
its document, its conversations replayable, every intent covered), then run through the harness as the smoke
evaluation runs the seed (tests/eval/test_smoke_eval.py): the sample part always, the filings part with ../shared,
each over one store ingested once.

Intents (tags): `level`, `growth_percent`, `absolute_change` (standalone phrasings); follow-ups that change only the
period (`period_switch`), only the line (`line_switch`), the operation (`operation_switch`), that ask "in that
period" (`that_period`), that follow a narrative answer (`after_narrative`) or switch company (`company_switch`);
and refusals that must stay refusals (`refusal`).

Measured with this code (the offline backend, deterministic), strict reading:
- sample: 76 questions, 74 correct, 0 wrong, 2 refused, no wrong figure;
- filings: 46 questions, 44 correct, 1 wrong (para-122, "What about Amazon?" answered with a quote instead of a
  refusal), 1 refused, no wrong figure.
Wrong figures: none beyond KNOWN_WRONG_FIGURES, each with what the question parser read wrongly. The ceiling is 0:
that list only shrinks. Raise the floors when the assistant gets better; never lower them to make a change pass.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import FILINGS, SEED, shared_or_skip
from test_gold_sets import evaluate

from eval.harness import run, store_dir
from eval.questionset import EvalQuestion, load_question_set
from index.numbers import scale_of

REPO = Path(__file__).resolve().parents[2]
PARAPHRASE = REPO / "eval" / "questions" / "paraphrase.jsonl"
FILINGS_DOCS = ("APPLE_2022_10K.pdf", "EBAY_2022_10K.pdf", "ORACLE_2023_10K.pdf")
INTENTS = ("level", "growth_percent", "absolute_change", "period_switch", "line_switch", "operation_switch",
           "that_period", "after_narrative", "company_switch", "refusal")
FLOORS = {  # strict reading: at least `correct`, at most `wrong`
    "sample": {"questions": 76, "correct": 74, "wrong": 0},
    "filings": {"questions": 46, "correct": 44, "wrong": 1},
}
# Wrong figures seen when the floors were set, by id, with what the parser read wrongly. The ceiling is 0: this
# list is the work left, and a wrong figure not on it fails the test. (Emptied when "And for Pfizer?" and "And the
# year before?" were read.)
KNOWN_WRONG_FIGURES: dict[str, str] = {}
# Issue 14's class 8 conversations, answered right since this set was written: they stay right.
MUST_PASS = {
    "para-036": "'What is the percentage change from 2020?' after the H1 2021 net loss",
    "para-048": "'And what was net loss in that period?' after 'How much did R&D grow in H1 2021?' (a level)",
}


@pytest.fixture(scope="module")
def questions() -> list[EvalQuestion]:
    return load_question_set(PARAPHRASE)


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    from index.settings import Settings

    return Settings(data_dir=tmp_path_factory.mktemp("unused"))


def _part(questions: list[EvalQuestion], sample: bool) -> list[EvalQuestion]:
    return [question for question in questions if (question.doc == SEED.name) == sample]


def _write(questions: list[EvalQuestion], path: Path) -> Path:
    path.write_text("".join(json.dumps(question.model_dump(mode="json", exclude_none=True)) + "\n"
                            for question in questions), encoding="utf-8")
    return path


# --- the set as data --------------------------------------------------------------------------------------------


def test_the_set_covers_every_intent_with_several_phrasings(questions: list[EvalQuestion]) -> None:
    ids = [question.id for question in questions]
    assert ids == [f"para-{n:03d}" for n in range(1, len(ids) + 1)]
    sample, filings = _part(questions, True), _part(questions, False)
    assert len(questions) >= 70 and len(sample) >= 45 and len(filings) >= 25
    assert {question.doc for question in filings} == set(FILINGS_DOCS)
    tags = Counter(tag for question in questions for tag in question.tags)
    assert all(tags[intent] >= 3 for intent in INTENTS), {intent: tags[intent] for intent in INTENTS}
    assert sum(bool(question.history) for question in questions) >= 30


def test_issue_14_conversation_examples_are_in_the_set(questions: list[EvalQuestion]) -> None:
    asked = {(tuple(turn.question for turn in question.history), question.question): question
             for question in questions}
    change = asked[(("What was the net loss for the six months ended June 30, 2021?",),
                    "What is the percentage change from 2020?")]
    growth = round(evaluate("pct_change(6,988,314, 17,102,407)"), 2)
    assert change.unit == "percent" and Fraction(change.answer) == growth
    level = asked[(("How much did R&D grow in H1 2021?",), "And what was net loss in that period?")]
    assert level.answer == 17102407 and "value" in level.tags  # a level, not a change


def test_conversations_are_consecutive_lines(questions: list[EvalQuestion]) -> None:
    for position, question in enumerate(questions):
        if question.history:
            earlier = questions[position - len(question.history):position]
            assert [turn.question for turn in question.history] == [other.question for other in earlier], question.id
            assert all("followup" in other.tags for other in [*earlier, question]), question.id


def test_every_gold_is_recomputed_and_quoted(questions: list[EvalQuestion]) -> None:
    sample_text = SEED.read_text(encoding="utf-8")
    for question in questions:
        assert [evidence.text for evidence in question.evidence if evidence.text] == question.citations, question.id
        if question.doc == SEED.name:
            assert all(quote in sample_text for quote in question.citations), question.id
        if question.answer_type == "refusal":
            assert question.expression is None and bool(question.citations) == ("not_reported" in question.tags)
            continue
        assert question.citations, question.id
        if question.answer_type != "number":
            continue
        quoted = {number.replace(",", "") for quote in question.citations
                  for number in re.findall(r"\d[\d,]*(?:\.\d+)?", quote)}
        assert {operand.replace(",", "") for operand in question.operands} <= quoted, question.id
        exact = evaluate(question.expression) / scale_of(question.scale)
        decimals = max(0, -question.answer.as_tuple().exponent)
        assert abs(exact - Fraction(question.answer)) <= Fraction(1, 2 * 10 ** decimals), (question.id, float(exact))


# --- through the harness ----------------------------------------------------------------------------------------


def _show(name: str, summary: dict, records: list[dict]) -> None:
    keys = ("questions", "correct", "wrong", "refused", "wrong_figures", "errors")
    print(f"\nparaphrase {name}: {json.dumps({key: summary[key] for key in keys})}")
    for record in records:
        if record["outcome"] != "correct":
            print(f"  {record['id']} {record['outcome']}{' (wrong figure)' if record['wrong_figure'] else ''}: "
                  f"{record['gold']['question']} -- {(record.get('reason') or record.get('error') or '')[:140]}")


def _holds(name: str, out: Path, summary: dict) -> None:
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines() if line.strip()]
    _show(name, summary, records)
    floor = FLOORS[name]
    assert summary["questions"] == floor["questions"] and summary["errors"] == 0
    assert summary["correct"] >= floor["correct"], summary["correct"]
    assert summary["wrong"] <= floor["wrong"], summary["wrong"]
    failed = {record["id"] for record in records if record["outcome"] != "correct"}
    assert not failed & set(MUST_PASS), sorted(failed & set(MUST_PASS))
    wrong_figures = {record["id"] for record in records if record["wrong_figure"]}
    new = sorted(wrong_figures - set(KNOWN_WRONG_FIGURES))
    assert not new, f"new wrong figures: {new}"


def test_sample_part(tmp_path, settings, questions):
    path = _write(_part(questions, True), tmp_path / "paraphrase-sample.jsonl")
    out = tmp_path / "runs" / "sample"
    summary = run(path, REPO / "sample", out, progress=False, settings=settings)
    _holds("sample", out, summary)


@pytest.mark.shared
@pytest.mark.slow
def test_filings_part_over_three_10ks(tmp_path, settings, questions):
    shared_or_skip(FILINGS)
    docs = tmp_path / "filings"
    docs.mkdir()
    for name in FILINGS_DOCS:  # one store for every filings question: the three 10-Ks, not the whole folder
        (docs / name).symlink_to(shared_or_skip(FILINGS / name))
    path = _write(_part(questions, False), tmp_path / "paraphrase-filings.jsonl")
    out = tmp_path / "runs" / "filings"
    summary = run(path, docs, out, progress=False, settings=settings)
    _holds("filings", out, summary)
    from index.store import open_store

    store = open_store(settings.with_overrides(data_dir=store_dir(out, [docs])))
    texts = {Path(document.source_path).name: store.catalog.document_text(document.id)
             for document in store.documents()}
    for question in _part(questions, False):  # every gold quote is the 10-K's text, as the store holds it
        assert all(quote in texts[question.doc] for quote in question.citations), question.id
