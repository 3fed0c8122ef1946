"""Numbers as financial tables print them, and their values; the words that scale them; and numbers in prose.

`1,234` · `(1,234)` · `(1,234` (newswire lost the parenthesis) · `(2,167 )` · `$ 567` · `-12.5` · `22.2%` ·
`.47` · `—` (nil). Values are `Decimal`, never float. One grammar: the number patterns of index/ (cells, prose,
the narrative's figures) are built from `DIGITS` and the scale words (`SCALE_WORDS`; `SCALE_WORD` and
`SCALE_LETTER` as patterns).

Numbers in prose (`numbers_in_text`, what the numeric guard reads an answer with):
    A number as prose prints it: `5,508,356`, `$5.5 million`, `US$ 2.6bn`, `-1,577`, `(1,577)`, `144.73%`,
    `12.5 percent`, `0.47`, `.47`, `1.5x`. Not figures, so never checked: citation markers `[1]` `[1, 2]` `[1-3]`;
    dates (`June 30, 2021`, `30 June 2021`, `Jun. 30`, `June 2021`, `2021-06-30`, `6/30/21`); years 1900-2099
    printed bare (`2021`, `fiscal 2022`, `Q2 2023`; `FY 22`, `Q2 '23`); period lengths (`6 months ended`,
    `52 weeks`); references (`Note 9`, `Notes 9 and 10`, `Item 7`, `Exhibit 99.1`, `p. 4`, `page 4`, `ASC 842`,
    `Phase 1`, ...); times (`10:30`); and digits glued to letters, which are names and identifiers rather than
    amounts (`FY2022`, `Q2`, `2Q23`, `1st`, `10-K`, `COVID-19`, `ALS-4`, fact ids like `192a281d78870ade-f00071`,
    long hex or digit runs of 12+ characters). Small counts ("the 3 largest") ARE checked: skipping them safely
    would need to know what is counted, and a count is a claim too.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import accumulate

from index.periods import MONTH, YEAR as _YEAR_DIGITS

DIGITS = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
"""A number's digits as tables and prose print them: 5,508,356 · 1234 · 5.5 · .47 (no sign, no currency)."""
SCALE_WORD = r"(?:thousand|million|billion|trillion|bn|mn|mm)"
"""A scale word after a figure in prose ("$5.5 million", "2.6bn"; each a key of SCALE_WORDS; match ignoring case)."""
SCALE_LETTER = r"[kKmMbB]"
"""A scale letter glued to a figure ("$5.5m", "2.6B"; a key of SCALE_WORDS)."""

NIL_MARKS = frozenset({"—", "–", "-", "--", "— —", "−", "n/m", "nm", "n/a", "na", "n.m.", "n.a.", "*", "**"})

# One printed cell value. Group 'open' is a leading parenthesis, 'minus' a sign, 'digits' the number,
# 'close' a closing parenthesis (possibly after a space, as some filings print "(2,167 )"), 'percent' a %.
# 'lead' is a '$' printed before the parenthesis ("$ (0.12)", and "$(0.12)" where the loader glued EDGAR's
# separate '$', '(0.12' and ')' cells back together).
_VALUE = (
    r"(?P<lead>\$\s?(?=\())?(?P<open>\()?\s?(?P<dollar>\$)?\s?(?P<minus>[-−])?\s?\$?"
    rf"(?P<digits>{DIGITS})"
    r"(?P<close>\s?\))?\s?(?P<percent>%)?"
)
VALUE = re.compile(_VALUE)
NUMBER_PATTERN = rf"(?:\(?\$?\s?[-−]?{DIGITS}\s?\)?%?|[—–-]{{1,2}})"
NUMBER_TOKEN = re.compile(rf"^{NUMBER_PATTERN}$")
# A cell value standing alone in a row: preceded by a space or start, followed by a space or end.
CELL = re.compile(
    r"(?<![\w.,/])(?:(?P<nil>[—–]|-{1,2}(?=\s|$)|(?i:n/m|n/a|n\.m\.)(?=\s|$))|" + _VALUE + r")(?=\s|$|\|)"
)
YEAR = re.compile(rf"^{_YEAR_DIGITS}$")

