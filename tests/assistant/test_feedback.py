"""assistant/feedback.py: the feedback file the chat page and the Slack bot append to."""

from __future__ import annotations

import json
import threading

from assistant.feedback import FeedbackLog


def test_records_are_appended_whole_from_many_threads(tmp_path):
    log = FeedbackLog(tmp_path / "data")
    threads = [threading.Thread(target=lambda n=n: log.add(f"question {n}", {"text": "x" * 5000}, "up"))
               for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = (tmp_path / "data" / "feedback.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["question"] for line in lines) == sorted(f"question {n}" for n in range(20))
    assert log.records()[0]["source"] == "web" and log.records()[0]["rating"] == "up"


def test_no_file_no_records(tmp_path):
    assert FeedbackLog(tmp_path).records() == []
