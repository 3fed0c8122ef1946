"""Gold question sets: typed records, a loader that names the file and line of every problem, and a citation check.

A question set is a JSON Lines file (one `GoldQuestion` per line; blank lines are skipped). The schema is documented
in eval/questions/README.md; `eval/questions/seed.jsonl` is the set for sample/aptorum-2021-h1-results.txt.

    from eval.questions import load_questions, check_citations
    questions = load_questions("eval/questions/seed.jsonl")
    check_citations(questions, Path("sample/aptorum-2021-h1-results.txt").read_text(encoding="utf-8"))

Nothing here evaluates an answer or an expression: grading belongs to the harness, and the tests recompute every
numeric gold answer on their own (tests/eval/test_questions.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

QUESTIONS_DIR = Path(__file__).resolve().parent / "questions"
SEED_QUESTIONS = QUESTIONS_DIR / "seed.jsonl"

QuestionType = Literal["lookup", "calculation", "narrative", "refusal", "followup"]
Operation = Literal["value", "change", "pct_change", "ratio", "sum", "average", "margin", "cagr", "compare", "direction",
                    "narrative", "refusal"]
Unit = Literal["USD", "percent", "ratio", "shares", "USD_per_share"]

QUESTION_TYPES: tuple[str, ...] = QuestionType.__args__  # type: ignore[attr-defined]
OPERATIONS: tuple[str, ...] = Operation.__args__  # type: ignore[attr-defined]
CALCULATED = frozenset({"change", "pct_change", "ratio", "sum", "average", "margin", "cagr", "compare", "direction"})
NUMBER_OPERATIONS = frozenset({"value", "change", "pct_change", "ratio", "sum", "average", "margin", "cagr"})
SIGNED_OPERATIONS = frozenset({"compare", "direction"})


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _decimal_text(value: object) -> object:
    """Gold numbers are JSON strings ("5508356", "23.47"), never JSON floats, so no binary rounding creeps in."""
    if not isinstance(value, str):
        raise ValueError("must be a decimal number written as a JSON string, e.g. \"23.47\"")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return value


class Conversation(_Record):
    """A turn of a multi-turn conversation: the earlier turns are the records with the same id and lower turns."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    turn: int = Field(ge=1)


class NumberAnswer(_Record):
    """A figure: `value` × `scale` is the amount in `unit`; an answer within `tolerance` (in value's units) is right."""

    kind: Literal["number"]
    value: str
    unit: Unit
    scale: Literal[1, 1_000, 1_000_000, 1_000_000_000] = 1
    tolerance: str
    display: str = Field(min_length=1)

    _check_value = field_validator("value", "tolerance", mode="before")(_decimal_text)

    @field_validator("tolerance")
    @classmethod
    def _non_negative(cls, tolerance: str) -> str:
        if Decimal(tolerance) < 0:
            raise ValueError("tolerance must not be negative")
        return tolerance

    @property
    def number(self) -> Decimal:
        return Decimal(self.value)

    @property
    def tolerance_number(self) -> Decimal:
        return Decimal(self.tolerance)


class TextAnswer(_Record):
    """A sentence answer: it must contain every `text_contains` phrase and at least one `text_any` phrase
    (case-insensitive). For compare and direction, `label` is the short answer and `sign` the sign of `expression`."""

    kind: Literal["text"]
    text_contains: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    text_any: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    label: str | None = None
    sign: Literal[-1, 1] | None = None

    @model_validator(mode="after")
    def _something_to_match(self) -> TextAnswer:
        if not self.text_contains and not self.text_any:
            raise ValueError("a text answer needs text_contains or text_any")
        return self


class RefusalAnswer(_Record):
    """The document cannot answer: the assistant must say so rather than guess."""

    kind: Literal["refusal"]
    reason: str = Field(min_length=1)


class NotReportedAnswer(_Record):
    """The line exists but the asked-for cell is blank: the answer is "not reported" (nil), never the other column."""

    kind: Literal["not_reported"]
    reason: str = Field(min_length=1)


Answer = Annotated[NumberAnswer | TextAnswer | RefusalAnswer | NotReportedAnswer, Field(discriminator="kind")]


