"""eval/from_feedback.py: thumbs and comments -> a question set the harness loads and the assistant passes."""

from __future__ import annotations

import json

from assistant.answering import Assistant
from assistant.feedback import FeedbackLog
from eval.from_feedback import convert
from eval.questionset import load_question_set
from eval.scoring import outcome


def test_thumbs_up_become_regression_questions_and_thumbs_down_need_a_gold(seed_store, tmp_path):
    assistant = Assistant(seed_store)
    log = FeedbackLog(tmp_path)
    asked = {
        "figure": ("By what percentage did R&D expenses grow from H1 2020 to H1 2021?", "up"),
        "refusal": ("What was Aptorum's revenue in 2019?", "up"),
        "prose": ("Why did legal and professional fees decrease?", "up"),
        "disliked": ("What were G&A fees in H1 2021?", "down"),
    }
    for question, rating in asked.values():
        log.add(question, assistant.ask(question), rating, comment="check" if rating == "down" else "")
    log.add("What were G&A fees in H1 2021?", None, None, comment="no answer shown")  # skipped: nothing to test
    counts = convert(log.path, tmp_path / "feedback.jsonl")
    assert (counts["records"], counts["gold"], counts["needs_gold"]) == (5, 3, 1)
    questions = load_question_set(tmp_path / "feedback.jsonl")
    assert [q.answer_type for q in questions] == ["number", "refusal", "text"]
    assert questions[0].unit == "percent" and abs(float(questions[0].answer) - 27.66) < 0.01
    assert questions[0].evidence and questions[0].evidence[0].text
    # The assistant passes its own approved answers (a regression set), asked afresh.
    for question in questions:
        assert outcome(question, assistant.ask(question.question)) == "correct", question.id
    pending = [json.loads(line) for line in (tmp_path / "feedback.needs-gold.jsonl").read_text().splitlines()]
    assert pending[0]["answer"] is None and pending[0]["comment"] == "check" and "needs-gold" in pending[0]["tags"]
    assert "2,564,117" in pending[0]["assistant_said"] or "2.6 million" in pending[0]["assistant_said"]
