"""assistant/feedback.py: the feedback file the chat page and the Slack bot append to."""

from __future__ import annotations

import json
import threading

from assistant.feedback import FeedbackLog
from index.records import Answer, AnswerValue


def test_records_are_appended_whole_from_many_threads(tmp_path):
    log = FeedbackLog(tmp_path / "data")
    threads = [threading.Thread(target=lambda n=n: log.add(f"question {n}", Answer(question=f"question {n}",
                                                                                  text="x" * 5000), "up"))
               for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = (tmp_path / "data" / "feedback.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["question"] for line in lines) == sorted(f"question {n}" for n in range(20))
    assert log.records()[0]["source"] == "web" and log.records()[0]["rating"] == "up"
    assert log.records()[0]["answer"]["text"] == "x" * 5000


def test_the_answer_is_stored_as_its_json_record(tmp_path):
    log = FeedbackLog(tmp_path)
    answer = Answer(question="What were G&A fees?", text="2,564,117 [1].",
                    value=AnswerValue(number="2564117", unit="USD"))
    record = log.add("What were G&A fees?", answer, None, comment="check it", source="slack", history=["Earlier?"])
    [stored] = log.records()
    assert stored == record and Answer.from_json(stored["answer"]) == answer
    assert (stored["rating"], stored["comment"], stored["source"], stored["history"]) == (None, "check it", "slack",
                                                                                          ["Earlier?"])


def test_no_file_no_records(tmp_path):
    assert FeedbackLog(tmp_path).records() == []
