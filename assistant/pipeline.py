"""The one answering pipeline every front end uses: question -> parsed Query -> backend -> guarded Answer.

    assistant = Assistant.from_settings(load_settings())      # or Assistant(store) for an open Store
    answer = assistant.ask("What were G&A fees in H1 2021?")
    answer = assistant.ask("And in 2020?")                     # a follow-up: the same Assistant remembers

Conversation rule: when `history` is None, the Assistant keeps a `ConversationState` across calls, so a reused
Assistant is one chat session (call `reset()` to start another). When `history` is given (a ConversationState,
or a list of earlier questions to replay through the parser), that history is used for this question instead,
and the Assistant's own state is left as it was.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence

from assistant.errors import ConfigError, QueryError
from assistant.question import ConversationState, Query, parse_question
from assistant.records import Answer
from assistant.settings import Settings
from index.records import SearchFilters

BACKENDS = ("offline",)
_PRONOUN = re.compile(r"^(?:it|they|this|that|these|those)\b", re.I)


class Assistant:
    """Answers questions over the store's documents with a deterministic backend (backend="offline")."""

    def __init__(self, store, backend: str = "offline"):  # noqa: ANN001
        if backend not in BACKENDS:
            raise ConfigError(f"backend {backend!r} is not available yet: only the offline backend is implemented "
                              f"(LLM backends are not available yet)")
        from assistant.offline import OfflineBackend

        self.store = store
        self.backend_name = backend
        self.backend = OfflineBackend(store)
        self.state = ConversationState()

    @classmethod
    def from_settings(cls, settings: Settings, backend: str = "offline") -> "Assistant":
        from index.store import open_store

        return cls(open_store(settings), backend=backend)

    def reset(self) -> None:
        """Forget the conversation."""
        self.state = ConversationState()

    def parse(self, question: str, state: ConversationState | None = None) -> Query:
        documents = self.store.documents()
        state = self.state if state is None else state
        query = parse_question(question, documents, state)
        from assistant.offline import fix_period

        query = query.model_copy(update={"periods": [fix_period(question, period) for period in query.periods]})
        last = state.last
        # "How much did it fall?": the pronoun is the line of the previous turn.
        if last is not None and not query.metrics and not query.analyst_metric and (
                query.label is None or _PRONOUN.match(query.label)):
            query = query.model_copy(update={"metrics": list(last.metrics), "label": last.label,
                                             "analyst_metric": query.analyst_metric or last.analyst_metric,
                                             "inherited": [*query.inherited, "metrics"]})
        return query

    def ask(self, question: str, history: ConversationState | Sequence[str] | None = None,
            filters: SearchFilters | None = None) -> Answer:
        """Answer `question`; see the module doc for how `history` and the kept conversation interact."""
        if not question or not question.strip():
            raise QueryError("empty question: type a question about the disclosures")
        from index.store import require_documents

        started = time.perf_counter()
        require_documents(self.store)
        state = self._history_state(history)
        query = self.parse(question, state)
        parsed = time.perf_counter()
        documents = self.store.documents()
        answer = self.backend.answer(query, documents, filters)
        done = time.perf_counter()
        if history is None:
            self.state = state.update(query)
        timings = {"parse_ms": round((parsed - started) * 1000, 2), "answer_ms": round((done - parsed) * 1000, 2),
                   "total_ms": round((done - started) * 1000, 2)}
        return answer.model_copy(update={"backend": self.backend_name, "timings": timings})

    def _history_state(self, history: ConversationState | Sequence[str] | None) -> ConversationState:
        if history is None:
            return self.state
        if isinstance(history, ConversationState):
            return history
        state = ConversationState()
        for earlier in history:
            state = state.update(self.parse(earlier, state))
        return state

    def stream(self, question: str, history: ConversationState | Sequence[str] | None = None,
               filters: SearchFilters | None = None, chunk: int = 80) -> Iterator[str | Answer]:
        """Yield the answer text in pieces (str), then the final Answer."""
        answer = self.ask(question, history=history, filters=filters)
        for start in range(0, len(answer.text), chunk):
            yield answer.text[start:start + chunk]
        yield answer
