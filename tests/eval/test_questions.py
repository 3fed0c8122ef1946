"""The gold question set for the seed document: it loads, it covers every kind of question, every citation is an
exact quote, and every numeric gold answer is recomputed here with fractions.Fraction from the figures in its
citations (independently of assistant.calculator)."""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from eval.questions import (
    OPERATIONS,
    QUESTION_TYPES,
    SEED_QUESTIONS,
    CitationError,
    GoldQuestion,
    QuestionFileError,
    check_citations,
    conversation_history,
    load_questions,
    missing_citations,
)

REPO = Path(__file__).resolve().parents[2]
SEED_TEXT = REPO / "sample" / "aptorum-2021-h1-results.txt"
# A number as the document and the calculator write it: 1,577 / 1577 / 0.47 / 2.882.
NUMBER = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d]|,\d{3})")
# Literals an expression may hold besides its operands: the `years` argument of cagr(), and the multiplier of
# a figure a sentence prints with a scale word ("$20.1 million" is 20.1 * 1000000).
CONSTANTS = {"1", "1000", "1000000", "1000000000"}


@pytest.fixture(scope="module")
def questions() -> list[GoldQuestion]:
    return load_questions(SEED_QUESTIONS)


@pytest.fixture(scope="module")
def text() -> str:
    return SEED_TEXT.read_text(encoding="utf-8")


# ---------------------------------------------------------------- an independent evaluator in exact fractions


def _canon(number: str) -> str:
    return number.replace(",", "")


