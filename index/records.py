"""Records that cross module boundaries: Document, Passage, SearchHit, Fact, SearchFilters, and what the assistant
answers with: Figure (a computed number with its derivation), Citation (a quoted passage) and Answer.

They are pydantic models so that every front end serializes them the same way (`to_json()`),
with field names as here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PassageKind = Literal["text", "table"]


class DocumentMeta(BaseModel):
    """What we know about a disclosure beyond its text: inferred, then overridden by a sidecar or flags."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    company: str | None = None
    ticker: str | None = None
    form: str | None = None
    period: str | None = Field(default=None, description="Fiscal period label: FY2022, 2023Q2, 2021H1.")
    period_end: dt.date | None = None
    filing_date: dt.date | None = None


class Document(DocumentMeta):
    """An ingested disclosure. `id` is derived from the content hash, so it is stable across paths and runs."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    source_path: str
    content_hash: str
    page_count: int | None = None
    char_count: int
    passage_count: int = 0
    ingested_at: dt.datetime | None = None

    def to_json(self) -> dict:
        return self.model_dump(mode="json")


def passage_id(doc_id: str, ordinal: int) -> str:
    """Passage ids are the document id and the passage's ordinal: `a1b2c3d4e5f60718-00042`."""
    return f"{doc_id}-{ordinal:05d}"


def doc_id_of(passage_id: str) -> str:
    return passage_id.rsplit("-", 1)[0]


class Passage(BaseModel):
    """A retrievable piece of a document.

    `text == document_text[start:end]` always holds. A table split into parts repeats its title and
    column headers: `header` is `document_text[header_start:header_end]`, kept apart so the span stays exact.
    `page` is the 1-based physical page in the file, None for text and HTML.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    doc_id: str
    ordinal: int
    kind: PassageKind
    page: int | None
    section: str | None
    start: int
    end: int
    text: str
    header: str | None = None
    header_start: int | None = None
    header_end: int | None = None
    # The kind of boilerplate the passage mostly is ("exhibits", "auditor", "forward-looking", "website"; see
    # index/boilerplate.py), marked at ingest; None for evidence.
    boilerplate: str | None = None

    def embedding_text(self) -> str:
        """What is embedded and keyword-indexed: the section and repeated table header give the part its context."""
        parts = [self.section or "", self.header or "", self.text]
        return "\n".join(part for part in parts if part)

    def keyword_text(self) -> str:
        """What BM25 indexes: the passage and its table header, not the section, whose words would otherwise
        match every short passage under a heading like "Results for the Six Months Ended June 30, 2021"."""
        return f"{self.header}\n{self.text}" if self.header else self.text

    def to_json(self) -> dict:
        return self.model_dump(mode="json")


class SearchHit(BaseModel):
    """A passage found for a query, with its fused score and the rank each retriever gave it."""

    passage: Passage
    document: Document
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None

    def to_json(self) -> dict:
        return self.model_dump(mode="json")


FactKind = Literal["money", "shares", "per_share", "percent", "count"]
Statement = Literal["balance_sheet", "income_statement", "cash_flow", "comprehensive_income", "equity", "segment", "other", "narrative"]


class Fact(BaseModel):
    """A figure a disclosure states: a table cell, or an amount in a sentence.

    `value` is the number as printed, with its sign (parentheses, a lost closing parenthesis, a minus) and
    without its scale; `scale` is the multiplier the table declares ("(in millions)" -> 1,000,000), so the
    amount is `value * scale`. A nil cell ("—") has `value` None. `start`/`end` is the span of the printed number
    in the document text. A column nobody could decide has `column_certain` False and no period.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    doc_id: str
    source: Literal["table", "text"]
    statement: Statement
    table_title: str | None = None
    table_id: int | None = None
    label: str
    label_norm: str
    metric: str | None = None
    group: str | None = None
    column: int | None = None
    column_label: str | None = None
    period: str | None = None
    period_end: dt.date | None = None
    duration: str | None = None
    column_certain: bool = True
    raw: str
    value: Decimal | None
    scale: int = 1
    currency: str | None = None
    kind: FactKind = "money"
    decimals: int = 0
    passage_id: str | None = None
    page: int | None = None
    start: int
    end: int
    sentence: str | None = None
    reconciled: bool | None = None
    linked_fact: str | None = None
    note: str | None = None

    @property
    def amount(self) -> Decimal | None:
        """The value with its scale applied: 5.5 with scale 1,000,000 is 5,500,000."""
        return None if self.value is None else self.value * self.scale

    def to_json(self) -> dict:
        data = self.model_dump(mode="json")
        data["value"] = None if self.value is None else str(self.value)
        data["amount"] = None if self.amount is None else str(self.amount)
        return data


