"""Which periods a figure answer is read for (assistant/rules/figures.py `periods_for`, `printed_periods`,
`between_periods`) when the question names none: both columns of a two-period table, every column for an average,
and a refusal naming the printed periods where a change could be between any two of them. The tables are written
for these tests; expected figures are read off them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import ask_in, store_of_texts

TWO_YEARS = """2019  2018
Derivative liabilities  93.8  120.5
Tax-related accruals  30.8  38.4

Accrued expenses and other current liabilities consisted of the following (in millions):
"""

THREE_YEARS = """Year Ended December 31,
2019  2018  2017
Research and development funding  132  52  65
Gain on sale of businesses  7  8  4

The table above is in millions (in millions).
"""

SEGMENTS = """Domestic    International
September 30,    September 30,
2019  2018  2019  2018
Discount rate  4.00%  3.75%  1.90%  2.80%

The assumptions of the pension plans are reviewed each year.
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return store_of_texts(tmp_path_factory, {"two": TWO_YEARS, "three": THREE_YEARS, "segments": SEGMENTS}, "implicit")


def ask(store, docs, question: str):
    return ask_in(store, docs, question)


def test_an_average_naming_no_period_is_over_both_printed_columns_and_says_so(store):
    answer = ask(store, "two", "What is the average derivative liabilities?")
    assert not answer.refused, answer.text
    assert answer.value.number * answer.value.scale == Decimal("107.15") * 1_000_000
    assert "names no period" in answer.text and "2018" in answer.text and "2019" in answer.text


def test_a_change_naming_no_period_is_from_the_earlier_column_to_the_later(store):
    answer = ask(store, "two", "What was the change in tax-related accruals?")
    assert not answer.refused, answer.text
    assert answer.value.number * answer.value.scale == Decimal("-7.6") * 1_000_000


def test_an_average_naming_no_period_over_three_columns_is_of_all_three(store):
    answer = ask(store, "three", "What is the average research and development funding?")
    assert not answer.refused, answer.text
    assert answer.value.number * answer.value.scale == Decimal(83) * 1_000_000
    assert "2017" in answer.text


def test_a_change_naming_no_period_over_three_columns_is_refused_naming_them(store):
    answer = ask(store, "three", "What was the change in gain on sale of businesses?")
    assert answer.refused
    assert answer.value is None
    assert all(year in answer.text for year in ("2017", "2018", "2019")), answer.text


def test_two_columns_of_one_period_with_no_period_named_are_refused(store):
    answer = ask(store, "segments", "What was the average discount rate?")
    assert answer.refused, answer.text
    assert answer.value is None


def test_a_period_named_still_picks_its_own_columns(store):
    answer = ask(store, "three", "What was the change in research and development funding from 2017 to 2018?")
    assert not answer.refused, answer.text
    assert answer.value.number * answer.value.scale == Decimal(-13) * 1_000_000
