"""index/tables/columns.py: the columns a header names (period ends, durations, change and percent columns),
on bare headers and on parsed tables of every shape."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from table_fixtures import parse, parse_flat, parse_html_statement, parse_lines_income, values

from index.tables.columns import parse_columns
from index.tables.model import ParsedTable

D = Decimal


@pytest.fixture(scope="module")
def flat() -> ParsedTable:
    return parse_flat()


@pytest.fixture(scope="module")
def lines_income() -> ParsedTable:
    return parse_lines_income()


@pytest.fixture(scope="module")
def html_table(tmp_path_factory):
    return parse_html_statement(tmp_path_factory.mktemp("html"))


def periods(header: str, count: int, statement: str = "income_statement"):
    return [(column.period_end, column.duration) for column in parse_columns(header, count, statement)]


@pytest.mark.parametrize("header", ["Three Months Ended June 30, 2021 2020", "Three Months Ended June 30,\n2021 2020",
                                    "Three Months Ended\nJune 30, 2021 June 30, 2020"])
def test_columns_three_months(header):
    assert periods(header, 2) == [(dt.date(2021, 6, 30), "3M"), (dt.date(2020, 6, 30), "3M")]


def test_columns_years_ended():
    assert periods("Years ended December 31, 2022 2021 2020", 3) == [
        (dt.date(2022, 12, 31), "FY"), (dt.date(2021, 12, 31), "FY"), (dt.date(2020, 12, 31), "FY")]
    assert parse_columns("Years ended December 31, 2022 2021 2020", 3, "income_statement")[1].period == \
        "year ended December 31, 2021"


def test_columns_fiscal_year_ends_on_different_days():
    assert periods("Year Ended\nSeptember 24, 2022 September 25, 2021 September 26, 2020", 3) == [
        (dt.date(2022, 9, 24), "FY"), (dt.date(2021, 9, 25), "FY"), (dt.date(2020, 9, 26), "FY")]
    assert periods("52 weeks ended January 28, 2023 January 29, 2022", 2) == [
        (dt.date(2023, 1, 28), "FY"), (dt.date(2022, 1, 29), "FY")]


def test_columns_balance_sheet_dates_are_instants():
    columns = parse_columns("June 30, 2021 December 31, 2020 (Unaudited)", 2, "balance_sheet")
    assert [(column.period_end, column.duration) for column in columns] == [
        (dt.date(2021, 6, 30), "instant"), (dt.date(2020, 12, 31), "instant")]
    assert [column.period for column in columns] == ["June 30, 2021", "December 31, 2020"]


def test_columns_month_day_over_bare_years_on_a_balance_sheet():
    assert periods("March 31,\n2023 2022", 2, "balance_sheet") == [
        (dt.date(2023, 3, 31), "instant"), (dt.date(2022, 3, 31), "instant")]


def test_columns_quarter_and_half_side_by_side():
    header = "Three Months Ended Six Months Ended\nJune 30, June 30,\n2021 2020 2021 2020"
    assert periods(header, 4) == [(dt.date(2021, 6, 30), "3M"), (dt.date(2020, 6, 30), "3M"),
                                  (dt.date(2021, 6, 30), "6M"), (dt.date(2020, 6, 30), "6M")]


@pytest.mark.parametrize(("header", "duration"), [
    ("Nine months ended September 30, 2023 2022", "9M"),
    ("Six Months Ended June 30, 2021 2020", "6M"),
    ("Quarter ended March 31, 2023 2022", "3M"),
    ("Thirteen weeks ended April 1, 2023 April 2, 2022", "3M"),
])
def test_columns_durations(header, duration):
    assert [found for _, found in periods(header, 2)] == [duration, duration]


def test_columns_one_duration_named_twice_applies_to_every_column():
    header = "For the Years Ended May 31, 2016, 2015 and 2014\nYear Ended May 31,\n(in millions) 2016 2015 2014"
    assert periods(header, 3, "income_statement") == [
        (dt.date(2016, 5, 31), "FY"), (dt.date(2015, 5, 31), "FY"), (dt.date(2014, 5, 31), "FY")]


@pytest.mark.parametrize("header", ["Fiscal 2023 Fiscal 2022", "FY2023 FY2022", "FY'23 FY'22"])
def test_columns_fiscal_year_labels(header):
    columns = parse_columns(header, 2, "income_statement")
    assert [column.year for column in columns] == [2023, 2022]
    assert [column.period_end for column in columns] == [None, None]


def test_columns_fewer_periods_than_numbers_are_change_columns():
    columns = parse_columns("Years ended December 31,\n2022 2021 % change", 3, "income_statement")
    assert [column.label for column in columns] == ["December 31, 2022", "December 31, 2021", "% change"]
    assert [column.percent for column in columns] == [False, False, True]
    assert columns[2].period_end is None
    columns = parse_columns("2022 2021 Inc/(Dec) % Change", 4, "other")
    assert [column.label for column in columns] == ["2022", "2021", "Inc/(Dec)", "% Change"]
    assert [column.percent for column in columns] == [False, False, False, True]


def test_columns_without_periods_are_numbered_or_take_the_cells():
    assert [column.label for column in parse_columns("Segment results", 2, "segment")] == ["column 1", "column 2"]
    assert [column.label for column in parse_columns("Americas Europe", 2, "segment", ["Americas", "Europe"])] == [
        "Americas", "Europe"]


def test_columns_header_with_a_title_above():
    header = "CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS\n(in thousands)\nThree Months Ended June 30,\n2021 2020"
    assert periods(header, 2) == [(dt.date(2021, 6, 30), "3M"), (dt.date(2020, 6, 30), "3M")]


def test_percent_change_column_in_a_parsed_table():
    text = ("Revenue by product (in millions)\nYears ended December 31,\n2022 2021 % Change\n"
            "Products $ 1,200 $ 1,000 20 %\nServices 300 250 20 %\nTotal $ 1,500 $ 1,250 20 %")
    table = parse(text, text, "Products", "lines")
    assert [column.percent for column in table.columns] == [False, False, True]
    assert values(table, "Services") == [D(300), D(250), D(20)]


def test_flat_split_header_of_dates(flat):
    assert flat.statement == "balance_sheet"
    assert [column.label for column in flat.columns] == ["June 30, 2021", "December 31, 2020"]
    assert [column.period_end for column in flat.columns] == [dt.date(2021, 6, 30), dt.date(2020, 12, 31)]
    assert [column.duration for column in flat.columns] == ["instant", "instant"]
    assert (flat.scale, flat.currency, flat.shape) == (1, "USD", "flat")


def test_lines_years_under_a_month_day_header(lines_income):
    assert lines_income.statement == "income_statement"
    assert [column.period_end for column in lines_income.columns] == [
        dt.date(2018, 12, 31), dt.date(2017, 12, 31), dt.date(2016, 12, 31)]
    assert [column.duration for column in lines_income.columns] == ["FY", "FY", "FY"]
    assert lines_income.columns[0].period == "year ended December 31, 2018"


def test_html_columns_and_scale(html_table):
    _, _, table = html_table
    assert table.statement == "income_statement"
    assert [column.period for column in table.columns] == ["three months ended June 30, 2021",
                                                          "three months ended June 30, 2020"]
    assert table.scale == 1000
    assert table.currency == "USD"


HTML_SEGMENTS = """Net sales by reportable segment (in millions)
Americas | Europe | Total
Net sales | $ 100 | $ 50 | $ 150
Operating income | 30 | (5) | 25"""


def test_html_columns_without_periods_take_the_header_cells():
    table = parse(HTML_SEGMENTS, HTML_SEGMENTS, "Net sales |", "html")
    assert [column.label for column in table.columns] == ["Americas", "Europe", "Total"]
    assert all(column.period_end is None for column in table.columns)
    assert table.statement == "segment"
    assert values(table, "Operating income") == [D(30), D(-5), D(25)]
    assert table.scale == 1_000_000


@pytest.mark.parametrize("header", [
    "2019  % of Total Fees  2018  % of Total Fees",
    "Fiscal Year 2019    Fiscal Year 2018\nNet Sales  % of Total  Net Sales  % of Total",
])
def test_each_period_with_its_percentage_beside_it(header):
    columns = parse_columns(header, 4, "other")
    assert [(column.year, column.percent) for column in columns] == [(2019, False), (None, True), (2018, False), (None, True)]
    assert "2019" in columns[1].label and "2018" in columns[3].label


def test_periods_first_then_their_changes_are_not_paired():
    columns = parse_columns("2019  2018  $ Change  % Change", 4, "other")
    assert [column.year for column in columns] == [2019, 2018, None, None]


def test_a_month_glued_to_its_day_still_dates_the_columns():
    columns = parse_columns("December31,\n2019  2018", 2, "balance_sheet")
    assert [column.period_end for column in columns] == [dt.date(2019, 12, 31), dt.date(2018, 12, 31)]


def test_a_schedule_by_year_spans_has_no_period_columns():
    # "2021-2022" is a span of years a payment falls due in, not two periods; which cell is "2020" cannot be told.
    columns = parse_columns("(In thousands) Total 2020 2021-2022 2023-2024 Thereafter", 5, "other")
    assert [column.year for column in columns] == [None] * 5
    assert all(column.period_end is None for column in columns)


def test_amount_and_share_per_period_then_the_changes():
    header = "2019 2018 Change\nAmount % of total revenue Amount % of total revenue ($) (%)"
    columns = parse_columns(header, 6, "other")
    assert [(column.year, column.percent) for column in columns[:4]] == [(2019, False), (None, True), (2018, False),
                                                                          (None, True)]
    assert [column.year for column in columns[4:]] == [None, None]


def test_change_columns_between_the_periods_keep_their_places():
    # Apple's "2022  Change  2021  Change  2020": the second number of a row is a change, not fiscal 2021.
    columns = parse_columns("Years ended\n2022 Change 2021 Change 2020", 5, "other")
    assert [column.year for column in columns] == [2022, None, 2021, None, 2020]


def test_years_out_of_order_give_no_column_a_period():
    # A header read off the wrong lines ("2021  2020  2022") or repeated per group ("2019 2018 2019 2018"): no
    # column is trusted with a period, rather than one being read under the wrong year.
    assert all(column.year is None for column in parse_columns("Domestic International\n2019 2018 2019 2018", 4, "other"))
    quarters = parse_columns("Three Months Ended June 30, 2023 2022 Six Months Ended June 30, 2023 2022", 4, "other")
    assert [column.duration for column in quarters] == ["3M", "3M", "6M", "6M"], "two durations, each in order"


@pytest.mark.parametrize("header, years", [
    ("€ million  2017/2018  2018/2019", [2018, 2019]),
    ("2018/19  2017/18", [2019, 2018]),
    ("Year ended 30 September\n2019 / 2020  2018 / 2019", [2020, 2019]),
])
def test_a_fiscal_year_printed_as_its_two_calendar_years_is_the_year_it_ends(header, years):
    # "2017/2018" is one fiscal year, which "FY2018" names; read as two years, the header named four periods
    # for two columns and no column had one.
    columns = parse_columns(header, 2, "income_statement")
    assert [column.year for column in columns] == years


@pytest.mark.parametrize("header", ["Balance  2019/2021  2021/2023", "12/2019  11/2019"])
def test_slashed_years_that_are_no_fiscal_year_give_no_period(header):
    # Years two apart, or a month and year: not one fiscal year each.
    assert all(column.year is None for column in parse_columns(header, 2, "other"))


def test_a_value_column_before_the_periods_is_not_given_a_period():
    # "Weightage (%)" prints 53.6 beside the FY 2019 rate 70.07: reading the periods as the first columns would put
    # 53.6 under FY 2019.
    cells = ["Weightage (%)", "FY 2019 `", "FY 2018 `", "% Change YoY"]
    columns = parse_columns("Currency | " + " | ".join(cells), 4, "other", cells)
    assert [column.year for column in columns] == [None, 2019, 2018, None]
    assert columns[0].percent and columns[3].percent
