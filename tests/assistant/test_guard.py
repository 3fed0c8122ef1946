"""The numeric guard: which numbers an answer states, and whether a cited quote or a calculator result supports
each. Expected values are written by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assistant.calculator import calculate
from assistant.guard import UNVERIFIED_MARKER, check_numbers, guard_answer, mark_unverified
from index.records import Answer, Citation, Figure

SEED = Path(__file__).resolve().parents[2] / "sample" / "aptorum-2021-h1-results.txt"


def cite(quote: str, n: int = 1) -> Citation:
    return Citation(n=n, doc_id="192a281d78870ade", title="Aptorum H1 2021 results", quote=quote, start=0,
                    end=len(quote))


def seed_quote(snippet: str, n: int = 1) -> Citation:
    """A citation of an exact passage of the seed press release."""
    text = SEED.read_text(encoding="utf-8")
    start = text.index(snippet)
    return Citation(n=n, doc_id="aptorum", title="Aptorum H1 2021 results", quote=snippet, start=start,
                    end=start + len(snippet))


def percent_figure(value: str, display: str) -> Figure:
    return Figure(expression="x", value=Decimal(value), unit="percent", display=display, derivation=f"x = {display}")


# --- support: normalization ------------------------------------------------------------------------------------

def test_rounded_millions_match_the_statement_figure():
    quote = seed_quote("Research and development expenses (5,508,356 (4,315,033")
    assert check_numbers("R&D expenses were $5.5 million [1].", [quote], []) == []


def test_rounding_half_up_at_the_printed_precision():
    assert check_numbers("$5.5 million", [cite("5,458,000")], []) == []  # 5.458 rounds to 5.5
    assert check_numbers("$5.5 million", [cite("5,549,999")], []) == []
    assert check_numbers("$5.5 million", [cite("5,550,000")], []) == []  # a tie: both neighbours pass
    assert check_numbers("$5.5 million", [cite("5,608,356")], []) == ["$5.5 million"]
    assert check_numbers("$5.5 million", [cite("5,550,001")], []) == ["$5.5 million"]
    assert check_numbers("$5.5 million", [cite("5,449,999")], []) == ["$5.5 million"]


def test_a_coarser_answer_matches_but_a_more_precise_one_does_not():
    quote = seed_quote("Aptorum Group reported a net loss of $17.1 million")
    assert check_numbers("a net loss of $17 million", [quote], []) == []
    assert check_numbers("a net loss of $17.1 million, or 17.1 in millions", [quote], []) == []
    assert check_numbers("a net loss of $17,100,000", [quote], []) == []
    # The prose gives one decimal of millions; it cannot support the exact figure or a second decimal.
    assert check_numbers("a net loss of $17,102,407 or $17.10 million", [quote], []) == ["$17,102,407"]
    assert check_numbers("a net loss of $17.12 million", [quote], []) == ["$17.12 million"]


def test_sign_insensitive():
    quote = seed_quote("Research and development expenses (5,508,356 (4,315,033")
    assert check_numbers("R&D expenses were 5,508,356 [1].", [quote], []) == []
    quote = cite("Purchases of property, plant and equipment 1,577")
    assert check_numbers("capex was -1,577 or (1,577) or −1,577", [quote], []) == []
    assert check_numbers("capex was 1,577", [cite("Purchases of property, plant and equipment (1,577)")], []) == []


def test_table_scale_is_applied_up_to_the_answers_own_scale():
    quote = cite("General and administrative 2,600 2,100")  # from a table "(in millions)" not in the quote
    assert check_numbers("G&A was $2.6 billion", [quote], []) == []
    assert check_numbers("G&A was $2,600 million", [quote], []) == []
    assert check_numbers("G&A was US$2.6bn", [quote], []) == []
    # An answer in units is not taken to come from a scaled table.
    assert check_numbers("G&A was $2,600,000,000", [quote], []) == ["$2,600,000,000"]
    # Scaled or not, the digits must agree.
    assert check_numbers("G&A was $2.7 billion", [quote], []) == ["$2.7 billion"]


def test_a_scaled_figure_restated_in_full_units_in_parentheses_is_supported():
    quote = cite("Total revenues 39,383 37,728")  # from a table "(in millions)"
    assert check_numbers("Total revenues were $39.4 billion (39,383,000,000) [1].", [quote], []) == []
    assert check_numbers("Total revenues were $39,383.0 million (39,383,000,000) [1].", [quote], []) == []
    # Only exactly the printed figure at a table scale, and only right after a figure the quote supports.
    assert check_numbers("Total revenues were $39.4 billion (39,384,000,000) [1].", [quote], []) == ["39,384,000,000"]
    assert check_numbers("Total revenues were 39,383,000,000 [1].", [quote], []) == ["39,383,000,000"]
    assert check_numbers("Total revenues were $41.2 billion (39,383,000,000).", [quote], []) == [
        "$41.2 billion", "39,383,000,000"]


def test_thousands_table():
    quote = cite("Research and development 5,508 4,315")  # "(in thousands)"
    assert check_numbers("R&D was $5.5 million, against $4,315 thousand", [quote], []) == []
    assert check_numbers("R&D was $5.5bn", [quote], []) == []  # 5,508 in millions, also a reading
    assert check_numbers("R&D was $5.6 million", [quote], []) == ["$5.6 million"]


@pytest.mark.parametrize("answer", ["US$5.5m", "USD 5.5 million", "5.5 mn", "$5,508 thousand", "$5,508k", "$ 5,508,356"])
def test_currency_and_scale_words(answer):
    assert check_numbers(f"R&D was {answer}.", [cite("R&D expenses (5,508,356")], []) == []


def test_percent_from_a_calculator_figure():
    figure = calculate("round(pct_change(6,988,314, 17,102,407), 2)")
    assert check_numbers("The net loss grew 144.73% [1].", [], [figure]) == []
    assert check_numbers("The net loss grew 144.7%.", [], [figure]) == []
    assert check_numbers("The net loss grew 144.74%.", [], [figure]) == ["144.74%"]


def test_percent_rounded_to_what_is_printed():
    figure = percent_figure("27.66", "27.66%")
    assert check_numbers("Gross margin was 27.7%.", [], [figure]) == []
    assert check_numbers("Gross margin was 28%.", [], [figure]) == []
    assert check_numbers("Gross margin was 27.8%.", [], [figure]) == ["27.8%"]
    assert check_numbers("Gross margin was 27.7 percent.", [cite("gross margin of 27.66%")], []) == []


def test_percent_only_matches_percent():
    # A bare 27.66 in a quote may be a money amount: it does not support a percentage, nor the other way round.
    assert check_numbers("Margin was 27.66%.", [cite("Other income 27.66")], []) == ["27.66%"]
    assert check_numbers("Other income was 27.66.", [cite("margin of 27.66%")], []) == ["27.66"]
    assert check_numbers("Other income was 27.66.", [], [percent_figure("27.66", "27.66%")]) == ["27.66"]
    # Nor is a percentage scaled like a table amount.
    assert check_numbers("Margin was 27.7%.", [cite("margin of 0.0277%")], []) == ["27.7%"]


def test_per_share_amount():
    quote = seed_quote("Net loss per share basic and diluted (0.47 (0.21")
    assert check_numbers("Loss per share was $0.47, against 0.21 [1].", [quote], []) == []
    assert check_numbers("Loss per share was $0.48.", [quote], []) == ["$0.48"]


def test_calculator_operands_in_the_derivation_are_sources():
    figure = calculate("round(pct_change(6,988,314, 17,102,407), 2)")
    text = "The net loss grew from 6,988,314 to 17,102,407, an increase of 144.73%."
    assert check_numbers(text, [], [figure]) == []
    assert check_numbers("The net loss grew from 6,988,315.", [], [figure]) == ["6,988,315"]


def test_calculator_value_of_a_number_figure():
    figure = calculate("5,508,356 + 2,564,117")
    assert check_numbers("Together 8,072,473, about $8.1 million.", [], [figure]) == []


# --- support: whole answers ------------------------------------------------------------------------------------

def test_fully_grounded_answer():
    citations = [
        seed_quote("Research and development expenses were $5.5 million for the six months ended June 30, 2021 "
                   "compared to $4.3 million for the same period in 2020.", 1),
        seed_quote("Net loss (17,102,407 (6,988,314", 2),
    ]
    figures = [calculate("round(pct_change(6,988,314, 17,102,407), 2)")]
    text = ("For the six months ended June 30, 2021, research and development expenses were $5.5 million, up from "
            "$4.3 million in the first half of 2020 [1]. The net loss was $17,102,407 (2020: $6,988,314) [2], an "
            "increase of 144.73% (see Note 9; Q2 2021, FY2021, fact 192a281d78870ade-f00071).")
    assert check_numbers(text, citations, figures) == []


def test_hallucinated_figure_is_caught():
    citations = [seed_quote("Aptorum Group reported a net loss of $17.1 million for the six months ended June 30, "
                            "2021 compared to $7.0 million for the same period in 2020.")]
    text = ("The net loss was $17.1 million in the first half of 2021 against $7.0 million in 2020 [1]; revenue was "
            "$9.9 million [1] and the loss grew 144.73% [1].")
    assert check_numbers(text, citations, []) == ["$9.9 million", "144.73%"]


def test_unsupported_numbers_in_order_without_repeats():
    text = "Revenue was $9.9 million, then 3.2%, then $9.9 million again and 5,508,356 and 3.2%."
    assert check_numbers(text, [cite("R&D 5,508,356")], []) == ["$9.9 million", "3.2%"]


def test_small_counts_are_checked():
    assert check_numbers("The 3 largest expenses were", [], []) == ["3"]
    quote = seed_quote("In total, up to 6 cohorts for SAD and 3 cohorts for MAD have been planned.")
    assert check_numbers("Up to 6 SAD cohorts and 3 MAD cohorts are planned [1].", [quote], []) == []


def test_dates_and_identifiers_in_an_answer_need_no_source():
    text = ("As of June 30, 2021 [1] (Q2 2021, fiscal 2021, Item 7, Note 9, p. 4), per fact "
            "192a281d78870ade-f00071 of the Form 10-K [12].")
    assert check_numbers(text, [], []) == []


def test_no_numbers_no_sources():
    assert check_numbers("Research and development expenses are not reported.", [], []) == []


# --- marking ---------------------------------------------------------------------------------------------------

def test_marks_each_unsupported_number():
    text = "Revenue was $9.9 million [1], up 12.3% on June 5, 2020; $9.9 million is 5 times [5] 5."
    assert mark_unverified(text, ["$9.9 million", "5"]) == (
        "Revenue was $9.9 million [unverified] [1], up 12.3% on June 5, 2020; $9.9 million [unverified] is "
        "5 [unverified] times [5] 5 [unverified].")
    assert UNVERIFIED_MARKER == "[unverified]"


def test_marking_is_idempotent_and_a_no_op_without_unsupported_numbers():
    text = "Revenue was 12.3 million."
    once = mark_unverified(text, ["12.3 million"])
    assert once == "Revenue was 12.3 million [unverified]."
    assert mark_unverified(once, ["12.3 million"]) == once
    assert mark_unverified(text, []) == text


def test_marked_text_is_still_checked_the_same_way():
    once = mark_unverified("Revenue was $9.9 million.", ["$9.9 million"])
    assert check_numbers(once, [], []) == ["$9.9 million"]


def test_guard_answer_sets_the_verdict_and_marks_the_text():
    answer = Answer(question="R&D?", text="R&D was $5.5 million [1], revenue $9.9 million.",
                    citations=[cite("Research and development expenses (5,508,356")])
    guarded = guard_answer(answer)
    assert guarded.text == "R&D was $5.5 million [1], revenue $9.9 million [unverified]."
    assert guarded.unsupported_numbers == ["$9.9 million"]
    assert guarded.grounded is False
    assert answer.text == "R&D was $5.5 million [1], revenue $9.9 million."  # the original is unchanged
    assert guard_answer(answer, mark=False).text == answer.text

    clean = guard_answer(Answer(question="R&D?", text="R&D was $5.5 million [1].", citations=answer.citations))
    assert (clean.grounded, clean.unsupported_numbers, clean.text) == (True, [], "R&D was $5.5 million [1].")
