"""The rule-based backend over small tables with their paragraphs (the shape of a note to the statements): columns
printed as bare years, captions in the prose, amounts beside their percentages, and the questions it must refuse
rather than answer as a nearby one. The tables are written for these tests; expected figures are read off them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from conftest import ask_in, store_of_texts

ACCRUED = """2019  2018
Accrued payroll and employee benefits  116.9  105.9
Derivative liabilities  93.8  120.5
Tax-related accruals  30.8  38.4

Accrued expenses and other current liabilities consisted of the following (in millions):
"""

ORDERS = """Fiscal year    % Change
(in millions of €)  2019  2018  Actual  Comp.
Orders  19,975  18,451  8 %  7 %
Revenue  17,663  18,125  (3) %  (4) %
Service business  8,025  7,756  3%  2%
Adjusted EBITA  679  722  (6)%  (5)%

Orders grew on large contracts in the year.
"""

PLANS = """Domestic    International
September 30,    September 30,
2019  2018  2019  2018
Discount rate  4.00%  3.75%  1.90%  2.80%
Expected return on plan assets  5.10%  5.40%  3.40%  3.70%
Rate of compensation increase  3.00%  3.00%  2.50%  2.50%

The assumptions of the pension plans are reviewed each year.
"""

TAXES = """2019  2018
Income tax expense  1,609  1,164
Deferred tax expense  120  98

The tables above are in thousands (in thousands).
"""

FISCAL = """January 3, 2020  December 28, 2018
Pre-contract costs  45  80
Equity method investments  12  19
Other assets  101  99

The company's fiscal year ends on the Friday closest to December 31 (in millions).
"""

STATEMENT_AND_NOTE = """CONSOLIDATED STATEMENTS OF OPERATIONS
(In millions, except per share amounts)
Years ended September 24, 2022 September 25, 2021
Net sales $ 394,328 $ 365,817
Cost of sales 223,546 212,981
Net income $ 99,803 $ 94,680
Earnings per share:
Basic $ 6.15 $ 5.67
Diluted $ 6.11 $ 5.61

Note 3 - Earnings Per Share. The following table shows the computation of basic and diluted earnings per share.

2022 2021
Net income $ 99,803 $ 94,680
Weighted-average shares outstanding 16,215,963 16,701,272
Diluted earnings per share $ 6.11 $ 5.61
"""

PRO_FORMA = """The unaudited pro forma financial information, as if the acquisitions had occurred at the beginning of
fiscal 2018, was as follows (in millions, except per share data):

2019  2018
Total revenues  39,900  40,007
Diluted earnings per share  2.19  2.34

Our results of operations are discussed in the sections that follow, with the risks that could affect them.

SELECTED FINANCIAL DATA
The following selected financial data are derived from our audited consolidated financial statements.
(in millions, except per share data)

2019  2018
Total revenues  38,700  37,047
Diluted earnings per share  2.21  2.38
"""

RATES = """2019  2018
WACC  9.0%  9.5%
Long-term growth rate  2.0%  2.0%
Terminal value multiple  12.5  11.0