# Every way a text scales a number ("in millions", "$5.5 mn", "2.6bn", "(thousands)"): word -> multiplier.
SCALE_WORDS: dict[str, int] = {
    "thousand": 1_000, "thousands": 1_000, "k": 1_000,
    "million": 1_000_000, "millions": 1_000_000, "mn": 1_000_000, "mm": 1_000_000, "m": 1_000_000,
    "billion": 1_000_000_000, "billions": 1_000_000_000, "bn": 1_000_000_000, "b": 1_000_000_000,
    "trillion": 1_000_000_000_000, "trillions": 1_000_000_000_000,
}
_SCALE_NAMES = {1_000: "thousand", 1_000_000: "million", 1_000_000_000: "billion", 1_000_000_000_000: "trillion"}
NAMED_SCALES = tuple(_SCALE_NAMES)
"""The scales that have a word: thousand, million, billion, trillion."""


def scale_of(word: str | None) -> int:
    """The multiplier a scale word names ("Millions" -> 1,000,000); 1 for no word or one that names none."""
    return SCALE_WORDS.get((word or "").strip().lower(), 1)


def scale_word(scale: int) -> str:
    """How a scale is said: 1,000,000 -> "million"; an unusual one as "× 100"; 1 as ""."""
    if scale == 1:
        return ""
    return _SCALE_NAMES.get(scale, f"× {scale:,}")


def scale_suffix(scale: int, printed: str = "") -> str:
    """" million" after a figure printed at that scale, unless the printed figure already says it."""
    word = scale_word(scale)
    return f" {word}" if word and word not in printed else ""


@dataclass(frozen=True)
class Number:
    """A printed number: its text, value (None for nil), and what its typography says."""

    raw: str
    value: Decimal | None
    negative: bool
    percent: bool
    dollar: bool
    start: int = 0
    end: int = 0

    @property
    def nil(self) -> bool:
        return self.value is None

    @property
    def decimals(self) -> int:
        text = self.raw.rstrip(") %")
        return len(text.split(".")[1]) if "." in text else 0


def parse_number(raw: str, start: int = 0) -> Number | None:
    """The value of one printed cell, or None if it is not a number."""
    text = raw.strip()
    if text.lower() in NIL_MARKS:
        return Number(text, None, False, False, False, start, start + len(raw))
    match = VALUE.fullmatch(text)
    if not match:
        return None
    if match.group("close") and not match.group("open"):
        return None  # "(Note 13)" ends in a parenthesis no number opened
    try:
        value = Decimal(match.group("digits").replace(",", ""))
    except InvalidOperation:
        return None
    negative = bool(match.group("open")) or bool(match.group("minus"))
    if negative:
        value = -value
    dollar = bool(match.group("dollar")) or bool(match.group("lead"))
    return Number(text, value, negative, bool(match.group("percent")), dollar, start, start + len(raw))


def find_cells(line: str, offset: int = 0) -> list[Number]:
    """Every number-like token in a line, with its span (offset added), left to right."""
    cells = []
    for match in CELL.finditer(line):
        raw = match.group(0)
        # The span is the printed number's: the pattern may take a space on either side of it ("— 45").
        start = match.start() + len(raw) - len(raw.lstrip())
        end = match.end() - (len(raw) - len(raw.rstrip()))
        number = parse_number(raw, offset + start)
        if number is not None:
            cells.append(Number(number.raw, number.value, number.negative, number.percent, number.dollar,
                                offset + start, offset + end))
    return cells


def is_year(token: str) -> bool:
    return bool(YEAR.match(token))


# --- numbers in prose ------------------------------------------------------------------------------------------

_NUMBER = re.compile(
    # Not glued to a word, a decimal point, or a letter-hyphen ("ALS-4", "ade-f00071", "COVID-19").
    r"(?<![\w.])(?<![A-Za-z_][-‐–])"
    r"(?P<sign>[-−])?"
    r"(?P<currency>(?:US|HK|NT|[ACRS])\$\s?|\$\s?|USD\s?|[€£]\s?)?"
    r"(?P<sign2>[-−])?"
    rf"(?P<digits>{DIGITS})"
    rf"(?P<scale>\s?(?i:{SCALE_WORD})(?!\w)|{SCALE_LETTER}(?!\w))?"
    r"(?P<percent>\s?%|\s(?i:percentage\s+points?|percent|per\s+cent)(?!\w))?"
    r"(?P<times>[x×](?!\w))?"
    # Not followed by letters or digits ("192a281d", "10-K", "2Q23") or the rest of a longer number.
    r"(?![\w]|[.,][0-9]|[-‐–][A-Za-z])"
)

