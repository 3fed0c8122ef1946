"""A query's scope: the company it names filters, a form it names filters, a period prefers the filing of that
period and keeps the later filings that print it as a comparative column."""

import datetime as dt

import pytest

from index.periods import periods_in
from index.records import Document
from index.scope import COMPARATIVE, OWN, period_fit, query_scope


def _doc(stem: str, company: str, form: str, period: str, end: dt.date | None = None) -> Document:
    return Document(id=stem.lower(), title=stem, source_path=f"/filings/{stem}.pdf", content_hash=stem, char_count=1,
                    company=company, form=form, period=period, period_end=end)


APPLE_2021 = _doc("APPLE_2021_10K", "Apple Inc.", "10-K", "FY2021", dt.date(2021, 9, 25))
APPLE_2022 = _doc("APPLE_2022_10K", "Apple Inc.", "10-K", "FY2022", dt.date(2022, 9, 24))
APPLE_2024 = _doc("APPLE_2024_10K", "Apple Inc.", "10-K", "FY2024", dt.date(2024, 9, 28))
APPLE_Q3 = _doc("APPLE_2023Q3_10Q", "Apple Inc.", "10-Q", "2023Q3", dt.date(2023, 7, 1))
EBAY_2022 = _doc("EBAY_2022_10K", "eBay Inc.", "10-K", "FY2022", dt.date(2022, 12, 31))
EBAY_Q1 = _doc("EBAY_2023Q1_EARNINGS", "eBay Inc.", "earnings release", "2023Q1", dt.date(2023, 3, 31))
EBAY_Q1_2024 = _doc("EBAY_2024Q1_EARNINGS", "eBay Inc.", "earnings release", "2024Q1", dt.date(2024, 3, 31))
INTEL_Q4 = _doc("INTEL_2022Q4_EARNINGS", "Intel Corporation", "earnings release", "2022Q4")
DOCUMENTS = [APPLE_2021, APPLE_2022, APPLE_2024, APPLE_Q3, EBAY_2022, EBAY_Q1, EBAY_Q1_2024, INTEL_Q4]


def test_the_company_named_is_a_filter():
    scope = query_scope("What risks does eBay describe?", DOCUMENTS)
    assert scope.doc_ids == [EBAY_2022.id, EBAY_Q1.id, EBAY_Q1_2024.id] and scope.companies == ["eBay Inc."]


def test_a_fiscal_year_prefers_its_own_10k_and_keeps_the_next_two_that_print_it():
    scope = query_scope("What was Apple's net income in fiscal 2021?", DOCUMENTS)
    assert scope.doc_ids == [APPLE_2021.id, APPLE_2022.id]
    assert scope.weight(APPLE_2021.id) == OWN and scope.weight(APPLE_2022.id) == COMPARATIVE


def test_a_balance_date_is_the_filing_that_ends_on_it():
    scope = query_scope("What was Apple's total shareholders' equity as of July 1, 2023?", DOCUMENTS)
    assert scope.doc_ids == [APPLE_Q3.id]


def test_a_quarter_is_its_own_filing_then_the_same_quarter_a_year_later():
    scope = query_scope("What were eBay's net revenues in the first quarter of 2023?", DOCUMENTS)
    assert scope.doc_ids == [EBAY_Q1.id, EBAY_Q1_2024.id]
    assert scope.weight(EBAY_Q1.id) > scope.weight(EBAY_Q1_2024.id)


def test_a_year_without_an_annual_report_is_read_from_the_fourth_quarter_release():
    scope = query_scope("What were Intel's capital expenditures in 2022?", DOCUMENTS)
    assert scope.doc_ids == [INTEL_Q4.id]


def test_a_form_named_is_a_filter_when_a_filing_of_that_form_is_in_scope():
    assert query_scope("eBay's earnings release revenue", DOCUMENTS).doc_ids == [EBAY_Q1.id, EBAY_Q1_2024.id]
    assert query_scope("eBay 10-K revenue", DOCUMENTS).doc_ids == [EBAY_2022.id]
    # No 10-Q of eBay: the word does not empty the search.
    assert query_scope("eBay 10-Q revenue", DOCUMENTS).doc_ids == [EBAY_2022.id, EBAY_Q1.id, EBAY_Q1_2024.id]


def test_a_period_no_filing_reports_leaves_the_company_filter_alone():
    scope = query_scope("What was Apple's net income in fiscal 2015?", DOCUMENTS)
    assert scope.doc_ids == [APPLE_2021.id, APPLE_2022.id, APPLE_2024.id, APPLE_Q3.id] and not scope.weights


def test_a_query_naming_nothing_searches_everything():
    scope = query_scope("What is the effect of foreign exchange rates?", DOCUMENTS)
    assert scope.doc_ids is None and scope.weight(APPLE_2021.id) == 1.0


def test_parts_the_caller_filters_on_are_not_resolved():
    # The caller filtered by company: the company the query names does not narrow further.
    assert query_scope("What was Apple's revenue?", [EBAY_2022], company=False).doc_ids is None
    # The caller filtered by period: the query's year keeps every filing.
    assert query_scope("Apple's net income in fiscal 2021", DOCUMENTS, period=False).doc_ids == [
        APPLE_2021.id, APPLE_2022.id, APPLE_2024.id, APPLE_Q3.id]


@pytest.mark.parametrize(("document", "question", "fit"), [
    (APPLE_2022, "fiscal 2022", OWN),
    (APPLE_2022, "fiscal 2021", COMPARATIVE),
    (APPLE_2024, "fiscal 2021", 0.0),  # three years later: not on its statements
    (APPLE_2021, "fiscal 2022", 0.0),  # an earlier filing never reports a later year
    (APPLE_Q3, "the first nine months of fiscal 2023", 0.5),  # a 10-Q of that fiscal year: its year to date
    (EBAY_2022, "December 31, 2022", OWN),
    (APPLE_2022, "September 25, 2021", COMPARATIVE),  # the prior balance sheet column
    (EBAY_Q1_2024, "Q1 2023", COMPARATIVE),
    (EBAY_Q1_2024, "Q2 2023", 0.0),
])
def test_period_fit(document, question, fit):
    periods, _ = periods_in(question)
    assert period_fit(document, periods[0]) == fit


def test_a_balance_date_a_few_days_off_a_52_53_week_year_end_is_that_filing():
    # Apple's fiscal 2022 ended September 24, 2022; "the end of September 2022" is read as its last day.
    periods, _ = periods_in("as of September 30, 2022")
    assert period_fit(APPLE_2022, periods[0]) == OWN