The key assumptions used in the impairment test are listed above.
"""


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return store_of_texts(tmp_path_factory, {
        "accrued": ACCRUED, "orders": ORDERS, "plans": PLANS, "taxes": TAXES, "weeks": FISCAL,
        "statement": STATEMENT_AND_NOTE, "rates": RATES, "proforma": PRO_FORMA}, "tables")


def ask(store, docs, question: str):
    return ask_in(store, docs, question)


def test_columns_printed_as_bare_years_answer_with_the_caption_scale(tables):
    answer = ask(tables, "accrued", "What is the average accrued payroll and employee benefits for 2018 and 2019?")
    assert not answer.refused, answer.text
    assert answer.value.number * answer.value.scale == Decimal("111.4") * 1_000_000


def test_amounts_beside_their_percent_changes_are_money(tables):
    answer = ask(tables, "orders", "What was the change in orders from 2018 to 2019?")
    assert not answer.refused, answer.text
    assert answer.value.unit != "percent" and answer.value.number * answer.value.scale == 1_524 * 1_000_000


def test_a_period_printed_in_several_columns_is_refused(tables):
    # "Domestic 2019 2018  International 2019 2018": which 2019 is meant, the question does not say.
    answer = ask(tables, "plans", "What was the discount rate at September 30, 2019?")
    assert answer.refused and answer.value is None


def test_a_narrower_line_than_the_one_printed_is_refused_in_the_question_words(tables):
    answer = ask(tables, "taxes", "What is the percentage change in current federal tax expense from 2018 to 2019?")
    assert answer.refused and answer.value is None
    assert "federal" in answer.text and not re.search(r"\b(?:feder|expens)\b", answer.text)


def test_a_change_asked_in_percent_of_an_amount_is_its_percentage_change(tables):
    answer = ask(tables, "orders", "What is the change (%) for orders between 2018 and 2019?")
    assert not answer.refused, answer.text
    assert answer.value.unit == "percent" and round(answer.value.number, 2) == Decimal("8.26")


def test_the_change_in_a_line_of_percentages_is_their_difference(tables):
    answer = ask(tables, "plans", "What was the change in the percentage of compensation increase between 2018 and 2019?")
    # Two columns print each year (domestic, international): refused, never one of them picked.
    assert answer.refused and answer.value is None


def test_a_total_over_the_periods_asked_sums_the_line(tables):
    answer = ask(tables, "accrued", "What is the total accrued payroll and employee benefits in 2018 and 2019?")
    assert not answer.refused, answer.text
    assert answer.value.number * answer.value.scale == Decimal("222.8") * 1_000_000


def test_the_respective_values_of_several_periods_are_each_given(tables):
    answer = ask(tables, "accrued", "What were the accrued payroll and employee benefits in 2018 and 2019 respectively?")
    assert not answer.refused and answer.spans == ["105.9", "116.9"]


def test_an_average_over_a_span_of_years_needs_every_year(tables):
    answer = ask(tables, "accrued", "What is the average derivative liabilities between 2017 and 2019?")
    assert answer.refused and answer.value is None and "2017" in answer.text


def test_a_fifty_three_week_year_is_found_by_its_fiscal_year_and_by_its_date(tables):
    fiscal = ask(tables, "weeks", "What were pre-contract costs in fiscal 2019?")
    assert not fiscal.refused and fiscal.value.number * fiscal.value.scale == 45_000_000, fiscal.text
    change = ask(tables, "weeks", "What was the change in the pre-contract costs from 2018 to 2020?")
    assert not change.refused and change.value.number * change.value.scale == -35_000_000, change.text


def test_a_note_repeating_the_statement_cites_the_statement(tables):
    answer = ask(tables, "statement", "What was the diluted earnings per share in 2022?")
    assert not answer.refused and answer.value.number == Decimal("6.11"), answer.text
    assert any(citation.quote.startswith("Diluted $ 6.11") for citation in answer.citations), answer.citations


def test_the_percentage_change_of_a_rate_is_refused_as_ambiguous(tables):
    # 9.5% -> 9.0% is -0.5 points or -5.3%: the question does not say which.
    answer = ask(tables, "rates", "What was the percentage change in the WACC between 2018 and 2019?")
    assert answer.refused and answer.value is None and "percentage points" in answer.text
    points = ask(tables, "rates", "What was the change in the WACC in percentage points between 2018 and 2019?")
    assert not points.refused and points.value.number == Decimal("-0.5"), points.text


def test_a_pro_forma_table_gives_way_to_the_reported_figures(tables):
    answer = ask(tables, "proforma", "What was diluted earnings per share in 2019?")
    assert answer.value is not None and answer.value.number == Decimal("2.21"), answer.text
    assert all("2.19" not in citation.quote for citation in answer.citations)


def test_a_rate_printed_as_a_percentage_is_stated_as_one(tables):
    answer = ask(tables, "rates", "What was the WACC in 2018?")
    assert not answer.refused, answer.text
    assert answer.value.unit == "percent" and answer.value.number == Decimal("9.5")
    assert "9.5%" in answer.text and answer.grounded, (answer.text, answer.unsupported_numbers)