_REFERENCE_WORDS = (r"(?i:notes?|items?|exhibits?|sections?|rules?|pages?|pp?\.|tables?|figures?|parts?|schedules?|"
                    r"articles?|chapters?|appendix|annex|paragraphs?|no\.|form|phase|level|tier|asc|asu|ifrs|ias|"
                    r"topic|sfas)")
_REF_NUMBER = r"[0-9]+[A-Za-z]?(?:[.\-][0-9]+[A-Za-z]?)*"

# Spans of text that are not figures. A number is skipped only if it lies wholly inside one of them.
_SKIP = [
    re.compile(r"\[\s*[0-9]+(?:\s*[,;–-]\s*[0-9]+)*\s*\]"),  # citation markers [1], [1, 2], [1-3]
    re.compile(rf"\b{MONTH}\s+[0-9]{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+[0-9]{{4}}\b)?"),  # June 30, 2021
    re.compile(rf"\b[0-9]{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}(?:,?\s+[0-9]{{4}}\b)?"),  # 30 June 2021
    re.compile(rf"\b{MONTH},?\s+[0-9]{{4}}\b"),  # June 2021
    re.compile(r"\b[0-9]+(?:[-/][0-9]+){2,}\b"),  # 2021-06-30, 06/30/2021, 6/30/21, accession numbers
    re.compile(r"\b[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{2,4}\b"),  # 30.06.2021
    re.compile(r"\b(?i:FY|CY|fiscal(?:\s+years?)?|financial\s+years?|calendar\s+years?)\s*'?[0-9]{2,4}\b"),
    re.compile(r"\b(?:Q[1-4]|H[12]|[1-4]Q|[12]H)\s*[,']?\s*'?[0-9]{2,4}\b"),  # Q2 2023, Q2 '23, Q3, 2021
    re.compile(r"(?<!\w)'[0-9]{2}\b"),  # '23
    re.compile(rf"\b{_REFERENCE_WORDS}\s*#?\s*{_REF_NUMBER}"
               rf"(?:\s*(?:,|and|&|to|through|-|–)\s*{_REF_NUMBER}\b(?![,.][0-9]))*"),  # Note 9, Notes 9 and 10
    re.compile(r"\b[0-9]{1,2}[\s-](?i:months?|weeks?)\b"),  # 6 months ended, 52 weeks
    re.compile(r"\b[0-9]{1,2}:[0-9]{2}\b"),  # 10:30
    re.compile(r"\b[0-9A-Fa-f]{12,}(?:-[0-9A-Za-z]+)*\b"),  # hex ids, long digit runs
]
_YEAR = re.compile(_YEAR_DIGITS)


@dataclass(frozen=True)
class ProseNumber:
    """A figure printed in a text: `value` as printed (signed by a minus sign; parentheses are not read as a sign),
    `scale` from a word ("million": 1,000,000), `decimals` printed, whether it is a percentage, and its span."""

    raw: str
    value: Decimal
    scale: int
    decimals: int
    percent: bool
    start: int
    end: int

    @property
    def amount(self) -> Decimal:
        """The value in units: 5.5 million is 5,500,000."""
        return self.value * self.scale


def numbers_in_text(text: str) -> list[ProseNumber]:
    """The figures in `text`, left to right, leaving out dates, years, citation markers, references and
    identifiers (see "Numbers in prose" in the module docstring)."""
    # Skip spans sorted by start, with the furthest end reached by any span starting at or before each one: a
    # number lies inside some span iff that furthest end, over the spans starting at or before it, reaches its end.
    skips = sorted((match.start(), match.end()) for pattern in _SKIP for match in pattern.finditer(text))
    starts = [start for start, _ in skips]
    reach = list(accumulate((end for _, end in skips), max))
    numbers = []
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        index = bisect_right(starts, start) - 1
        if index >= 0 and reach[index] >= end:
            continue
        digits = match.group("digits")
        signed = bool(match.group("sign") or match.group("sign2"))
        scale_word = (match.group("scale") or "").strip().lower()
        percent = bool(match.group("percent"))
        if (not signed and not match.group("currency") and not scale_word and not percent
                and not match.group("times") and _YEAR.fullmatch(digits)):
            continue  # a year: "2021", "fiscal 2022", "Q2 2023"
        value = Decimal(digits.replace(",", ""))
        numbers.append(ProseNumber(
            raw=match.group(0), value=-value if signed else value, scale=scale_of(scale_word),
            decimals=len(digits.split(".")[1]) if "." in digits else 0, percent=percent, start=start, end=end,
        ))
    return numbers
