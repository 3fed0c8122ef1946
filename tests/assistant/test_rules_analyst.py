"""Analyst questions answered by the rule-based backend (assistant/rules/analyst.py) on Apple's FY2022 10-K: averages
over a span of years of a ratio, a definition stated in the question, the percent asked for, sanity bounds and
refusals that name what was not understood. Expected values are worked out by hand from the printed statements
(PDF pages 32-35: in millions; fiscal 2022, 2021, 2020 columns)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import SHARED, shared_or_skip, store_of_texts

from assistant.answering import Assistant
from index.ingest import Ingestor
from index.settings import Settings
from index.store import open_store

APPLE = SHARED / "corpus" / "filings" / "APPLE_2022_10K.pdf"


@pytest.fixture(scope="module")
def apple(tmp_path_factory):
    shared_or_skip()
    store = open_store(Settings(data_dir=tmp_path_factory.mktemp("apple-store")))
    assert not Ingestor(store, progress=False).ingest([APPLE]).failed
    return Assistant(store)


def _close(value: Decimal, expected: Decimal, places: int = 2) -> bool:
    return abs(value - expected) < Decimal(1).scaleb(-places)


def test_three_year_average_of_a_ratio_is_the_mean_of_the_yearly_ratios(apple):
    answer = apple.ask("What is Apple's FY2020–FY2022 three-year average of capital expenditure as a % of net sales?")
    expected = (Decimal(7309) / 274515 + Decimal(11085) / 365817 + Decimal(10708) / 394328) / 3 * 100
    assert not answer.refused, answer.text
    assert answer.value.unit == "percent"
    assert _close(answer.value.number, expected), (answer.value.number, expected)
    assert answer.grounded, answer.unsupported_numbers
    # Every input is cited: three years of capex and of net sales.
    assert len(answer.figures[0].facts) == 6


def test_three_year_average_of_a_catalogue_metric(apple):
    answer = apple.ask("What was Apple's average net profit margin over fiscal 2020 through 2022?")
    expected = (Decimal(57411) / 274515 + Decimal(94680) / 365817 + Decimal(99803) / 394328) / 3 * 100
    assert _close(answer.value.number, expected), answer.text


def test_a_stated_definition_wins_over_the_catalogue(apple):
    answer = apple.ask("What is Apple's working capital ratio for FY2022, defined as total current assets divided by "
                       "total current liabilities? Round to two decimal places.")
    assert not answer.refused, answer.text
    assert answer.value.number == (Decimal(135405) / 153982).quantize(Decimal("0.01"))  # not the 18,577 difference
    assert "definition you gave" in answer.text


def test_a_definition_with_a_part_not_understood_is_refused_naming_it(apple):
    answer = apple.ask("What is Apple's liquidity ratio for FY2022, defined as total current assets divided by "
                       "total widgets?")
    assert answer.refused
    assert "total widgets" in answer.text
    assert answer.value is None


def test_a_span_that_does_not_match_the_years_asked_is_refused(apple):
    answer = apple.ask("What is Apple's five-year average net margin for fiscal 2020 through 2022?")
    assert answer.refused and "5-year average" in answer.text


def test_change_in_percent_is_a_percentage_change(apple):
    answer = apple.ask("What is Apple's year-over-year change in total net sales from FY2021 to FY2022, in percent, "
                       "to one decimal?")
    assert answer.value.unit == "percent"
    assert answer.value.number == ((Decimal(394328) - 365817) / 365817 * 100).quantize(Decimal("0.1"))


BALANCE_SHEET = """CONSOLIDATED BALANCE SHEETS
(in millions)
May 31, 2020 2019
Current liabilities:
Notes payable, current $ 2,371 $ 4,494
Accounts payable 637 580
Total current liabilities 11,357 10,385
Non-current liabilities:
Notes payable and other borrowings, non-current 69,226 51,673
Total liabilities 102,723 86,346
Total equity 12,717 22,363
Total liabilities and equity $ 115,440 $ 108,709
"""

BALANCE_SHEET_WITH_LOANS = BALANCE_SHEET.replace("Accounts payable 637 580", "Accounts payable 637 580\n"
                                                 "Loans payable to affiliates 500 400")


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    return Assistant(store_of_texts(tmp_path_factory, {"notes": BALANCE_SHEET, "loans": BALANCE_SHEET_WITH_LOANS}, "sheets"))


def test_current_notes_payable_are_part_of_total_debt(sheets):
    from index.records import SearchFilters

    answer = sheets.ask("What was the debt-to-equity ratio at May 31, 2020?", filters=SearchFilters(docs=["notes"]))
    assert not answer.refused, answer.text
    assert _close(answer.value.number, (Decimal(2_371) + 69_226) / 12_717, 4)


def test_a_debt_line_no_part_was_read_from_is_refused_not_left_out(sheets):
    # "Loans payable to affiliates" is debt the catalogue's parts do not name: leaving it out would understate.
    from index.records import SearchFilters

    answer = sheets.ask("What was the debt-to-equity ratio at May 31, 2020?", filters=SearchFilters(docs=["loans"]))
    assert answer.refused, answer.text
    assert "Loans payable to affiliates" in answer.text


# A company's own non-GAAP measures printed as lines, with none of the catalogue formula's inputs beside them.
NON_GAAP = """Year Ended December 31,
2019  2018  2017
(In millions)
Net cash from operating activities  $1,869  $1,845  $1,677
Net cash used in investing activities  (1,172)  (1,212)  (1,468)
Excluding:
Payment for purchase and proceeds from sale of marketable securities, and net cash variation for joint ventures deconsolidation  (200)  (100)  99
Payment for purchase and proceeds from sale of tangible and intangible assets, payment for business acquisitions  (1,372)  (1,312)  (1,369)
Free Cash Flow (non-U.S. GAAP measure)  $497  $533  $308

We also present Free Cash Flow, which is a non-U.S. GAAP measure.
"""

UNDERLYING = """Reconciliation of underlying EBITDA (in thousands)
FY19  FY18
Statutory net profit after tax  40,112  31,200
Net interest expense  5,010  4,800
Income tax expense  14,990  11,100
Underlying EBITDA  85,123  62,575

Underlying EBITDA excludes significant items.
"""


@pytest.fixture(scope="module")
def non_gaap(tmp_path_factory):
    return store_of_texts(tmp_path_factory, {"fcf": NON_GAAP, "ebitda": UNDERLYING}, "non-gaap")


def test_a_metric_the_catalogue_cannot_compute_is_read_from_the_line_printed_under_its_name(non_gaap):
    from conftest import ask_in

    answer = ask_in(non_gaap, "fcf", "What was the Free Cash Flow in 2018?")
    assert not answer.refused, answer.text
    assert answer.value.number * answer.value.scale == 533_000_000
    assert "Free Cash Flow" in answer.citations[0].quote
    answer = ask_in(non_gaap, "ebitda", "What was the percentage change in underlying EBITDA between FY18 and FY19?")
    assert not answer.refused, answer.text
    assert _close(answer.value.number, (Decimal(85123) / 62575 - 1) * 100)


def test_a_printed_line_with_a_qualifier_the_question_lacks_is_not_the_metric(non_gaap):
    from conftest import ask_in

    # "EBITDA" is not "Underlying EBITDA": a company's adjustments are its own.
    answer = ask_in(non_gaap, "ebitda", "What was EBITDA in FY19?")
    assert answer.refused and answer.value is None, answer.text