def evaluate(expression: str) -> Fraction:
    """The calculator's syntax (numbers with thousands separators, + - * /, sum, avg, pct_change, ratio, margin,
    cagr) in exact fractions; pct_change, margin and cagr give percentage points as the calculator displays them."""
    literals: dict[str, Fraction] = {}

    def name(match: re.Match[str]) -> str:
        key = f"_n{len(literals)}"
        literals[key] = Fraction(_canon(match.group(0)))
        return key

    tree = ast.parse(NUMBER.sub(name, expression), mode="eval")

    def walk(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Name) and node.id in literals:
            return literals[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = walk(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            operations = {ast.Add: lambda: left + right, ast.Sub: lambda: left - right,
                          ast.Mult: lambda: left * right, ast.Div: lambda: left / right}
            return operations[type(node.op)]()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            args = [walk(argument) for argument in node.args]
            function = node.func.id
            if function == "sum":
                return sum(args, Fraction(0))
            if function == "avg":
                return sum(args, Fraction(0)) / len(args)
            if function == "ratio":
                part, whole = args
                return part / whole
            if function == "margin":
                part, whole = args
                return part / whole * 100
            if function == "pct_change":
                old, new = args
                return (new - old) / old * 100
            if function == "cagr":
                begin, end, years = args
                assert years == 1, "only one-year CAGR is exact in fractions"
                return (end / begin - 1) * 100
        raise AssertionError(f"unsupported expression element {ast.dump(node)} in {expression!r}")

    return walk(tree)


def test_evaluator_on_known_values() -> None:
    assert evaluate("pct_change(2,076,634, 2,564,117)") == Fraction(487_483 * 100, 2_076_634)
    assert evaluate("margin(637,784 - 629,987, 637,784)") == Fraction(7_797 * 100, 637_784)
    assert evaluate("avg(1, 2)") == Fraction(3, 2)
    assert evaluate("-17,102,407 + 0.47") == Fraction(-1_710_240_653, 100)


# ---------------------------------------------------------------- the set as a whole


def test_seed_set_loads_and_is_large_enough(questions: list[GoldQuestion]) -> None:
    assert len(questions) >= 45
    assert {question.document for question in questions} == {SEED_TEXT.name}


def test_every_type_and_operation_is_present(questions: list[GoldQuestion]) -> None:
    types = Counter(question.type for question in questions)
    operations = Counter(question.operation for question in questions)
    assert set(types) == set(QUESTION_TYPES), types
    assert set(operations) == set(OPERATIONS), operations
    assert types["refusal"] >= 5 and types["narrative"] >= 5


def test_ids_are_unique(questions: list[GoldQuestion]) -> None:
    ids = [json.loads(line)["id"] for line in SEED_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(ids) == len(set(ids)) == len(questions)


def test_every_citation_is_an_exact_substring_of_the_seed(questions: list[GoldQuestion], text: str) -> None:
    assert missing_citations(questions, text) == []
    assert check_citations(questions, text) == sum(len(question.citations) for question in questions)
    for question in questions:
        for quote in question.citations:
            assert quote in text, (question.id, quote)


def test_check_citations_reports_a_misquote(questions: list[GoldQuestion], text: str) -> None:
    broken = questions[0].model_copy(update={"citations": ["Research and development expenses (5,508,356)"]})
    with pytest.raises(CitationError, match=questions[0].id) as raised:
        check_citations([broken, *questions[1:]], text)
    assert raised.value.missing == [(questions[0].id, "Research and development expenses (5,508,356)")]


# ---------------------------------------------------------------- numeric gold answers, recomputed


def _numbers(text: str) -> set[str]:
    return {_canon(match) for match in NUMBER.findall(text)}


def test_every_operand_is_quoted_in_a_citation(questions: list[GoldQuestion]) -> None:
    for question in questions:
        if question.operands is None:
            continue
        cited = set().union(*(_numbers(quote) for quote in question.citations))
        for operand in question.operands:
            assert _canon(operand) in cited, (question.id, operand, question.citations)
        literals = {_canon(literal) for literal in NUMBER.findall(question.expression or "")}
        stray = literals - {_canon(operand) for operand in question.operands} - CONSTANTS
        assert not stray, (question.id, stray)
        assert {_canon(operand) for operand in question.operands} <= literals, question.id


def test_every_numeric_answer_is_recomputed_from_its_operands(questions: list[GoldQuestion]) -> None:
    checked = 0
    for question in questions:
        answer = question.answer
        if answer.kind != "number":
            continue
        exact = evaluate(question.expression) / answer.scale
        gold = Fraction(Decimal(answer.value))
        assert abs(exact - gold) <= Fraction(Decimal(answer.tolerance)), (question.id, float(exact), answer.value)
        if question.operation == "value":
            # The operand itself, or a sentence's scaled figure times its scale word's multiplier.
            read = re.sub(r"\s*\*\s*1(?:000){1,3}$", "", _canon(question.expression))
            assert len(question.operands) == 1 and read == _canon(question.operands[0]), question.id
        checked += 1
    assert checked >= 30


def test_compare_and_direction_signs_are_recomputed(questions: list[GoldQuestion]) -> None:
    signed = [question for question in questions if question.operation in ("compare", "direction")]
    assert len(signed) >= 4
    for question in signed:
        value = evaluate(question.expression)
        assert value != 0 and (1 if value > 0 else -1) == question.answer.sign, question.id
        if question.operation == "direction":
            assert question.answer.label == ("increase" if value > 0 else "decrease")


def test_rounded_answers_are_rounded_as_asked(questions: list[GoldQuestion]) -> None:
    for question in questions:
        answer = question.answer
        if answer.kind != "number":
            continue
        asked = question.question.lower()
        decimals = -Decimal(answer.value).as_tuple().exponent
        if "one decimal" in asked:
            assert decimals == 1, question.id
        if "two decimal" in asked:
            assert decimals == 2, question.id
        if "million" in asked:
            assert answer.scale == 1_000_000, question.id
        if answer.unit == "percent":
            assert answer.display.endswith("%"), question.id


# ---------------------------------------------------------------- what the brief asked to be covered


def _by_value(questions: list[GoldQuestion]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for question in questions:
        if question.answer.kind == "number":
            found.setdefault(question.answer.value, set()).add(question.id)
    return found


def test_single_value_rows_are_covered(questions: list[GoldQuestion]) -> None:
    rows = {"Digital currencies 1,539": "1539", "Investments in derivatives 4,289": "4289",
            "Amounts due from related parties 113,858": "113858", "Gain on use of digital currencies 4,918": "4918",
            "Gain on non-marketable investment 1,635,939": "1635939"}
    values = _by_value(questions)
    for row, value in rows.items():
        assert any(row in question.citations for question in questions), row
        assert value in values, row
    not_reported = [question for question in questions if question.answer.kind == "not_reported"]
    assert len(not_reported) >= 2


def test_synonyms_and_units_are_asked(questions: list[GoldQuestion]) -> None:
    asked = " ".join(question.question for question in questions)
    for term in ("R&D", "G&A", "revenue", "PP&E", "total liabilities", "USD millions", "one decimal place", "in percent"):
        assert term in asked, term


def test_known_gold_values(questions: list[GoldQuestion]) -> None:
    by_id = {question.id: question for question in questions}
    rd = next(q for q in questions if q.question.startswith("What were Aptorum Group's R&D expenses"))
    assert rd.answer.value == "5508356"
    conversation = [q for q in questions if q.conversation and q.conversation.id == "conv-1"]
    assert [q.answer.value for q in conversation] == ["2564117", "2076634", "23.47"]
    assert [q.question for q in conversation] == ["What were G&A fees in H1 2021?", "And in 2020?",
                                                   "What's the percentage change?"]
    assert all(by_id[q.id] is q for q in conversation)


def test_refusals_carry_no_figure(questions: list[GoldQuestion]) -> None:
    refusals = [question for question in questions if question.type == "refusal"]
    topics = " ".join(question.question.lower() for question in refusals)
    for topic in ("2019", "capital expenditures", "free cash flow", "pfizer", "third quarter"):
        assert topic in topics, topic
    assert all(question.answer.kind == "refusal" and question.operands is None for question in refusals)


def test_narrative_answers_are_quoted(questions: list[GoldQuestion], text: str) -> None:
    for question in questions:
        if question.type != "narrative":
            continue
        assert question.citations and all(len(quote) >= 30 for quote in question.citations), question.id
        quoted = " ".join(question.citations).lower()
        for phrase in question.answer.text_contains:
            assert phrase.lower() in quoted, (question.id, phrase)


# ---------------------------------------------------------------- conversations


def test_conversation_turns_are_consecutive(questions: list[GoldQuestion]) -> None:
    turns: dict[str, list[int]] = {}
    for question in questions:
        if question.conversation is not None:
            turns.setdefault(question.conversation.id, []).append(question.conversation.turn)
    assert turns and "conv-1" in turns
    for conversation, numbers in turns.items():
        assert numbers == list(range(1, len(numbers) + 1)), conversation
        assert len(numbers) >= 3


def test_conversation_history(questions: list[GoldQuestion]) -> None:
    last = next(q for q in questions if q.conversation and q.conversation.id == "conv-1" and q.conversation.turn == 3)
    history = conversation_history(questions, last)
    assert [q.question for q in history] == ["What were G&A fees in H1 2021?", "And in 2020?"]
    assert conversation_history(questions, questions[0]) == []


# ---------------------------------------------------------------- the loader's errors


def _write(tmp_path: Path, records: list[object]) -> Path:
    path = tmp_path / "set.jsonl"
    lines = [record if isinstance(record, str) else json.dumps(record) for record in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _records() -> list[dict]:
    return [json.loads(line) for line in SEED_QUESTIONS.read_text(encoding="utf-8").splitlines()[:3]]


def test_malformed_json_names_the_file_and_line(tmp_path: Path) -> None:
    first, second, _ = _records()
    path = _write(tmp_path, [first, '{"id": "seed-999", "question": ', second])
    with pytest.raises(QuestionFileError) as raised:
        load_questions(path)
    assert raised.value.line == 2 and raised.value.path == path
    assert str(raised.value).startswith(f"{path}:2: not valid JSON")


def test_schema_error_names_the_line_and_field(tmp_path: Path) -> None:
    first, second, third = _records()
    third = {**third, "answer": {**third["answer"], "value": 5508356}}
    second = {**second, "surprise": True}
    with pytest.raises(QuestionFileError, match=r":2: question 'seed-002': surprise: Extra inputs"):
        load_questions(_write(tmp_path, [first, second]))
    with pytest.raises(QuestionFileError, match=r":2: .*answer\.number\.value: Value error, must be a decimal"):
        load_questions(_write(tmp_path, [first, third]))


@pytest.mark.parametrize("change, message", [
    ({"type": "refusal"}, "go together"),
    ({"citations": []}, "needs at least one citation"),
    ({"expression": None}, "needs its operands"),
    ({"operation": "narrative"}, "go together"),
])
def test_inconsistent_records_are_rejected(tmp_path: Path, change: dict, message: str) -> None:
    first = {**_records()[0], **change}
    with pytest.raises(QuestionFileError, match=rf":1: .*{message}"):
        load_questions(_write(tmp_path, [first]))


def test_duplicate_ids_and_turn_gaps_name_the_line(tmp_path: Path) -> None:
    first, second, _ = _records()
    with pytest.raises(QuestionFileError, match=r":3: duplicate id 'seed-001' \(first on line 1\)"):
        load_questions(_write(tmp_path, [first, second, first]))
    turns = [json.loads(line) for line in SEED_QUESTIONS.read_text(encoding="utf-8").splitlines()
             if '"conv-1"' in line]
    with pytest.raises(QuestionFileError, match=r":2: conversation 'conv-1': turn 3 where turn 2 was expected"):
        load_questions(_write(tmp_path, [turns[0], turns[2]]))
