"""An Answer as the pieces every front end shows: the headline figure, the body, the sources, the calculations and
the unverified-numbers warning. Front ends render these in their own markup (the terminal, the chat page's
Markdown and HTML, Slack's Block Kit); what a piece says is decided once, here.

    shown = present(answer)
    shown.headline        # "$5,508,356" | "27.66%" | "Ian Huen" (a quote's short answer) | None (a refusal, an unverified one)
    shown.body            # the answer's text, [n] markers and "[unverified]" marks as the answer has them
    shown.sources         # the citations (n, title, page, section, quote, ...); source_label/source_where name them
    shown.calculations    # Calculation(result, derivation, facts=[FactLine(label, period, printed, source)])
    shown.warning         # Notice("Unverified numbers: 12.3 million.", "They are not in the cited passages.") | None

Text in these pieces comes from documents and questions: it is untrusted, and each front end escapes it for its
own markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from assistant.calculator import format_number
from index.numbers import scale_word
from index.records import Answer, Citation, Fact

UNVERIFIED_MARK = "[unverified]"  # how the guard marks a number in the body; front ends make it stand out
NO_CALCULATION = "No calculation in this answer: its figures are read from the documents as printed."


@dataclass(frozen=True)
class Notice:
    """A warning in two parts, so a front end can make the first stand out: "Unverified numbers: 99%." and
    "They are not in the cited passages."."""

    title: str
    detail: str

    @property
    def text(self) -> str:
        return f"{self.title} {self.detail}"


@dataclass(frozen=True)
class FactLine:
    """A fact a calculation used: its line, period and number as printed, and the [n] of the source quoting it."""

    label: str
    period: str
    printed: str
    source: int | None = None


@dataclass(frozen=True)
class Calculation:
    """A figure the calculator computed: the result as shown, its derivation, and the facts it used."""

    result: str
    derivation: str
    facts: list[FactLine] = field(default_factory=list)


@dataclass(frozen=True)
class Presentation:
    headline: str | None
    body: str
    sources: list[Citation]
    calculations: list[Calculation]
    unverified: list[str]
    warning: Notice | None
    refused: bool

    def source(self, n: int | str) -> Citation | None:
        """The source with marker [n], if the answer has it."""
        return next((source for source in self.sources if str(source.n) == str(n)), None)


def present(answer: Answer) -> Presentation:
    unverified = list(answer.unsupported_numbers) if not answer.grounded else []
    return Presentation(headline=headline(answer), body=answer.text,
                        sources=list(answer.citations),
                        calculations=[Calculation(figure.display, figure.derivation,
                                                  [_fact_line(fact, answer.citations) for fact in figure.facts])
                                      for figure in answer.figures],
                        unverified=unverified, warning=unverified_notice(unverified), refused=answer.refused)


def unverified_notice(numbers: list[str]) -> Notice | None:
    if not numbers:
        return None
    return Notice(f"Unverified numbers: {', '.join(numbers)}.", "They are not in the cited passages.")


def headline(answer: Answer) -> str | None:
    """The answer's headline figure for reading: "$5,508,356", "$99,803 million", "27.66%", "1.33".

    A narrative answer's short answer ("Ian Huen", "6; 3") when it has one, read from the sentence it quotes.
    None for a refusal, an answer without a value or short answer, and an answer with an unverified number (the
    value may be the number that failed the check; the warning, not a headline, is what the reader should see
    first)."""
    value = answer.value
    if answer.refused or not answer.grounded:
        return None
    if value is None:
        return "; ".join(answer.spans) if answer.spans else None
    number = value.number
    if value.unit == "percent":
        return format_number(number, percent=True)
    word = f" {scale_word(value.scale)}" if value.scale != 1 else ""
    if value.unit in ("USD", "USD_per_share"):
        sign = "-" if number < 0 else ""
        if value.unit == "USD_per_share":  # cents, as per-share amounts are printed: $1.50
            return f"{sign}${abs(number).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}{word}"
        return f"{sign}${format_number(abs(number), percent=False)}{word}"
    if value.unit == "days":
        return f"{format_number(number, percent=False)} days"
    return f"{format_number(number, percent=False)}{word}"


def source_of(fact: Fact, citations: list[Citation]) -> int | None:
    """The [n] of the citation that quotes `fact` (its span, else its passage)."""
    found = next((c.n for c in citations if c.doc_id == fact.doc_id and c.start <= fact.start < c.end), None)
    return found or next((c.n for c in citations if fact.passage_id and c.passage_id == fact.passage_id), None)


def source_where(citation: Citation) -> str:
    """"page 4", or "" for a document without pages."""
    return f"page {citation.page}" if citation.page else ""


def source_label(citation: Citation) -> str:
    """"[2] Apple 10-K FY2022 · p. 32 · Item 8": how a source is named in a list of sources."""
    parts = [f"[{citation.n}] {citation.title}"]
    if citation.page:
        parts.append(f"p. {citation.page}")
    if citation.section:
        parts.append(citation.section)
    return " · ".join(parts)


def _fact_line(fact: Fact, citations: list[Citation]) -> FactLine:
    return FactLine(fact.label, fact.period or "", fact.raw.strip(), source_of(fact, citations))
