"""Feedback (thumbs and comments from the chat page and the Slack bot) -> a question set for the harness.

    disclosures eval feedback [--out eval/questions/feedback.jsonl]

A thumbs-up answer becomes a regression question whose gold is what the assistant said: its figure (number), its
refusal (refusal), or the few words (its spans) or the quote it answered with (text), with the cited passages as evidence. A thumbs-down
answer, or a comment, needs a person to write the right answer: those go to `<out stem>.needs-gold.jsonl` with
`answer` empty, the wrong answer and the comment alongside, ready to be filled in and moved over.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from index.records import Answer


def question_of(record: dict, number: int) -> tuple[str, dict] | None:
    """("gold" or "needs-gold", question) for one feedback record; None for a record with no answer."""
    if not record.get("answer"):
        return None
    answer = Answer.from_json(record["answer"])
    base = {"id": f"feedback-{number:04d}", "question": record["question"],
            "history": [{"question": turn, "answer": ""} if isinstance(turn, str) else turn
                        for turn in record.get("history", [])],
            "tags": ["feedback", f"from:{record.get('source', 'web')}"],
            "evidence": [{"doc": c.doc_id, "page": c.page, "text": c.quote} for c in answer.citations]}
    if answer.citations:
        base["doc"] = answer.citations[0].doc_id
    if record.get("rating") != "up":
        return "needs-gold", {**base, "answer": None, "answer_type": "text",
                              "tags": [*base["tags"], "needs-gold"], "assistant_said": answer.text,
                              "rating": record.get("rating"), "comment": record.get("comment", "")}
    if answer.refused:
        return "gold", {**base, "answer": None, "answer_type": "refusal", "tags": [*base["tags"], "thumbs-up"]}
    if answer.value is not None:
        amount = answer.value.number * answer.value.scale
        gold = {"answer": str(amount.normalize() if amount == amount.to_integral_value() else amount),
                "answer_type": "number", "tolerance": "0.001"}
        if answer.value.unit == "percent":
            gold["unit"] = "percent"
        return "gold", {**base, **gold, "tags": [*base["tags"], "thumbs-up"]}
    if answer.citations:
        # The few words that answered (a name, a clause) when the answer gave them, else the quote.
        said = answer.spans if answer.spans else answer.citations[0].quote
        return "gold", {**base, "answer": said[0] if isinstance(said, list) and len(said) == 1 else said,
                        "answer_type": "text", "tags": [*base["tags"], "thumbs-up"]}
    return None


def convert(feedback: Path, out: Path) -> dict:
    """Write the gold and needs-gold sets; return their counts."""
    records = [json.loads(line) for line in feedback.read_text(encoding="utf-8").splitlines() if line.strip()]
    sets: dict[str, list[dict]] = {"gold": [], "needs-gold": []}
    for number, record in enumerate(records, start=1):
        converted = question_of(record, number)
        if converted is not None:
            sets[converted[0]].append(converted[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    paths = {"gold": out, "needs-gold": out.with_name(out.stem + ".needs-gold.jsonl")}
    for name, questions in sets.items():
        paths[name].write_text("".join(json.dumps(q, ensure_ascii=False, default=_plain) + "\n" for q in questions),
                               encoding="utf-8")
    return {"records": len(records), "gold": len(sets["gold"]), "needs_gold": len(sets["needs-gold"]),
            "out": str(out), "needs_gold_out": str(paths["needs-gold"])}


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)
