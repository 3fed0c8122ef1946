"""index/tables/model.py: what a parsed table's rows count (`kind_of`) and the scale each takes (`scale_of`),
a short row taking its kind from the group header above it; how a column says its period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from table_fixtures import parse, parse_lines_income, row

from index.tables.model import Column, ParsedTable
from index.tables.parsing import parse_table

D = Decimal


@pytest.fixture(scope="module")
def lines_income() -> ParsedTable:
    return parse_lines_income()


def test_lines_scale_and_kinds(lines_income):
    assert lines_income.scale == 1_000_000
    eps = row(lines_income, "Earnings per share attributable to 3M common shareholders — basic")
    assert lines_income.kind_of(eps) == "per_share"
    assert lines_income.scale_of(eps) == 1
    assert [number.value for number in eps.numbers] == [D("9.09"), D("8.13"), D("8.35")]
    assert lines_income.kind_of(row(lines_income, "Net sales")) == "money"
    assert lines_income.scale_of(row(lines_income, "Net sales")) == 1_000_000
    shares = row(lines_income, "Weighted average 3M common shares outstanding — basic")
    assert lines_income.kind_of(shares) == "shares"
    rate = row(lines_income, "Effective tax rate")
    assert lines_income.kind_of(rate) == "percent"
    assert lines_income.scale_of(rate) == 1
    assert [number.value for number in rate.numbers] == [D("23.4"), D("35.5"), D("28.3")]


def test_lines_share_counts_take_the_scale_a_per_share_exception_leaves_them(lines_income):
    assert lines_income.scale_of(row(lines_income, "Weighted average 3M common shares outstanding — basic")) == 1_000_000


def test_per_share_rows_keep_scale_one_in_a_thousands_table():
    text = ("STATEMENTS OF OPERATIONS\n(in thousands, except per share data)\n2021 2020\nRevenue $ 5,000 $ 4,000\n"
            "Net loss per share — basic and diluted $ (0.52) $ (0.61)\nNumber of employees 120 95")
    table = parse(text, text, "Revenue", "lines")
    assert table.scale == 1000
    assert table.scale_of(row(table, "Revenue")) == 1000
    eps = row(table, "Net loss per share — basic and diluted")
    assert [number.value for number in eps.numbers] == [D("-0.52"), D("-0.61")]
    assert (table.kind_of(eps), table.scale_of(eps)) == ("per_share", 1)
    employees = row(table, "Number of employees")
    assert (table.kind_of(employees), table.scale_of(employees)) == ("count", 1)


def test_short_rows_take_their_kind_from_the_header_above():
    text = ("CONSOLIDATED STATEMENTS OF OPERATIONS\n(In millions, except number of shares, which are reflected in thousands, "
            "and per-share amounts)\nYears ended September 24, 2022 September 25, 2021\n"
            "Net income $ 99,803 $ 94,680\nEarnings per share:\nBasic $ 6.15 $ 5.67\nDiluted $ 6.11 $ 5.61\n"
            "Shares used in computing earnings per share:\nBasic 16,215,963 16,701,272\nDiluted 16,325,819 16,864,919\n")
    table = parse_table(text, text.index("Net income"), title="CONSOLIDATED STATEMENTS OF OPERATIONS")
    kinds = [(candidate.label, candidate.group, table.kind_of(candidate), table.scale_of(candidate))
             for candidate in table.rows if candidate.numbers]
    assert kinds == [
        ("Net income", None, "money", 1_000_000),
        ("Basic", "Earnings per share:", "per_share", 1), ("Diluted", "Earnings per share:", "per_share", 1),
        ("Basic", "Shares used in computing earnings per share:", "shares", 1_000),
        ("Diluted", "Shares used in computing earnings per share:", "shares", 1_000),
    ]


@pytest.mark.parametrize(("column", "said"), [
    (Column("June 30, 2021", dt.date(2021, 6, 30), "instant", 2021), "June 30, 2021"),
    (Column("2021", dt.date(2021, 6, 30), "6M", 2021), "six months ended June 30, 2021"),
    (Column("2022", dt.date(2022, 9, 24), "FY", 2022), "year ended September 24, 2022"),
    (Column("Fiscal 2022", None, "FY", 2022), "fiscal 2022"),
    (Column("2021", None, None, 2021), "2021"),
    (Column("% Change"), "% Change"),
    # "Year-to-date" is no duration a fact carries: the column says its end date.
    (Column("2023", dt.date(2023, 9, 30), "YTD", 2023), "September 30, 2023"),
])
def test_a_column_says_its_period_as_every_period_is_said(column, said):
    assert column.period == said


def test_amounts_beside_their_percent_changes_keep_the_money_scale():
    # "(in millions, except percentages)": the amounts are millions of dollars, only the '%' cells percentages.
    text = ("(in millions, except percentages)\n2019  2018  % Change\nOrders  19,975  18,451  8 %\n"
            "Research and development  6,577  5,919  11%\nGross margin  45.2%  44.1%  \n")
    table = parse(text, text, "Orders", "lines")
    orders = row(table, "Orders")
    assert [table.kind_of_cell(orders, position) for position in range(3)] == ["money", "money", "percent"]
    research = row(table, "Research and development")
    assert table.kind_of_cell(research, 0) == "money" and table.scale_of_kind("money") == 1_000_000
    margin = row(table, "Gross margin")
    assert [table.kind_of_cell(margin, position) for position in range(2)] == ["percent", "percent"]


def test_a_row_whose_first_cell_is_a_percentage_stays_a_row_of_percentages():
    # Only the first cell prints its '%' (as a '$' marks only the first row): not amounts then percentages.
    text = "2019  2018\nRevenue  1,200  1,000\nOperating margin  22.2%  21.0\n"
    table = parse(text, text, "Revenue", "lines")
    margin = row(table, "Operating margin")
    assert [table.kind_of_cell(margin, position) for position in range(2)] == ["percent", "percent"]
