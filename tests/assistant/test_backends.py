"""Backends (assistant/backends.py): chosen by name from one registry; the Scope a question may use."""

from __future__ import annotations

import pytest

from assistant.backends import BACKENDS, Scope, make_backend
from assistant.rules.backend import RuleBackend
from index.errors import ConfigError
from index.records import Document, SearchFilters


def _doc(doc_id: str) -> Document:
    return Document(id=doc_id, title=doc_id, source_path=f"{doc_id}.txt", content_hash="h", char_count=1)


def test_backends_by_name(seed_store, settings):
    assert "offline" in BACKENDS
    assert isinstance(make_backend("offline", seed_store, settings), RuleBackend)
    with pytest.raises(ConfigError, match="'offline' or 'PROVIDER:MODEL'"):
        make_backend("gpt4", seed_store, settings)


def test_a_chat_model_object_is_an_llm_backend(seed_store, settings):
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    from assistant.llm import LLMBackend

    backend = make_backend(GenericFakeChatModel(messages=iter([])), seed_store, settings)
    assert isinstance(backend, LLMBackend) and backend.name == "llm:GenericFakeChatModel"


def test_a_scope_narrows_to_the_documents_a_question_names():
    everything = Scope((_doc("a"), _doc("b"), _doc("c")))
    assert everything.ids == ["a", "b", "c"] and not everything.filtered
    assert everything.narrow(["c", "a"]) == ["a", "c"] and everything.narrow([]) == ["a", "b", "c"]
    filtered = Scope((_doc("b"),), SearchFilters(docs=["b"]), "docs=['b']")
    assert filtered.filtered and filtered.narrow(["a"]) == [] and filtered.narrow([]) == ["b"]
