"""index/numbers.py: printed cell values, their typography, and where in a line they are."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from index.numbers import (
    DIGITS,
    NUMBER_PATTERN,
    NUMBER_TOKEN,
    SCALE_LETTER,
    SCALE_WORD,
    SCALE_WORDS,
    find_cells,
    is_year,
    numbers_in_text,
    parse_number,
    scale_of,
    scale_suffix,
    scale_word,
)


def value(raw: str) -> Decimal | None:
    number = parse_number(raw)
    assert number is not None, f"{raw!r} should parse"
    return number.value


def spans(line: str, offset: int = 0) -> list[str]:
    """The text each found cell's span covers (the spans are offset into a document that starts `offset` earlier)."""
    document = "#" * offset + line
    return [document[cell.start:cell.end] for cell in find_cells(line, offset)]


# --- parse_number: values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("7", Decimal(7)),
    ("130", Decimal(130)),
    ("1,539", Decimal(1539)),
    ("19,935,888", Decimal(19935888)),
    ("1234", Decimal(1234)),  # no separators at all
    ("0.5", Decimal("0.5")),
    ("1,234.56", Decimal("1234.56")),
    (".47", Decimal("0.47")),
])
def test_plain_numbers_and_thousands_separators(raw, expected):
    assert value(raw) == expected


def test_values_are_exact_decimals_not_floats():
    number = parse_number("0.1")
    assert isinstance(number.value, Decimal)
    assert number.value == Decimal("0.1")
    assert value("1,234.10") == Decimal("1234.10")


@pytest.mark.parametrize(("raw", "decimals"), [
    ("1,234", 0), ("9.09", 2), ("12.5%", 1), (".47", 2), ("(1,234.567)", 3), ("(2,167 )", 0), ("3.800 %", 3),
    ("$ (0.12)", 2),
])
def test_decimals_count_the_printed_digits_after_the_point(raw, decimals):
    assert parse_number(raw).decimals == decimals


def test_a_dollar_sign_is_typography_not_value():
    for raw in ("$ 5,363", "$5,363"):
        number = parse_number(raw)
        assert (number.value, number.dollar, number.negative) == (Decimal(5363), True, False)
    assert parse_number("5,363").dollar is False


def test_parentheses_are_negative():
    number = parse_number("(1,577)")
    assert (number.value, number.negative) == (Decimal(-1577), True)
    assert value("(0.15)") == Decimal("-0.15")
    assert value("($ 1,234)") == Decimal(-1234)


def test_a_closing_parenthesis_after_a_space_still_closes():
    assert value("(2,167 )") == Decimal(-2167)


def test_a_newswire_negative_that_lost_its_closing_parenthesis():
    # The seed's flattened balance sheet prints "Accumulated deficit (46,570,550 (30,489,126".
    number = parse_number("(46,570,550")
    assert (number.value, number.negative) == (Decimal(-46570550), True)


def test_a_dollar_sign_before_the_parenthesis():
    # EDGAR puts '$', '(0.12' and ')' in cells of their own; the loader glues them back to "$(0.12)".
    for raw in ("$(0.12)", "$ (0.12)"):
        number = parse_number(raw)
        assert (number.value, number.negative, number.dollar) == (Decimal("-0.12"), True, True)


@pytest.mark.parametrize("raw", ["-12.5", "\u221212.5"])
def test_minus_signs_ascii_and_unicode(raw):
    number = parse_number(raw)
    assert (number.value, number.negative) == (Decimal("-12.5"), True)


def test_percentages_keep_the_printed_value():
    number = parse_number("12.5%")
    assert (number.value, number.percent) == (Decimal("12.5"), True)
    assert parse_number("22.2 %").value == Decimal("22.2")
    negative = parse_number("(3.5)%")
    assert (negative.value, negative.percent) == (Decimal("-3.5"), True)
    assert parse_number("12.5").percent is False


