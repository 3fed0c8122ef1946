"""Numbers as financial tables print them, and their values; and the words that scale them.

`1,234` · `(1,234)` · `(1,234` (newswire lost the parenthesis) · `(2,167 )` · `$ 567` · `-12.5` · `22.2%` ·
`.47` · `—` (nil). Values are `Decimal`, never float.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

NIL_MARKS = frozenset({"—", "–", "-", "--", "— —", "−", "n/m", "nm", "n/a", "na", "n.m.", "n.a.", "*", "**"})

# One printed cell value. Group 'open' is a leading parenthesis, 'minus' a sign, 'digits' the number,
# 'close' a closing parenthesis (possibly after a space, as some filings print "(2,167 )"), 'percent' a %.
# 'lead' is a '$' printed before the parenthesis ("$ (0.12)", and "$(0.12)" where the loader glued EDGAR's
# separate '$', '(0.12' and ')' cells back together).
_VALUE = (
    r"(?P<lead>\$\s?(?=\())?(?P<open>\()?\s?(?P<dollar>\$)?\s?(?P<minus>[-−])?\s?\$?"
    r"(?P<digits>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
    r"(?P<close>\s?\))?\s?(?P<percent>%)?"
)
VALUE = re.compile(_VALUE)
NUMBER_PATTERN = r"(?:\(?\$?\s?[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s?\)?%?|\(?\$?\s?[-−]?\.\d+\)?%?|[—–-]{1,2})"
NUMBER_TOKEN = re.compile(rf"^{NUMBER_PATTERN}$")
# A cell value standing alone in a row: preceded by a space or start, followed by a space or end.
CELL = re.compile(
    r"(?<![\w.,/])(?:(?P<nil>[—–]|-{1,2}(?=\s|$)|(?i:n/m|n/a|n\.m\.)(?=\s|$))|" + _VALUE + r")(?=\s|$|\|)"
)
YEAR = re.compile(r"^(?:19|20)\d{2}$")

# Every way a text scales a number ("in millions", "$5.5 mn", "2.6bn", "(thousands)"): word -> multiplier.
SCALE_WORDS: dict[str, int] = {
    "thousand": 1_000, "thousands": 1_000, "k": 1_000,
    "million": 1_000_000, "millions": 1_000_000, "mn": 1_000_000, "mm": 1_000_000, "m": 1_000_000,
    "billion": 1_000_000_000, "billions": 1_000_000_000, "bn": 1_000_000_000, "b": 1_000_000_000,
    "trillion": 1_000_000_000_000, "trillions": 1_000_000_000_000,
}
_SCALE_NAMES = {1_000: "thousand", 1_000_000: "million", 1_000_000_000: "billion", 1_000_000_000_000: "trillion"}


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
