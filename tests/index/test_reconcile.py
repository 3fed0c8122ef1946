"""index/reconcile.py: subtotal identities place rows printed with fewer numbers than columns, and flag totals
that do not add up. Tables are parsed (index/tables/) from small fixtures whose arithmetic is written out."""

from __future__ import annotations

from decimal import Decimal

from index.chunking import TableSpan
from index.facts import extract_facts
from index.reconcile import balance_sheet_reconciles, reconcile
from index.tables.model import ParsedTable, Row
from index.tables.parsing import parse_table

D = Decimal

BALANCE_HEADER = "CONDENSED CONSOLIDATED BALANCE SHEETS (Stated in U.S. Dollars) June 30, 2021 December 31, 2020 (Unaudited) "
INCOME_HEADER = ("CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS (Stated in U.S. Dollars) Six Months Ended June 30, 2021 2020 "
                 "(Unaudited) ")


def flat(body: str, header: str = BALANCE_HEADER) -> ParsedTable:
    table = parse_table(header + body, len(header), 0, "flat")
    assert table is not None
    return table


def reconciled(body: str, header: str = BALANCE_HEADER) -> tuple[ParsedTable, list]:
    table = flat(body, header)
    return table, reconcile(table)


def row(table: ParsedTable, label: str) -> Row:
    found = [candidate for candidate in table.rows if candidate.label == label]
    assert len(found) == 1, f"{label!r}: {[candidate.label for candidate in table.rows]}"
    return found[0]


def column_of(table: ParsedTable, label: str) -> list[str] | None:
    columns = row(table, label).columns
    return None if columns is None else [table.columns[index].label for index in columns]


# --- (a) a subtotal decides a single-value row's column -----------------------------------------------------

# Column 1 (Jun 30, 2021): 19,935 + 130 + 1,539 + 47 = 21,651; column 2 (Dec 31, 2020): 3,495 + 130 + 62 = 3,687.
IN_FIRST_COLUMN = (
    "ASSETS Current assets: Cash 19,935 3,495 Restricted cash 130 130 Digital currencies 1,539 "
    "Accounts receivable 47 62 Total current assets 21,651 3,687 Property, plant and equipment, net 4,148 4,686 "
    "Total assets 25,799 8,373"
)
# Column 1: 19,935 + 130 + 47 = 20,112; column 2: 3,495 + 130 + 1,539 + 62 = 5,226.
IN_SECOND_COLUMN = (
    "ASSETS Current assets: Cash 19,935 3,495 Restricted cash 130 130 Digital currencies 1,539 "
    "Accounts receivable 47 62 Total current assets 20,112 5,226 Property, plant and equipment, net 4,148 4,686 "
    "Total assets 24,260 9,912"
)


def test_subtotal_places_a_single_value_in_the_first_column():
    table, checks = reconciled(IN_FIRST_COLUMN)
    digital = row(table, "Digital currencies")
    assert digital.columns == [0]
    assert column_of(table, "Digital currencies") == ["June 30, 2021"]
    assert digital.certain is True
    assert digital.note == "column decided by the identity 'Total current assets'"
    assert digital.reconciled is True
    total = row(table, "Total current assets")
    assert total.reconciled is True
    check = next(check for check in checks if table.rows[check.total] is total)
    assert check.holds and check.placements == 1
    assert {table.rows[item].label for item in check.components} == {
        "Cash", "Restricted cash", "Digital currencies", "Accounts receivable"}


def test_subtotal_places_a_single_value_in_the_second_column():
    table, _ = reconciled(IN_SECOND_COLUMN)
    digital = row(table, "Digital currencies")
    assert digital.columns == [1]
    assert column_of(table, "Digital currencies") == ["December 31, 2020"]
    assert digital.certain is True
    assert digital.reconciled is True
    assert row(table, "Total current assets").reconciled is True
    assert row(table, "Total assets").reconciled is True


def test_a_decided_row_keeps_its_printed_value():
    table, _ = reconciled(IN_SECOND_COLUMN)
    assert [number.value for number in row(table, "Digital currencies").numbers] == [D(1539)]


