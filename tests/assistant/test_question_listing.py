"""Reading list questions (a table's rows or column headings) and the order of a "respectively" question."""

from __future__ import annotations

import pytest

from assistant.question.listing import asked_order, asks_respectively, list_request
from index.periods import periods_in


@pytest.mark.parametrize(("question", "noun", "subject"), [
    ("What are the components under deferred tax liabilities in the table?", "components", "deferred tax liabilities"),
    ("What are the segments of revenue?", "segments", "revenue"),
    ("What financial items are listed in the table?", "financial items", ""),
    ("What are the components of other income?", "components", "other income"),
    ("Which segments does Apple report?", "segments", "Apple"),
    ("What does operating free cash flow consist of?", "components", "operating free cash flow"),
    ("What were the components making up current assets?", "components", "current assets"),
])
def test_a_list_of_rows_names_what_it_is_a_list_of(question, noun, subject):
    request = list_request(question)
    assert request is not None and request.target == "rows"
    assert request.noun == noun
    assert request.subject == subject


def test_a_list_of_dates_in_a_table_reads_its_columns_with_the_order_and_count_asked():
    request = list_request("What are the 3 dates listed in the table in chronological order?")
    assert request is not None
    assert (request.target, request.noun, request.count, request.chronological) == ("columns", "dates", 3, True)
    assert list_request("What are the years included in the table?").target == "columns"


@pytest.mark.parametrize("question", [
    "What are the respective values of raw materials in 2018 and 2019?",
    "What was the net income in 2019 and 2018 respectively?",
    "How many segments does the company have?",
    "What are the segments with revenue greater than $5 million?",
    "What are the components of revenue in 2019?",
    "Why did the components of revenue change?",
    "What are the years in which revenue exceeded $5 million?",
    "What is the largest component of revenue?",
])
def test_figures_comparisons_and_counts_are_not_lists(question):
    assert list_request(question) is None


def test_years_of_a_sentence_are_not_read_as_a_table_header():
    assert list_request("What are the years the company adopted the new standard?") is None


def test_respectively_keeps_the_order_the_question_says():
    question = "What was the risk-free interest rate in 2019, 2018 and 2017 respectively?"
    parsed = sorted(periods_in(question)[0], key=lambda period: period.year)  # a Query's periods are old -> new
    assert asks_respectively(question)
    assert [period.year for period in asked_order(question, parsed)] == [2019, 2018, 2017]


def test_a_span_of_years_asked_respectively_is_every_year_of_it_in_the_direction_written():
    question = "What is the earnings per common basic share for fiscal years 2019 to 2017 respectively?"
    parsed = sorted(periods_in(question)[0], key=lambda period: period.year)
    assert [period.label for period in asked_order(question, parsed)] == ["2019", "2018", "2017"]


def test_periods_that_cannot_be_lined_up_give_no_order():
    question = "What are the respective cash amounts at June 30 and December 31, 2019?"
    parsed = [*periods_in(question)[0], *periods_in("June 30, 2019")[0]]
    assert asked_order(question, parsed) is None


def test_how_many_rows_under_a_heading_is_a_list_to_count():
    request = list_request("How many components are there under deferred tax assets?")
    assert request is not None and request.counting
    assert (request.target, request.noun, request.subject) == ("rows", "components", "deferred tax assets")
    assert list_request("How many categories are there under total stock-based compensation expense?").subject == \
        "total stock-based compensation expense"
