"""The project's gold question sets, eval/questions/seed.jsonl (the bundled press release) and filings.jsonl (six
SEC filings in ../shared/corpus/filings), checked as data: they load with the harness's loader, cover every kind
of question, every numeric gold answer is recomputed here in exact fractions from its `expression` and
`operands` (independently of assistant.calculator), every compare and direction answer agrees with the sign of
its expression, every citation is an exact quote of the document and, for the filings (with ../shared present),
lies on a gold page of the text index.loading extracts."""

from __future__ import annotations

import ast
import re
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import FILINGS, SEED, shared_or_skip

from eval.questionset import EvalQuestion, load_question_set
from index.numbers import scale_of

QUESTIONS = Path(__file__).resolve().parents[2] / "eval" / "questions"
TYPES = ("lookup", "calculation", "narrative", "refusal", "followup")
OPERATIONS = ("value", "change", "pct_change", "ratio", "sum", "average", "margin", "cagr", "compare", "direction",
              "narrative", "refusal")
# A number as the documents and the calculator write it: 1,577 / 1577 / 0.47 / 2.882.
NUMBER = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d]|,\d{3})")
# Literals an expression may hold besides its operands: the `years` of cagr(), and the multiplier of a figure
# printed with a scale word or in a table "(In millions)" ("$20.1 million" is 20.1 * 1000000).
CONSTANTS = {"1", "1000", "1000000", "1000000000"}
TABLE_SCALE = "1000000"
INCREASE = {"increase", "went up", "rose", "grew", "higher"}
DECREASE = {"decrease", "declined", "fell", "lower", "down", "loss"}
COMPANIES = {"APPLE": "Apple", "ORACLE": "Oracle", "EBAY": "eBay", "INTEL": "Intel", "MCDONALDS": "McDonald",
             "SALESFORCE": "Salesforce"}


@pytest.fixture(scope="module")
def seed() -> list[EvalQuestion]:
    return load_question_set(QUESTIONS / "seed.jsonl")


@pytest.fixture(scope="module")
def filings() -> list[EvalQuestion]:
    return load_question_set(QUESTIONS / "filings.jsonl")


@pytest.fixture(scope="module", params=["seed", "filings"])
def gold_set(request) -> list[EvalQuestion]:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdfs(filings: list[EvalQuestion]):
    """Each PDF of the filings set, loaded once with the project's loader: name -> LoadedFile."""
    shared_or_skip(FILINGS)
    from index.loading import load_file

    return {name: load_file(FILINGS / name, 10**9) for name in sorted({question.doc for question in filings})}


# --- an independent evaluator in exact fractions --------------------------------------------------------------


def _canon(number: str) -> str:
    return number.replace(",", "")


def evaluate(expression: str) -> Fraction:
    """The calculator's syntax (numbers with thousands separators, + - * /, parentheses, sum, avg, ratio, margin,
    pct_change, one-year cagr) in exact fractions; margin, pct_change and cagr give percentage points, as the
    calculator displays them."""
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
            if function == "cagr" and len(args) == 3:
                begin, end, years = args
                assert years == 1, "only one-year CAGR is exact in fractions"
                return (end / begin - 1) * 100
        raise AssertionError(f"unsupported expression element {ast.dump(node)} in {expression!r}")

    return walk(ast.parse(NUMBER.sub(name, expression), mode="eval"))


def test_evaluator_on_known_values() -> None:
    assert evaluate("pct_change(2,076,634, 2,564,117)") == Fraction(487_483 * 100, 2_076_634)
    assert evaluate("margin(637,784 - 629,987, 637,784)") == Fraction(7_797 * 100, 637_784)
    assert evaluate("avg(1, 2)") == Fraction(3, 2)
    assert evaluate("-17,102,407 + 0.47") == Fraction(-1_710_240_653, 100)
    assert evaluate("(122,151 - 10,708) * 1,000,000") == 111_443_000_000
    assert evaluate("ratio(sum(9,982, 11,128, 98,959), 50,672)") == Fraction(120_069, 50_672)
    assert evaluate("cagr(4, 5, 1)") == 25
    with pytest.raises(AssertionError, match="unsupported"):
        evaluate("__import__('os')")


def _decimals(answer: Decimal) -> int:
    return max(0, -answer.as_tuple().exponent)