def test_two_single_value_rows_in_different_columns():
    # Column 1: 100 + 40 + 10 = 150; column 2: 200 + 25 + 20 = 245. Only Deposits in 1 and Prepayments in 2 fits.
    table, _ = reconciled("ASSETS Current assets: Cash 100 200 Deposits 40 Prepayments 25 Receivables 10 20 "
                          "Total current assets 150 245")
    assert row(table, "Deposits").columns == [0]
    assert row(table, "Prepayments").columns == [1]


# --- (b) the balance sheet's own identity -------------------------------------------------------------------

BALANCE_SHEET = IN_FIRST_COLUMN + (
    " LIABILITIES AND EQUITY Current liabilities: Accounts payable 3,537 3,240 Lease liabilities, current 51 49 "
    "Total current liabilities 3,588 3,289 Loan payables 1,098 2,007 Total liabilities 4,686 5,296 "
    "EQUITY Class A Ordinary Shares ($1.00 par value; 60,000,000 shares authorized) 13,170 11,584 "
    "Additional paid-in capital 54,513 21,982 Accumulated deficit (46,570 (30,489 Total equity 21,113 3,077 "
    "Total liabilities and equity 25,799 8,373"
)
# Liabilities: 3,537 + 51 = 3,588 and 3,588 + 1,098 = 4,686; 3,240 + 49 = 3,289 and 3,289 + 2,007 = 5,296.
# Equity: 13,170 + 54,513 - 46,570 = 21,113; 11,584 + 21,982 - 30,489 = 3,077.
# Assets = liabilities + equity: 4,686 + 21,113 = 25,799; 5,296 + 3,077 = 8,373.


def test_balance_sheet_that_balances():
    table, checks = reconciled(BALANCE_SHEET)
    assert table.statement == "balance_sheet"
    assert balance_sheet_reconciles(table, checks) is True
    for label in ("Total current assets", "Total assets", "Total current liabilities", "Total liabilities",
                  "Total equity", "Total liabilities and equity"):
        assert row(table, label).reconciled is True, label
    assert not any(candidate.reconciled is False for candidate in table.rows)
    identity = [check for check in checks if table.rows[check.total].label == "Total liabilities and equity"
                and {table.rows[item].label for item in check.components} == {"Total liabilities", "Total equity"}]
    assert identity and all(check.holds for check in identity)


def test_balance_sheet_that_does_not_balance_is_flagged():
    # One more dollar of liabilities and equity on December 31, 2020 than of assets.
    table, checks = reconciled(BALANCE_SHEET.replace("Total liabilities and equity 25,799 8,373",
                                                     "Total liabilities and equity 25,799 8,374"))
    assert balance_sheet_reconciles(table, checks) is False
    for label in ("Total assets", "Total liabilities and equity", "Total liabilities", "Total equity"):
        flagged = row(table, label)
        assert flagged.reconciled is False, label
        assert flagged.note.startswith("balance sheet does not balance"), label
    # The rows the identity does not involve keep their own verdicts.
    assert row(table, "Total current assets").reconciled is True


def test_balance_sheet_without_totals_says_nothing():
    table, checks = reconciled("ASSETS Current assets: Cash 100 200 Receivables 10 20")
    assert balance_sheet_reconciles(table, checks) is None
    assert all(candidate.reconciled is None for candidate in table.rows)


def test_only_balance_sheets_have_a_balance_verdict():
    table, checks = reconciled(INCOME, INCOME_HEADER)
    assert table.statement == "income_statement"
    assert balance_sheet_reconciles(table, checks) is None


def test_lines_balance_sheet_reconciles():
    text = """CONSOLIDATED BALANCE SHEETS
(in thousands)
December 31, 2022 December 31, 2021
ASSETS
Current assets:
Cash and cash equivalents $ 1,200 $ 900
Accounts receivable, net 340 310
Inventories — 45
Total current assets 1,540 1,255
Property and equipment, net 460 445
Total assets $ 2,000 $ 1,700
LIABILITIES AND STOCKHOLDERS' EQUITY
Current liabilities:
Accounts payable $ 300 $ 250
Total current liabilities 300 250
Long-term debt 700 650
Total liabilities 1,000 900
Stockholders' equity:
Common stock 16 16
Additional paid-in capital 2,000 2,000
Accumulated deficit (1,016) (1,216)
Total stockholders' equity 1,000 800
Total liabilities and stockholders' equity $ 2,000 $ 1,700"""
    table = parse_table(text, text.index("ASSETS"), 0, "lines", "CONSOLIDATED BALANCE SHEETS")
    checks = reconcile(table)
    assert balance_sheet_reconciles(table, checks) is True
    assert row(table, "Total stockholders' equity").reconciled is True
    assert row(table, "Inventories").reconciled is True


