"""Records that cross module boundaries: Document, Passage, SearchHit.

They are pydantic models so that every front end serializes them the same way (`to_json()`),
with field names as here.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PassageKind = Literal["text", "table"]

FORMS = ("10-K", "10-Q", "8-K", "20-F", "6-K", "earnings release", "press release")


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


class SearchFilters(BaseModel):
    """Restrictions on what a search may return. Documents are named by id, id prefix or file stem."""

    docs: list[str] | None = None
    company: str | None = None
    form: str | None = None
    period: str | None = None

    def is_empty(self) -> bool:
        return not (self.docs or self.company or self.form or self.period)