def _pages(question: EvalQuestion) -> list[int]:
    return [evidence.page for evidence in question.evidence if evidence.page is not None]


# --- both sets: numbers, signs, quotes, conversations ---------------------------------------------------------


def test_ids_are_unique_and_kept(gold_set: list[EvalQuestion]) -> None:
    ids = [question.id for question in gold_set]
    prefix = ids[0].split("-")[0]
    assert len(ids) == len(set(ids)) and ids == [f"{prefix}-{n:03d}" for n in range(1, len(ids) + 1)]


def test_every_operand_is_quoted_and_the_expression_uses_only_operands(gold_set: list[EvalQuestion]) -> None:
    for question in gold_set:
        assert (question.operands is None) == (question.expression is None), question.id
        if question.operands is None:
            continue
        quoted = {_canon(number) for quote in question.citations for number in NUMBER.findall(quote)}
        operands = {_canon(operand) for operand in question.operands}
        assert operands <= quoted, (question.id, operands - quoted)
        literals = {_canon(literal) for literal in NUMBER.findall(question.expression)}
        assert operands <= literals, question.id
        assert not literals - operands - CONSTANTS, (question.id, literals - operands)


def test_every_numeric_answer_is_recomputed_from_its_operands(gold_set: list[EvalQuestion]) -> None:
    checked = 0
    for question in gold_set:
        if question.answer_type != "number":
            continue
        assert question.expression and question.tolerance == 0, question.id  # the printed precision, also when lenient
        exact = evaluate(question.expression) / scale_of(question.scale)
        gold = Fraction(question.answer)
        assert abs(exact - gold) <= Fraction(1, 2 * 10 ** _decimals(question.answer)), (question.id, float(exact))
        if "value" in question.tags:
            # The operand itself, or a figure printed with a scale times its multiplier.
            [operand] = question.operands
            assert re.sub(r"\s*\*\s*1(?:,?000){1,3}$", "", question.expression) == operand, question.id
        checked += 1
    assert checked >= 30


def test_compare_and_direction_answers_agree_with_the_sign_of_their_expression(gold_set) -> None:
    signed = [question for question in gold_set if {"compare", "direction"} & set(question.tags)]
    assert len(signed) >= 2
    for question in signed:
        value = evaluate(question.expression)
        assert value != 0 and question.match == "phrases", question.id
        said = {phrase.lower() for phrase in [*question.answer, *question.alternatives]}
        if "direction" in question.tags:  # new - old
            right, wrong = (INCREASE, DECREASE) if value > 0 else (DECREASE, INCREASE)
            assert said & right and not said & wrong, question.id
            continue
        # A compare is first-named - second-named: the phrase names the larger one, by its row or its column.
        first, second = question.operands
        winner, loser = (first, second) if value > 0 else (second, first)
        holding = {operand: [quote for quote in question.citations if operand in NUMBER.findall(quote)]
                   for operand in (winner, loser)}
        if holding[winner] != holding[loser]:
            named, other = holding[winner][0].lower(), holding[loser][0].lower()
        else:
            left, right = question.question.lower().split(" or ")
            named, other = (left, right) if value > 0 else (right, left)
        assert all(phrase.lower() in named and phrase.lower() not in other for phrase in question.answer), question.id


def test_conversations_replay_the_earlier_turns(gold_set: list[EvalQuestion]) -> None:
    by_id = {question.id: question for question in gold_set}
    followups = [question for question in gold_set if "followup" in question.tags]
    assert followups
    lengths = []
    for position, question in enumerate(gold_set):
        if not question.history:
            continue
        earlier = gold_set[position - len(question.history):position]
        assert [turn.question for turn in question.history] == [other.question for other in earlier], question.id
        for turn, other in zip(question.history, earlier):
            assert "followup" in other.tags and other.answer_type == "number", question.id
            figure = re.search(r"([\d,]+(?:\.\d+)?)\s*(million)?", turn.answer)
            amount = Decimal(_canon(figure.group(1))) * (1_000_000 if figure.group(2) else 1)
            assert amount == other.amount, (question.id, turn.answer)  # the history says what that turn's gold says
        lengths.append(len(question.history))
    starts = [question for question in followups if not question.history]
    assert len(starts) + len(lengths) == len(followups) and max(lengths) >= 2
    assert all(by_id[question.id] is question for question in followups)