@pytest.mark.parametrize("raw", ["—", "–", "-", "--", "\u2212", "n/m", "N/M", "nm", "n/a", "NA", "n.m.", "*"])
def test_nil_marks_are_numbers_without_a_value(raw):
    number = parse_number(raw)
    assert number is not None
    assert number.value is None
    assert number.nil
    assert not number.negative


@pytest.mark.parametrize("raw", ["(Note 13)", "3)", "Cash", "12,34", "1,2345", "$", "", "June", "10-K", "1.2.3"])
def test_not_numbers(raw):
    assert parse_number(raw) is None


def test_parse_number_span_starts_at_the_given_offset():
    number = parse_number("1,234", 40)
    assert (number.start, number.end) == (40, 45)


# --- find_cells: which tokens of a line are cells, and where they are ----------------------------------------


def test_a_pdf_row_with_dollar_signs():
    line = "Net income including noncontrolling interest $ 5,363 $ 4,869 $ 5,058"
    cells = find_cells(line)
    assert [cell.value for cell in cells] == [Decimal(5363), Decimal(4869), Decimal(5058)]
    assert all(cell.dollar for cell in cells)
    assert spans(line) == ["$ 5,363", "$ 4,869", "$ 5,058"]


def test_spans_are_document_offsets():
    line = "Restricted cash 130,125 130,125"
    cells = find_cells(line, 1000)
    assert [(cell.start, cell.end) for cell in cells] == [(1016, 1023), (1024, 1031)]
    assert spans(line, 1000) == ["130,125", "130,125"]


def test_spans_cover_the_printed_number_and_no_space_around_it():
    # After a nil mark or a '%', the next cell's span must not start on the space before it.
    assert spans("Inventories — 45") == ["—", "45"]
    assert spans("Gross margin 40.1% 38.2%") == ["40.1%", "38.2%"]
    assert spans("Effective tax rate 23.4 %  35.5 %") == ["23.4 %", "35.5 %"]
    assert spans("Interest income 45  300") == ["45", "300"]


def test_negatives_in_a_line():
    line = "Accumulated deficit (46,570,550 (30,489,126"
    cells = find_cells(line)
    assert [cell.value for cell in cells] == [Decimal(-46570550), Decimal(-30489126)]
    assert spans(line) == ["(46,570,550", "(30,489,126"]
    assert [cell.value for cell in find_cells("Other, net (2,167 ) 1,032")] == [Decimal(-2167), Decimal(1032)]
    assert [cell.value for cell in find_cells("Change \u22123.2 \u22121.0")] == [Decimal("-3.2"), Decimal("-1.0")]


def test_a_per_share_row_with_dollar_before_the_parenthesis():
    line = "Net loss per share $ (0.12) $(0.15)"
    cells = find_cells(line)
    assert [cell.value for cell in cells] == [Decimal("-0.12"), Decimal("-0.15")]
    assert all(cell.dollar for cell in cells)
    assert spans(line) == ["$ (0.12)", "$(0.15)"]


def test_nil_marks_in_a_line():
    cells = find_cells("Digital currencies — 1,539 n/m")
    assert [cell.value for cell in cells] == [None, Decimal(1539), None]
    assert [cell.raw for cell in cells] == ["—", "1,539", "n/m"]


def test_a_hyphen_inside_a_word_is_not_a_nil_cell():
    assert find_cells("Non-current assets") == []
    assert find_cells("Right-of-use assets") == []


def test_footnote_marks_glued_to_a_label_are_not_cells():
    assert [cell.value for cell in find_cells("Net income(1) 1,200 1,000")] == [Decimal(1200), Decimal(1000)]
    assert [cell.value for cell in find_cells("Revenue(a) 5 6")] == [Decimal(5), Decimal(6)]


def test_a_note_reference_is_not_a_cell():
    assert [cell.value for cell in find_cells("Goodwill (Note 7) 1,200 1,000")] == [Decimal(1200), Decimal(1000)]


