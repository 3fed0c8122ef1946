"""The gold question set over the real SEC filings (eval/questions/filings.jsonl): it loads with eval.questions, it
covers enough documents and kinds of question, every numeric gold answer is recomputed here in exact fractions from
its printed operands, and (with ../shared present) every citation is an exact quote of the text index.loading
extracts from its PDF, on the gold page."""

from __future__ import annotations

import ast
import re
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import FILINGS, shared_or_skip

from eval.questions import QUESTIONS_DIR, GoldQuestion, check_citations, load_questions, missing_citations

FILINGS_QUESTIONS = QUESTIONS_DIR / "filings.jsonl"
# A number as the filings and the calculator write it: 1,577 / 1577 / 6.11.
NUMBER = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d]|,\d{3})")
# The table scale: money figures printed "(In millions)" are turned into full USD by "* 1,000,000" in the expression.
TABLE_SCALE = "1000000"
COMPANIES = {"APPLE": "Apple", "ORACLE": "Oracle", "EBAY": "eBay", "INTEL": "Intel", "MCDONALDS": "McDonald",
             "SALESFORCE": "Salesforce"}


@pytest.fixture(scope="module")
def questions() -> list[GoldQuestion]:
    return load_questions(FILINGS_QUESTIONS)


@pytest.fixture(scope="module")
def documents(questions: list[GoldQuestion]):
    """Each PDF of the set, loaded once with the project's loader: name -> LoadedFile."""
    shared_or_skip(FILINGS)
    from index.loading import load_file

    return {name: load_file(FILINGS / name, 10**9) for name in sorted({question.document for question in questions})}


# ---------------------------------------------------------------- a small evaluator in exact fractions


def _canon(number: str) -> str:
    return number.replace(",", "")


