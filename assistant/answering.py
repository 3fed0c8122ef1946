"""The one answering path every front end uses: question -> parsed Query -> backend -> guarded Answer.

    assistant = Assistant.from_settings(load_settings())      # or Assistant(store) for an open Store
    conversation = Conversation()                              # held by the front end, one per user or thread
    answer = assistant.ask("What were G&A fees in H1 2021?", conversation)
    answer = assistant.ask("And in 2020?", conversation)       # a follow-up, read through the earlier turns

The Assistant keeps no conversation of its own, so one Assistant serves every user of a front end. Without a
conversation a question stands alone. The user's filters are turned into the documents they allow here, once, for
every backend; a question about a company outside them is refused here too.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from langchain_core.runnables import Runnable

from assistant.backends import Scope, make_backend
from assistant.conversation import Conversation
from assistant.guard import guard_answer
from assistant.question.parse import parse_question
from assistant.question.query import Query
from index.errors import QueryError
from index.records import Answer, Document, SearchFilters
from index.settings import Settings


class Assistant:
    """Answers questions over the store's documents.

    `backend` is "offline" (rule-based, no model), "PROVIDER:MODEL" (any LangChain chat model, through
    `init_chat_model`; see assistant/llm.py), or a LangChain chat model object (tests pass fake ones here);
    by default the settings' `DISCLOSURES_BACKEND`.
    """

    def __init__(self, store, backend: "str | object | None" = None, settings: Settings | None = None):  # noqa: ANN001
        self.store = store
        self.settings = settings or Settings(store=store.settings)
        self.backend = make_backend(self.settings.answering.backend if backend is None else backend, store,
                                    self.settings)

    @classmethod
    def from_settings(cls, settings: Settings, backend: "str | object | None" = None) -> "Assistant":
        from index.store import open_store

        return cls(open_store(settings), backend=backend, settings=settings)

    @property
    def backend_name(self) -> str:
        return self.backend.name

    def read(self, question: str, conversation: Conversation | None = None,
             documents: list[Document] | None = None) -> Query:
        """How the question is read, against the store's documents and the conversation's earlier turns."""
        documents = self.store.documents() if documents is None else documents
        conversation = conversation if conversation is not None else Conversation()
        self._read_earlier(conversation, documents)
        return parse_question(question, documents, conversation.state())

    def ask(self, question: str, conversation: Conversation | None = None,
            filters: SearchFilters | None = None) -> Answer:
        """Answer `question`; with a conversation, as its next turn (and the turn is added to it)."""
        if not question or not question.strip():
            raise QueryError("empty question: type a question about the disclosures")
        from index.store import require_documents

        started = time.perf_counter()
        require_documents(self.store)
        conversation = conversation if conversation is not None else Conversation()
        documents = self.store.documents()
        query = self.read(question, conversation, documents)
        parsed = time.perf_counter()
        scope = self.scope(filters, documents)
        if scope.filtered and query.doc_ids and not scope.narrow(query.doc_ids):
            # The user's filter bounds everything: a company the question names outside it is not searched.
            names = ", ".join(query.companies) or "the documents it names"
            answer = guard_answer(Answer(question=question, refused=True, text=(
                f"The question is about {names}, but the conversation is filtered to {scope.description}: "
                "no document in the filter answers it.")))
        elif query.unclear:
            # Every backend: a part of the question not understood is named, never answered as a nearby question.
            answer = guard_answer(Answer(question=question, refused=True, text=(
                f"I did not understand {'; '.join(query.unclear)}, so I will not answer rather than answer a "
                "different question. Rephrase that part and ask again.")))
        else:
            answer = self.backend.answer(query, scope, conversation.history())
        done = time.perf_counter()
        timings = {"parse_ms": round((parsed - started) * 1000, 2), "answer_ms": round((done - parsed) * 1000, 2),
                   "total_ms": round((done - started) * 1000, 2)}
        answer = answer.model_copy(update={"backend": self.backend_name, "timings": timings})
        conversation.add(question, answer, query)
        return answer

    def scope(self, filters: SearchFilters | None, documents: list[Document] | None = None) -> Scope:
        """The documents the filters allow (every complete document without filters)."""
        documents = self.store.documents() if documents is None else documents
        if filters is None or filters.is_empty():
            return Scope(tuple(documents))
        allowed = set(self.store.filter_doc_ids(filters) or [])
        return Scope(tuple(document for document in documents if document.id in allowed), filters,
                     self.store.describe_filters(filters))

    def _read_earlier(self, conversation: Conversation, documents: list[Document]) -> None:
        """Give turns given as text (a replayed history) their reading, in order."""
        if not conversation.unread():
            return
        for index, turn in enumerate(conversation.turns):
            if turn.query is None:
                earlier = type(conversation)(conversation.turns[:index])
                turn.query = parse_question(turn.question, documents, earlier.state())

    def stream(self, question: str, conversation: Conversation | None = None,
               filters: SearchFilters | None = None, chunk: int = 80) -> Iterator[str | Answer]:
        """Yield the answer text in pieces (str), then the final Answer."""
        answer = self.ask(question, conversation, filters)
        for start in range(0, len(answer.text), chunk):
            yield answer.text[start:start + chunk]
        yield answer

    def as_runnable(self):  # noqa: ANN201 - a LangChain Runnable[str | dict, Answer]
        """This assistant as a LangChain Runnable: input a question, or {"question", "history", "filters"} (history
        as `Conversation.from_history` takes it); output the Answer. Composes with `|`, and has `invoke`, `batch`
        and `stream` like any Runnable (`stream` yields text pieces, then the Answer)."""
        return AssistantRunnable(self)


def _unpack(value: "str | dict") -> tuple[str, Conversation, SearchFilters | None]:
    if isinstance(value, str):
        return value, Conversation(), None
    if isinstance(value, dict) and "question" in value:
        filters = value.get("filters")
        if isinstance(filters, dict):
            filters = SearchFilters(**filters)
        history = value.get("history")
        conversation = history if isinstance(history, Conversation) else Conversation.from_history(history or [])
        return value["question"], conversation, filters
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
            question, conversation, filters = _unpack(value)
            return self.assistant.ask(question, conversation, filters)

        return self._call_with_config(run, input, config)

    def stream(self, input: "str | dict", config=None, **kwargs) -> Iterator["str | Answer"]:  # noqa: A002, ANN001, ANN003
        question, conversation, filters = _unpack(input)
        yield from self.assistant.stream(question, conversation, filters)
