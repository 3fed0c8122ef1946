"""Feedback on answers (thumbs up or down, comments), shared by the chat page and the Slack bot.

One JSON object per line in `<data dir>/feedback.jsonl`: time, source (web, slack), question, rating (up, down or
None for a comment alone), comment, the Answer record, and the earlier questions of the conversation.
`disclosures eval feedback` (eval/from_feedback.py) turns the file into a question set.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from index.records import Answer


class FeedbackLog:
    """Appends feedback records to `<data dir>/feedback.jsonl`; safe from several threads of one process."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / "feedback.jsonl"
        self._lock = threading.Lock()

    def add(self, question: str, answer: Answer | None, rating: str | None, comment: str = "",
            source: str = "web", history: list[str] | None = None) -> dict:
        """One record: `rating` is "up", "down" or None (a comment alone); `history` the earlier questions. The
        answer is written as `Answer.to_json` writes it."""
        record = {"time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "source": source,
                  "question": question, "rating": rating, "comment": comment,
                  "answer": answer.to_json() if answer is not None else None,
                  "history": list(history or [])}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return record

    def records(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
