"""TAT-QA (../shared/benchmarks/tatqa) for the harness: each context (a table and its paragraphs) as a document,
each question as an EvalQuestion record.

    write_documents(contexts, folder)   # tatqa-<uid>.txt per context, for ingestion (never into the repo)
    questions_of(context)               # the context's questions as EvalQuestion dicts

A context's document is its table, one row per line with cells separated by two spaces (the form a PDF row takes),
then its paragraphs in order. Answers map as: arithmetic and count -> number (scale "thousand"/"million"/
"billion" kept, "percent" -> unit percent), span -> text, multi-span -> a list of texts. Tags carry the answer
type, where the answer comes from (table, text, table-text) and TAT-QA's own scale.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path


PREFIX = "tatqa-"


def doc_name(context: dict) -> str:
    return f"{PREFIX}{context['table']['uid']}"


def question_id(uid: str) -> str:
    return f"{PREFIX}{uid}"


def uid_of(question_id: str) -> str:
    """TAT-QA's own uid of a question id made here (the official script's predictions are keyed by it)."""
    return question_id[len(PREFIX):] if question_id.startswith(PREFIX) else question_id


def document_text(context: dict) -> str:
    rows = ["  ".join(" ".join(str(cell).split()) for cell in row).strip() for row in context["table"]["table"]]
    paragraphs = [" ".join(paragraph["text"].split())
                  for paragraph in sorted(context.get("paragraphs", []), key=lambda item: item.get("order", 0))]
    return "\n".join(row for row in rows if row) + "\n\n" + "\n\n".join(paragraphs) + "\n"


def contexts_in(path: Path) -> list[dict] | None:
    """The contexts of a file in TAT-QA's JSON form (a list of contexts, each with a table), else None."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if isinstance(data, list) and data and all(isinstance(item, dict) and "table" in item for item in data):
        return data
    return None


def write_documents(contexts: Iterable[dict], folder: Path) -> list[Path]:
    """Write each context as FOLDER/tatqa-<uid>.txt (unchanged files are left alone, so re-ingest is a no-op)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for context in contexts:
        path = folder / f"{doc_name(context)}.txt"
        text = document_text(context)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def questions_of(context: dict) -> list[dict]:
    """The context's questions as EvalQuestion dicts (validated by the loader)."""
    doc = doc_name(context)
    paragraphs = {str(paragraph.get("order")): paragraph["text"] for paragraph in context.get("paragraphs", [])}
    records = []
    for question in context.get("questions", []):
        kind = question.get("answer_type")
        answer = question.get("answer")
        scale = (question.get("scale") or "").strip().lower()
        record = {"id": question_id(question.get("uid")), "question": question.get("question"), "doc": doc,
                  "tags": [f"tatqa:{kind}", f"from:{question.get('answer_from')}", f"scale:{scale or 'none'}"],
                  "derivation": question.get("derivation") or None}
        if kind in ("arithmetic", "count"):
            record.update(answer_type="number", answer=Decimal(str(answer)) if isinstance(answer, (int, float, Decimal)) else answer,
                          unit="percent" if scale == "percent" else None,
                          scale=scale if scale in ("thousand", "million", "billion") else None)
        elif kind == "multi-span":
            record.update(answer_type="text", answer=[str(item) for item in answer] if isinstance(answer, list) else answer)
        else:
            if isinstance(answer, list):
                answer = answer[0] if len(answer) == 1 else [str(item) for item in answer]
            record.update(answer_type="text", answer=str(answer) if isinstance(answer, (int, float, Decimal)) else answer,
                          unit="percent" if scale == "percent" else None)
        evidence = [{"doc": doc, "text": paragraphs[str(order)]} for order in question.get("rel_paragraphs", [])
                    if str(order) in paragraphs]
        if question.get("answer_from") in ("table", "table-text"):
            evidence.append({"doc": doc, "text": "\n".join("  ".join(row) for row in context["table"]["table"])})
        record["evidence"] = evidence
        records.append(record)
    return records
