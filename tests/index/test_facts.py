"""Facts end to end: the seed's two statements, narrative links and disagreements, uncertain columns, and the
cash flow statements of the 10-Ks in ../shared."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import FILINGS, SEED, shared_or_skip

from index.facts import FactReport, find_facts
from index.ingest import read_facts

D = Decimal
JUN21, DEC20, JUN20 = dt.date(2021, 6, 30), dt.date(2020, 12, 31), dt.date(2020, 6, 30)

# Read off the release by hand: label | first column | second column ("-" where the row prints one value).
BALANCE_SHEET = """
Cash | 19,935,888 | 3,495,231
Restricted cash | 130,125 | 130,125
Digital currencies | - | 1,539
Accounts receivable | 47,093 | 62,221
Inventories | 32,785 | 39,133
Marketable securities, at fair value | 702,937 | 28,384,944
Investments in derivatives | - | 4,289
Amounts due from related parties | 113,858 | -
Due from brokers | 160,341 | 160,337
Other receivables and prepayments | 795,087 | 1,378,996
Total current assets | 21,918,114 | 33,656,815
Property, plant and equipment, net | 4,148,449 | 4,686,323
Operating lease right-of-use assets | 355,202 | 547,389
Non-marketable investments | 4,079,707 | 4,079,707
Intangible assets, net | 917,170 | 964,857
Long-term deposits | 296,225 | 296,225
Total Assets | 31,714,867 | 44,231,316
Amounts due to related parties | 133,761 | 145,926
Accounts payable and accrued expenses | 3,537,237 | 3,240,772
Finance lease liabilities, current | 50,881 | 49,396
Operating lease liabilities, current | 339,040 | 432,600
Total current liabilities | 4,060,919 | 3,868,694
Finance lease liabilities, non-current | 22,106 | 47,923
Operating lease liabilities, non-current | 63,008 | 155,121
Loan payables to related parties | 1,098,492 | 2,007,285
Total Liabilities | 5,244,525 | 6,079,023
Class A Ordinary Shares | 13,170,374 | 11,584,324
Class B Ordinary Shares | 22,437,754 | 22,437,754
Additional paid-in capital | 42,441,471 | 38,247,903
Accumulated other comprehensive income | 28,267 | 53,296
Accumulated deficit | -46,570,550 | -30,489,126
Total equity attributable to the shareholders of Aptorum Group Limited | 31,507,316 | 41,834,151
Non-controlling interests | -5,036,974 | -3,681,858
Total equity | 26,470,342 | 38,152,293
Total Liabilities and Equity | 31,714,867 | 44,231,316
"""

OPERATIONS = """
Healthcare services income | 637,784 | 327,273
Costs of healthcare services | -629,987 | -436,171
Research and development expenses | -5,508,356 | -4,315,033
General and administrative fees | -2,564,117 | -2,076,634
Legal and professional fees | -1,240,512 | -1,540,304
Other operating expenses | -189,125 | -641,457
Total operating expenses | -10,132,097 | -9,009,599
(Loss) gain on investments in marketable securities, net | -7,565,273 | 192,134
Gain on non-marketable investment | - | 1,635,939
Loss on investments in derivatives, net | -4,289 | -101,233
Gain on use of digital currencies | 4,918 | -
Interest expense, net | -126,102 | -144,226
Sundry income | 82,652 | 111,398
Total other (loss) income, net | -7,608,094 | 1,694,012
Net loss | -17,102,407 | -6,988,314
Less: net loss attributable to non-controlling interests | -1,020,983 | -783,749
Net loss attributable to Aptorum Group Limited | -16,081,424 | -6,204,565
Net loss per share basic and diluted | -0.47 | -0.21
Weighted-average shares outstanding basic and diluted | 34,280,137 | 29,956,393
Net loss | -17,102,407 | -6,988,314
Exchange differences on translation of foreign operations | -25,029 | 31,170
Other Comprehensive (loss) income | -25,029 | 31,170
Comprehensive loss | -17,127,436 | -6,957,144
Less: comprehensive loss attributable to non-controlling interests | -1,020,983 | -783,751
Comprehensive loss attributable to the shareholders of Aptorum Group Limited | -16,106,453 | -6,173,393
"""


def expected(table: str, first: dt.date, second: dt.date) -> list[tuple[str, dt.date, Decimal]]:
    rows = []
    for line in table.strip().splitlines():
        label, *cells = (part.strip() for part in line.split("|"))
        for date, cell in zip((first, second), cells):
            if cell != "-":
                rows.append((label, date, Decimal(cell.replace(",", ""))))
    return rows


def short(label: str) -> str:
    # The share-class rows carry their par value and share counts in the label; compare the name.
    return label.split(" ($")[0]


@pytest.fixture(scope="module")
def seed() -> tuple[str, FactReport]:
    loaded, report = read_facts(SEED)
    return loaded.text, report


def statement_facts(report: FactReport, statement: str):
    return [fact for fact in report.facts if fact.source == "table" and fact.statement == statement]


@pytest.mark.parametrize(("statement", "table", "first", "second", "duration"), [
    ("balance_sheet", BALANCE_SHEET, JUN21, DEC20, "instant"),
    ("income_statement", OPERATIONS, JUN21, JUN20, "6M"),
])
def test_every_number_of_the_seed_statements(seed, statement, table, first, second, duration):
    text, report = seed
    facts = statement_facts(report, statement)
    got = [(short(fact.label), fact.period_end, fact.value) for fact in facts]
    assert got == expected(table, first, second)
    for fact in facts:
        assert fact.duration == duration and fact.column_certain and fact.scale == 1
        assert text[fact.start:fact.end] == fact.raw, "the span is the printed number"
        assert fact.passage_id and fact.passage_id.startswith(fact.doc_id)
    money = [fact for fact in facts if fact.kind == "money"]
    assert all(fact.currency == "USD" for fact in money)
    kinds = {short(fact.label): fact.kind for fact in facts}
    if statement == "income_statement":
        assert kinds["Net loss per share basic and diluted"] == "per_share"
        assert kinds["Weighted-average shares outstanding basic and diluted"] == "shares"
        assert len(money) == len(facts) - 4


def test_every_printed_number_becomes_a_fact(seed):
    """Independently of the parser: count the numbers printed in each statement's body."""
    text, report = seed
    for statement, start_word in (("balance_sheet", "ASSETS Current assets:"), ("income_statement", "Revenue Healthcare")):
        line = next(line for line in text.splitlines() if start_word in line)
        body = line[line.index(start_word):]
        body = re.sub(r"\(\$1\.00 par value;[^)]*\)", "", body)  # share counts inside the share-class labels
        printed = re.findall(r"(?<![\w.])\(?\d[\d,]*(?:\.\d+)?", body)
        assert len(printed) == len(statement_facts(report, statement))


