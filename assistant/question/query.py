"""What a question asks, as a record: `Query`, with its `Unit`, and the parser's memory of a conversation."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from index.periods import Period, ordered

Operation = Literal["value", "change", "pct_change", "ratio", "sum", "average", "margin", "cagr", "compare",
                    "direction", "metric"]
Kind = Literal["figure", "narrative"]
Statement = Literal["balance_sheet", "income_statement", "cash_flow"]
Role = Literal["this", "prior", "average", "change"]

MAX_TURNS = 5
# Operations that compare a figure across two (or more) periods.
ACROSS_PERIODS: tuple[str, ...] = ("change", "pct_change", "cagr", "compare", "direction")


class Unit(BaseModel):
    """The unit an answer is asked in: `scale` 1,000,000 for "in millions", `percent` for "in percent" or
    "as a percentage", `decimals` for "round to one decimal place", `currency` for "in USD" / "in dollars"."""

    model_config = ConfigDict(extra="forbid")

    scale: int | None = None
    currency: str | None = None
    percent: bool = False
    decimals: int | None = None

    def is_empty(self) -> bool:
        return self.scale is None and self.currency is None and not self.percent and self.decimals is None


class Term(BaseModel):
    """A line item in a stated formula: `item` (a key of index/synonyms.yaml) read for the period asked ("this"),
    the prior fiscal year ("prior"), their mean ("average") or their difference ("change"); `text` as written;
    `years` the fiscal years the definition names for it ("FY2019 revenue", "average PP&E between FY2018 and
    FY2019"), checked against the period asked."""

    model_config = ConfigDict(extra="forbid")

    text: str
    item: str
    role: Role = "this"
    years: list[int] = []


class Formula(BaseModel):
    """A definition the question states, as a calculator expression over `{t0}`, `{t1}`... (its `terms`) and
    numbers; `percent` when the definition multiplies by 100 itself."""

    model_config = ConfigDict(extra="forbid")

    text: str
    expression: str
    terms: list[Term]
    percent: bool = False


class Selection(BaseModel):
    """A question that picks the periods (or items) whose values meet a test, or counts them: "In which year was
    revenue the largest?" (`extreme` "max"), "Which year had lower costs?" (`extreme` "min", `comparative`: of two),
    "In which years was net income less than 100.0 million?" (`comparator` "<", `threshold` 100.0,
    `threshold_scale` 1,000,000), "How many years did sales exceed $5,000 thousand?" (`count`). `subject` is the
    line the values are read from, in the question's words; `target` "item" compares the lines of one table
    (`items` names them, "segments") for one period instead of one line's periods. A threshold without a scale
    word has `threshold_scale` None: it may be in the table's printed unit or in units."""

    model_config = ConfigDict(extra="forbid")

    target: Literal["period", "item"] = "period"
    count: bool = False
    extreme: Literal["max", "min"] | None = None
    comparative: bool = False
    comparator: Literal[">", "<", ">=", "<="] | None = None
    threshold: Decimal | None = None
    threshold_scale: int | None = None
    threshold_percent: bool = False
    threshold_text: str = ""
    subject: str = ""
    items: str = ""


class Query(BaseModel):
    """What a question asks, resolved against the documents and the earlier turns.

    `periods` are ordered old -> new. `compare_prior` says the question compares with the prior period ("year
    over year") — when it named a period, the prior one is already in `periods`. `analyst_metric` is the name of
    a metric of the catalogue (assistant/metrics.py) or of one the question defines; `formula` the definition the
    question states, read as a formula (it wins over the catalogue). `statement` is the statement the question
    names ("using the balance sheet"): the figures come from it. `unclear` lists the parts of the question that
    were not understood, in the question's words: a query with any is refused, naming them. `inherited` names the
    fields taken from the conversation rather than from the question.
    """

    model_config = ConfigDict(extra="forbid")

    question: str
    unparsed: str = ""
    kind: Kind = "figure"
    companies: list[str] = []
    doc_ids: list[str] = []
    metrics: list[str] = []
    label: str | None = None
    analyst_metric: str | None = None
    operation: Operation = "value"
    periods: list[Period] = []
    compare_prior: bool = False
    unit: Unit = Unit()
    definition: str | None = None
    formula: Formula | None = None
    statement: Statement | None = None
    unclear: list[str] = []
    extra: list[str] = []
    inherited: list[str] = []
    # "In which year was X the largest?", "How many years did X exceed $5 million?": see `Selection`.
    selection: Selection | None = None

    def reading(self) -> str:
        """The reading in one line, for a language model's prompt and for logs: what is asked, for which periods,
        in which unit, from which statement, by which stated definition."""
        parts = [f"operation: {self.operation}"]
        if self.selection is not None:
            chosen = self.selection
            test = (f"{chosen.comparator} {chosen.threshold_text}" if chosen.comparator
                    else f"the {'largest' if chosen.extreme == 'max' else 'smallest'} value")
            parts = [f"operation: {'count' if chosen.count else 'pick'} the {chosen.items or chosen.target + 's'} "
                     f"of {chosen.subject or 'the line'} with {test}"]
        if self.analyst_metric:
            parts.append(f"metric: {self.analyst_metric}")
        elif self.metrics or self.label:
            parts.append(f"line: {self.label or ', '.join(self.metrics)}")
        if self.periods:
            parts.append(f"periods: {', '.join(period.label for period in self.periods)}")
        if self.formula is not None:
            parts.append(f"stated definition (use it, not a textbook one): {self.formula.text}")
        if self.statement:
            parts.append(f"from the {self.statement.replace('_', ' ')} only")
        unit = self.unit
        if unit.percent:
            parts.append("answer in percent")
        if unit.scale and unit.scale > 1:
            parts.append(f"answer in units of {unit.scale:,}" + (f" {unit.currency}" if unit.currency else ""))
        if unit.decimals is not None:
            parts.append(f"rounded to {unit.decimals} decimal place{'s' if unit.decimals != 1 else ''}")
        return "; ".join(parts)


class ConversationState(BaseModel):
    """What the parser remembers of a conversation: its last few queries (oldest first)."""

    model_config = ConfigDict(extra="forbid")

    turns: list[Query] = []

    @property
    def last(self) -> Query | None:
        return self.turns[-1] if self.turns else None

    def update(self, query: Query) -> ConversationState:
        """The state after `query` (a new state; this one is left as it was)."""
        return ConversationState(turns=[*self.turns, query][-MAX_TURNS:])

    def recent_periods(self, count: int = 2) -> list[Period]:
        """The last `count` distinct periods asked, newest turns first, returned old -> new."""
        found: list[Period] = []
        for turn in reversed(self.turns):
            for period in reversed(turn.periods):
                if all(period.label != other.label for other in found):
                    found.append(period)
            if len(found) >= count:
                break
        return ordered(found[:count])
