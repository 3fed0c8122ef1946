"""The numeric guard: every figure an answer states must be read from a cited passage or computed by the calculator.

Used by both answering backends (offline and LLM) on the final answer text:

    unsupported = check_numbers(text, citations, figures)   # raw strings, in order, de-duplicated
    text = mark_unverified(text, unsupported)               # "12.3 million [unverified]"

or `guard_answer(answer)`, which does both and sets `grounded` and `unsupported_numbers`.

What counts as a figure
    A number as prose prints it: `5,508,356`, `$5.5 million`, `US$ 2.6bn`, `-1,577`, `(1,577)`, `144.73%`,
    `12.5 percent`, `0.47`, `.47`, `1.5x`. Not figures, so never checked: citation markers `[1]` `[1, 2]` `[1-3]`;
    dates (`June 30, 2021`, `30 June 2021`, `Jun. 30`, `June 2021`, `2021-06-30`, `6/30/21`); years 1900-2099
    printed bare (`2021`, `fiscal 2022`, `Q2 2023`; `FY 22`, `Q2 '23`); period lengths (`6 months ended`,
    `52 weeks`); references (`Note 9`, `Notes 9 and 10`, `Item 7`, `Exhibit 99.1`, `p. 4`, `page 4`, `ASC 842`,
    `Phase 1`, ...); times (`10:30`); and digits glued to letters, which are names and identifiers rather than
    amounts (`FY2022`, `Q2`, `2Q23`, `1st`, `10-K`, `COVID-19`, `ALS-4`, fact ids like `192a281d78870ade-f00071`,
    long hex or digit runs of 12+ characters). Small counts ("the 3 largest") ARE checked: skipping them safely
    would need to know what is counted, and a count is a claim too.

When a number is supported (all comparisons on absolute values, in Decimal)
    The answer number `a`, printed with `d` decimals at scale `m` (1, or 1e3/1e6/1e9 for thousand/million/billion,
    k/m/bn), is supported by a source number `s` (in units) if, for a table scale `k` in (1, 1e3, 1e6, 1e9) with
    `k <= m`, `|s * k / m - a| <= 0.5 * 10**-d`: the source, rounded to the precision the answer prints, gives
    the answer ("$5.5 million" is supported by 5,508,356 and by 5,458,000, not by 5,608,356). At an exact tie both
    neighbours pass (half-up and half-even rounding both occur in filings).
    - Sign-insensitive: statements print expenses in parentheses, "(5,508,356", while the answer says "R&D
      expenses were 5,508,356"; and "-1,577" or "(1,577)" in an answer matches 1,577 in a quote.
    - Table scale `k`: a quote cut from a table "(in millions)" does not carry its scale line, so "2,600" in the
      quote may mean 2.6 billion. Accepting `s * k` is safe enough because the answer must still agree with the
      quote's printed digits to the precision it prints, and `k` is limited to the answer's own scale (an answer
      printing "2,600,000,000" in units is not taken to come from a thousands or millions table; a table's scale
      is never finer than the prose that rounds it). The residual risk: a small count in a quote ("5 cohorts")
      would support "$5 million"; the quote is still cited, so a reader can see it.
    - Percentages only match percentages: "27.66%" is NOT supported by a quote printing 27.66 without a percent
      sign (it may be a money amount), nor is "27.66" by "27.66%". A percentage must be printed as one in a quote
      or be a calculator result with unit "percent" (value in percent points: 144.73 is 144.73%). Percentage
      tables whose "%" is only in the column header will be flagged; compute such figures with the calculator.
    - Sources: every number in each `Citation.quote` (at its printed value and, when the quote says "million"
      etc., also in units), and for each `Figure` its `value`, its `display` and every number in its `derivation`
      (the operands a person checks the result against).

Deterministic and fast: regular expressions and Decimal arithmetic, nothing else.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from itertools import accumulate

from index.records import Answer, Citation, Figure

UNVERIFIED_MARKER = "[unverified]"
"""Appended after each unsupported number in the text, separated by a space: "12.3 million [unverified]"."""

TABLE_SCALES = (1, 1_000, 1_000_000, 1_000_000_000)

_SCALE_WORDS = {
    "thousand": 1_000, "k": 1_000,
    "million": 1_000_000, "mn": 1_000_000, "mm": 1_000_000, "m": 1_000_000,
    "billion": 1_000_000_000, "bn": 1_000_000_000, "b": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}

_NUMBER = re.compile(
    # Not glued to a word, a decimal point, or a letter-hyphen ("ALS-4", "ade-f00071", "COVID-19").
    r"(?<![\w.])(?<![A-Za-z_][-‐–])"
    r"(?P<sign>[-−])?"
    r"(?P<currency>(?:US|HK|NT|[ACRS])\$\s?|\$\s?|USD\s?|[€£]\s?)?"
    r"(?P<sign2>[-−])?"
    r"(?P<digits>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
    r"(?P<scale>\s?(?i:thousand|million|billion|trillion|bn|mn|mm)(?!\w)|[kKmMbB](?!\w))?"
    r"(?P<percent>\s?%|\s(?i:percentage\s+points?|percent|per\s+cent)(?!\w))?"
    r"(?P<times>[x×](?!\w))?"
    # Not followed by letters or digits ("192a281d", "10-K", "2Q23") or the rest of a longer number.
    r"(?![\w]|[.,][0-9]|[-‐–][A-Za-z])"
)

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_REFERENCE_WORDS = (r"(?i:notes?|items?|exhibits?|sections?|rules?|pages?|pp?\.|tables?|figures?|parts?|schedules?|"
                    r"articles?|chapters?|appendix|annex|paragraphs?|no\.|form|phase|level|tier|asc|asu|ifrs|ias|"
                    r"topic|sfas)")
_REF_NUMBER = r"[0-9]+[A-Za-z]?(?:[.\-][0-9]+[A-Za-z]?)*"

# Spans of text that are not figures. A number is skipped only if it lies wholly inside one of them.
_SKIP = [
    re.compile(r"\[\s*[0-9]+(?:\s*[,;–-]\s*[0-9]+)*\s*\]"),  # citation markers [1], [1, 2], [1-3]
    re.compile(rf"\b{_MONTH}\s+[0-9]{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+[0-9]{{4}}\b)?"),  # June 30, 2021
    re.compile(rf"\b[0-9]{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+[0-9]{{4}}\b)?"),  # 30 June 2021
    re.compile(rf"\b{_MONTH},?\s+[0-9]{{4}}\b"),  # June 2021
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
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")


@dataclass(frozen=True)
class AnswerNumber:
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


@dataclass(frozen=True)
class _Source:
    value: Decimal  # absolute, in units (percent points for a percentage)
    percent: bool


def numbers_in_answer(text: str) -> list[AnswerNumber]:
    """The figures in `text`, left to right, leaving out dates, years, citation markers, references and
    identifiers (see the module docstring)."""
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
        numbers.append(AnswerNumber(
            raw=match.group(0), value=-value if signed else value, scale=_SCALE_WORDS.get(scale_word, 1),
            decimals=len(digits.split(".")[1]) if "." in digits else 0, percent=percent, start=start, end=end,
        ))
    return numbers


def _sources(citations: Iterable[Citation], figures: Iterable[Figure]) -> list[_Source]:
    sources: set[_Source] = set()

    def add_text(text: str) -> None:
        for number in numbers_in_answer(text):
            sources.add(_Source(abs(number.value), number.percent))
            if number.scale != 1:
                sources.add(_Source(abs(number.amount), number.percent))

    for citation in citations:
        add_text(citation.quote)
    for figure in figures:
        sources.add(_Source(abs(figure.value), figure.unit == "percent"))
        add_text(figure.display)
        add_text(figure.derivation)
    return list(sources)


def _supported(number: AnswerNumber, sources: Sequence[_Source]) -> bool:
    target = abs(number.value)
    tolerance = Decimal(5).scaleb(-(number.decimals + 1))  # half a unit of the last printed digit
    scales = (1,) if number.percent else tuple(k for k in TABLE_SCALES if k <= number.scale)
    with localcontext() as context:
        context.prec = 60
        for source in sources:
            if source.percent != number.percent:
                continue
            for k in scales:
                if abs(source.value * k / number.scale - target) <= tolerance:
                    return True
    return False


def check_numbers(text: str, citations: Sequence[Citation], figures: Sequence[Figure]) -> list[str]:
    """The raw strings of the figures in `text` that no cited quote and no calculator result supports, in order
    of first appearance, without repeats. Empty when the text is fully grounded."""
    sources = _sources(citations, figures)
    unsupported: list[str] = []
    verdicts: dict[str, bool] = {}
    for number in numbers_in_answer(text):
        if number.raw not in verdicts:
            verdicts[number.raw] = _supported(number, sources)
            if not verdicts[number.raw]:
                unsupported.append(number.raw)
    return unsupported


def mark_unverified(text: str, unsupported: Iterable[str]) -> str:
    """`text` with UNVERIFIED_MARKER after every occurrence of each unsupported figure (as `numbers_in_answer`
    finds it, so a "5" inside "June 5" or "[5]" is never marked). Idempotent."""
    wanted = set(unsupported)
    if not wanted:
        return text
    suffix = f" {UNVERIFIED_MARKER}"
    pieces = []
    position = 0
    for number in numbers_in_answer(text):
        if number.raw in wanted and not text.startswith(suffix, number.end):
            pieces.append(text[position:number.end])
            pieces.append(suffix)
            position = number.end
    pieces.append(text[position:])
    return "".join(pieces)


def guard_answer(answer: Answer, mark: bool = True) -> Answer:
    """A copy of `answer` with `unsupported_numbers` and `grounded` set from its citations and figures, and (if
    `mark`) each unsupported figure marked in its text."""
    unsupported = check_numbers(answer.text, answer.citations, answer.figures)
    text = mark_unverified(answer.text, unsupported) if mark else answer.text
    return answer.model_copy(update={"text": text, "unsupported_numbers": unsupported, "grounded": not unsupported})