def test_single_value_rows_are_placed_by_the_identities(seed):
    _, report = seed
    placed = {(fact.label, fact.period_end): fact for fact in report.facts if fact.note and "decided by the identity" in fact.note}
    assert set(placed) == {
        ("Digital currencies", DEC20), ("Investments in derivatives", DEC20), ("Amounts due from related parties", JUN21),
        ("Gain on use of digital currencies", JUN21), ("Gain on non-marketable investment", JUN20),
    }
    assert "Total current assets" in placed[("Digital currencies", DEC20)].note
    assert "Total other (loss) income, net" in placed[("Gain on use of digital currencies", JUN21)].note
    assert all(fact.column_certain for fact in placed.values())


def test_the_seed_statements_reconcile(seed):
    _, report = seed
    assert report.balance_sheets() == [True]
    for statement in ("balance_sheet", "income_statement"):
        money = [fact for fact in statement_facts(report, statement) if fact.kind == "money"]
        assert money and all(fact.reconciled is True for fact in money), [f.label for f in money if f.reconciled is not True]


def test_narrative_figures_with_their_sentences(seed):
    text, report = seed
    narrative = [fact for fact in report.facts if fact.source == "text"]
    by_raw = {fact.raw: fact for fact in narrative}
    assert all(text[fact.start:fact.end] == fact.raw and fact.sentence and fact.raw in fact.sentence for fact in narrative)
    shares = next(fact for fact in narrative if fact.value == Decimal("1387925"))
    assert shares.kind == "shares" and "Class A Ordinary Shares" in shares.label
    price = next(fact for fact in narrative if fact.value == Decimal("2.882"))
    assert price.kind == "per_share" and price.currency == "USD"
    assert any(fact.kind == "percent" and fact.value == 10 and "premium" in fact.label for fact in narrative)
    assert any(fact.kind == "count" and fact.value == 6 and "cohorts" in fact.label for fact in narrative)
    assert "$17.1 million" in by_raw or any(fact.raw.startswith("$17.1") for fact in narrative)


