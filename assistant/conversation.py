"""A conversation: the turns of one chat, held by the front end per user or thread (a terminal session, a browser
session, a Slack thread) and passed to the stateless `Assistant` with each question.

    conversation = Conversation()
    assistant.ask("What were G&A fees in H1 2021?", conversation)
    assistant.ask("And in 2020?", conversation)                  # a follow-up: read through the earlier turns
    Conversation.from_history(["What were G&A fees in H1 2021?", ("And in 2020?", "It was 2,076,634.")])

Each turn keeps the question, how it was read (its `Query`, which follow-ups take what they leave out from) and the
answer. A turn given only as text (a history replayed from a question set, a Slack thread read back) has no reading
yet: the Assistant reads it when the conversation is next used. At most `limit` turns are kept, oldest dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from assistant.question.query import ConversationState, Query
from index.records import Answer

DEFAULT_LIMIT = 20


@dataclass
class Turn:
    """One question and its answer. `text` is the answer's text (all a history may give); `query` the reading."""

    question: str
    text: str = ""
    answer: Answer | None = None
    query: Query | None = None


class Conversation:
    """The turns of one chat, oldest first (see the module docstring)."""

    def __init__(self, turns: Iterable[Turn] = (), limit: int = DEFAULT_LIMIT):
        self.limit = limit
        self.turns: list[Turn] = list(turns)[-limit:]

    @classmethod
    def from_history(cls, history: Iterable[str | tuple[str, str] | dict], limit: int = DEFAULT_LIMIT) -> "Conversation":
        """Earlier turns, oldest first: questions (str), (question, answer text) pairs, or {"question", "answer"}
        dicts (the evaluation harness's and the feedback log's form)."""
        turns = []
        for item in history:
            if isinstance(item, str):
                turns.append(Turn(item))
            elif isinstance(item, dict):
                turns.append(Turn(str(item.get("question", "")), str(item.get("answer", "") or "")))
            else:
                question, text = item
                turns.append(Turn(str(question), str(text or "")))
        return cls(turns, limit)

    def __len__(self) -> int:
        return len(self.turns)

    def __iter__(self) -> Iterator[Turn]:
        return iter(self.turns)

    def add(self, question: str, answer: Answer, query: Query | None = None) -> Turn:
        turn = Turn(question, answer.text, answer, query)
        self.turns = [*self.turns, turn][-self.limit:]
        return turn

    def unread(self) -> list[Turn]:
        """Turns that have no reading yet (given as text), oldest first."""
        return [turn for turn in self.turns if turn.query is None]

    def state(self) -> ConversationState:
        """What the question parser remembers: the readings of the last few turns."""
        state = ConversationState()
        for turn in self.turns:
            if turn.query is not None:
                state = state.update(turn.query)
        return state

    def history(self, count: int | None = None) -> list[tuple[str, str]]:
        """The last `count` turns (all when None) as (question, answer text) pairs, for an LLM's context."""
        pairs = [(turn.question, turn.text) for turn in self.turns]
        return pairs if count is None else pairs[-count:] if count else []

    def questions(self) -> list[str]:
        return [turn.question for turn in self.turns]
