"""Answering backends: what turns a parsed question into an Answer, and how one is chosen by name.

    backend = make_backend("offline", store, settings)              # the rule-based backend (no model)
    backend = make_backend("openai:gpt-4o-mini", store, settings)   # any LangChain chat model
    backend = make_backend(fake_chat_model, store, settings)        # a chat model object (tests)
    answer = backend.answer(query, scope, history)

Every backend gets the same input from the pipeline: the `Query` (the one reading of the question), the `Scope`
(the documents the user's filters allow, turned into documents once, in the pipeline) and the conversation's
earlier (question, answer) pairs. It returns an Answer the pipeline has not yet timed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.question.query import Query
from index.errors import ConfigError
from index.records import Answer, Document, SearchFilters
from index.settings import Settings


@dataclass(frozen=True)
class Scope:
    """The documents a question may be answered from: every complete document, or those the user's filters allow.
    `filters` is what the user chose (None when nothing), `description` how to name it to them."""

    documents: tuple[Document, ...]
    filters: SearchFilters | None = None
    description: str = ""

    @property
    def ids(self) -> list[str]:
        return [document.id for document in self.documents]

    @property
    def filtered(self) -> bool:
        return self.filters is not None

    def narrow(self, doc_ids: Sequence[str]) -> list[str]:
        """The question's own documents (companies it names) within the scope, in scope order; the whole scope when
        it names none."""
        if not doc_ids:
            return self.ids
        wanted = set(doc_ids)
        return [doc_id for doc_id in self.ids if doc_id in wanted]


class Backend(Protocol):
    """Turns a question into an Answer (see the module docstring)."""

    name: str

    def answer(self, query: Query, scope: Scope, history: Sequence[tuple[str, str]] = ()) -> Answer: ...


def _rule_based(store, settings: Settings) -> Backend:  # noqa: ANN001
    from assistant.rules.backend import RuleBackend

    return RuleBackend(store)


def _llm(spec: str, store, settings: Settings) -> Backend:  # noqa: ANN001
    from assistant.llm import LLMBackend, chat_model

    return LLMBackend(store, chat_model(spec, settings.llm), settings, name=spec)


# Backends by name; any other "PROVIDER:MODEL" is a LangChain chat model.
BACKENDS: dict[str, Callable[..., Backend]] = {"offline": _rule_based}


def make_backend(spec: "str | object", store, settings: Settings) -> Backend:  # noqa: ANN001
    """The backend `spec` names: a name in BACKENDS, "PROVIDER:MODEL", or a LangChain chat model object."""
    if not isinstance(spec, str):
        from assistant.llm import LLMBackend

        return LLMBackend(store, spec, settings, name=f"llm:{type(spec).__name__}")
    spec = spec.strip()
    if spec in BACKENDS:
        return BACKENDS[spec](store, settings)
    if ":" in spec:
        return _llm(spec, store, settings)
    raise ConfigError(f"backend {spec!r} is not {' or '.join(repr(name) for name in BACKENDS)} or 'PROVIDER:MODEL' "
                      "(e.g. openai:gpt-4o-mini, or openai:MODEL with DISCLOSURES_LLM_BASE_URL)")
