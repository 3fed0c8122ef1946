"""Which printed line a question asks about (assistant/rules/lines.py), over small tables written for these tests:
a row under a heading the table prints above its first rows ("Net sales:" over the countries) is found by the
heading's words only when the question names the row in full, and rows printed under one name in two sections are
told apart by the section the question names. Expected figures are read off the tables."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import ask_in, store_of_texts

COUNTRIES = """2019  2018  2017
Net sales:
United States  $1,197,665  $1,000,680  $984,773
Romania  195,837  177,111  114,363
Germany  14,271  12,953  8,303
Cost of sales:
United States  900,000  800,000  700,000
Romania  150,000  140,000  100,000

The amounts above are by the country of the selling entity (in thousands).
"""

AWARDS = """($ in millions)
For the year ended December 31:  2019  2018  2017
RSUs
Granted  $674  $583  $484
Vested  428  381  463
PSUs
Granted  $164  $118  $113
Vested  118  101  51

Awards are granted each February.
"""

NO_HEADING = """2019  2018
Romania  195,837  177,111
Germany  14,271  12,953

The amounts above are by the country of the selling entity (in thousands).
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return store_of_texts(tmp_path_factory, {"countries": COUNTRIES, "awards": AWARDS, "plain": NO_HEADING}, "lines")


def ask(store, docs, question: str):
    return ask_in(store, docs, question)


def amount(answer) -> Decimal:
    return answer.value.number * answer.value.scale


def test_a_row_under_the_heading_above_the_first_rows_is_found_by_the_headings_words(store):
    answer = ask(store, "countries", "What was the net sales from Romania in 2019?")
    assert not answer.refused, answer.text
    assert amount(answer) == 195_837_000


def test_the_heading_does_not_explain_words_it_does_not_print(store):
    # Germany is printed under "Net sales:" only: its cost of sales is not in the table.
    answer = ask(store, "countries", "What was the cost of sales from Germany in 2019?")
    assert answer.refused and answer.value is None
    assert "cost" in answer.text


def test_the_heading_covers_the_rows_above_the_next_section_only(store):
    answer = ask(store, "countries", "What was the cost of sales from Romania in 2019?")
    assert not answer.refused, answer.text
    assert amount(answer) == 150_000_000


def test_a_heading_is_only_what_the_table_prints(store):
    # No heading over these rows: "net sales" is not explained by "Romania" alone.
    answer = ask(store, "plain", "What was the net sales from Romania in 2019?")
    assert answer.refused and answer.value is None


def test_rows_of_one_name_are_told_apart_by_the_section_named(store):
    rsus = ask(store, "awards", "What is the change in the RSUs granted from 2018 to 2019?")
    assert not rsus.refused and amount(rsus) == 91_000_000, rsus.text
    psus = ask(store, "awards", "What is the change in the PSUs granted from 2018 to 2019?")
    assert not psus.refused and amount(psus) == 46_000_000, psus.text