# --- (c) items summing to a net loss decide a single-value row --------------------------------------------

INCOME = (
    "Revenues Healthcare services income 567 402 Operating expenses Cost of healthcare services (410 ) (290 ) "
    "Research and development expenses (2,167 ) (1,890 ) General and administrative fees (1,300 ) (1,250 ) "
    "Loss from operations (3,310 ) (3,028 ) Other income (expense) Fair value loss on derivatives (45 "
    "Interest income 20 30 Net loss (3,335 ) (2,998 )"
)
# Loss from operations: 567 - 410 - 2,167 - 1,300 = -3,310; 402 - 290 - 1,890 - 1,250 = -3,028.
# Net loss: -3,310 - 45 + 20 = -3,335 and -3,028 + 30 = -2,998: the fair value loss is of the first period.


def test_net_loss_places_a_single_value_in_the_first_period():
    table, checks = reconciled(INCOME, INCOME_HEADER)
    loss = row(table, "Fair value loss on derivatives")
    assert loss.columns == [0]
    assert column_of(table, "Fair value loss on derivatives") == ["June 30, 2021"]
    assert loss.note == "column decided by the identity 'Net loss'"
    assert row(table, "Net loss").reconciled is True
    assert row(table, "Loss from operations").reconciled is True
    net = next(check for check in checks if table.rows[check.total].label == "Net loss")
    assert {table.rows[item].label for item in net.components} == {
        "Loss from operations", "Fair value loss on derivatives", "Interest income"}


def test_net_loss_places_a_single_value_in_the_second_period():
    # Net loss: -3,310 + 20 = -3,290 and -3,028 - 45 + 30 = -3,043: the fair value loss is of the second period.
    table, _ = reconciled(INCOME.replace("Net loss (3,335 ) (2,998 )", "Net loss (3,290 ) (3,043 )"), INCOME_HEADER)
    assert row(table, "Fair value loss on derivatives").columns == [1]
    assert column_of(table, "Fair value loss on derivatives") == ["June 30, 2020"]


def test_expenses_printed_positive_are_subtracted():
    text = """Statement of income
(in millions)
2022 2021
Revenue 1,000 900
Cost of revenue 600 500
Gross profit 400 400
Research and development 150 120
Impairment charge 50
Operating income 200 280"""
    # Gross profit = revenue - cost: 1,000 - 600 and 900 - 500. Operating income = 400 - 150 - 50 and 400 - 120.
    table = parse_table(text, text.index("Revenue"), 0, "lines")
    reconcile(table)
    assert row(table, "Gross profit").reconciled is True
    assert row(table, "Impairment charge").columns == [0]
    assert row(table, "Operating income").reconciled is True


def test_less_rows_are_subtracted():
    text = """Net income attributable to the company
(in millions)
2018 2017
Net income including noncontrolling interest $ 5,363 $ 4,869
Less: Net income attributable to noncontrolling interest 14 11
Net income attributable to 3M $ 5,349 $ 4,858"""
    table = parse_table(text, text.index("Net income including"), 0, "lines")
    checks = reconcile(table)
    assert row(table, "Net income attributable to 3M").reconciled is True
    held = [check for check in checks if check.holds]
    assert held and held[0].signs == [1, -1]


# --- (d) no identity decides: the column stays uncertain ---------------------------------------------------


def test_without_a_total_a_single_value_row_stays_uncertain():
    table, checks = reconciled("ASSETS Current assets: Cash 100 200 Digital currencies 40 Receivables 10 20")
    assert checks == []
    digital = row(table, "Digital currencies")
    assert digital.columns is None
    assert digital.certain is False
    assert digital.note == "column uncertain: no identity places it among June 30, 2021, December 31, 2020"


