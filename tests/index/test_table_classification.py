"""index/tables/classification.py: the statement a table is, the scale of its money and shares, and the kind
of each row, from titles, headers and labels."""

from __future__ import annotations

import pytest

from index.numbers import find_cells
from index.tables.classification import row_kind, statement_kind, table_scale


@pytest.mark.parametrize(("title", "kind"), [
    ("CONDENSED CONSOLIDATED BALANCE SHEETS", "balance_sheet"),
    ("Consolidated Balance Sheet", "balance_sheet"),
    ("Consolidated Statements of Financial Position", "balance_sheet"),
    ("Statements of Financial Condition", "balance_sheet"),
    ("CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS", "income_statement"),
    ("Consolidated Statements of Income", "income_statement"),
    ("Consolidated Statement of Earnings", "income_statement"),
    ("Consolidated Income Statements", "income_statement"),
    ("Statements of Consolidated Operations", "income_statement"),
    ("Consolidated Statements of Operations and Comprehensive Loss", "income_statement"),
    ("CONSOLIDATED STATEMENTS OF CASH FLOWS", "cash_flow"),
    ("Condensed Consolidated Statement of Cash Flows (Unaudited)", "cash_flow"),
    ("Consolidated Statements of Comprehensive Income", "comprehensive_income"),
    ("Consolidated Statements of Comprehensive (Loss) Income", "comprehensive_income"),
    ("Consolidated Statements of Stockholders' Equity", "equity"),
    ("Consolidated Statements of Shareholders’ Equity", "equity"),
    ("Consolidated Statements of Changes in Equity", "equity"),
    ("Statements of Stockholders' Deficit", "equity"),
    ("Segment Information", "segment"),
    ("Net sales by reportable segment", "segment"),
    ("Free cash flow reconciliation", "other"),
    ("Liquidity and Capital Resources", "other"),
    ("Future minimum lease payments", "other"),
])
def test_statement_kind(title, kind):
    assert statement_kind(title) == kind


def test_a_balance_sheet_location_column_is_not_a_balance_sheet():
    assert statement_kind("Balance Sheet Location 2022 2021") == "other"
    assert statement_kind("CONDENSED CONSOLIDATED BALANCE SHEETS") == "balance_sheet"


@pytest.mark.parametrize(("header", "expected"), [
    ("(in millions)", (1_000_000, 1_000_000)),  # share counts too, unless excepted
    ("(In thousands)", (1_000, 1_000)),
    ("(in thousands, except per share data)", (1_000, 1_000)),
    ("(in thousands, except share and per share data)", (1_000, 1)),
    ("(Millions, except per share amounts)", (1_000_000, 1_000_000)),
    ("(Stated in U.S. Dollars)", (1, 1)),
    ("(in U.S. dollars)", (1, 1)),
    ("$ in millions", (1_000_000, 1)),
    ("(Dollars in billions)", (1_000_000_000, 1)),
    ("(In millions, except number of shares, which are reflected in thousands, and per-share amounts)",
     (1_000_000, 1_000)),
    ("(Dollars and shares in millions, except per share amounts)", (1_000_000, 1_000_000)),
    ("(shares in thousands)", (1, 1_000)),
    ("Three Months Ended June 30, 2021 2020", (1, 1)),
    # A currency printed with its unit scales the money only.
    ("2019  2018\n£m  £m", (1_000_000, 1)),
    ("2019 €m  2018 €m", (1_000_000, 1)),
    ("US$’000  US$’000", (1_000, 1)),
    ("$'000", (1_000, 1)),
    ("RMB’Million", (1_000_000, 1)),
    ("USDm  2019  2018", (1_000_000, 1)),
    ("(S$ million)", (1_000_000, 1)),
    ("(in million)", (1_000_000, 1_000_000)),
    ("$58,000  $55,000", (1, 1)),  # amounts, not a unit
])
def test_table_scale(header, expected):
    assert table_scale(header) == expected


@pytest.mark.parametrize(("label", "kind"), [
    ("Net income", "money"),
    ("Total current assets", "money"),
    ("Earnings per share — diluted", "per_share"),
    ("Basic net loss per share", "per_share"),
    ("Net income per share attributable to common stockholders, diluted", "per_share"),
    ("Dividends declared per common share", "per_share"),
    ("Diluted EPS", "per_share"),
    ("Weighted average shares outstanding — basic", "shares"),
    ("Weighted-average common shares outstanding — diluted", "shares"),
    ("Weighted average number of ordinary shares outstanding", "shares"),
    ("Shares used in computing diluted net income per share", "shares"),
    ("Weighted average shares used to compute net loss per share, basic and diluted", "shares"),
    ("Effective tax rate", "percent"),
    ("Discount rate", "percent"),
    ("Expected rate of salary increase", "percent"),
    ("Weighted average interest rate (%)", "percent"),
    ("Interest rate swaps", "money"),  # a line about something a rate names is not a rate
    ("Effect of exchange rate changes on cash", "money"),
    ("Gross margin %", "percent"),
    ("Revenue growth (%)", "percent"),
    ("Number of employees", "count"),
    ("Employees", "count"),
    ("Restaurants", "count"),
])
def test_row_kind_from_the_label(label, kind):
    assert row_kind(label, []) == kind


def test_row_kind_from_percent_values():
    assert row_kind("Operating margin", find_cells("Operating margin 22.2% 21.0%")) == "percent"
    assert row_kind("Operating margin", find_cells("Operating margin 22.2 21.0")) == "money"
