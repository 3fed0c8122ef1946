"""An Answer as the pieces every front end shows: the headline figure, the body, the sources, the calculations and
the unverified-numbers warning. Front ends render these in their own markup (the terminal, the chat page's
Markdown and HTML, Slack's Block Kit); what a piece says is decided once, here.

    shown = present(answer)
    shown.headline        # "$5,508,356" | "27.66%" | None (a refusal, a narrative answer)
    shown.body            # the answer's text, [n] markers and "[unverified]" marks as the answer has them
    shown.sources         # Source(n, title, page, section, quote, ...), one per citation
    shown.calculations    # Calculation(result, derivation, facts=[FactLine(label, period, printed, source)])
    shown.warning         # "Unverified numbers: 12.3 million. They are not in the cited passages." | None

Text in these pieces comes from documents and questions: it is untrusted, and each front end escapes it for its
own markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from index.numbers import scale_word
from index.records import Answer, Citation, Fact

WARNING = "They are not in the cited passages."


@dataclass(frozen=True)
class Source:
    """A cited passage: `n` is its [n] marker in the body; `where` is "page 4" or "" for documents without pages."""

    n: int
    title: str
    quote: str
    page: int | None = None
    section: str | None = None
    doc_id: str = ""
    passage_id: str | None = None
    start: int = 0
    end: int = 0

    @property
    def where(self) -> str:
        return f"page {self.page}" if self.page else ""

    @property
    def label(self) -> str:
        """"[2] Apple 10-K FY2022 · p. 32 · Item 8" — how a source is named in a list of sources."""
        parts = [f"[{self.n}] {self.title}"]
        if self.page:
            parts.append(f"p. {self.page}")
        if self.section:
            parts.append(self.section)
        return " · ".join(parts)


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
    sources: list[Source]
    calculations: list[Calculation]
    unverified: list[str]
    warning: str | None
    refused: bool


def present(answer: Answer) -> Presentation:
    unverified = list(answer.unsupported_numbers) if not answer.grounded else []
    warning = f"Unverified numbers: {', '.join(unverified)}. {WARNING}" if unverified else None
    return Presentation(headline=headline(answer), body=answer.text,
                        sources=[_source(citation) for citation in answer.citations],
                        calculations=[Calculation(figure.display, figure.derivation,
                                                  [_fact_line(fact, answer.citations) for fact in figure.facts])
                                      for figure in answer.figures],
                        unverified=unverified, warning=warning, refused=answer.refused)


def headline(answer: Answer) -> str | None:
    """The answer's headline figure for reading: "$5,508,356", "$99,803 million", "27.66%", "1.33"."""
    value = answer.value
    if value is None or answer.refused:
        return None
    number = value.number
    if value.unit == "percent":
        return f"{_digits(number)}%"
    word = f" {scale_word(value.scale)}" if value.scale != 1 else ""
    if value.unit in ("USD", "USD_per_share"):
        sign = "-" if number < 0 else ""
        return f"{sign}${_digits(abs(number))}{word}"
    if value.unit == "days":
        return f"{_digits(number)} days"
    return f"{_digits(number)}{word}"


def source_of(fact: Fact, citations: list[Citation]) -> int | None:
    """The [n] of the citation that quotes `fact` (its span, else its passage)."""
    found = next((c.n for c in citations if c.doc_id == fact.doc_id and c.start <= fact.start < c.end), None)
    return found or next((c.n for c in citations if fact.passage_id and c.passage_id == fact.passage_id), None)


def _source(citation: Citation) -> Source:
    return Source(n=citation.n, title=citation.title, quote=citation.quote, page=citation.page,
                  section=citation.section, doc_id=citation.doc_id, passage_id=citation.passage_id,
                  start=citation.start, end=citation.end)


def _fact_line(fact: Fact, citations: list[Citation]) -> FactLine:
    return FactLine(fact.label, fact.period or "", fact.raw.strip(), source_of(fact, citations))


def _digits(number: Decimal) -> str:
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):,}"
    return f"{number.normalize():,f}"