class GoldQuestion(_Record):
    id: str = Field(pattern=r"^[a-z][a-z0-9]*-\d{3,}$")
    document: str = Field(min_length=1)
    question: str = Field(min_length=1)
    type: QuestionType
    operation: Operation
    conversation: Conversation | None = None
    answer: Answer
    citations: list[Annotated[str, Field(min_length=1)]]
    operands: list[Annotated[str, Field(pattern=r"^\d{1,3}(?:,\d{3})*(?:\.\d+)?$|^\d+(?:\.\d+)?$")]] | None = None
    expression: str | None = Field(default=None, min_length=1)
    notes: str = Field(min_length=1)
    # Multi-page documents (PDF filings): the 1-based physical PDF pages that hold the gold evidence, i.e. page n is
    # index.loading's `pages[n - 1]` span. Optional; the seed set (a plain-text release) has none.
    pages: list[Annotated[int, Field(ge=1)]] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> GoldQuestion:  # noqa: C901 - one rule per branch reads best
        kind, operation = self.answer.kind, self.operation
        if (self.type == "followup") != (self.conversation is not None):
            raise ValueError("type 'followup' and a conversation go together")
        if (self.type == "refusal") != (operation == "refusal") or (operation == "refusal") != (kind == "refusal"):
            raise ValueError("type 'refusal', operation 'refusal' and answer kind 'refusal' go together")
        if (self.type == "narrative") != (operation == "narrative"):
            raise ValueError("type 'narrative' and operation 'narrative' go together")
        if self.type == "lookup" and operation != "value":
            raise ValueError("a lookup has operation 'value'")
        if self.type == "calculation" and operation not in CALCULATED:
            raise ValueError(f"a calculation has one of the operations {sorted(CALCULATED)}")
        if operation == "narrative" and kind != "text":
            raise ValueError("a narrative question has a text answer")
        if kind == "not_reported" and operation != "value":
            raise ValueError("a not_reported answer belongs to a 'value' question")
        if operation in NUMBER_OPERATIONS and kind not in ("number", "not_reported"):
            raise ValueError(f"operation {operation!r} needs a number answer")
        if operation in SIGNED_OPERATIONS:
            if kind != "text" or self.answer.sign is None or not self.answer.label:
                raise ValueError(f"operation {operation!r} needs a text answer with a label and a sign")
            if operation == "direction" and self.answer.label != ("increase" if self.answer.sign > 0 else "decrease"):
                raise ValueError("a direction answer's label is 'increase' (sign 1) or 'decrease' (sign -1)")
        elif kind == "text" and (self.answer.sign is not None or self.answer.label is not None):
            raise ValueError("label and sign are only for compare and direction answers")
        if kind == "number" or operation in SIGNED_OPERATIONS:
            if not self.expression or not self.operands:
                raise ValueError("a numeric or signed answer needs its operands and the expression that computes it")
        elif self.expression is not None or self.operands is not None:
            raise ValueError("operands and expression are only for numeric, compare and direction answers")
        if kind != "refusal" and not self.citations:
            raise ValueError("every answer except a refusal needs at least one citation")
        return self


class QuestionFileError(ValueError):
    """A problem in a question file, with the file and the 1-based line it is on."""

    def __init__(self, path: Path | str, line: int, message: str):
        self.path, self.line, self.message = Path(path), line, message
        super().__init__(f"{path}:{line}: {message}")


class CitationError(ValueError):
    """Gold citations that are not exact substrings of the document."""

    def __init__(self, missing: list[tuple[str, str]]):
        self.missing = missing
        shown = "; ".join(f"{qid}: {quote!r}" for qid, quote in missing[:10])
        more = f" (and {len(missing) - 10} more)" if len(missing) > 10 else ""
        super().__init__(f"{len(missing)} citation(s) not found in the document: {shown}{more}")


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"])
        parts.append(f"{where}: {item['msg']}" if where else item["msg"])
    return "; ".join(parts)


def load_questions(path: Path | str) -> list[GoldQuestion]:
    """Read a JSON Lines question file; any problem raises QuestionFileError naming the file and line.

    Besides each record's own schema: ids are unique, and each conversation's turns appear in file order as
    1, 2, 3, ... with no gaps.
    """
    path = Path(path)
    questions: list[GoldQuestion] = []
    seen: dict[str, int] = {}
    turns: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise QuestionFileError(path, number, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
            if not isinstance(data, dict):
                raise QuestionFileError(path, number, f"expected a JSON object, got {type(data).__name__}")
            try:
                question = GoldQuestion.model_validate(data)
            except ValidationError as exc:
                qid = data.get("id")
                label = f"question {qid!r}: " if isinstance(qid, str) else ""
                raise QuestionFileError(path, number, f"{label}{_describe(exc)}") from None
            if question.id in seen:
                raise QuestionFileError(path, number, f"duplicate id {question.id!r} (first on line {seen[question.id]})")
            seen[question.id] = number
            if question.conversation is not None:
                conversation = question.conversation
                expected = turns.get(conversation.id, 0) + 1
                if conversation.turn != expected:
                    raise QuestionFileError(path, number, f"conversation {conversation.id!r}: turn {conversation.turn} "
                                                          f"where turn {expected} was expected")
                turns[conversation.id] = conversation.turn
            questions.append(question)
    return questions


def conversation_history(questions: Iterable[GoldQuestion], question: GoldQuestion) -> list[GoldQuestion]:
    """The earlier turns of `question`'s conversation, in order (empty for a standalone question)."""
    if question.conversation is None:
        return []
    conversation = question.conversation
    return sorted((other for other in questions if other.conversation is not None
                   and other.conversation.id == conversation.id and other.conversation.turn < conversation.turn),
                  key=lambda other: other.conversation.turn)  # type: ignore[union-attr]


def missing_citations(questions: Iterable[GoldQuestion], text: str) -> list[tuple[str, str]]:
    """(question id, citation) for every gold citation that is not an exact substring of `text`."""
    return [(question.id, quote) for question in questions for quote in question.citations if quote not in text]


def check_citations(questions: Iterable[GoldQuestion], text: str) -> int:
    """Raise CitationError unless every gold citation is an exact substring of `text`; return how many were checked."""
    questions = list(questions)
    missing = missing_citations(questions, text)
    if missing:
        raise CitationError(missing)
    return sum(len(question.citations) for question in questions)