def evaluate(expression: str) -> Fraction:
    """The calculator's syntax (numbers with thousands separators, + - * /, parentheses, sum, avg, ratio, margin,
    pct_change) in exact fractions; margin and pct_change give percentage points, as the calculator displays them."""
    literals: dict[str, Fraction] = {}

    def name(match: re.Match[str]) -> str:
        key = f"_n{len(literals)}"
        literals[key] = Fraction(_canon(match.group(0)))
        return key

    def walk(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Name) and node.id in literals:
            return literals[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = walk(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in (ast.Add, ast.Sub, ast.Mult, ast.Div):
            left, right = walk(node.left), walk(node.right)
            return {ast.Add: lambda: left + right, ast.Sub: lambda: left - right,
                    ast.Mult: lambda: left * right, ast.Div: lambda: left / right}[type(node.op)]()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            args = [walk(argument) for argument in node.args]
            function = node.func.id
            if function == "sum":
                return sum(args, Fraction(0))
            if function == "avg":
                return sum(args, Fraction(0)) / len(args)
            if function == "ratio" and len(args) == 2:
                return args[0] / args[1]
            if function == "margin" and len(args) == 2:
                return args[0] / args[1] * 100
            if function == "pct_change" and len(args) == 2:
                return (args[1] - args[0]) / args[0] * 100
        raise AssertionError(f"unsupported expression element {ast.dump(node)} in {expression!r}")

    return walk(ast.parse(NUMBER.sub(name, expression), mode="eval"))


def test_evaluator_on_known_values() -> None:
    assert evaluate("(122,151 - 10,708) * 1,000,000") == 111_443_000_000
    assert evaluate("pct_change(365,817, 394,328)") == Fraction(28_511 * 100, 365_817)
    assert evaluate("ratio(sum(9,982, 11,128, 98,959), 50,672)") == Fraction(120_069, 50_672)
    assert evaluate("margin(394,328 - 223,546, 394,328)") == Fraction(170_782 * 100, 394_328)
    assert evaluate("-1,132 - 4,989") == -6_121


# ---------------------------------------------------------------- the set as a whole


def test_set_loads_and_covers_the_filings(questions: list[GoldQuestion]) -> None:
    assert len(questions) >= 40
    documents = Counter(question.document for question in questions)
    assert len(documents) >= 4, documents
    assert "APPLE_2022_10K.pdf" in documents
    assert {"ORACLE_2023_10K.pdf", "EBAY_2022_10K.pdf"} & set(documents)
    assert any("_EARNINGS" in name for name in documents)
    assert {"APPLE_2023Q3_10Q.pdf", "SALESFORCE_2023Q3_10Q.pdf"} & set(documents)
    assert all(name.endswith(".pdf") and "/" not in name for name in documents)


def test_every_kind_of_question_is_present(questions: list[GoldQuestion]) -> None:
    types = Counter(question.type for question in questions)
    operations = Counter(question.operation for question in questions)
    assert {"lookup", "calculation", "narrative", "refusal"} <= set(types), types
    assert {"value", "change", "pct_change", "margin", "ratio", "sum"} <= set(operations), operations
    assert types["refusal"] >= 3 and types["narrative"] >= 3
    asked = " ".join(question.question.lower() for question in questions)
    for metric in ("free cash flow", "current ratio", "gross margin", "effective tax rate", "capital expenditures",
                   "debt to equity", "operating margin"):
        assert metric in asked, metric


def test_questions_name_the_company_and_pages_are_given(questions: list[GoldQuestion]) -> None:
    for question in questions:
        if question.conversation is None or question.conversation.turn == 1:
            company = COMPANIES[question.document.split("_")[0]]
            # a refusal may ask about a company that is not in the corpus
            assert company in question.question or question.type == "refusal", question.id
        if question.answer.kind == "refusal":
            assert question.pages is None and not question.citations, question.id
        else:
            assert question.pages and question.pages == sorted(set(question.pages)), question.id


# ---------------------------------------------------------------- numeric gold answers, recomputed


def test_every_operand_is_quoted_and_the_expression_uses_only_operands(questions: list[GoldQuestion]) -> None:
    for question in questions:
        if question.operands is None:
            continue
        cited = {_canon(number) for quote in question.citations for number in NUMBER.findall(quote)}
        operands = {_canon(operand) for operand in question.operands}
        assert operands <= cited, (question.id, operands - cited)
        literals = {_canon(literal) for literal in NUMBER.findall(question.expression or "")}
        assert operands <= literals, question.id
        assert not literals - operands - {TABLE_SCALE}, (question.id, literals - operands)


def test_every_numeric_answer_is_recomputed_from_its_operands(questions: list[GoldQuestion]) -> None:
    checked = 0
    for question in questions:
        answer = question.answer
        if answer.kind != "number":
            continue
        exact = evaluate(question.expression)
        gold = Fraction(Decimal(answer.value)) * answer.scale
        assert abs(exact - gold) <= Fraction(Decimal(answer.tolerance)) * answer.scale, (question.id, float(exact), answer.value)
        if answer.unit == "USD" and TABLE_SCALE in _canon(question.expression):
            assert exact.denominator == 1 and answer.tolerance == "0", question.id  # full USD, exact
        if answer.unit in ("percent", "ratio"):
            assert TABLE_SCALE not in _canon(question.expression), question.id  # the scale cancels
            assert -Decimal(answer.value).as_tuple().exponent == 2, question.id
        if answer.unit == "percent":
            assert answer.display.endswith("%"), question.id
        if question.operation == "value":
            [operand] = question.operands
            assert _canon(question.expression) in (_canon(operand), f"{_canon(operand)} * {TABLE_SCALE}"), question.id
            assert answer.tolerance == "0", question.id
        checked += 1
    assert checked >= 30


def test_direction_signs_are_recomputed(questions: list[GoldQuestion]) -> None:
    signed = [question for question in questions if question.operation in ("compare", "direction")]
    for question in signed:
        value = evaluate(question.expression)
        assert value != 0 and (1 if value > 0 else -1) == question.answer.sign, question.id


def test_known_gold_values(questions: list[GoldQuestion]) -> None:
    by_question = {question.question: question.answer for question in questions}
    assert by_question["What was Apple's net income in fiscal 2022?"].value == "99803000000"
    assert by_question["What were Apple's capital expenditures in fiscal 2022?"].value == "10708000000"
    assert by_question["What was Oracle's operating margin in fiscal 2023?"].value == "26.21"
    assert by_question["By how much did Intel's revenue change in Q4 2022 compared to Q4 2021?"].value == "-6486000000"
    assert by_question["What was Apple's total net sales in the third quarter of fiscal 2023?"].value == "81797000000"


# ---------------------------------------------------------------- against the PDFs' extracted text (../shared)


@pytest.mark.shared
def test_every_citation_is_an_exact_substring_of_its_document(questions: list[GoldQuestion], documents) -> None:
    for name, loaded in documents.items():
        subset = [question for question in questions if question.document == name]
        assert missing_citations(subset, loaded.text) == [], name
        assert check_citations(subset, loaded.text) == sum(len(question.citations) for question in subset)


@pytest.mark.shared
def test_every_gold_page_holds_its_citations(questions: list[GoldQuestion], documents) -> None:
    for question in questions:
        if not question.pages:
            continue
        loaded = documents[question.document]
        assert loaded.pages is not None and max(question.pages) <= len(loaded.pages), question.id
        page_texts = [loaded.text[slice(*loaded.pages[page - 1])] for page in question.pages]
        for quote in question.citations:
            assert any(quote in text for text in page_texts), (question.id, quote, question.pages)
        for page, text in zip(question.pages, page_texts):
            assert any(quote in text for quote in question.citations), (question.id, page)


@pytest.mark.shared
def test_not_reported_cells_are_nil_in_the_filing(questions: list[GoldQuestion], documents) -> None:
    nil = [question for question in questions if question.answer.kind == "not_reported"]
    assert nil
    for question in nil:
        assert any("—" in quote for quote in question.citations), question.id