def test_numbers_glued_to_punctuation_are_not_cells():
    # "$12," (a number inside a sentence), "3/4", "1.5x", and a date's "30," are not values of the row.
    assert find_cells("net of allowance of $12, respectively") == []
    assert find_cells("a 3/4 share") == []
    assert find_cells("leverage of 1.5x") == []
    assert [cell.raw for cell in find_cells("June 30, 2021")] == ["2021"]


def test_years_are_found_as_tokens_and_recognized_as_years():
    # find_cells reports every number-like token; the table parser decides a year is a header or a label's.
    assert [cell.raw for cell in find_cells("2021 2020")] == ["2021", "2020"]
    assert is_year("2021") and is_year("1999")
    assert not is_year("2,021") and not is_year("3021") and not is_year("202") and not is_year("20210")


# --- the token pattern the chunker uses ---------------------------------------------------------------------


@pytest.mark.parametrize("token", ["1,234", "(1,234)", "(1,234", "$5", "$ 5", "12.5%", "(3.5)%", "—", "--", "-", ".47",
                                   "\u221212"])
def test_number_token_matches_printed_cells(token):
    assert NUMBER_TOKEN.match(token)


@pytest.mark.parametrize("token", ["abc", "1,2,3", "2021,", "Q1", "10-K", "n1"])
def test_number_token_rejects_words(token):
    assert not NUMBER_TOKEN.match(token)


def test_number_pattern_finds_the_numbers_that_end_a_row():
    tail = re.compile(rf"(?:\s+(?:\$\s?)?{NUMBER_PATTERN})+\s*$")
    match = tail.search("Total current assets 21,918,114 33,656,815")
    assert match.group(0).split() == ["21,918,114", "33,656,815"]


# --- numbers in prose (numbers_in_text) ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "raw", "value", "scale", "decimals", "percent"), [
    ("were 5,508,356 in", "5,508,356", "5508356", 1, 0, False),
    ("of $5.5 million.", "$5.5 million", "5.5", 1_000_000, 1, False),
    ("of US$5.5m.", "US$5.5m", "5.5", 1_000_000, 1, False),
    ("of USD 5.5 million", "USD 5.5 million", "5.5", 1_000_000, 1, False),
    ("of $ 5,363 in", "$ 5,363", "5363", 1, 0, False),
    ("about $2.6 billion", "$2.6 billion", "2.6", 1_000_000_000, 1, False),
    ("about $2.6bn", "$2.6bn", "2.6", 1_000_000_000, 1, False),
    ("about 12k users", "12k", "12", 1_000, 0, False),
    ("about 5,508 thousand", "5,508 thousand", "5508", 1_000, 0, False),
    ("capex of -1,577 in", "-1,577", "-1577", 1, 0, False),
    ("capex of −1,577 in", "−1,577", "-1577", 1, 0, False),
    ("rose 144.73% to", "144.73%", "144.73", 1, 2, True),
    ("rose 12.5 percent", "12.5 percent", "12.5", 1, 1, True),
    ("loss per share of .47", ".47", "0.47", 1, 2, False),
    ("coverage of 1.5x", "1.5x", "1.5", 1, 1, False),
])
def test_reads_printed_forms(text, raw, value, scale, decimals, percent):
    [number] = numbers_in_text(text)
    assert (number.raw, number.value, number.scale, number.decimals, number.percent) == (
        raw, Decimal(value), scale, decimals, percent)
    assert text[number.start:number.end] == raw


def test_parentheses_are_not_part_of_the_number():
    [number] = numbers_in_text("capex (1,577) in")
    assert (number.raw, number.value, number.start, number.end) == ("1,577", Decimal(1577), 7, 12)


def test_amount_applies_the_scale():
    [number] = numbers_in_text("$5.5 million")
    assert number.amount == Decimal("5500000.0")


def test_sentence_punctuation_ends_a_number_but_a_longer_number_is_not_cut():
    assert [n.raw for n in numbers_in_text("It was 5,508,356. Then 1,2345 and 3.")] == ["5,508,356", "2345", "3"]


