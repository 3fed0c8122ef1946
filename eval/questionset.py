"""Question sets for the evaluation harness: one record, `EvalQuestion`, loaded from any of the accepted forms.

    questions = load_question_set("my-questions.jsonl")     # or .yaml / .yml, or TAT-QA's JSON

Accepted forms
- JSON Lines, one question per line (blank lines and lines starting with `//` are skipped):
      {"id": "q17", "question": "...", "answer": 1577.0, "answer_type": "number",
       "unit": "percent", "scale": "million", "tolerance": 0.01, "doc": "3M_2018_10K",
       "evidence": [{"doc": "3M_2018_10K", "page": 60, "text": "..."}],
       "tags": ["metrics", "cash flow"], "history": [{"question": "...", "answer": "..."}]}
  Only `id`, `question`, `answer` and `answer_type` are required; unknown fields are kept (in `extra`) and ignored.
- YAML with the same fields: a list of questions, or a mapping with a `questions` list.
- TAT-QA's JSON (a list of contexts with `table`, `paragraphs` and `questions`), read directly: each context is a
  document named `tatqa-<uid>` (eval/tatqa.py writes them as text files for ingestion).
- The project's gold sets (eval/questions/*.jsonl, records of eval/questions.py) are read too, so the same files
  serve the answering tests and the harness.

`answer_type` is number, text, boolean or refusal. For a number, `answer` is the figure at `scale` (1577 at
"million" is 1,577,000,000) and `unit` "percent" says it is in percent points; `tolerance` is relative (default 1%).
A text answer is a string or a list of strings (TAT-QA's multi-span answers). A refusal question is answered
correctly only by declining; its `answer` may be null or a reason.

A question set that does not parse is a QuestionSetError naming the file, the line (or the YAML/TAT-QA item) and
the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from index.errors import DisclosuresError

AnswerType = Literal["number", "text", "boolean", "refusal"]
SCALES = {None: 1, "": 1, "unit": 1, "units": 1, "thousand": 1_000, "thousands": 1_000, "million": 1_000_000,
          "millions": 1_000_000, "billion": 1_000_000_000, "billions": 1_000_000_000}


class QuestionSetError(DisclosuresError):
    """A question set that cannot be read: names the file, where in it, and the field."""

    def __init__(self, path: str | Path, where: str, message: str):
        self.path, self.where = str(path), where
        super().__init__(f"{path}:{where}: {message}")


class Evidence(BaseModel):
    """Where the answer is: a document (file stem or doc id), optionally a 1-based page, and/or text from it."""

    model_config = ConfigDict(extra="ignore")

    doc: str | None = None
    page: int | None = Field(default=None, ge=1)
    text: str | None = None

    @model_validator(mode="after")
    def _something(self) -> Evidence:
        if self.page is None and not self.text:
            raise ValueError("evidence needs a page or a text")
        return self


class Turn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str = Field(min_length=1)
    answer: str = ""


class EvalQuestion(BaseModel):
    """One question of a set, in the harness's terms (see the module docstring)."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    answer: Decimal | str | list[str] | bool | None
    answer_type: AnswerType
    unit: Literal["percent"] | None = None
    scale: Literal["thousand", "million", "billion"] | None = None
    tolerance: Decimal = Field(default=Decimal("0.01"), ge=0)
    doc: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    history: list[Turn] = Field(default_factory=list)
    alternatives: list[str] = Field(default_factory=list,
                                    description="A text answer is also correct when any one of these appears.")

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @field_validator("scale", mode="before")
    @classmethod
    def _scale_word(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower()
            if value in ("", "unit", "units", "none"):
                return None
            return {"thousands": "thousand", "millions": "million", "billions": "billion"}.get(value, value)
        return value

    @field_validator("unit", mode="before")
    @classmethod
    def _unit_word(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in ("%", "percent", "percentage", "pct"):
            return "percent"
        if isinstance(value, str) and value.strip().lower() in ("", "usd", "dollars", "number", "none"):
            return None
        return value

    @model_validator(mode="after")
    def _answer_fits_type(self) -> EvalQuestion:
        kind, answer = self.answer_type, self.answer
        if kind == "number":
            if isinstance(answer, bool) or not isinstance(answer, (Decimal, str)):
                raise ValueError("answer: a number answer must be a number")
            try:
                number = Decimal(str(answer).replace(",", "").strip())
            except InvalidOperation:
                raise ValueError(f"answer: {answer!r} is not a number") from None
            if not number.is_finite():
                raise ValueError(f"answer: {answer!r} is not a finite number")
            self.answer = number
        elif kind == "text":
            if isinstance(answer, Decimal):
                self.answer = str(answer)
            elif not (isinstance(answer, str) and answer.strip()) and not (
                    isinstance(answer, list) and answer and all(isinstance(item, str) for item in answer)):
                raise ValueError("answer: a text answer must be a string or a list of strings")
        elif kind == "boolean":
            if isinstance(answer, str) and answer.strip().lower() in ("yes", "true", "no", "false"):
                self.answer = answer.strip().lower() in ("yes", "true")
            elif not isinstance(answer, bool):
                raise ValueError("answer: a boolean answer must be true or false (or yes/no)")
        return self

    @property
    def amount(self) -> Decimal | None:
        """A number answer in units (percent points for a percentage): answer × scale."""
        if self.answer_type != "number":
            return None
        return Decimal(self.answer) * SCALES[self.scale]


def load_question_set(path: str | Path) -> list[EvalQuestion]:
    """The questions in a JSONL, YAML or TAT-QA JSON file; a QuestionSetError for the first thing that is wrong."""
    path = Path(path)
    if not path.is_file():
        raise QuestionSetError(path, "0", "no such question file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionSetError(path, "0", f"cannot be read as UTF-8 text ({exc.__class__.__name__})") from None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        items = _yaml_items(path, text)
    elif suffix == ".json":
        items = _json_items(path, text)
    else:
        items = _jsonl_items(path, text)
    questions: list[EvalQuestion] = []
    seen: dict[str, str] = {}
    items = list(items)
    gold = _gold_conversations(items)
    for where, item in items:
        if not isinstance(item, dict):
            raise QuestionSetError(path, where, "a question must be an object with id, question, answer, answer_type")
        if _is_gold(item):
            item = _from_gold(item, gold)
        try:
            question = EvalQuestion.model_validate(item)
        except ValidationError as exc:
            raise QuestionSetError(path, where, _describe(item, exc)) from None
        if question.id in seen:
            raise QuestionSetError(path, where, f"question {question.id!r}: id: repeats the id of {seen[question.id]}")
        seen[question.id] = f"line {where}" if where.isdigit() else where
        questions.append(question)
    if not questions:
        raise QuestionSetError(path, "0", "holds no questions")
    return questions


# --- the forms ------------------------------------------------------------------------------------------------


def _jsonl_items(path: Path, text: str) -> Iterable[tuple[str, object]]:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("//"):
            continue
        try:
            yield str(number), json.loads(stripped, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise QuestionSetError(path, str(number), f"not valid JSON ({exc.msg} at column {exc.colno})") from None


def _yaml_items(path: Path, text: str) -> list[tuple[str, object]]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = str(mark.line + 1) if mark is not None else "0"
        raise QuestionSetError(path, where, f"not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if isinstance(data, dict) and isinstance(data.get("questions"), list):
        data = data["questions"]
    if not isinstance(data, list):
        raise QuestionSetError(path, "0", "a YAML question set is a list of questions (or has a 'questions' list)")
    return [(f"item {index}", _decimals(item)) for index, item in enumerate(data, start=1)]


def _json_items(path: Path, text: str) -> list[tuple[str, object]]:
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise QuestionSetError(path, str(exc.lineno), f"not valid JSON ({exc.msg})") from None
    if isinstance(data, list) and data and all(isinstance(item, dict) and "questions" in item and "table" in item
                                               for item in data):
        from eval.tatqa import questions_of

        return [(f"context {index} question {number}", question)
                for index, context in enumerate(data, start=1)
                for number, question in enumerate(questions_of(context), start=1)]
    if isinstance(data, dict) and isinstance(data.get("questions"), list):
        data = data["questions"]
    if not isinstance(data, list):
        raise QuestionSetError(path, "0", "a JSON question set is a list of questions, or TAT-QA's list of contexts")
    return [(f"item {index}", item) for index, item in enumerate(data, start=1)]


def _decimals(value: object) -> object:
    """YAML floats as Decimals (through their shortest repr), so 0.1 stays 0.1."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _decimals(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decimals(item) for item in value]
    return value


# --- the project's gold sets ----------------------------------------------------------------------------------


def _is_gold(item: dict) -> bool:
    return "answer_type" not in item and isinstance(item.get("answer"), dict) and "kind" in item["answer"]


def _gold_conversations(items: list[tuple[str, object]]) -> dict[str, list[dict]]:
    conversations: dict[str, list[dict]] = {}
    for _, item in items:
        if isinstance(item, dict) and _is_gold(item) and isinstance(item.get("conversation"), dict):
            conversations.setdefault(str(item["conversation"].get("id")), []).append(item)
    return conversations


def _from_gold(item: dict, conversations: dict[str, list[dict]]) -> dict:
    """A record of eval/questions.py as an EvalQuestion: answer kinds, citations as evidence, earlier turns of its
    conversation as history. The whole record is kept under `gold`."""
    answer = item["answer"]
    kind = answer.get("kind")
    record: dict = {"id": item.get("id"), "question": item.get("question"), "doc": item.get("document"),
                    "tags": [tag for tag in (item.get("type"), item.get("operation")) if tag], "gold": item}
    if kind == "number":
        scale = {1: None, 1_000: "thousand", 1_000_000: "million", 1_000_000_000: "billion"}.get(int(answer.get("scale", 1)))
        value = Decimal(str(answer.get("value")))
        tolerance = Decimal(str(answer.get("tolerance", "0")))
        record.update(answer_type="number", answer=value, scale=scale,
                      unit="percent" if answer.get("unit") == "percent" else None,
                      # The gold tolerance is absolute; the harness's is relative.
                      tolerance=(tolerance / abs(value)) if value and tolerance else Decimal(0))
    elif kind in ("refusal", "not_reported"):
        record.update(answer_type="refusal", answer=answer.get("reason"))
    else:
        contains, any_of = list(answer.get("text_contains") or []), list(answer.get("text_any") or [])
        record.update(answer_type="text", answer=contains or any_of[:1] or ([answer["label"]] if answer.get("label") else None),
                      alternatives=any_of if not contains else [])
    pages = item.get("pages") or []
    citations = item.get("citations") or []
    record["evidence"] = ([{"doc": item.get("document"), "page": page} for page in pages]
                          + [{"doc": item.get("document"), "text": quote} for quote in citations])
    conversation = item.get("conversation")
    if isinstance(conversation, dict):
        earlier = [other for other in conversations.get(str(conversation.get("id")), [])
                   if other["conversation"].get("turn", 0) < conversation.get("turn", 0)]
        earlier.sort(key=lambda other: other["conversation"]["turn"])
        record["history"] = [{"question": other["question"],
                              "answer": (other["answer"].get("display") or other["answer"].get("label") or "")}
                             for other in earlier]
    return record


def _describe(item: dict, exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or "record"
    message = first.get("msg", "invalid")
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
        if ": " in message and field == "record":
            field, message = message.split(": ", 1)
    name = f"question {item.get('id')!r}: " if item.get("id") is not None else ""
    return f"{name}{field}: {message}"