def test_refusals_carry_no_figure_and_not_reported_lines_are_cited(gold_set: list[EvalQuestion]) -> None:
    for question in gold_set:
        if question.answer_type != "refusal":
            continue
        assert question.operands is None and question.answer, question.id  # the reason
        assert bool(question.citations) == ("not_reported" in question.tags), question.id
    assert sum("not_reported" in question.tags for question in gold_set) >= 2


def test_text_answers_are_key_phrases_of_their_quotes(gold_set: list[EvalQuestion]) -> None:
    for question in gold_set:
        if question.answer_type != "text":
            continue
        assert question.match == "phrases" and (question.answer or question.alternatives), question.id
        if "narrative" in question.tags:
            assert question.citations and all(len(quote) >= 30 for quote in question.citations), question.id
            quoted = " ".join(question.citations).lower()
            for phrase in question.answer:
                assert phrase.lower() in quoted, (question.id, phrase)


def test_evidence_repeats_the_citations(gold_set: list[EvalQuestion]) -> None:
    for question in gold_set:
        assert [evidence.text for evidence in question.evidence if evidence.text] == question.citations, question.id
        assert all(evidence.doc == question.doc for evidence in question.evidence), question.id
        assert question.notes, question.id


# --- the seed set ---------------------------------------------------------------------------------------------


def test_seed_set_covers_every_type_and_operation(seed: list[EvalQuestion]) -> None:
    assert len(seed) == 84 and {question.doc for question in seed} == {SEED.name}
    tags = Counter(tag for question in seed for tag in question.tags)
    assert set(TYPES) | set(OPERATIONS) <= set(tags), tags
    assert tags["refusal"] >= 5 and tags["narrative"] >= 5


def test_every_seed_citation_is_an_exact_substring_of_the_release(seed: list[EvalQuestion], seed_text: str) -> None:
    missing = [(question.id, quote) for question in seed for quote in question.citations if quote not in seed_text]
    assert missing == []
    assert sum(len(question.citations) for question in seed) >= 80


def test_seed_answers_are_rounded_as_asked(seed: list[EvalQuestion]) -> None:
    for question in seed:
        if question.answer_type != "number":
            continue
        asked = question.question.lower()
        if "one decimal" in asked:
            assert _decimals(question.answer) == 1, question.id
        if "two decimal" in asked:
            assert _decimals(question.answer) == 2, question.id
        if "million" in asked:
            assert question.scale == "million", question.id
        if {"pct_change", "margin", "cagr"} & set(question.tags):
            assert question.unit == "percent", question.id


def test_seed_single_value_rows_synonyms_and_units_are_covered(seed: list[EvalQuestion]) -> None:
    rows = {"Digital currencies 1,539": "1539", "Investments in derivatives 4,289": "4289",
            "Amounts due from related parties 113,858": "113858", "Gain on use of digital currencies 4,918": "4918",
            "Gain on non-marketable investment 1,635,939": "1635939"}
    values = {str(question.answer) for question in seed if question.answer_type == "number"}
    for row, value in rows.items():
        assert any(row in question.citations for question in seed), row
        assert value in values, row
    asked = " ".join(question.question for question in seed)
    for term in ("R&D", "G&A", "revenue", "PP&E", "total liabilities", "USD millions", "one decimal place", "in percent"):
        assert term in asked, term


def test_seed_known_gold_values_and_refusal_topics(seed: list[EvalQuestion]) -> None:
    rd = next(q for q in seed if q.question.startswith("What were Aptorum Group's R&D expenses"))
    assert rd.answer == Decimal("5508356")
    by_id = {question.id: question for question in seed}
    conversation = [by_id["seed-073"], by_id["seed-074"], by_id["seed-075"]]
    assert [q.answer for q in conversation] == [Decimal("2564117"), Decimal("2076634"), Decimal("23.47")]
    assert [q.question for q in conversation] == ["What were G&A fees in H1 2021?", "And in 2020?",
                                                   "What's the percentage change?"]
    topics = " ".join(question.question.lower() for question in seed if "refusal" in question.tags)
    for topic in ("2019", "capital expenditures", "free cash flow", "pfizer", "third quarter"):
        assert topic in topics, topic


