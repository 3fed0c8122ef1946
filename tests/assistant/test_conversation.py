"""Conversations (assistant/conversation.py): what a front end holds per user or thread."""

from __future__ import annotations

from assistant.conversation import Conversation
from assistant.question.query import Query
from index.records import Answer


def test_a_history_in_every_form_a_front_end_or_question_set_gives():
    conversation = Conversation.from_history(["What was revenue?", ("And in 2020?", "It was 10."),
                                              {"question": "And in 2019?", "answer": None}])
    assert conversation.questions() == ["What was revenue?", "And in 2020?", "And in 2019?"]
    assert conversation.history() == [("What was revenue?", ""), ("And in 2020?", "It was 10."), ("And in 2019?", "")]
    assert len(conversation.unread()) == 3 and all(turn.answer is None for turn in conversation)


def test_turns_are_capped_and_read_into_the_parser_state():
    conversation = Conversation(limit=2)
    for number in range(3):
        query = Query(question=f"q{number}", metrics=[f"m{number}"])
        conversation.add(f"q{number}", Answer(question=f"q{number}", text=f"a{number}"), query)
    assert conversation.questions() == ["q1", "q2"] and conversation.unread() == []
    assert [query.metrics for query in conversation.state().turns] == [["m1"], ["m2"]]