def test_ranges_give_both_ends():
    assert [n.raw for n in numbers_in_text("a range of 5-10% this year")] == ["5", "10%"]


@pytest.mark.parametrize("text", [
    "for the six months ended June 30, 2021",
    "as of June 30 2021",
    "as of Jun. 30, 2021",
    "as of December 31",
    "as of 30 June 2021",
    "in June 2021",
    "on 2021-06-30",
    "on 06/30/2021",
    "on 6/30/21",
    "on 30.06.2021",
    "in 2021 and 2020",
    "the 2020-2021 period",
    "in fiscal 2022",
    "in fiscal year 2022",
    "in FY2022",
    "in FY 2022",
    "in FY22",
    "in FY 22",
    "in Q2 2023",
    "in Q2 '23",
    "in Q3, 2021",
    "in 2Q23",
    "in H1 2021 and 1H21",
    "see Note 9",
    "see Notes 9 and 10",
    "see note 12",
    "see Item 7 and Item 7A",
    "see Exhibit 99.1 to the Form 10-K",
    "see p. 4",
    "see pp. 4-5",
    "see page 12",
    "under ASC 842 and ASU 2016-02",
    "the 1st and 2nd quarters",
    "the 6 months ended",
    "the 52 weeks ended",
    "a 10-year note",
    "the 3 months ended",
    "at 10:30",
    "the ALS-4 program and COVID-19",
    "fact @192a281d78870ade-f00071",
    "fact 192a281d78870ade-f00071 of document 192a281d78870ade",
    "document 1928177887012345",
])
def test_skips_dates_years_references_and_identifiers(text):
    assert numbers_in_text(text) == []


@pytest.mark.parametrize("marker", [f"[{n}]" for n in range(1, 13)] + ["[1, 2]", "[1][2]", "[1-3]", "[ 4 ]"])
def test_skips_citation_markers(marker):
    assert numbers_in_text(f"Net loss rose{marker}.") == []


def test_a_number_next_to_a_reference_is_still_read():
    # "Item 7, 5" could be read as a list of items; the whole "5,508,356" is not inside the reference.
    assert [n.raw for n in numbers_in_text("Per Item 7, 5,508,356 was spent.")] == ["5,508,356"]


def test_a_number_next_to_a_marker_is_read():
    assert [n.raw for n in numbers_in_text("spent 5,508,356[1] in 2021")] == ["5,508,356"]


def test_scale_words_one_table():
    assert scale_of("Millions") == 1_000_000 and scale_of("bn") == 1_000_000_000 and scale_of("k") == 1_000
    assert scale_of("dozen") == 1 and scale_of(None) == 1
    assert scale_word(1_000) == "thousand" and scale_word(1) == "" and scale_word(100) == "× 100"
    assert scale_suffix(1_000_000, "5.5") == " million" and scale_suffix(1_000_000, "5.5 million") == ""


# --- the grammar other modules build their number patterns from ----------------------------------------------


@pytest.mark.parametrize("digits", ["5,508,356", "1234", "5.5", ".47", "1,234.56", "0"])
def test_digits_are_every_printed_form_of_a_number(digits):
    assert re.fullmatch(DIGITS, digits)


@pytest.mark.parametrize("text", ["1,23", "5.", "12,34,567", "-5", "$5", "5%", "five"])
def test_digits_are_only_digits(text):
    assert not re.fullmatch(DIGITS, text)


def test_the_scale_patterns_name_only_words_of_the_scale_table():
    words = re.findall(r"[a-z]+", SCALE_WORD)
    assert words and all(word in SCALE_WORDS and scale_of(word) > 1 for word in words)
    assert all(re.fullmatch(SCALE_WORD, word, re.I) for word in ("thousand", "Million", "BILLION", "trillion", "bn", "mn"))
    letters = [letter for letter in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" if re.fullmatch(SCALE_LETTER, letter)]
    assert letters and all(scale_of(letter) > 1 for letter in letters)