def test_rounded_narrative_figures_link_to_the_table(seed):
    _, report = seed
    by_id = {fact.id: fact for fact in report.facts}
    rnd = next(fact for fact in report.facts if fact.source == "text" and fact.value == Decimal("5.5"))
    assert rnd.scale == 1_000_000 and rnd.period_end == JUN21 and rnd.duration == "6M"
    table = by_id[rnd.linked_fact]
    assert (table.label, table.value, table.period_end) == ("Research and development expenses", Decimal("-5508356"), JUN21)
    assert table.linked_fact == rnd.id, "the link goes both ways"
    net_loss = next(fact for fact in report.facts if fact.source == "text" and fact.value == Decimal("17.1"))
    assert by_id[net_loss.linked_fact].value == Decimal("-17102407")
    prior = next(fact for fact in report.facts if fact.source == "text" and fact.value == Decimal("4.3"))
    assert by_id[prior.linked_fact].period_end == JUN20
    # No narrative figure in the release disagrees with its table.
    assert not [fact for fact in report.facts if fact.note and fact.note.startswith("disagrees")]


STATEMENT = """ACME CORP REPORTS FIRST HALF 2022 RESULTS

Research and development expenses were $6.1 million for the six months ended June 30, 2022, compared to $4.3 million for the same period in 2021.

CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS
(Stated in U.S. Dollars)
Six months ended June 30, 2022 2021 (Unaudited) (Unaudited) Revenue Product sales 900,000 800,000 Operating expenses Research and development expenses (5,508,356 (4,315,033 General and administrative fees (1,200,000 (1,100,000 Total operating expenses (6,708,356 (5,415,033 Net loss (5,808,356 (4,615,033 Net loss per share basic and diluted (0.58 (0.46 Weighted-average shares outstanding basic and diluted 10,000,000 10,000,000

Further information about Acme Corp is on its website.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_narrative_figure_that_disagrees_is_recorded(tmp_path):
    _, report = read_facts(write(tmp_path, "ACME_2022H1_EARNINGS.txt", STATEMENT))
    current = next(fact for fact in report.facts if fact.source == "text" and fact.value == Decimal("6.1"))
    assert current.linked_fact is None
    assert current.note and current.note.startswith("disagrees") and "5,508,356" in current.note
    prior = next(fact for fact in report.facts if fact.source == "text" and fact.value == Decimal("4.3"))
    assert prior.note is None and prior.linked_fact is not None, "4,315,033 rounds to $4.3 million"


UNDECIDED = """ACME CORP REPORTS FIRST HALF 2022 RESULTS

CONDENSED CONSOLIDATED BALANCE SHEETS
(Stated in U.S. Dollars)
June 30, 2022 December 31, 2021 (Unaudited) ASSETS Cash 1,000 2,000 Prepayments 300 Deposits 400 500 Inventories 1,100 1,200 Other assets 1,300 1,400 LIABILITIES Accounts payable 600 700 Accrued expenses 800 900 Deferred revenue 1,500 1,600 Other liabilities 1,700 1,800 Lease liabilities 1,900 2,100

