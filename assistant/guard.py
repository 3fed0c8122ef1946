"""The numeric guard: every figure an answer states must be read from a cited passage or computed by the calculator.

Used by both answering backends (offline and LLM) on the final answer text:

    unsupported = check_numbers(text, citations, figures)   # raw strings, in order, de-duplicated
    text = mark_unverified(text, unsupported)               # "12.3 million [unverified]"

or `guard_answer(answer)`, which does both and sets `grounded` and `unsupported_numbers`.

What counts as a figure: see `index.numbers.numbers_in_text` (dates, years, citation markers, references and
identifiers are not figures; small counts are).

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from index.numbers import ProseNumber, numbers_in_text
from index.records import Answer, Citation, Figure

UNVERIFIED_MARKER = "[unverified]"
"""Appended after each unsupported number in the text, separated by a space: "12.3 million [unverified]"."""

TABLE_SCALES = (1, 1_000, 1_000_000, 1_000_000_000)

@dataclass(frozen=True)
class _Source:
    value: Decimal  # absolute, in units (percent points for a percentage)
    percent: bool


def _sources(citations: Iterable[Citation], figures: Iterable[Figure]) -> list[_Source]:
    sources: set[_Source] = set()

    def add_text(text: str) -> None:
        for number in numbers_in_text(text):
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


def _supported(number: ProseNumber, sources: Sequence[_Source]) -> bool:
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


def _restated(number: ProseNumber, previous: ProseNumber | None, text: str, sources: Sequence[_Source]) -> bool:
    """"$1,234.0 million (1,234,000,000)": a figure restated in full units in parentheses right after the scaled
    figure it spells out is supported when a source, at a table scale, is exactly it (the table printed 1,234.0
    under "(in millions)"): exact, so no rounding can slip through."""
    if previous is None or number.percent or not re.fullmatch(r"\s*\(\s*\$?\s*", text[previous.end:number.start]):
        return False
    with localcontext() as context:
        context.prec = 60
        return any(not source.percent and source.value * k == abs(number.amount) for source in sources
                   for k in TABLE_SCALES)


def check_numbers(text: str, citations: Sequence[Citation], figures: Sequence[Figure]) -> list[str]:
    """The raw strings of the figures in `text` that no cited quote and no calculator result supports, in order
    of first appearance, without repeats. Empty when the text is fully grounded."""
    sources = _sources(citations, figures)
    unsupported: list[str] = []
    verdicts: dict[str, bool] = {}
    previous: ProseNumber | None = None
    for number in numbers_in_text(text):
        if number.raw not in verdicts or not verdicts[number.raw]:
            verdicts[number.raw] = _supported(number, sources) or (
                previous is not None and verdicts.get(previous.raw, False) and _restated(number, previous, text, sources))
            if not verdicts[number.raw] and number.raw not in unsupported:
                unsupported.append(number.raw)
            elif verdicts[number.raw] and number.raw in unsupported:
                unsupported.remove(number.raw)
        previous = number
    return unsupported


def mark_unverified(text: str, unsupported: Iterable[str]) -> str:
    """`text` with UNVERIFIED_MARKER after every occurrence of each unsupported figure (as `numbers_in_text`
    finds it, so a "5" inside "June 5" or "[5]" is never marked). Idempotent."""
    wanted = set(unsupported)
    if not wanted:
        return text
    suffix = f" {UNVERIFIED_MARKER}"
    pieces = []
    position = 0
    for number in numbers_in_text(text):
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
