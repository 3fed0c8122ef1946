"""index/tables/parsing.py: whole tables: the HTML a loader renders, TAT-QA's 2-D cell arrays, the statement
and currency of a parsed table, and a table of contents that is no statement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from table_fixtures import FLAT_DOCUMENT, FLAT_INCOME, FLAT_TABLE, parse, parse_html_statement, row, values

from index.tables.parsing import parse_cells, parse_table

D = Decimal


@pytest.fixture(scope="module")
def html_table(tmp_path_factory):
    return parse_html_statement(tmp_path_factory.mktemp("html"))


def test_html_table_is_rendered_as_cell_rows(html_table):
    text, span, _ = html_table
    assert span.shape == "html"
    assert "Revenue | $1,200 | $1,000" in text[span.header_end:span.end]
    assert text[span.start:span.header_end].rstrip().endswith("2021 | 2020")


# =============================================================================================================
# 2-D cell arrays (TAT-QA)
# =============================================================================================================


def test_cells_header_rows_labels_and_values():
    table = parse_cells([
        ["", "2019", "2018"],
        ["Revenue", "$1,200", "$1,000"],
        ["Cost of revenue", "(500)", "(450)"],
        ["Gross profit", "700", "550"],
        ["Gross margin", "58.3%", "55.0%"],
    ], title="Consolidated Statements of Operations")
    assert table.shape == "cells"
    assert table.statement == "income_statement"
    assert [column.label for column in table.columns] == ["2019", "2018"]
    assert [column.year for column in table.columns] == [2019, 2018]
    assert [candidate.label for candidate in table.rows] == ["Revenue", "Cost of revenue", "Gross profit", "Gross margin"]
    assert values(table, "Cost of revenue") == [D(-500), D(-450)]
    assert all(candidate.columns == [0, 1] for candidate in table.rows)
    assert table.kind_of(row(table, "Gross margin")) == "percent"
    assert table.currency == "USD"


def test_cells_blank_and_missing_cells_keep_the_other_columns_in_place():
    table = parse_cells([
        ["", "2019", "2018", "2017"],
        ["Revenue", "10", "", "30"],
        ["Other", "1", "2"],
        ["Impairment", "—", "5", "6"],
    ])
    assert values(table, "Revenue") == [D(10), D(30)]
    assert row(table, "Revenue").columns == [0, 2]
    assert row(table, "Other").columns == [0, 1]
    assert values(table, "Impairment") == [None, D(5), D(6)]
    assert row(table, "Impairment").columns == [0, 1, 2]


def test_cells_multi_row_header_spanning_a_period():
    table = parse_cells([
        ["", "Year Ended December 31,", ""],
        ["", "2019", "2018"],
        ["(in thousands)", "", ""],
        ["Net sales", "1,234", "1,100"],
    ])
    assert [column.label for column in table.columns] == ["Year Ended December 31, 2019", "2018"]
    assert [column.period_end for column in table.columns] == [dt.date(2019, 12, 31), dt.date(2018, 12, 31)]
    assert [column.duration for column in table.columns] == ["FY", "FY"]
    assert table.scale == 1000


def test_cells_quarters_and_halves_under_spanning_headers():
    table = parse_cells([
        ["", "Three Months Ended", "", "Six Months Ended", ""],
        ["", "June 30, 2021", "June 30, 2020", "June 30, 2021", "June 30, 2020"],
        ["Revenue", "1", "2", "3", "4"],
    ])
    assert [column.duration for column in table.columns] == ["3M", "3M", "6M", "6M"]
    assert [column.period_end for column in table.columns] == [dt.date(2021, 6, 30), dt.date(2020, 6, 30)] * 2


def test_cells_percent_change_column():
    table = parse_cells([
        ["", "2019", "2018", "% Change"],
        ["Revenue", "$1,200", "$1,000", "20.0%"],
        ["Cost of revenue", "500", "450", "11.1%"],
    ])
    assert [column.percent for column in table.columns] == [False, False, True]
    assert values(table, "Revenue") == [D(1200), D(1000), D("20.0")]


def test_cells_balance_sheet_columns_are_instants():
    table = parse_cells([
        ["", "December 31, 2019", "December 31, 2018"],
        ["Total assets", "5,000", "4,000"],
    ], title="Consolidated Balance Sheets")
    assert table.statement == "balance_sheet"
    assert [column.duration for column in table.columns] == ["instant", "instant"]
    assert [column.period_end for column in table.columns] == [dt.date(2019, 12, 31), dt.date(2018, 12, 31)]


def test_cells_without_numbers_is_no_table():
    assert parse_cells([["", "2019"], ["Name", "Title"]]) is None
    assert parse_cells([]) is None


# =============================================================================================================
# Whole tables of text
# =============================================================================================================


def test_currency_is_usd_only_when_the_table_says_dollars():
    assert parse(FLAT_INCOME, FLAT_INCOME, "Revenues", "flat").currency == "USD"
    text = "Operating data\n2021 2020\nStores 120 95\nEmployees 4,000 3,500"
    table = parse(text, text, "Stores", "lines")
    assert table.currency is None
    assert table.kind_of(row(table, "Stores")) == "count"


def test_statement_kind_from_the_header_when_there_is_no_title():
    assert parse(FLAT_DOCUMENT, FLAT_TABLE, "ASSETS", "flat").statement == "balance_sheet"


def test_a_table_of_contents_is_not_a_statement():
    text = ("Condensed Consolidated Balance Sheets as of October 31, 2022 and January 31, 2022 3\n"
            "Condensed Consolidated Statements of Operations 4\n"
            "Condensed Consolidated Statements of Cash Flows 6\n"
            "Notes to Condensed Consolidated Financial Statements 8\n")
    table = parse_table(text, 0, title="Condensed Consolidated Balance Sheets")
    assert table is not None and table.statement == "other"


# The column header printed as the body's first row, after a unit or caption cell: the segmenter ends the header
# before it (it has numbers), so the table reader must see it is the header.
@pytest.mark.parametrize("text, header_end_at, labels, years", [
    ("USDm  2019  2018  2017\nVessel values  1,801.5  1,675.1  1,661.1\nBorrowings  863.4  754.7  753.9\n",
     "USDm", ["2019", "2018", "2017"], [2019, 2018, 2017]),
    ("£m  2019  2018\nNet investment in finance lease  0.8  1.2\nAmounts owed by members  0.3  0.3\n",
     "£m", ["2019", "2018"], [2019, 2018]),
    ("June 30,\n($ in millions)  2019  2018\nAccrued compensation and benefits  $71.2  $83.3\n"
     "Derivative financial instruments  16.7  —\n",
     "($ in millions)", ["June 30, 2019", "June 30, 2018"], [2019, 2018]),
    ("Years Ended December 31\nBlack-Scholes Assumptions  2019  2018  2017\nDividend yield  4.5%  4.6%  4.1%\n"
     "Expected volatility  28.3%  28.7%  27.1%\n",
     "Black-Scholes", ["December 31, 2019", "December 31, 2018", "December 31, 2017"], [2019, 2018, 2017]),
    ("Net sales (in thousands)  2018  2019\nCeramic Components  $226,204  $421,849\nTantalum Components  366,194  382,905\n",
     "Net sales", ["2018", "2019"], [2018, 2019]),
])
def test_a_header_row_of_years_is_the_column_header_not_a_row(text, header_end_at, labels, years):
    table = parse(text, text, header_end_at, "lines")
    assert [column.label for column in table.columns] == labels
    assert [column.year for column in table.columns] == years
    assert all(not candidate.numbers or all(number.raw not in {"2017", "2018", "2019"} for number in candidate.numbers)
               for candidate in table.rows)
    first = table.data_rows[0]
    assert first.columns == list(range(len(years))) and first.numbers[0].raw not in {"2017", "2018", "2019"}


def test_a_header_row_of_years_sets_the_scale_it_names():
    text = "Net sales (in thousands)  2018  2019\nCeramic Components  $226,204  $421,849\nTantalum  366,194  382,905\n"
    assert parse(text, text, "Net sales", "lines").scale == 1_000


def test_a_header_row_whose_years_are_out_of_order_gives_no_periods():
    # "2019  2018" under "Domestic" then again under "International": which year a column is cannot be told from
    # this row alone, so no column gets a year, and the row is still no figure.
    text = "Discount rate assumptions  2019  2018  2019  2018\nDiscount rate  4.00%  3.75%  1.90%  2.80%\n" \
           "Expected return  3.40%  3.70%  2.10%  2.50%\n"
    table = parse(text, text, "Discount rate assumptions", "lines")
    assert all(column.year is None for column in table.columns)
    assert [candidate.label for candidate in table.data_rows] == ["Discount rate", "Expected return"]


@pytest.mark.parametrize("text, header_end_at, label", [
    # Years further down are data ("Year acquired"), and so are far-apart values in the first row.
    ("(In thousands)  2019  2018\nRevenue  1,200  1,000\nYear acquired  2015  2016\n", "Revenue", "Year acquired"),
    ("Store data  Alpha  Beta\nYear opened  1999  2008\nSquare feet  12,000  9,500\n", "Year opened", "Year opened"),
    # A figure among the years ("$2019") is no header.
    ("Items  Total  Other\nCash paid  $2019  2018\nFees  1,200  900\n", "Cash paid", "Cash paid"),
])
def test_rows_of_years_that_are_figures_stay_rows(text, header_end_at, label):
    table = parse(text, text, header_end_at, "lines")
    assert len(row(table, label).numbers) == 2
