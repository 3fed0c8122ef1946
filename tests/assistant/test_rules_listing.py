"""List answers read off small tables written for these tests: the rows under a heading or adding up to a total,
the rows of the one table in scope, its column headings, and the refusals when the question does not pick one;
and "respectively" questions answered in the order asked, or refused when a value is missing."""

from __future__ import annotations

import pytest
from conftest import ask_in, store_of_texts

DEFERRED = """December 31,
2019  2018
Deferred tax assets:
Accrued liabilities  245  255
Tax loss carryforwards  6,041  3,237
Inventories  43  58
Gross deferred tax assets  6,329  3,550
Valuation allowance  (4,970)  (2,191)
Deferred tax assets, net of valuation allowance  1,359  1,359
Deferred tax liabilities:
Intangible assets  10  (552)
Property, plant, and equipment  (57)  (13)
Other  (47)  (38)
Total deferred tax liabilities  (94)  (603)
Net deferred tax assets  1,265  756

The components of the net deferred income tax asset were as follows (in millions).
"""

REVENUE = """Revenue by country (in thousands)
2019  2018
UK  5,100  4,900
USA  3,200  2,800
Germany  1,100  1,000
Other countries  600  500
Total  10,000  9,200

Revenue from external customers is split by the country where the customer is located.
"""

DATES = """January 1, 2018  December 31, 2018  December 31, 2019
Trade receivables  120  140  160
Unbilled revenues  30  35  42
Accrued interest  5  6  8

The receivables of the company were as follows (in thousands).
"""

RATES = """2019  2018  2017
Risk-free interest rate  2.8%  2.3%  1.9%
Expected volatility  28.7%  27.1%  30.2%
Dividend yield  4.5%  4.6%

The assumptions of the option pricing model were as follows.
"""


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return store_of_texts(tmp_path_factory, {"alpha": DEFERRED, "beta": REVENUE, "gamma": DATES, "delta": RATES},
                          "listing")


def ask(store, docs, question: str):
    return ask_in(store, docs, question)


def test_the_rows_under_a_heading_stop_at_its_total(tables):
    answer = ask(tables, ["alpha"], "What are the components under deferred tax liabilities in the table?")
    assert not answer.refused, answer.text
    assert answer.spans == ["Intangible assets", "Property, plant, and equipment", "Other"]
    assert answer.citations and "Intangible assets" in answer.citations[0].quote


def test_the_rows_a_total_line_adds_up(tables):
    answer = ask(tables, ["alpha"], "What are the components of gross deferred tax assets?")
    assert not answer.refused, answer.text
    assert answer.spans == ["Accrued liabilities", "Tax loss carryforwards", "Inventories"]


def test_the_rows_of_the_one_table_in_scope_without_its_total(tables):
    answer = ask(tables, ["beta"], "What are the countries in the table whereby the revenue from external "
                                      "customers is split?")
    assert not answer.refused, answer.text
    assert answer.spans == ["UK", "USA", "Germany", "Other countries"]
    answer = ask(tables, ["gamma"], "What financial items are listed in the table?")
    assert answer.spans == ["Trade receivables", "Unbilled revenues", "Accrued interest"]


def test_a_table_of_several_headings_asked_as_a_whole_is_refused_naming_them(tables):
    answer = ask(tables, ["alpha"], "What financial items are listed in the table?")
    assert answer.refused
    assert "Deferred tax liabilities" in answer.text and not answer.spans


def test_the_table_is_ambiguous_when_several_are_in_scope(tables):
    answer = ask(tables, ["beta", "gamma"], "What financial items are listed in the table?")
    assert answer.refused
    assert "Several tables" in answer.text


def test_column_dates_in_chronological_order(tables):
    answer = ask(tables, ["gamma"], "What are the 3 dates listed in the table in chronological order?")
    assert not answer.refused, answer.text
    assert answer.spans == ["January 1, 2018", "December 31, 2018", "December 31, 2019"]


def test_column_years_as_printed(tables):
    answer = ask(tables, ["delta"], "What are the years included in the table?")
    assert answer.spans == ["2019", "2018", "2017"]


def test_respectively_answers_in_the_order_asked(tables):
    answer = ask(tables, ["delta"], "What was the Risk-free interest rate in 2019, 2018 and 2017 respectively?")
    assert not answer.refused, answer.text
    assert answer.spans == ["2.8%", "2.3%", "1.9%"]
    answer = ask(tables, ["delta"], "What was the Risk-free interest rate in 2017 and 2019 respectively?")
    assert answer.spans == ["1.9%", "2.8%"]


def test_respectively_with_a_value_missing_is_refused_naming_the_periods(tables):
    answer = ask(tables, ["delta"], "What was the dividend yield in 2019, 2018 and 2017 respectively?")
    assert answer.refused, answer.text
    assert answer.value is None and not answer.spans
    assert "2017" in answer.text


def test_a_subject_word_no_heading_accounts_for_is_not_listed_as_that_heading(tables):
    answer = ask(tables, ["alpha"], "What are the components under zorkmid deferred tax liabilities?")
    assert answer.spans != ["Intangible assets", "Property, plant, and equipment", "Other"], answer.text


@pytest.mark.parametrize("question", ["How many components are there under deferred tax liabilities?",
                                      "How many items are listed under deferred tax liabilities in the table?"])
def test_how_many_rows_under_a_heading_counts_the_rows_it_names(tables, question):
    answer = ask(tables, ["alpha"], question)
    assert not answer.refused, answer.text
    assert answer.value is not None and answer.value.number == 3 and answer.value.unit == "count"
    assert "Intangible assets; Property, plant, and equipment; Other" in answer.text
    assert answer.grounded, answer.unsupported_numbers


def test_how_many_rows_of_a_heading_no_table_prints_is_refused(tables):
    answer = ask(tables, ["alpha"], "How many components are there under zorkmid reserves?")
    assert answer.refused and answer.value is None, answer.text


def test_how_many_rows_above_a_threshold_is_not_a_list_length(tables):
    answer = ask(tables, ["beta"], "How many countries had revenue above 2,000 in 2019?")
    assert answer.value is None or answer.value.number != 4, answer.text
