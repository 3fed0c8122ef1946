"""assistant/question/operations.py: the selection a question asks for (pick or count the periods, or items, whose
value meets a test), read in many phrasings. Every expected value is written by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.question.operations import selection_in
from assistant.question.parse import parse_question


@pytest.mark.parametrize("question, extreme, comparative, subject", [
    ("In which year was the amount for Sensors the largest?", "max", False, "Sensors"),
    ("Which year has the lowest service cost?", "min", False, "service cost"),
    ("Which year had higher revenue?", "max", True, "revenue"),
    ("In which year were Acquisition and integration costs larger?", "max", True, "Acquisition and integration costs"),
    ("Which year was the ship management creditors lower?", "min", True, "ship management creditors"),
    ("In which year is there a greater foreign exchange movement?", "max", True, "foreign exchange movement"),
    ("Which year has the most number of shares granted during the period?", "max", False,
     "shares granted during the period"),
    ("Between 2018 and 2019, which year has higher amounts owed by subsidiaries?", "max", True,
     "amounts owed by subsidiaries"),
    ("In which fiscal year was net income the highest?", "max", False, "net income"),
    ("For which period were operating expenses smallest?", "min", False, "operating expenses"),
])
def test_a_pick_by_the_largest_or_smallest_value(question, extreme, comparative, subject):
    selection = selection_in(question)
    assert selection is not None
    assert (selection.target, selection.count, selection.comparator) == ("period", False, None)
    assert (selection.extreme, selection.comparative, selection.subject) == (extreme, comparative, subject)


@pytest.mark.parametrize("question, count, comparator, threshold, scale, percent, subject", [
    ("In which year was SG&A less than $20 million?", False, "<", "20", 1_000_000, False, "SG&A"),
    ("In which year was Maintenance less than15,000 thousands?", False, "<", "15000", 1_000, False, "Maintenance"),
    ("In which year was net income less than 100.0 million?", False, "<", "100.0", 1_000_000, False, "net income"),
    ("In which year was Selling, general and administrative expense less than 20,000,000?", False, "<", "20000000",
     None, False, "Selling, general and administrative expense"),
    ("Which years did Non-current deferred tax assets exceed $20,000 thousand?", False, ">", "20000", 1_000, False,
     "Non-current deferred tax assets"),
    ("In which year was Risk-free interest rate greater than 2.0%?", False, ">", "2.0", None, True,
     "Risk-free interest rate"),
    ("In which year was Total other income (expense), net less than -3,000 thousands?", False, "<", "-3000", 1_000,
     False, "Total other income (expense), net"),
    ("Which years did expected term exceed 0.5 years?", False, ">", "0.5", None, False, "expected term"),
    ("In which years was revenue at least $1.2 billion?", False, ">=", "1.2", 1_000_000_000, False, "revenue"),
    ("How many years did net income exceed $100 million?", True, ">", "100", 1_000_000, False, "net income"),
    ("How many years did Total services exceed $5,000 million?", True, ">", "5000", 1_000_000, False,
     "Total services"),
    ("From 2017 to 2019, how many of the years was the research and development more than 5 million?", True, ">",
     "5", 1_000_000, False, "research and development"),
    ("How many quarters did the basic earnings per share exceed $0.30?", True, ">", "0.30", None, False,
     "basic earnings per share"),
    ("In how many years were sales below 500 thousand?", True, "<", "500", 1_000, False, "sales"),
])
def test_a_pick_or_count_by_a_threshold_with_its_scale(question, count, comparator, threshold, scale, percent, subject):
    selection = selection_in(question)
    assert selection is not None
    assert (selection.count, selection.comparator, selection.threshold) == (count, comparator, Decimal(threshold))
    assert (selection.threshold_scale, selection.threshold_percent, selection.subject) == (scale, percent, subject)


def test_negative_and_positive_are_tests_against_zero():
    selection = selection_in("In which year was Other income (expense), net negative?")
    assert selection is not None and (selection.comparator, selection.threshold) == ("<", Decimal(0))
    assert selection.subject == "Other income (expense), net"
    positive = selection_in("Which years was the net cash flow positive?")
    assert positive is not None and positive.comparator == ">" and positive.subject == "net cash flow"


@pytest.mark.parametrize("question, count, items", [
    ("How many segments had revenue above 1,000 in 2019?", True, "segments"),
    ("How many components of deferred tax assets exceeded $50,000 thousand in 2019?", True, "components"),
    ("Which segment had the highest revenue in 2019?", False, "segment"),
    ("In which region was the revenue the largest?", False, "region"),
])
def test_items_of_a_table(question, count, items):
    selection = selection_in(question)
    assert selection is not None and selection.target == "item"
    assert (selection.count, selection.items) == (count, items)


@pytest.mark.parametrize("question", [
    "In which years was operating income calculated?",        # the table's years, not a test of its figures
    "Which years does the table provide information for net sales?",
    "How many components are there under deferred tax assets?",  # counting rows, no condition
    "What was the revenue in 2019?",
    "How many employees did the company have in 2019?",
    "Was revenue higher than last year?",                     # a comparison with a named period, not a pick
    "What financial items does amounts falling due after more than one year consist of?",
    "What is the component that made up the most of Personnel expenses in 2018?",
])
def test_questions_that_are_not_selections(question):
    assert selection_in(question) is None


def test_the_parsed_query_carries_the_selection():
    query = parse_question("How many years did net income exceed $30,000 thousand?", [])
    assert query.selection is not None and query.selection.count and query.selection.threshold_scale == 1_000
    assert "count" in query.reading() and "net income" in query.reading()
    assert parse_question("What was net income in 2019?", []).selection is None
