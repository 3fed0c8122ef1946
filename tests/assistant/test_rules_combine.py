"""Ratios and shares of two lines a question names (assistant/rules/figures.py `combine`, assistant/rules/lines.py
`named`): the lines come from the statement that prints the period asked, a row under a heading the question does
not name is not the row asked, the "as a percentage of" cue is not a line, and a word no named line accounts for is
refused. The statements are written for these tests, shaped like a 10-K's; expected figures are read off them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import store_of_texts

from assistant.answering import Assistant

STATEMENTS = """CONSOLIDATED STATEMENTS OF OPERATIONS
(In millions, except per share amounts)
Years ended September 25, 2021 September 26, 2020
Net sales:
Products $ 297,392 $ 220,747
Services 68,425 53,768
Total net sales 365,817 274,515
Cost of sales:
Products 192,266 151,286
Services 20,715 18,273
Total cost of sales 212,981 169,559
Gross margin 152,836 104,956
Operating expenses:
Research and development 21,914 18,752
Selling, general and administrative 21,973 19,916
Total operating expenses 43,887 38,668
Operating income 108,949 66,288

Management's discussion: research and development expense, with its change and share of net sales.

2021 Change 2020
Research and development $ 21,914 17 % $ 18,752
Percentage of total net sales 6 % 7 %
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return store_of_texts(tmp_path_factory, {"statements": STATEMENTS}, "combine")


def percent(answer) -> Decimal:
    assert not answer.refused, answer.text
    assert answer.value.unit == "percent", answer.value
    return answer.value.number


@pytest.mark.parametrize("question", [
    "What was research and development expense as a percentage of total net sales in fiscal 2020?",
    "What was R&D as a % of total net sales in 2020?",
])
def test_a_ratio_reads_the_statement_not_the_percentage_line(store, question):
    # 18,752 / 274,515, not 18,752 / "7 %" and not the MD&A row whose columns are not periods.
    value = percent(Assistant(store).ask(question))
    assert value.quantize(Decimal("0.01")) == Decimal("6.83")


@pytest.mark.parametrize("question", [
    "What share of total net sales came from Services in fiscal 2021?",
    "What percentage of net sales were services in 2021?",
    "What proportion of total net sales did Services account for in 2021?",
])
def test_a_share_of_total_takes_the_row_under_the_heading_asked(store, question):
    # Services under "Net sales" (68,425), not under "Cost of sales" (20,715); the whole is Total net sales.
    value = percent(Assistant(store).ask(question))
    assert value.quantize(Decimal("0.01")) == Decimal("18.70")


def test_a_word_no_named_line_accounts_for_is_refused(store):
    answer = Assistant(store).ask("What was the cost of services as a percentage of services net sales in 2021?")
    assert answer.refused, answer.text
    assert "cost" in answer.text


def test_a_total_line_asked_for_each_period_respectively_is_not_summed(store):
    answer = Assistant(store).ask("What was the total cost of sales in 2021 and 2020 respectively?")
    assert not answer.refused, answer.text
    assert "382,540" not in answer.text  # 212,981 + 169,559 is not what was asked
    assert "212,981" in answer.text and "169,559" in answer.text


def test_a_margin_cites_the_printed_subtotal_that_agrees_with_it(store):
    # 365,817 − 212,981 = 152,836, which the statement prints as "Gross margin": cited beside the inputs.
    answer = Assistant(store).ask("What was the gross margin in fiscal 2021?")
    assert percent(answer).quantize(Decimal("0.01")) == Decimal("41.78")
    assert "print Gross margin as well" in answer.text
    assert any("152,836" in citation.quote for citation in answer.citations), [c.quote for c in answer.citations]


def test_a_row_printed_under_two_headings_the_question_does_not_name_is_refused(store):
    # "Services" under "Net sales" (68,425) and under "Cost of sales" (20,715): which one is not said.
    answer = Assistant(store).ask("What were services in 2021?")
    assert answer.refused, answer.text
    assert "Cost of sales" in answer.text


def test_the_difference_between_two_lines_is_the_gap_and_says_which_is_larger(store):
    answer = Assistant(store).ask("What was the difference between selling, general and administrative and research "
                                  "and development in 2021?")
    assert not answer.refused, answer.text
    assert answer.value.number * answer.value.scale == (21_973 - 21_914) * 1_000_000
    assert answer.text.startswith("Selling, general and administrative exceeded Research and development")


def test_the_difference_between_two_averages_is_not_the_difference_of_one_year(store):
    answer = Assistant(store).ask("What is the difference between the average research and development and average "
                                  "selling, general and administrative?")
    assert answer.refused or "21,973" not in answer.text or "average" in answer.text.lower(), answer.text
    assert not (answer.value and answer.value.number * answer.value.scale == 59 * 1_000_000), answer.text