class SearchFilters(BaseModel):
    """Restrictions on what a search may return. Documents are named by id, id prefix or file stem."""

    docs: list[str] | None = None
    company: str | None = None
    form: str | None = None
    period: str | None = None

    def is_empty(self) -> bool:
        return not (self.docs or self.company or self.form or self.period)

class Figure(BaseModel):
    """A number the calculator computed, in its unit (a percentage is in percent points: 144.73 means 144.73%),
    with a derivation a person can check and the facts it used."""

    model_config = ConfigDict(extra="forbid")

    expression: str
    value: Decimal
    unit: Literal["number", "percent"]
    display: str
    derivation: str
    facts: list[Fact] = []

    def to_json(self) -> dict:
        return {
            "expression": self.expression,
            "value": str(self.value),
            "unit": self.unit,
            "display": self.display,
            "derivation": self.derivation,
            "facts": [fact.to_json() for fact in self.facts],
        }


class Citation(BaseModel):
    """A passage an answer used, as `[n]` in its text. `quote` is an exact substring of the document's text at
    `start:end` (the normalized text the catalog keeps)."""

    model_config = ConfigDict(extra="forbid")

    n: int
    doc_id: str
    title: str
    page: int | None = None
    section: str | None = None
    passage_id: str | None = None
    quote: str
    start: int
    end: int


class AnswerValue(BaseModel):
    """The headline figure of an answer: `number` in `unit` ("USD", "percent", "shares", "ratio", ...), at
    `scale` (1,000,000 when the answer says "$5.5 million")."""

    model_config = ConfigDict(extra="forbid")

    number: Decimal
    unit: str
    scale: int = 1


class Answer(BaseModel):
    """What the assistant says: text with [n] markers, the citations, the headline value, the figures computed,
    and whether every number in the text is grounded in a citation or a computed figure."""

    model_config = ConfigDict(extra="forbid")

    question: str
    text: str
    citations: list[Citation] = []
    value: AnswerValue | None = None
    figures: list[Figure] = []
    grounded: bool = True
    unsupported_numbers: list[str] = []
    refused: bool = False
    spans: list[str] = Field(default_factory=list, description=(
        "The few words that answer, when the text quotes more: a name, a date, a phrase, a figure as printed, "
        "or several items for a list question."))
    backend: str = "offline"
    timings: dict[str, float] = Field(default_factory=dict)
    tokens: dict[str, int] = Field(default_factory=dict, description="LLM token usage (input_tokens, output_tokens, ...).")
    tool_calls: list[str] = Field(default_factory=list, description="The tools an LLM backend called, in order.")
    repaired: bool = Field(default=False, description="Whether an LLM was asked to repair unsupported numbers.")

    def to_json(self) -> dict:
        data = self.model_dump(mode="json", exclude={"figures"})
        data["figures"] = [figure.to_json() for figure in self.figures]
        if self.value is not None:
            data["value"]["number"] = str(self.value.number)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Answer":
        """The inverse of `to_json` (whose facts carry their derived `amount`)."""
        data = dict(data)
        data["figures"] = [{**figure, "facts": [{key: value for key, value in fact.items() if key != "amount"}
                                                for fact in figure.get("facts", [])]}
                           for figure in data.get("figures", [])]
        return cls.model_validate(data)
