"""Records the assistant produces: Figure (a computed number with its derivation)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

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