Further information about Acme Corp is on its website.
"""


def test_a_single_value_row_no_identity_decides_is_uncertain(tmp_path):
    _, report = read_facts(write(tmp_path, "ACME_2022H1_EARNINGS.txt", UNDECIDED))
    prepayments = [fact for fact in report.facts if fact.label == "Prepayments"]
    assert len(prepayments) == 1
    [fact] = prepayments
    assert fact.value == 300 and not fact.column_certain and fact.period_end is None and fact.period is None
    cash = sorted((fact.period_end, fact.value) for fact in report.facts if fact.label == "Cash")
    assert cash == [(dt.date(2021, 12, 31), 2000), (dt.date(2022, 6, 30), 1000)]


# --- the shared filings -----------------------------------------------------------------------------------

# Read off each 10-K's cash flow statement (in millions): operating, investing, financing per fiscal year.
CASH_FLOW_TOTALS = {
    "APPLE_2022_10K.pdf": {2022: ("122,151", "-22,354", "-110,749"), 2021: ("104,038", "-14,545", "-93,353"),
                           2020: ("80,674", "-4,289", "-86,820")},
    "EBAY_2022_10K.pdf": {2022: ("2,254", "2,461", "-3,792"), 2021: ("2,657", "3,663", "-6,532"),
                          2020: ("2,419", "3,794", "-5,692")},
    "ORACLE_2023_10K.pdf": {2023: ("17,165", "-36,484", "7,910"), 2022: ("9,539", "11,220", "-29,126"),
                            2021: ("15,887", "-13,098", "-10,378")},
}
METRICS = ("cash_from_operations", "cash_from_investing", "cash_from_financing")


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(CASH_FLOW_TOTALS))
def test_ten_k_cash_flow_totals_for_every_year(name):
    shared_or_skip(FILINGS)
    _, report = read_facts(FILINGS / name)
    statements = [table for table in report.tables if table.statement == "cash_flow"]
    shown = {column.year for table in statements for column in table.columns if column.year}
    assert shown == set(CASH_FLOW_TOTALS[name])
    for year, values in CASH_FLOW_TOTALS[name].items():
        for metric, value in zip(METRICS, values):
            found = {fact.amount for fact in report.facts
                     if fact.statement == "cash_flow" and fact.metric == metric and fact.period_end and fact.period_end.year == year}
            assert found == {Decimal(value.replace(",", "")) * 1_000_000}, (metric, year)


@pytest.mark.shared
def test_balance_sheets_of_the_filings_reconcile():
    shared_or_skip(FILINGS)
    results = {}
    for path in sorted(FILINGS.glob("*.pdf")):
        _, report = read_facts(path)
        results[path.name] = report.balance_sheets()
    decided = [value for values in results.values() for value in values if value is not None]
    assert False not in decided, results
    assert len(decided) >= 10, results  # every balance sheet in the 13 filings prints both of its totals


# --- look-ups in the store --------------------------------------------------------------------------------


def looked_up(seed_store, label=None, period=None, statement=None):
    doc_ids = [document.id for document in seed_store.documents()]
    return find_facts(seed_store.catalog, doc_ids, label, period, statement)


@pytest.mark.parametrize(("label", "period", "expected"), [
    ("R&D", "June 30, 2021", {("Research and development expenses", "-5508356"), ("Research and development expenses", "5.5")}),
    ("research and development", "H1 2020", {("Research and development expenses", "-4315033"), ("Research and development expenses", "4.3")}),
    ("revenue", "2021", {("Healthcare services income", "637784")}),
    ("total revenues", "2020", {("Healthcare services income", "327273")}),
    ("PP&E", "December 31, 2020", {("Property, plant and equipment, net", "4686323")}),
    ("total assets", "June 30, 2021", {("Total Assets", "31714867")}),
    ("accumulated deficit", None, {("Accumulated deficit", "-46570550"), ("Accumulated deficit", "-30489126")}),
])
def test_label_look_ups_understand_synonyms(seed_store, label, period, expected):
    found = {(fact.label, str(fact.value)) for fact in looked_up(seed_store, label, period)}
    assert found == expected


def test_revenue_is_the_only_line_under_revenue(seed_store):
    [fact] = looked_up(seed_store, "revenue", "June 30, 2021")
    assert fact.metric == "revenue" and "only line under" in fact.note


def test_look_ups_by_statement_and_period(seed_store):
    balance = looked_up(seed_store, period="December 31, 2020", statement="balance_sheet")
    second_column = [(label, value) for label, date, value in expected(BALANCE_SHEET, JUN21, DEC20) if date == DEC20]
    assert [(short(fact.label), fact.value) for fact in balance] == second_column
    assert looked_up(seed_store, "capex") == [], "the release has no cash flow statement"


@pytest.mark.shared
@pytest.mark.parametrize(("name", "group_word", "label", "year", "amount", "kind"), [
    ("APPLE_2022_10K.pdf", "Earnings per share", "Diluted", 2022, "6.11", "per_share"),
    ("APPLE_2022_10K.pdf", "Shares used", "Basic", 2022, "16215963000", "shares"),  # "reflected in thousands"
    ("ORACLE_2023_10K.pdf", "Earnings per share", "Basic", 2023, "3.15", "per_share"),
    ("ORACLE_2023_10K.pdf", "Weighted average common shares", "Diluted", 2023, "2766000000", "shares"),  # in millions
])
def test_per_share_amounts_and_share_counts_keep_their_own_scale(name, group_word, label, year, amount, kind):
    shared_or_skip(FILINGS)
    _, report = read_facts(FILINGS / name)
    found = {(fact.kind, fact.amount) for fact in report.facts
             if fact.statement == "income_statement" and fact.label == label and fact.group and group_word in fact.group
             and fact.period_end and fact.period_end.year == year}
    assert found == {(kind, Decimal(amount))}


def test_a_last_row_alone_on_the_next_page_stays_with_its_statement(tmp_path):
    from pdfs import make_pdf

    first = ["Acme Corp", "CONDENSED CONSOLIDATED BALANCE SHEETS", "(In millions)", "June 30, 2023 December 31, 2022",
             "Cash and cash equivalents $ 1,200 $ 1,000", "Accounts receivable 300 250", "Total assets $ 1,500 $ 1,250",
             "Accounts payable 400 350", "Total liabilities 400 350", "Total stockholders' equity 1,100 900"]
    second = ["Total liabilities and stockholders' equity $ 1,500 $ 1,250", "Acme Corp",
              "CONDENSED CONSOLIDATED STATEMENTS OF INCOME", "(In millions)", "Three Months Ended June 30,", "2023 2022",
              "Net revenues $ 2,540 $ 2,422", "Cost of net revenues 718 663", "Gross profit 1,822 1,759"]
    path = tmp_path / "ACME_2023Q2_EARNINGS.pdf"
    path.write_bytes(make_pdf([first, second]))
    _, report = read_facts(path)
    assert report.balance_sheets() == [True]
    last = [fact for fact in report.facts if fact.label == "Total liabilities and stockholders' equity"]
    assert [(fact.statement, fact.value, fact.period_end, fact.page) for fact in last] == [
        ("balance_sheet", 1500, dt.date(2023, 6, 30), 2), ("balance_sheet", 1250, dt.date(2022, 12, 31), 2)]
    assert not any(fact.label == "Total liabilities and stockholders' equity" for fact in report.facts
                   if fact.statement == "income_statement")


# A table with no scale of its own, and the sentence introducing it saying "(in thousands)": before the table, as
# a filing prints it, or after it, when the document holds the table apart from its paragraphs.
CAPTIONED_AFTER = """  December 31,
  2019  2018
