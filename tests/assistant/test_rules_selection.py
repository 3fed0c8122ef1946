"""assistant/rules/selection.py through the rule-based backend: questions that pick the period whose value of a line
is the largest, or meets a threshold, or count those periods, over a small table written for these tests (expected
answers are read off it), and the questions it must refuse rather than guess."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import store_of_texts

from assistant.answering import Assistant
from index.records import SearchFilters

SEGMENTS = """2019  2018  2017
Automotive  5,686  6,092  5,228
Sensors  914  918  814
Energy  699  699  685
Restructuring costs  (30)  (45)  (12)
Other income (expense), net  (12)  5  (3)
Legacy products  120  —  95

Net sales by segment were as follows (in millions):
"""


@pytest.fixture(scope="module")
def segments(tmp_path_factory):
    return store_of_texts(tmp_path_factory, {"segments": SEGMENTS}, "selection")


def ask(store, question: str):
    return Assistant(store).ask(question, filters=SearchFilters(docs=["segments"]))


@pytest.mark.parametrize("question, year", [
    ("In which year was the amount for Sensors the largest?", "2018"),
    ("Which year had the lowest Sensors?", "2017"),
    ("In which fiscal year was Automotive highest?", "2018"),
    ("Between 2018 and 2019, which year had higher Sensors?", "2018"),
    ("Between 2017 and 2019, which year had lower Automotive?", "2017"),
])
def test_the_period_with_the_largest_or_smallest_value(segments, question, year):
    answer = ask(segments, question)
    assert not answer.refused, answer.text
    assert answer.spans == [year] and answer.value is None
    assert answer.grounded, answer.unsupported_numbers
    # Every value compared is cited, and the comparison is a calculator figure.
    assert answer.figures and answer.figures[0].expression.startswith(("max(", "min("))


def test_an_expense_printed_in_parentheses_is_compared_by_its_amount(segments):
    answer = ask(segments, "In which year were restructuring costs the largest?")
    assert not answer.refused and answer.spans == ["2018"], answer.text


def test_a_tie_is_refused(segments):
    answer = ask(segments, "In which year was Energy the largest?")
    assert answer.refused and not answer.spans and "2019" in answer.text and "2018" in answer.text


def test_higher_of_three_printed_years_without_the_two_named_is_refused(segments):
    answer = ask(segments, "In which year was Sensors higher?")
    assert answer.refused and not answer.spans


def test_a_year_not_printed_is_refused_naming_it(segments):
    answer = ask(segments, "Between 2016 and 2017, which year had higher Sensors?")
    assert answer.refused and "2016" in answer.text


def test_a_nil_value_is_refused(segments):
    answer = ask(segments, "In which year were legacy products the largest?")
    assert answer.refused and "nil" in answer.text


@pytest.mark.parametrize("question, years", [
    ("In which years was Automotive more than 5,500 million?", ["2019", "2018"]),
    ("Which years did Automotive exceed $5.5 billion?", ["2019", "2018"]),
    ("In which year was Automotive less than 5,500,000 thousand?", ["2017"]),
    ("In which year was Sensors at least 914 million?", ["2019", "2018"]),
    ("In which years was Other income (expense), net negative?", ["2019", "2017"]),
])
def test_the_periods_meeting_a_threshold_in_its_scale(segments, question, years):
    answer = ask(segments, question)
    assert not answer.refused, answer.text
    assert answer.spans == years and answer.grounded, (answer.spans, answer.unsupported_numbers)


def test_a_threshold_without_scale_read_two_ways_with_different_results_is_refused(segments):
    # 900 of the table's millions picks 2017; 900 dollars picks none: the question does not say which.
    answer = ask(segments, "In which year was Sensors less than 900?")
    assert answer.refused and not answer.spans and "scale" in answer.text


def test_a_threshold_without_scale_that_reads_the_same_either_way_is_answered(segments):
    answer = ask(segments, "In which years was Sensors more than 100?")
    assert not answer.refused and answer.spans == ["2019", "2018", "2017"], answer.text


def test_a_percent_threshold_against_amounts_is_refused(segments):
    answer = ask(segments, "In which year was Sensors greater than 5%?")
    assert answer.refused and not answer.spans


def test_no_period_meeting_the_threshold_is_not_an_answer(segments):
    answer = ask(segments, "In which year was Automotive above $10 billion?")
    assert answer.refused and not answer.spans


@pytest.mark.parametrize("question, count", [
    ("How many years did Automotive exceed $5,500 million?", 2),
    ("How many years was Sensors below 900 million?", 1),
    ("From 2018 to 2019, how many of the years was Automotive more than 5.9 billion?", 1),
])
def test_counting_the_periods_meeting_a_threshold(segments, question, count):
    answer = ask(segments, question)
    assert not answer.refused, answer.text
    assert answer.value is not None and answer.value.number == count and answer.value.unit == "count"
    assert answer.grounded, answer.unsupported_numbers


def test_a_line_the_table_does_not_print_is_refused(segments):
    answer = ask(segments, "In which year was goodwill impairment the largest?")
    assert answer.refused and not answer.spans and answer.value is None


def test_items_of_a_table_are_refused_for_now(segments):
    answer = ask(segments, "Which segment had the highest net sales in 2019?")
    assert answer.refused and not answer.spans and answer.value is None


def test_a_threshold_pick_states_every_value_against_the_threshold(segments):
    answer = ask(segments, "In which years was Automotive more than 5,500 million?")
    derivation = answer.figures[-1].derivation
    assert "5,686" in derivation and "6,092" in derivation and "5,228" in derivation and "5,500" in derivation
    assert Decimal(2) == answer.figures[-1].value
