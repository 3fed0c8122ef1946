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


class FeedbackLog:
    """Appends feedback records to `<data dir>/feedback.jsonl`; safe from several threads of one process."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / "feedback.jsonl"
        self._lock = threading.Lock()

    def add(self, question: str, answer: dict | None, rating: str | None, comment: str = "", source: str = "web",
            history: list | None = None) -> dict:
        record = {"time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "source": source,
                  "question": question, "rating": rating, "comment": comment, "answer": answer,
                  "history": history or []}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return record

    def records(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
