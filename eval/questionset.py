"""Question sets for the evaluation harness: one record, `EvalQuestion`, loaded from any of the accepted forms.

    questions = load_question_set("my-questions.jsonl")     # or .yaml / .yml, or TAT-QA's JSON

Accepted forms
- JSON Lines, one question per line (blank lines and lines starting with `//` are skipped):
      {"id": "q17", "question": "...", "answer": 1577.0, "answer_type": "number",
       "unit": "percent", "scale": "million", "tolerance": 0.01, "doc": "3M_2018_10K",
       "evidence": [{"doc": "3M_2018_10K", "page": 60, "text": "..."}],
       "tags": ["metrics", "cash flow"], "history": [{"question": "...", "answer": "..."}],
       "match": "span", "alternatives": [], "citations": ["..."], "expression": "...", "operands": ["..."],
       "notes": "..."}
  Only `id`, `question`, `answer` and `answer_type` are required; unknown fields are kept (in `model_extra`) and
  ignored. The project's gold sets (eval/questions/*.jsonl) are in this form; eval/questions/README.md documents
  every field and how eval/scoring.py reads it.
- YAML with the same fields: a list of questions, or a mapping with a `questions` list.
- TAT-QA's JSON (a list of contexts with `table`, `paragraphs` and `questions`), read directly: each context is a
  document named `tatqa-<uid>` (eval/tatqa.py writes them as text files for ingestion).

`answer_type` is number, text, boolean or refusal. For a number, `answer` is the figure at `scale` (1577 at
"million" is 1,577,000,000) and `unit` "percent" says it is in percent points; `tolerance` is relative and optional
(without it the strict reading wants the gold's printed precision and the lenient one allows 1%). A text answer
is a string or a list of strings: TAT-QA's spans (`match` "span", the default) or key phrases (`match`
"phrases"). A refusal question is answered correctly only by declining (or, when it has `citations`, by saying
the cited line is not reported); its `answer` may be null or a reason.

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

from index.errors import QuestionSetError
from index.numbers import scale_of

AnswerType = Literal["number", "text", "boolean", "refusal"]


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
    tolerance: Decimal | None = Field(default=None, ge=0, description=(
        "Relative. Omitted: the strict reading wants the gold's printed precision, the lenient one allows 1%."))
    doc: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    history: list[Turn] = Field(default_factory=list)
    match: Literal["span", "phrases"] = Field(default="span", description=(
        "How a text answer is matched: 'span', TAT-QA's short answer (exact match or F1); 'phrases', key phrases "
        "the answer's text must contain."))
    alternatives: list[str] = Field(default_factory=list, description=(
        "span: other accepted spans. phrases: the text must also contain one of these (alone, when `answer` is "
        "empty)."))
    citations: list[str] = Field(default_factory=list, description=(
        "Exact quotes of the document that a correct answer must cite."))
    expression: str | None = Field(default=None, description=(
        "How the gold number is computed, in the calculator's syntax (assistant/calculator.py)."))
    operands: list[str] | None = Field(default=None, description="The document's figures the expression uses, as printed.")
    notes: str | None = Field(default=None, description="How the gold was derived: column, sign, synonym, arithmetic.")

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
            elif self.match == "phrases" and answer == [] and self.alternatives:
                pass  # any one of the alternatives will do
            elif not (isinstance(answer, str) and answer.strip()) and not (
                    isinstance(answer, list) and answer and all(isinstance(item, str) for item in answer)):
                raise ValueError("answer: a text answer must be a string or a list of strings")
        if self.match == "phrases" and kind != "text":
            raise ValueError("match: 'phrases' is for text answers")
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
        return Decimal(self.answer) * scale_of(self.scale)


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
    for where, item in items:
        if not isinstance(item, dict):
            raise QuestionSetError(path, where, "a question must be an object with id, question, answer, answer_type")
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
