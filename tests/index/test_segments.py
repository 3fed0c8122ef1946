"""index/segments.py: a page's lines read as headings, prose and tables (with their title and column headers),
and the running lines of a document that belong to none of them."""

from __future__ import annotations

from pathlib import Path

from index.loading import LoadedFile, Span
from index.segments import Segment, page_segments, running_lines


def loaded(text: str, pages: list[Span] | None = None, tables: tuple[Span, ...] = (),
           headings: tuple[Span, ...] = ()) -> LoadedFile:
    return LoadedFile(Path("page.txt"), "0" * 64, text, "text", pages, list(tables), list(headings))


def segments(text: str, **structure) -> list[Segment]:
    return page_segments(loaded(text, **structure), 0, len(text), set())


STATEMENT_PAGE = "\n".join([
    "Liquidity",
    "",
    "Management believes cash flows are sufficient to fund operations for the next twelve months.",
    "",
    "CONSOLIDATED STATEMENTS OF CASH FLOWS",
    "(In millions)",
    "Years ended December 31,",
    "2023 2022 2021",
    "Net income $ 5,363 $ 4,869 $ 5,058",
    "Depreciation and amortization 1,488 1,544 1,500",
    "Net cash provided by operating activities 6,439 6,240 6,596",
])


def test_a_heading_prose_and_a_statement_with_its_title_and_column_headers():
    heading, prose, table = segments(STATEMENT_PAGE)
    assert (heading.kind, STATEMENT_PAGE[heading.start:heading.end]) == ("heading", "Liquidity")
    assert prose.kind == "text" and STATEMENT_PAGE[prose.start:prose.end].startswith("Management believes")
    assert (table.kind, table.shape, table.title) == ("table", "lines", "CONSOLIDATED STATEMENTS OF CASH FLOWS")
    assert STATEMENT_PAGE[table.start:table.header_end] == (
        "CONSOLIDATED STATEMENTS OF CASH FLOWS\n(In millions)\nYears ended December 31,\n2023 2022 2021\n")
    assert STATEMENT_PAGE[table.header_end:table.end].startswith("Net income $ 5,363")
    assert table.end == len(STATEMENT_PAGE)


def test_a_wrapped_row_label_stays_in_its_table():
    text = "\n".join(["CONSOLIDATED BALANCE SHEETS", "May 31, 2023 2022", "Cash 1,000 900",
                      "Receivables, net of allowances of $362 and $440 as of May 31, 2023 and May 31, 2022,",
                      "respectively 6,915 5,953", "Total assets 7,915 6,853"])
    [table] = segments(text)
    assert (table.kind, table.start, table.end, table.title) == ("table", 0, len(text), "CONSOLIDATED BALANCE SHEETS")
    assert text[table.start:table.header_end] == "CONSOLIDATED BALANCE SHEETS\nMay 31, 2023 2022\n"


def test_a_newswire_table_flattened_into_one_line():
    text = "Revenue " + " ".join(f"Item {index} {index * 1000:,} {index * 900:,}" for index in range(1, 20))
    [table] = segments(text)
    assert (table.kind, table.shape, table.start, table.end) == ("table", "flat", 0, len(text))


def test_an_html_table_with_the_title_line_above_it():
    text = "Selected data\n\nItem 0 | 0,000 | 1,000\nItem 1 | 1,000 | 2,000\nItem 2 | 2,000 | 3,000"
    [table] = segments(text, tables=((text.index("Item 0"), len(text)),))
    assert (table.kind, table.shape, table.start, table.end) == ("table", "html", 0, len(text))
    assert text[table.start:table.header_end] == "Selected data\n\n"


def test_a_sentence_ending_in_a_number_is_prose():
    text = "Revenue grew in every region and the company hired many new people in 2023 reaching 1,200"
    assert [(segment.kind, segment.start, segment.end) for segment in segments(text)] == [("text", 0, len(text))]


BODIES = ["Revenue grew because customers bought more subscriptions.", "Margins widened as costs fell.",
          "The company opened stores in new markets.", "Cash flows funded the dividend.", "Debt was repaid early."]


def paged(bodies: list[str]) -> tuple[str, list[Span]]:
    texts, spans, position = [], [], 0
    for number, body in enumerate(bodies, 1):
        page = "\n".join(["ACME CORP ANNUAL REPORT", "", body, "", f"Page {number}"])
        spans.append((position, position + len(page)))
        texts.append(page)
        position += len(page) + 1
    return "\n".join(texts), spans


def test_running_headers_and_footers_are_noise_in_no_segment():
    text, pages = paged(BODIES)
    noise = running_lines(text, pages)
    assert noise == {"ACME CORP ANNUAL REPORT", "Page #"}
    [prose] = page_segments(loaded(text, pages=pages), *pages[2], noise)
    assert (prose.kind, text[prose.start:prose.end]) == ("text", "The company opened stores in new markets.")


def test_a_short_document_has_no_running_lines():
    text, pages = paged(BODIES[:3])
    assert running_lines(text, pages) == set()


def test_a_row_with_a_long_label_stays_in_its_table_and_a_long_line_of_dates_is_its_header():
    text = "\n".join([
        "Year Ended December 31,",
        "2019  2018  2017",
        "Net cash from operating activities  $1,869  $1,845  $1,677",
        "Excluding:",
        "Payment for purchase and proceeds from sale of marketable securities, and net cash variation for joint "
        "ventures deconsolidation  (200)  (100)  99",
        "Free Cash Flow (non-U.S. GAAP measure)  $497  $533  $308",
    ])
    (table,) = segments(text)
    assert table.kind == "table" and text[table.start:table.end].endswith("$308")
    header = ("(In Millions, Except Percentages and Per Share Amounts and Other Amounts Not Stated in Dollars)  "
              "April 27, 2019 (1)  April 28, 2018 (2)  April 29, 2017 (3)")
    text = "\n".join(["Fiscal Year Ended", header, "Net Sales  $1,000.3  $908.3  $816.5",
                      "Income Tax Expense  12.0  66.6  23.0", "Net Income  91.6  57.2  92.9"])
    (table,) = segments(text)
    assert table.header_end is not None and text[:table.header_end].rstrip().endswith(header.split("  ")[-1])