def test_an_identity_that_two_placements_satisfy_decides_nothing():
    # 100 + 40 + 10 = 150 in both columns whichever of Deposits and Prepayments is in which: no guess.
    table, checks = reconciled("ASSETS Current assets: Cash 100 100 Deposits 40 Prepayments 40 Receivables 10 10 "
                               "Total current assets 150 150")
    for label in ("Deposits", "Prepayments"):
        undecided = row(table, label)
        assert undecided.columns is None, label
        assert undecided.certain is False
        assert undecided.note.startswith("column uncertain")
    check = next(check for check in checks if table.rows[check.total].label == "Total current assets")
    assert check.holds and check.placements == 2
    assert row(table, "Total current assets").reconciled is True


def test_a_total_no_placement_satisfies_leaves_the_row_uncertain_and_flags_the_total():
    # 100 + 10 (+ 40) is neither 120 nor 230: the total is wrong, or the row is not part of it.
    table, _ = reconciled("ASSETS Current assets: Cash 100 200 Digital currencies 40 Receivables 10 20 "
                          "Total current assets 120 230")
    digital = row(table, "Digital currencies")
    assert digital.columns is None
    assert digital.note.startswith("column uncertain")
    total = row(table, "Total current assets")
    assert total.reconciled is False
    assert total.note == "does not reconcile with the rows above it"


# --- (e) totals that do not add up are flagged -------------------------------------------------------------


def test_a_total_that_does_not_add_up_is_flagged():
    # 100 + 10 = 110, not 115; 200 + 20 = 220.
    table, checks = reconciled("ASSETS Current assets: Cash 100 200 Receivables 10 20 Total current assets 115 220")
    total = row(table, "Total current assets")
    assert total.reconciled is False
    assert total.note == "does not reconcile with the rows above it"
    assert [check.holds for check in checks] == [False]
    # Its items are not said to reconcile either.
    assert row(table, "Cash").reconciled is None
    assert row(table, "Receivables").reconciled is None


def test_a_net_line_that_does_not_add_up_is_not_called_a_failed_total():
    # Only a line named 'Total ...' is flagged: 'Net loss' may sum rows the parser did not see.
    table, _ = reconciled(INCOME.replace("Net loss (3,335 ) (2,998 )", "Net loss (3,400 ) (2,998 )"), INCOME_HEADER)
    assert row(table, "Net loss").reconciled is not True
    assert row(table, "Fair value loss on derivatives").columns is None


# --- what the facts say ------------------------------------------------------------------------------------


def facts_of(table_text: str, header: str, title: str | None = None):
    document = "Interim results.\n\n" + header + table_text + "\n\nAbout the company."
    start = document.index(header)
    span = TableSpan(start=start, end=start + len(header + table_text), header_end=start + len(header), title=title,
                     page=None, shape="flat")
    report = extract_facts("doc", document, [span], [])
    return document, [fact for fact in report.facts if fact.source == "table"]


def test_facts_of_a_decided_row_have_a_certain_period():
    document, facts = facts_of(IN_SECOND_COLUMN, BALANCE_HEADER)
    digital = [fact for fact in facts if fact.label == "Digital currencies"]
    assert len(digital) == 1
    fact = digital[0]
    assert (fact.value, fact.column, fact.column_certain) == (D(1539), 1, True)
    assert fact.period == "December 31, 2020"
    assert fact.reconciled is True
    assert document[fact.start:fact.end] == "1,539"


def test_facts_of_an_undecided_row_have_no_column_and_say_so():
    _, facts = facts_of("ASSETS Current assets: Cash 100 200 Digital currencies 40 Receivables 10 20", BALANCE_HEADER)
    fact = next(fact for fact in facts if fact.label == "Digital currencies")
    assert fact.column is None
    assert fact.column_certain is False
    assert fact.period is None and fact.period_end is None
    assert "column uncertain" in fact.note
    cash = [fact for fact in facts if fact.label == "Cash"]
    assert [(fact.column, fact.column_certain) for fact in cash] == [(0, True), (1, True)]


def test_facts_of_a_total_that_does_not_add_up_are_flagged():
    _, facts = facts_of("ASSETS Current assets: Cash 100 200 Receivables 10 20 Total current assets 115 220",
                        BALANCE_HEADER)
    totals = [fact for fact in facts if fact.label == "Total current assets"]
    assert [fact.reconciled for fact in totals] == [False, False]
    assert all(fact.note == "does not reconcile with the rows above it" for fact in totals)
