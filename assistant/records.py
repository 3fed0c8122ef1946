"""Records the assistant produces: Figure (a computed number with its derivation), Citation (a quoted passage)
and Answer (what every front end shows)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from index.records import Fact


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