Accrued payroll  116.9  105.9
Tax-related accruals  30.8  38.4

Accrued liabilities consisted of the following (in millions, except percentages):
"""

TWO_TABLES = """Accrued liabilities consisted of the following (in thousands):

  2019  2018
Accrued payroll  1,169  1,059
Tax-related accruals  308  384

The company had 1,200 employees at the end of each year, in many locations around the world and in many
countries, working in research, sales, manufacturing and administration; their number is given below.

  2019  2018
Employees  1,200  1,100
Contractors  300  250
"""


def test_a_table_takes_the_scale_of_its_caption_in_the_prose(tmp_path):
    _, report = read_facts(write(tmp_path, "captioned.txt", CAPTIONED_AFTER))
    payroll = [fact for fact in report.facts if fact.label == "Accrued payroll"]
    assert [(fact.value, fact.scale, fact.kind) for fact in payroll] == [(D("116.9"), 1_000_000, "money"),
                                                                         (D("105.9"), 1_000_000, "money")]


def test_a_caption_scales_only_the_table_it_introduces(tmp_path):
    _, report = read_facts(write(tmp_path, "two.txt", TWO_TABLES))
    assert {fact.scale for fact in report.facts if fact.label == "Accrued payroll"} == {1000}
    assert {fact.scale for fact in report.facts if fact.label == "Contractors"} == {1}


def test_a_statement_printed_several_rows_to_a_line_is_read_whole(tmp_path):
    # As some 10-Ks' PDF text comes out: rows run together on a line, a label broken from its numbers, the title
    # and column header above lines the chunker takes for prose.
    from pdfs import make_pdf

    page = ["Table of Contents", "EXAMPLE CORPORATION", "CONSOLIDATED BALANCE SHEETS", "As of June 30, 2016 and 2015",
            "June 30,", "(in millions, except per share data) 2016 2015", "ASSETS Current assets:",
            "Cash and cash equivalents $ 1,150 $ 1,700 Marketable securities 2,590 2,260 Trade receivables, net of "
            "allowances of $31 and $28 as of June 30, 2016 and 2015,",
            "respectively 438 461 Inventories 20 30 Prepaid expenses and other current assets 159 122",
            "Total current assets 4,357 4,573",
            "Non-current assets: Property, plant and equipment, net 300 268 Goodwill, net 1,459 1,408",
            "Total non-current assets 1,759 1,676", "Total assets $ 6,116 $ 6,249",
            "LIABILITIES AND EQUITY Current liabilities:",
            "Accounts payable $ 504 $ 806 Deferred revenues 765 724 Other current liabilities 333 331",
            "Total current liabilities 1,602 1,861", "Notes payable, non-current 1,010 1,000",
            "Total liabilities 2,612 2,861", "Retained earnings 3,504 3,388",
            "Total liabilities and equity $ 6,116 $ 6,249", "See notes to consolidated financial statements.", "86"]
    path = tmp_path / "EXAMPLE_2016_10K.pdf"
    path.write_bytes(make_pdf([page]))
    _, report = read_facts(path)
    assert report.balance_sheets() == [True]
    facts = {(fact.label, fact.period_end): (fact.value, fact.scale) for fact in report.facts
             if fact.source == "table" and fact.statement == "balance_sheet"}
    june16, june15 = dt.date(2016, 6, 30), dt.date(2015, 6, 30)
    assert facts[("Total current liabilities", june16)] == (D(1602), 1_000_000)
    assert facts[("Total current assets", june15)] == (D(4573), 1_000_000)
    assert facts[("Marketable securities", june16)] == (D(2590), 1_000_000)
    assert facts[("Trade receivables, net of allowances of $31 and $28 as of June 30, 2016 and 2015, respectively",
                  june16)] == (D(438), 1_000_000)
    assert facts[("Goodwill, net", june15)] == (D(1408), 1_000_000)
    assert not any(fact.value in (D(31), D(28)) for fact in report.facts if fact.source == "table")
