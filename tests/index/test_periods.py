"""Periods (index/periods.py): `duration_of_label` (a document's period label -> duration) and
`fact_matches_period` (whether a fact is of the period an analyst names), on hand-built facts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from index.periods import (
    DURATION_OF_MONTHS,
    DURATION_OF_WEEKS,
    MONTH,
    MONTHS_COUNT,
    MONTHS_WORDS,
    WEEKS_COUNT,
    WEEKS_WORDS,
    YEAR,
    describe_period,
    duration_of_label,
    fact_matches_period,
    fact_year,
    month_number,
    months_ended,
    normalize_period,
    parse_date,
    periods_in,
    prior,
    safe_date,
    shift_fiscal_label,
)
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
def test_duration_of_label(period, duration):
    assert duration_of_label(period) == duration


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


def test_shift_fiscal_label():
    assert shift_fiscal_label("FY2022", 1) == "FY2021"
    assert shift_fiscal_label("2022", 3) == "2019"
    assert shift_fiscal_label("2023Q1", 1) is None


# --- the vocabulary additions and the facts lookup ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2022", "FY2022"), ("fy2022", "FY2022"), ("FY 2022", "FY2022"), ("Q2 2023", "2023Q2"), ("2023-Q2", "2023Q2"),
     ("H1 2021", "2021H1"), ("2021H1", "2021H1"), ("last spring", "last spring")],
)
def test_normalize_period(value, expected):
    assert normalize_period(value) == expected


def test_dates_are_read_with_full_month_names_or_iso():
    assert parse_date("for the six months ended June 30, 2021") == dt.date(2021, 6, 30)
    assert parse_date("2023-02-13") == dt.date(2023, 2, 13)
    assert parse_date("February 30, 2021") is None and parse_date("no date") is None


def test_months_ended_names_quarters_halves_and_years():
    assert months_ended(3, dt.date(2022, 6, 25), "").label == "2022Q2"     # a 52-53-week quarter end
    assert months_ended(6, dt.date(2021, 6, 30), "").label == "2021H1"
    assert months_ended(6, dt.date(2021, 12, 31), "").label == "2021H2"
    assert months_ended(12, dt.date(2022, 9, 24), "").label == "FY2022"
    nine = months_ended(9, dt.date(2023, 9, 30), "")
    assert (nine.label, nine.duration) == ("2023-09-30", "9M")


def test_periods_in_a_text_in_order_each_once():
    periods, spans = periods_in("How did revenue change from FY2021 to Q2 2023, and in the first half of 2021 and 2021?")
    assert [period.label for period in periods] == ["FY2021", "2023Q2", "2021H1", "2021"]
    assert len(spans) == 4
    assert [period.label for period in periods_in("as of Jun 30 2021")[0]] == ["2021-06-30"]


def test_prior_and_describe():
    half = periods_in("H1 2021")[0][0]
    assert prior(half).label == "2020H1" and prior(half).end == dt.date(2020, 6, 30)
    assert describe_period(dt.date(2021, 6, 30), "6M") == "six months ended June 30, 2021"
    assert describe_period(dt.date(2020, 12, 31), "instant") == "December 31, 2020"
    assert describe_period(None, "FY", year=2022) == "fiscal 2022"


# --- the date pieces other modules build their patterns from --------------------------------------------------


@pytest.mark.parametrize(("name", "number"), [("January", 1), ("Jan", 1), ("Jan.", 1), ("May", 5), ("June", 6),
                                              ("Sept", 9), ("Sept.", 9), ("sep", 9), ("DECEMBER", 12)])
def test_one_month_pattern_for_full_names_and_abbreviations(name, number):
    assert re.fullmatch(MONTH, name, re.I)
    assert month_number(name) == number


def test_a_month_pattern_does_not_take_other_words():
    assert not re.fullmatch(MONTH, "Mayo") and not re.fullmatch(MONTH, "Junk") and not re.fullmatch(MONTH, "Decade")


def test_safe_date_is_none_for_a_missing_part_or_a_day_that_does_not_exist():
    assert safe_date(2021, 6, 30) == dt.date(2021, 6, 30)
    assert safe_date(2021, None, 30) is None and safe_date(2021, 6, None) is None and safe_date(2021, 2, 30) is None


def test_years_are_of_the_twentieth_and_twenty_first_centuries():
    assert re.fullmatch(YEAR, "1999") and re.fullmatch(YEAR, "2023")
    assert not re.fullmatch(YEAR, "2123") and not re.fullmatch(YEAR, "823")


def test_the_words_of_a_period_length_are_their_durations():
    assert {word: DURATION_OF_MONTHS[months] for word, months in MONTHS_WORDS.items()} == {
        "three": "3M", "3": "3M", "six": "6M", "6": "6M", "nine": "9M", "9": "9M", "twelve": "FY", "12": "FY"}
    # A 52-53-week fiscal year prints its quarters in weeks.
    assert {word: DURATION_OF_WEEKS[weeks] for word, weeks in WEEKS_WORDS.items()} == {
        "thirteen": "3M", "13": "3M", "twenty-six": "6M", "26": "6M", "thirty-nine": "9M", "39": "9M",
        "fifty-two": "FY", "52": "FY", "fifty-three": "FY", "53": "FY"}
    assert all(re.fullmatch(MONTHS_COUNT, word) for word in MONTHS_WORDS)
    assert all(re.fullmatch(WEEKS_COUNT, word) for word in WEEKS_WORDS)
    assert not re.fullmatch(MONTHS_COUNT, "4") and not re.fullmatch(WEEKS_COUNT, "twelve")


def test_a_column_printed_as_a_bare_year_is_of_that_year():
    # "2019  2018" over a table with no dates: the column is of its year, with no end date to invent.
    bare = fact(None, None, "2019", "2019")
    fiscal = fact(None, "FY", "fiscal 2019", "Fiscal Year 2019")
    assert fact_matches_period(bare, "2019") and not fact_matches_period(bare, "2018")
    assert fact_matches_period(fiscal, "2019") and fact_matches_period(fiscal, "FY2019")
    assert not fact_matches_period(fiscal, "FY2018")
    assert not fact_matches_period(fact(None, None, "change", "% Change"), "2019")


def test_a_fifty_three_week_year_ending_in_early_january_is_the_year_before():
    # The year ended January 3, 2020 is the company's fiscal 2019; the one ended December 28, 2018 its 2018.
    january = fact(dt.date(2020, 1, 3), "FY", "year ended January 3, 2020")
    december = fact(dt.date(2018, 12, 28), "FY", "year ended December 28, 2018")
    assert fact_year(january) == 2019 and fact_year(december) == 2018
    assert fact_matches_period(january, "2019") and fact_matches_period(january, "FY2019")
    assert not fact_matches_period(january, "FY2020") and not fact_matches_period(december, "FY2019")
    # A bare year may be said of the calendar year of the date printed too ("the change from 2018 to 2020").
    assert fact_matches_period(january, "2020")
    assert fact_matches_period(january, "January 3, 2020"), "a date asked is the date printed"
    # A fiscal year ending late in January is named by the company either way: left at its calendar year.
    assert fact_year(fact(dt.date(2023, 1, 28), "FY")) == 2023
    # A quarter ending in early January is not a fiscal year.
    assert fact_year(fact(dt.date(2020, 1, 3), "3M")) == 2020


def test_a_quarter_named_after_its_year():
    assert [period.label for period in periods_in("What was revenue in the fiscal 2019 third quarter?")[0]] == ["2019Q3"]
    assert [period.label for period in periods_in("sales in the 2020 first quarter")[0]] == ["2020Q1"]
