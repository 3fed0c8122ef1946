"""index/tables/runs.py: statements whose PDF text prints several rows to a line and breaks labels from their
numbers. The lines below are written in the shape of such pages (Oracle's and Apple's 10-Ks of 2015-2016), with
labels and figures of their own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from index.tables.parsing import parse_table
from index.tables.runs import rows_from_runs, run_count, statement_region

D = Decimal

BALANCE_BODY = """ASSETS Current assets:
Cash and cash equivalents $ 10,150 $ 11,700 Marketable securities 25,900 22,600 Trade receivables, net of allowances for doubtful accounts of $301 and $288 as of June 30, 2016 and 2015,
respectively 4,385 4,618 Inventories 202 304 Prepaid expenses and other current assets 1,591 1,220
Total current assets 42,228 40,442
Non-current assets: Property, plant and equipment, net 3,000 2,686 Goodwill, net 14,590 14,087
Total assets $ 59,818 $ 57,215
Commitments and contingencies Example Corp stockholders’ equity:
Preferred stock, $0.01 par value—authorized: 1.0 shares; outstanding: none — — Common stock, $0.01 par value—authorized: 9,000 shares; outstanding: 3,131 shares
and 3,343 shares as of June 30, 2016 and 2015, respectively 14,217 13,156 Retained earnings 13,888 16,503
"""


def values(rows, label):
    found = [row for row in rows if row.label == label]
    assert len(found) == 1, [row.label for row in rows]
    return [number.value for number in found[0].numbers]


def test_rows_run_together_are_split_at_each_label():
    rows = rows_from_runs(BALANCE_BODY, 0, 2)
    assert [row.label for row in rows if row.numbers] == [
        "Cash and cash equivalents", "Marketable securities",
        "Trade receivables, net of allowances for doubtful accounts of $301 and $288 as of June 30, 2016 and 2015, "
        "respectively",
        "Inventories", "Prepaid expenses and other current assets", "Total current assets",
        "Property, plant and equipment, net", "Goodwill, net", "Total assets",
        "Preferred stock, $0.01 par value—authorized: 1.0 shares; outstanding: none",
        "Common stock, $0.01 par value—authorized: 9,000 shares; outstanding: 3,131 shares and 3,343 shares as of "
        "June 30, 2016 and 2015, respectively",
        "Retained earnings"]
    assert values(rows, "Cash and cash equivalents") == [D(10150), D(11700)]
    assert values(rows, "Inventories") == [D(202), D(304)]
    assert values(rows, "Total assets") == [D(59818), D(57215)]
    assert values(rows, "Retained earnings") == [D(13888), D(16503)]
    assert values(rows, "Preferred stock, $0.01 par value—authorized: 1.0 shares; outstanding: none") == [None, None]


def test_a_label_wrapped_onto_the_next_line_keeps_its_values():
    rows = rows_from_runs(BALANCE_BODY, 0, 2)
    receivables = next(row for row in rows if row.label.startswith("Trade receivables"))
    assert [number.value for number in receivables.numbers] == [D(4385), D(4618)]
    # Numbers inside the label (the allowances, the dates) are not values.
    assert not any(number.value in (D(301), D(288), D(2016)) for row in rows for number in row.numbers)


def test_group_headers_are_rows_of_their_own_and_never_hold_a_number():
    rows = rows_from_runs(BALANCE_BODY, 0, 2)
    assert [row.label for row in rows if row.is_header] == [
        "ASSETS", "Current assets:", "Non-current assets:", "Commitments and contingencies",
        "Example Corp stockholders’ equity:"]


def test_spans_point_at_the_printed_numbers_and_labels():
    text = "(in millions) 2016 2015\n" + BALANCE_BODY
    offset = len("(in millions) 2016 2015\n")
    rows = rows_from_runs(text[offset:], 100 + offset, 2)
    for row in rows:
        assert text[row.label_start - 100:].startswith(row.label.split()[0])
        for number in row.numbers:
            assert text[number.start - 100:number.end - 100] == number.raw


def test_a_row_that_cannot_be_split_with_certainty_is_skipped():
    # "5,116" is one value where each row prints two: a row of its own or part of a label, it cannot be told,
    # so neither that row nor the label after it is read. The rows around it are.
    rows = rows_from_runs("Long-term investments 4,065 3,162 Goodwill 5,116 Acquired intangible assets, net "
                          "3,893 4,142 Other assets 5,556 3,764\n", 0, 2)
    assert [(row.label, [number.value for number in row.numbers]) for row in rows if row.numbers] == [
        ("Long-term investments", [D(4065), D(3162)]), ("Other assets", [D(5556), D(3764)])]


def test_values_followed_by_lower_case_are_not_taken_as_a_row():
    rows = rows_from_runs("Net sales 1,200 1,100 thousand units Cost of sales 700 650\n", 0, 2)
    assert [row.label for row in rows if row.numbers] == []


def test_a_year_before_the_values_is_not_a_value():
    # After "June 30," the year is the date's; after a word a label may end on, it cannot be told.
    rows = rows_from_runs("Balance at June 30, 2016 1,234 1,100 Net income 300 250 Notes due 2027 700 650\n", 0, 2)
    assert [(row.label, [number.value for number in row.numbers]) for row in rows if row.numbers] == [
        ("Balance at June 30, 2016", [D(1234), D(1100)]), ("Net income", [D(300), D(250)])]


def test_a_number_after_a_word_a_label_cannot_end_on_is_the_labels():
    rows = rows_from_runs("Accounts receivable, net of allowances of $42 and $97 98 362 Other current assets 1,009 780\n",
                          0, 2)
    assert values(rows, "Accounts receivable, net of allowances of $42 and $97") == [D(98), D(362)]
    assert values(rows, "Other current assets") == [D(1009), D(780)]


def test_run_count_is_the_commonest_row_length():
    assert run_count(BALANCE_BODY) == 2
    assert run_count("Revenue 10 20 30 Costs 5 6 7\nProfit 5 14 23\nEBIT 1 2 3\n") == 3
    assert run_count("Revenue 10 20\n") == 0  # too few rows to tell


PAGE = """Table of Contents
EXAMPLE CORPORATION
CONSOLIDATED STATEMENTS OF OPERATIONS
For the Years Ended June 30, 2016, 2015 and 2014
Year Ended June 30,
(in millions, except per share data) 2016 2015 2014
Revenues: Cloud services $ 1,207 $ 985 $ 621 Licenses 646 608 456
Total revenues 1,853 1,593 1,077
Operating expenses: Sales and marketing 884 755 567 Research and development 287 224 151
Total operating expenses 1,171 979 718
Operating income 682 614 359 Interest expense (67) (43) (14)
Net income $ 615 $ 571 $ 345
Earnings per share: Basic $ 2.11 $ 2.26 $ 2.42
Diluted $ 2.07 $ 2.21 $ 2.38
See notes to consolidated financial statements.
87
"""


def test_the_statement_of_a_page_from_its_title_to_its_last_row():
    region = statement_region(PAGE, 0, len(PAGE))
    assert region is not None
    assert region.title == "CONSOLIDATED STATEMENTS OF OPERATIONS"
    assert PAGE[region.start:].startswith("CONSOLIDATED STATEMENTS")
    assert PAGE[:region.header_end].endswith("2016 2015 2014")
    assert PAGE[:region.end].endswith("$ 2.07 $ 2.21 $ 2.38")


def test_the_statement_read_whole_with_its_columns_and_scale():
    region = statement_region(PAGE, 0, len(PAGE))
    table = parse_table(PAGE[region.start:region.end], region.header_end - region.start, region.start, "runs",
                        region.title)
    assert table.statement == "income_statement" and table.scale == 1_000_000
    assert [column.period_end for column in table.columns] == [dt.date(2016, 6, 30), dt.date(2015, 6, 30),
                                                               dt.date(2014, 6, 30)]
    rows = {row.label: [number.value for number in row.numbers] for row in table.data_rows}
    assert rows["Total revenues"] == [D(1853), D(1593), D(1077)]
    assert rows["Operating income"] == [D(682), D(614), D(359)]
    assert rows["Interest expense"] == [D(-67), D(-43), D(-14)]
    assert rows["Research and development"] == [D(287), D(224), D(151)]
    for row in table.data_rows:
        assert row.columns == [0, 1, 2]


def test_a_page_printing_one_row_to_a_line_is_left_to_the_line_reader():
    page = PAGE.replace(" Licenses", "\nLicenses").replace(" Research", "\nResearch").replace(" Interest", "\nInterest")
    page = page.replace("Revenues: ", "Revenues:\n").replace("Operating expenses: ", "Operating expenses:\n")
    page = page.replace("Earnings per share: ", "Earnings per share:\n")
    assert statement_region(page, 0, len(page)) is None


def test_a_notes_page_is_not_a_statement():
    page = PAGE.replace("CONSOLIDATED STATEMENTS OF OPERATIONS",
                        "NOTES TO CONSOLIDATED FINANCIAL STATEMENTS—(Continued)\nThe following table presents the "
                        "revenues in the accompanying consolidated statements of operations.")
    assert statement_region(page, 0, len(page)) is None