# --- the filings set ------------------------------------------------------------------------------------------


def test_filings_set_covers_the_filings(filings: list[EvalQuestion]) -> None:
    assert len(filings) == 80
    documents = Counter(question.doc for question in filings)
    assert len(documents) >= 4, documents
    assert "APPLE_2022_10K.pdf" in documents
    assert {"ORACLE_2023_10K.pdf", "EBAY_2022_10K.pdf"} & set(documents)
    assert any("_EARNINGS" in name for name in documents)
    assert {"APPLE_2023Q3_10Q.pdf", "SALESFORCE_2023Q3_10Q.pdf"} & set(documents)
    assert all(name.endswith(".pdf") and "/" not in name for name in documents)


def test_filings_cover_every_kind_of_question(filings: list[EvalQuestion]) -> None:
    tags = Counter(tag for question in filings for tag in question.tags)
    assert {"lookup", "calculation", "narrative", "refusal"} <= set(tags), tags
    assert {"value", "change", "pct_change", "margin", "ratio", "sum"} <= set(tags), tags
    assert tags["refusal"] >= 3 and tags["narrative"] >= 3
    asked = " ".join(question.question.lower() for question in filings)
    for metric in ("free cash flow", "current ratio", "gross margin", "effective tax rate", "capital expenditures",
                   "debt to equity", "operating margin"):
        assert metric in asked, metric


def test_filings_questions_name_the_company_and_pages_are_given(filings: list[EvalQuestion]) -> None:
    for question in filings:
        if not question.history:
            company = COMPANIES[question.doc.split("_")[0]]
            # a refusal may ask about a company that is not in the corpus
            assert company in question.question or "refusal" in question.tags, question.id
        pages = _pages(question)
        if question.answer_type == "refusal" and "not_reported" not in question.tags:
            assert not pages and not question.citations, question.id
        else:
            assert pages and pages == sorted(set(pages)), question.id


def test_filings_amounts_are_full_usd_and_rates_have_two_decimals(filings: list[EvalQuestion]) -> None:
    for question in filings:
        if question.answer_type != "number":
            continue
        scaled = TABLE_SCALE in _canon(question.expression)
        if scaled:
            assert evaluate(question.expression).denominator == 1 and question.scale is None, question.id
        if question.unit == "percent" or "ratio" in question.tags:
            assert not scaled and _decimals(question.answer) == 2, question.id  # the table scale cancels


def test_filings_known_gold_values(filings: list[EvalQuestion]) -> None:
    by_question = {question.question: question.answer for question in filings}
    assert by_question["What was Apple's net income in fiscal 2022?"] == Decimal("99803000000")
    assert by_question["What were Apple's capital expenditures in fiscal 2022?"] == Decimal("10708000000")
    assert by_question["What was Oracle's operating margin in fiscal 2023?"] == Decimal("26.21")
    assert by_question["By how much did Intel's revenue change in Q4 2022 compared to Q4 2021?"] == Decimal("-6486000000")
    assert by_question["What was Apple's total net sales in the third quarter of fiscal 2023?"] == Decimal("81797000000")


@pytest.mark.shared
def test_every_filings_citation_is_an_exact_substring_of_its_document(filings, pdfs) -> None:
    missing = [(question.id, quote) for question in filings for quote in question.citations
               if quote not in pdfs[question.doc].text]
    assert missing == []


@pytest.mark.shared
def test_every_gold_page_holds_its_citations(filings, pdfs) -> None:
    for question in filings:
        pages = _pages(question)
        if not pages:
            continue
        loaded = pdfs[question.doc]
        assert loaded.pages is not None and max(pages) <= len(loaded.pages), question.id
        page_texts = [loaded.text[slice(*loaded.pages[page - 1])] for page in pages]
        for quote in question.citations:
            assert any(quote in text for text in page_texts), (question.id, quote, pages)
        for page, text in zip(pages, page_texts):
            assert any(quote in text for quote in question.citations), (question.id, page)


@pytest.mark.shared
def test_not_reported_cells_are_nil_in_the_filing(filings, pdfs) -> None:
    nil = [question for question in filings if "not_reported" in question.tags]
    assert nil
    for question in nil:
        assert any("—" in quote for quote in question.citations), question.id
