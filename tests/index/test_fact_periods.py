"""Periods of facts (index/facts.py): `period_duration` (a document's period label -> duration) and
`fact_matches_period` (whether a fact is of the period an analyst names), on hand-built facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from index.facts import fact_matches_period, period_duration
from index.records import Fact


def fact(period_end: dt.date | None, duration: str | None, period: str | None = None,
         column_label: str | None = None) -> Fact:
    return Fact(id="seed-f00000", doc_id="seed", source="table", statement="income_statement", label="Net loss",
                label_norm="net loss", raw="(17,102,407", value=Decimal(-17102407), start=0, end=11,
                period_end=period_end, duration=duration, period=period, column_label=column_label)


H1_2021 = fact(dt.date(2021, 6, 30), "6M", "six months ended June 30, 2021", "June 30, 2021 (Unaudited)")
H1_2020 = fact(dt.date(2020, 6, 30), "6M", "six months ended June 30, 2020", "2020 (Unaudited)")
JUNE_2021 = fact(dt.date(2021, 6, 30), "instant", "June 30, 2021")
DECEMBER_2020 = fact(dt.date(2020, 12, 31), "instant", "December 31, 2020")
FY_2022 = fact(dt.date(2022, 12, 31), "FY", "year ended December 31, 2022")
DECEMBER_2022 = fact(dt.date(2022, 12, 31), "instant")
NINE_MONTHS_2022 = fact(dt.date(2022, 10, 31), "9M")
Q1_2023 = fact(dt.date(2023, 3, 31), "3M", "three months ended March 31, 2023")
Q2_2023 = fact(dt.date(2023, 6, 30), "3M", "three months ended June 30, 2023")
UNDATED = fact(None, None, column_label="column 1")

ALL = {"H1_2021": H1_2021, "H1_2020": H1_2020, "JUNE_2021": JUNE_2021, "DECEMBER_2020": DECEMBER_2020,
       "FY_2022": FY_2022, "DECEMBER_2022": DECEMBER_2022, "NINE_MONTHS_2022": NINE_MONTHS_2022,
       "Q1_2023": Q1_2023, "Q2_2023": Q2_2023, "UNDATED": UNDATED}


def matching(period: str) -> set[str]:
    return {name for name, candidate in ALL.items() if fact_matches_period(candidate, period)}


@pytest.mark.parametrize(("period", "duration"), [
    ("FY2022", "FY"), ("2023Q2", "3M"), ("2023Q1", "3M"), ("2021H1", "6M"), ("2021H2", "6M"),
    (None, None), ("", None), ("2023", None), ("2023Q5", None), ("2021H3", None), ("Q2 2023", None),
])
def test_period_duration(period, duration):
    assert period_duration(period) == duration


def test_a_date_is_the_period_end_of_any_duration():
    assert matching("June 30, 2021") == {"H1_2021", "JUNE_2021"}
    assert matching("  June   30,  2021 ") == {"H1_2021", "JUNE_2021"}
    assert matching("2021-06-30") == {"H1_2021", "JUNE_2021"}
    assert matching("December 31, 2020") == {"DECEMBER_2020"}


def test_a_year_is_any_period_ending_in_it():
    assert matching("2021") == {"H1_2021", "JUNE_2021"}
    assert matching("2020") == {"H1_2020", "DECEMBER_2020"}
    assert matching("2022") == {"FY_2022", "DECEMBER_2022", "NINE_MONTHS_2022"}


@pytest.mark.parametrize("period", ["FY2022", "FY 2022", "FY22", "fy'22", "fiscal 2022", "Fiscal year 2022"])
def test_a_fiscal_year_is_the_year_and_the_balance_sheet_at_its_end(period):
    # Not the nine months ended October 31, 2022: that is part of a year, not the year.
    assert matching(period) == {"FY_2022", "DECEMBER_2022"}


@pytest.mark.parametrize("period", ["2023Q1", "2023 Q1", "2023-Q1", "Q1 2023", "q1 2023", "Q1 FY2023", "Q1-2023"])
def test_a_quarter_is_a_three_month_period_of_its_year(period):
    assert "Q1_2023" in matching(period)
    assert matching(period) <= {"Q1_2023", "Q2_2023"}


@pytest.mark.parametrize("period", ["H1 2021", "2021H1", "h1 2021", "H1 FY2021", "first half of 2021", "First half 2021"])
def test_a_half_is_a_six_month_period_of_its_year(period):
    assert matching(period) == {"H1_2021"}, "not the balance sheet at June 30, 2021, nor the first half of 2020"


def test_the_quarter_number_is_checked():
    assert matching("2023Q1") == {"Q1_2023"}
    assert matching("Q2 2023") == {"Q2_2023"}
    assert matching("second half of 2021") == set()


def test_an_empty_period_matches_everything():
    assert matching("") == set(ALL)
    assert matching("   ") == set(ALL)


def test_other_words_match_the_printed_period_or_column():
    assert matching("six months ended") == {"H1_2021", "H1_2020"}
    assert matching("Unaudited") == {"H1_2021", "H1_2020"}
    assert matching("three months ended March") == {"Q1_2023"}
    assert matching("column 1") == {"UNDATED"}
    assert matching("the distant future") == set()


def test_a_fact_without_a_period_matches_no_dated_period():
    for period in ("June 30, 2021", "2021", "FY2022", "2023Q1", "H1 2021"):
        assert not fact_matches_period(UNDATED, period), period
