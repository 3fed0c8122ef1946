"""Fixtures and helpers shared by the tests of index/tables/ (test_table_*.py): tables in every shape they come
in, written by us, and the way the tests read a parsed table back. Expected values are read off the fixtures."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from index.chunking import Chunker, TableSpan
from index.loading import load_file
from index.tables.model import ParsedTable, Row
from index.tables.parsing import parse_table


def parse(document: str, table: str, header_end_at: str, shape: str, title: str | None = None) -> ParsedTable:
    """Parse `table`, which sits in `document`, the way extract_facts does: text, header length, document offset."""
    start = document.index(table)
    header_end = table.index(header_end_at)
    parsed = parse_table(table, header_end, start, shape, title)
    assert parsed is not None
    return parsed


def row(table: ParsedTable, label: str) -> Row:
    found = [candidate for candidate in table.rows if candidate.label == label]
    assert len(found) == 1, f"{label!r}: {[candidate.label for candidate in table.rows]}"
    return found[0]


def values(table: ParsedTable, label: str) -> list[Decimal | None]:
    return [number.value for number in row(table, label).numbers]


def assert_spans_exact(document: str, table: ParsedTable) -> None:
    """Each number's span is its printed text in the document; each label starts where the row's label_start says."""
    for candidate in table.rows:
        for number in candidate.numbers:
            assert document[number.start:number.end] == number.raw, (candidate.label, number)
        if candidate.label and candidate.label_start is not None:
            printed = " ".join(document[candidate.label_start:candidate.label_start + 3 * len(candidate.label)].split())
            assert printed.startswith(candidate.label.split(" (")[0][:20]), (candidate.label, printed[:40])


# Flattened one-line tables (newswire)
FLAT_TITLE = "CONDENSED CONSOLIDATED BALANCE SHEETS"
FLAT_HEADER = f"{FLAT_TITLE} (Stated in U.S. Dollars) June 30, 2021 December 31, 2020 (Unaudited) "
FLAT_BODY = (
    "ASSETS Current assets: Cash 19,935 3,495 Restricted cash 130 130 Digital currencies 1,539 "
    "Accounts receivable 47 62 Total current assets 21,651 3,687 Property, plant and equipment, net 4,148 4,686 "
    "Total assets 25,799 8,373 LIABILITIES AND EQUITY Current liabilities: Accounts payable 3,537 3,240 "
    "Lease liabilities, current 51 49 Total current liabilities 3,588 3,289 Loan payables 1,098 2,007 "
    "Total liabilities 4,686 5,296 EQUITY Class A Ordinary Shares ($1.00 par value; 60,000,000 shares authorized) "
    "13,170 11,584 Additional paid-in capital 54,513 21,982 Accumulated deficit (46,570 (30,489 "
    "Total equity 21,113 3,077 Total liabilities and equity 25,799 8,373"
)
FLAT_TABLE = FLAT_HEADER + FLAT_BODY
FLAT_DOCUMENT = "Aptorum-like Group announces its interim results.\n\n" + FLAT_TABLE + "\n\nAbout the company."

FLAT_INCOME = (
    "CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS (Stated in U.S. Dollars) Six Months Ended June 30, 2021 2020 "
    "(Unaudited) Revenues Healthcare services income $ 567 $ 402 Operating expenses Cost of healthcare services "
    "(410 ) (290 ) Research and development expenses (2,167 ) (1,890 ) Net loss (2,010 ) (1,778 )"
)


def parse_flat() -> ParsedTable:
    return parse(FLAT_DOCUMENT, FLAT_TABLE, "ASSETS", "flat", FLAT_TITLE)


# Line-per-row text (PDF)
LINES_INCOME = """Consolidated Statement of Income
Years ended December 31
(Millions, except per share amounts) 2018 2017 2016
Net sales $ 32,765 $ 31,657 $ 30,109
Operating expenses
Cost of sales 16,682 16,055 15,118
Selling, general and administrative expenses 7,602 6,626 6,111
Total operating expenses 24,284 22,681 21,229
Operating income 8,481 8,976 8,880
Net income including noncontrolling interest $ 5,363 $ 4,869 $ 5,058
Less: Net income attributable to noncontrolling
interest 14 11 8
Net income attributable to 3M $ 5,349 $ 4,858 $ 5,050
Weighted average 3M common shares outstanding — basic 588.5 597.5 604.7
Earnings per share attributable to 3M common shareholders — basic $ 9.09 $ 8.13 $ 8.35
Effective tax rate 23.4 % 35.5 % 28.3 %"""
LINES_INCOME_DOCUMENT = "3M Company and Subsidiaries\n" + LINES_INCOME + "\nThe accompanying notes are an integral part."


def parse_lines_income() -> ParsedTable:
    return parse(LINES_INCOME_DOCUMENT, LINES_INCOME, "Net sales", "lines", "Consolidated Statement of Income")


# HTML tables, rendered by the loader as `label | value | value` lines
HTML_STATEMENT = """<html><body><h2>CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS</h2>
<p>(in thousands, except per share data)</p>
<table>
<tr><td></td><td colspan="2">Three Months Ended June 30,</td></tr>
<tr><td></td><td>2021</td><td></td><td>2020</td></tr>
<tr><td>Revenue</td><td>$</td><td>1,200</td><td>$</td><td>1,000</td></tr>
<tr><td>Cost of revenue</td><td>(500</td><td>)</td><td>(450</td><td>)</td></tr>
<tr><td>Gross profit</td><td>700</td><td>550</td></tr>
<tr><td>Other income</td><td>&#8212;</td><td>25</td></tr>
<tr><td>Net income</td><td>700</td><td>575</td></tr>
<tr><td>Net loss per share, basic and diluted</td><td>$</td><td>(0.12</td><td>)</td><td>$</td><td>(0.15</td><td>)</td></tr>
<tr><td>Weighted average shares outstanding, basic and diluted</td><td>5,000</td><td>4,800</td></tr>
</table>
<p>The accompanying notes are an integral part of these statements.</p>
</body></html>"""


def parse_html_statement(directory: Path) -> tuple[str, TableSpan, ParsedTable | None]:
    """HTML_STATEMENT loaded and laid out as ingest does it: (document text, table span, parsed table)."""
    path = directory / "statement.html"
    path.write_text(HTML_STATEMENT)
    loaded = load_file(path, 10**7)
    _, spans = Chunker().layout(loaded)
    assert len(spans) == 1
    span = spans[0]
    parsed = parse_table(loaded.text[span.start:span.end], span.header_end - span.start, span.start, span.shape,
                         span.title, span.page)
    return loaded.text, span, parsed
