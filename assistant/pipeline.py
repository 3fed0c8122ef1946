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

import time
from collections.abc import Iterator, Sequence

from langchain_core.runnables import Runnable

from index.errors import ConfigError, QueryError
from assistant.question import ConversationState, Query, parse_question
from index.records import Answer, SearchFilters
from index.settings import Settings


def _turns(history: "History") -> list[tuple[str, str]]:
    """Earlier turns as (question, answer) pairs; an answer not given is empty."""
    if isinstance(history, ConversationState):
        return [(query.question, "") for query in history.turns]
    turns = []
    for item in history:
        if isinstance(item, str):
            turns.append((item, ""))
        elif isinstance(item, dict):
            turns.append((str(item.get("question", "")), str(item.get("answer", "") or "")))
        else:
            question, answer = item
            turns.append((str(question), str(answer or "")))
    return turns



History = ConversationState | Sequence["str | tuple[str, str] | dict"]


class Assistant:
    """Answers questions over the store's documents.

    `backend` is "offline" (deterministic, no model), "PROVIDER:MODEL" (any LangChain chat model, through
    `init_chat_model`; see assistant/llm.py), or a LangChain chat model object (tests pass fake ones here).
    """

    def __init__(self, store, backend: "str | object | None" = None, settings: Settings | None = None):  # noqa: ANN001
        from assistant.offline import OfflineBackend

        self.store = store
        self.settings = settings or Settings(store=store.settings)
        backend = self.settings.answering.backend if backend is None else backend
        if isinstance(backend, str):
            backend = backend.strip()
            if backend == "offline":
                self.backend_name, self.backend = "offline", OfflineBackend(store)
            elif ":" in backend:
                from assistant.llm import LLMBackend, chat_model

                self.backend_name = backend
                self.backend = LLMBackend(store, chat_model(backend, self.settings), self.settings, name=backend)
            else:
                raise ConfigError(f"backend {backend!r} is not 'offline' or 'PROVIDER:MODEL' "
                                  "(e.g. openai:gpt-4o-mini, or openai:MODEL with DISCLOSURES_LLM_BASE_URL)")
        else:
            from assistant.llm import LLMBackend

            self.backend_name = f"llm:{type(backend).__name__}"
            self.backend = LLMBackend(store, backend, self.settings, name=self.backend_name)
        self.state = ConversationState()
        self.turns: list[tuple[str, str]] = []

    @classmethod
    def from_settings(cls, settings: Settings, backend: "str | object | None" = None) -> "Assistant":
        from index.store import open_store

        return cls(open_store(settings), backend=backend, settings=settings)

    @property
    def is_llm(self) -> bool:
        return self.backend_name != "offline"

    def reset(self) -> None:
        """Forget the conversation."""
        self.state = ConversationState()
        self.turns = []

    def parse(self, question: str, state: ConversationState | None = None) -> Query:
        """The question as a Query, against the store's documents and the conversation (this one's by default)."""
        return parse_question(question, self.store.documents(), self.state if state is None else state)

    def ask(self, question: str, history: History | None = None, filters: SearchFilters | None = None) -> Answer:
        """Answer `question`; see the module doc for how `history` and the kept conversation interact.

        `history` is a ConversationState, or the earlier turns oldest first: questions (str), (question, answer)
        pairs, or {"question": ..., "answer": ...} dicts (the evaluation harness's format)."""
        if not question or not question.strip():
            raise QueryError("empty question: type a question about the disclosures")
        from index.store import require_documents

        started = time.perf_counter()
        require_documents(self.store)
        state = self._history_state(history)
        turns = self.turns if history is None else _turns(history)
        query = self.parse(question, state)
        parsed = time.perf_counter()
        documents = self.store.documents()
        if self.is_llm:
            answer = self.backend.answer(query, documents, filters, history=turns)
        else:
            answer = self.backend.answer(query, documents, filters)
        done = time.perf_counter()
        if history is None:
            self.state = state.update(query)
            self.turns = [*self.turns, (question, answer.text)][-20:]
        timings = {"parse_ms": round((parsed - started) * 1000, 2), "answer_ms": round((done - parsed) * 1000, 2),
                   "total_ms": round((done - started) * 1000, 2)}
        return answer.model_copy(update={"backend": self.backend_name, "timings": timings})

    def _history_state(self, history: History | None) -> ConversationState:
        if history is None:
            return self.state
        if isinstance(history, ConversationState):
            return history
        state = ConversationState()
        for earlier, _ in _turns(history):
            state = state.update(self.parse(earlier, state))
        return state

    def as_runnable(self):  # noqa: ANN201 - a LangChain Runnable[str | dict, Answer]
        """This assistant as a LangChain Runnable: input a question, or {"question", "history", "filters"};
        output the Answer. Composes with `|`, and has `invoke`, `batch` and `stream` like any Runnable
        (`stream` yields text pieces, then the Answer)."""
        return AssistantRunnable(self)

    def stream(self, question: str, history: History | None = None,
               filters: SearchFilters | None = None, chunk: int = 80) -> Iterator[str | Answer]:
        """Yield the answer text in pieces (str), then the final Answer."""
        answer = self.ask(question, history=history, filters=filters)
        for start in range(0, len(answer.text), chunk):
            yield answer.text[start:start + chunk]
        yield answer


def _unpack(value: "str | dict") -> tuple[str, object, SearchFilters | None]:
    if isinstance(value, str):
        return value, None, None
    if isinstance(value, dict) and "question" in value:
        filters = value.get("filters")
        if isinstance(filters, dict):
            filters = SearchFilters(**filters)
        return value["question"], value.get("history"), filters
    raise QueryError("a Runnable input must be a question string or a dict with a 'question' key")


class AssistantRunnable(Runnable):
    """An Assistant as a LangChain Runnable (see `Assistant.as_runnable`)."""

    name = "DisclosureAssistant"

    def __init__(self, assistant: Assistant):
        self.assistant = assistant

    @property
    def InputType(self) -> type:  # noqa: N802 - LangChain's name
        return str

    @property
    def OutputType(self) -> type:  # noqa: N802 - LangChain's name
        return Answer

    def invoke(self, input: "str | dict", config=None, **kwargs) -> Answer:  # noqa: A002, ANN001, ANN003
        def run(value: "str | dict") -> Answer:
            question, history, filters = _unpack(value)
            return self.assistant.ask(question, history=history, filters=filters)

        return self._call_with_config(run, input, config)

    def stream(self, input: "str | dict", config=None, **kwargs) -> Iterator["str | Answer"]:  # noqa: A002, ANN001, ANN003
        question, history, filters = _unpack(input)
        yield from self.assistant.stream(question, history=history, filters=filters)
