"""assistant/chat/app.py: the page's behaviour without a browser: backends, filters, and a session that holds its
conversation (follow-ups, turns the conversation let go, feedback, export)."""

from __future__ import annotations

import copy
import json

import pytest

from assistant.chat.app import ChatApp, ChatSession
from assistant.conversation import Conversation
from index.errors import DisclosuresError
from index.settings import Settings


def ask(app: ChatApp, session: ChatSession, question: str):
    """The final (markdown, Answer) of a streamed question."""
    pieces = list(app.ask(question, session))
    assert all(answer is None for _, answer in pieces[:-1])
    return pieces[-1]


@pytest.fixture
def app(seed_store, tmp_path):
    return ChatApp(Settings(store=seed_store.settings).with_overrides(data_dir=tmp_path / "data"), seed_store)


def test_backend_menu_only_when_an_llm_is_configured(seed_store):
    assert ChatApp(Settings(store=seed_store.settings), seed_store).backends() == ["offline"]
    llm = Settings(store=seed_store.settings).with_overrides(backend="openai:gpt-4o-mini")
    assert ChatApp(llm, seed_store).backends() == ["offline", "openai:gpt-4o-mini"]


def test_company_and_document_filters_become_search_filters(seed_store):
    app = ChatApp(Settings(store=seed_store.settings), seed_store)
    [document] = seed_store.documents()
    assert app.filters(None, None) is None
    assert app.filters(None, ["Aptorum Group Limited"]).docs == [document.id]
    assert app.filters([document.id], ["Aptorum Group Limited"]).docs == [document.id]


def test_a_session_reads_follow_ups_through_its_own_conversation(app):
    first, second = copy.deepcopy(ChatSession()), copy.deepcopy(ChatSession())  # as gr.State gives each browser one
    ask(app, first, "What were G&A fees in H1 2021?")
    ask(app, second, "What were research and development expenses in H1 2021?")
    markdown, answer = ask(app, first, "And in 2020?")
    assert answer.value.number == 2076634 and "2,076,634" in markdown and "#cite-1-" in markdown
    _, answer = ask(app, second, "And in 2020?")
    assert abs(answer.value.number) == 4315033  # its own follow-up: R&D, not G&A
    assert len(first.conversation) == len(second.conversation) == 2
    assert first.conversation.turns[-1].answer is first.turns[-1].answer
    with pytest.raises(DisclosuresError, match="Type a question first"):
        ask(app, first, "   ")


def test_turns_the_conversation_let_go_can_still_be_rated_commented_and_exported(app):
    session = ChatSession(conversation=Conversation(limit=1))
    ask(app, session, "What were G&A fees in H1 2021?")
    ask(app, session, "What was the net loss for the six months ended June 30, 2021?")
    assert len(session.conversation) == 1 and len(session.turns) == 2
    assert session.answer(0).value.number == 2564117 and session.answer(2) is None

    assert app.rate(session, 0, "down") and not app.rate(session, 5, "up")
    assert app.comment(session, "  the figure is right  ") and not app.comment(session, " ")
    rated, commented = [json.loads(line) for line in app.feedback.path.read_text().splitlines()]
    assert (rated["question"], rated["rating"], rated["history"]) == ("What were G&A fees in H1 2021?", "down", [])
    assert rated["answer"]["value"]["number"] == "2564117"
    assert (commented["question"], commented["rating"], commented["comment"]) == (
        "What were G&A fees in H1 2021?", None, "the figure is right")  # about the answer last rated

    exported = app.export_markdown(session).read_text(encoding="utf-8")
    assert "**Q:** What were G&A fees in H1 2021?" in exported and "**Q:** What was the net loss" in exported
    assert app.export_markdown(session).name == f"conversation-{session.id}.md" and len(session.id) == 12


def test_a_comment_without_a_rating_is_about_the_last_answer(app):
    session = ChatSession()
    assert not app.comment(session, "nothing asked yet")
    ask(app, session, "What were G&A fees in H1 2021?")
    ask(app, session, "And in 2020?")
    assert app.comment(session, "good")
    [record] = [json.loads(line) for line in app.feedback.path.read_text().splitlines()]
    assert record["question"] == "And in 2020?" and record["history"] == ["What were G&A fees in H1 2021?"]
