"""The LLM answering backend: any LangChain chat model, driving three tools, checked by the numeric guard.

    backend = LLMBackend(store, chat_model("openai:gpt-4o-mini", settings.llm), settings, name="openai:gpt-4o-mini")
    answer = backend.answer(query, scope, history=[("earlier question", "earlier answer"), ...])

The model gets the prompts in prompts/ (system, answer_format, refusal; repair for the second pass) and three
tools (assistant/llm_tools.py: `search_disclosures`, `lookup_facts`, `calculator`), built afresh for each question
around the evidence they show it, and bounded by the user's filters.

When the model answers, its `[n]` markers are mapped to the passages the tools showed (renumbered 1..k in the
order they appear; markers that name nothing shown are dropped). The guard then checks every number of the text
against the cited quotes and the calculator results. A calculator result counts only when its literal operands
are themselves in a cited quote or conventional constants (100, 365, ...): the model cannot launder an invented
number through the calculator. If numbers remain unsupported, the model is asked once to repair its answer
(prompts/repair.md, with the list); whatever is still unsupported is then marked "[unverified]" and listed in
`unsupported_numbers`, with `grounded=false`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from assistant.backends import Scope
from assistant.llm_tools import ToolBox
from index.errors import ConfigError, DisclosuresError, LLMError
from assistant.guard import check_numbers, mark_unverified
from index.numbers import numbers_in_text
from assistant.question.query import Query
from index.cache import CatalogCache
from index.records import Answer, AnswerValue, Citation, Figure
from index.settings import LLMSettings, Settings
from prompts import load_prompt

CONSTANTS = frozenset(Decimal(value) for value in (0, 1, 2, 3, 4, 5, 10, 12, 52, 100, 360, 365, 1000))
"""Numbers a calculator expression may use without a source: unit conversions, periods per year, round()'s digits."""

_MARKER = re.compile(r"\[(\s*[0-9]+(?:\s*[,;]\s*[0-9]+)*\s*)\]")
_REFUSAL = re.compile(r"\b(?:do(?:es)?\s+not|don't|doesn't|cannot|can't|could\s+not|couldn't)\s+"
                      r"(?:report|state|disclose|contain|include|give|provide|find|answer|say)|\bnot\s+(?:reported|stated|"
                      r"disclosed)\b|\bno\s+(?:information|figure|data)\b", re.I)


def chat_model(spec: str, llm: LLMSettings):  # noqa: ANN201 - a LangChain BaseChatModel
    """The chat model a backend spec names: "provider:model" through LangChain's `init_chat_model`, or, when
    `llm.base_url` (DISCLOSURES_LLM_BASE_URL) is set, any model name served by an OpenAI-compatible server (vLLM, llama.cpp)."""
    try:
        from langchain.chat_models import init_chat_model
    except ImportError:  # pragma: no cover - langchain is a dependency
        raise ConfigError("LLM backends need the langchain package: reinstall with `make install`") from None
    provider, _, model = spec.partition(":")
    if not model:
        provider, model = ("openai", spec) if llm.base_url else ("", "")
    if not provider or not model:
        raise ConfigError(f"backend {spec!r} is not 'offline' or 'PROVIDER:MODEL' (e.g. openai:gpt-4o-mini, "
                          "anthropic:claude-sonnet-4-5, ollama:llama3.1)")
    kwargs: dict[str, object] = {"temperature": llm.temperature, "max_tokens": llm.max_tokens}
    if llm.base_url:
        if provider != "openai":
            raise ConfigError(f"DISCLOSURES_LLM_BASE_URL is for OpenAI-compatible servers: use the backend "
                              f"'openai:{model}', not {spec!r}")
        # OpenAI's client sends `max_completion_tokens`, which llama.cpp's server ignores (it would generate to the
        # end of its context); `max_tokens` in the body is what such servers read.
        kwargs.update(base_url=llm.base_url, timeout=llm.timeout, max_retries=1,
                      extra_body={"max_tokens": llm.max_tokens},
                      api_key=llm.api_key.get_secret_value() if llm.api_key else "not-needed")
    elif llm.api_key:
        kwargs["api_key"] = llm.api_key.get_secret_value()
    try:
        return init_chat_model(model, model_provider=provider, **kwargs)
    except ImportError as exc:
        package = f"langchain-{provider.replace('_', '-')}"
        raise ConfigError(f"backend {spec!r} needs the {package} package: pip install {package} "
                          f"(or `pip install -e '.[{provider}]'` where the project names it as an extra)") from exc
    except ValueError as exc:
        raise ConfigError(f"backend {spec!r}: {str(exc).splitlines()[0]}") from exc


class LLMBackend:
    """Answers with a LangChain chat model that calls our tools; see the module docstring."""

    def __init__(self, store, model, settings: Settings, name: str = "llm"):  # noqa: ANN001
        from index.retrieval import HybridRetriever

        self.store = store
        self.model = model
        self.settings = settings
        self.name = name
        self.cache = CatalogCache(store.catalog)
        self.retriever = HybridRetriever(store=store, k=settings.store.search_k)


    # --- answering

    def answer(self, query: Query, scope: Scope, history: Sequence[tuple[str, str]] = ()) -> Answer:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        self.cache.refresh()
        doc_ids = scope.ids
        ledger = ToolBox(self.cache, self.retriever, doc_ids, self.settings.llm.max_facts)
        tools = {tool.name: tool for tool in ledger.tools()}
        model = _bind(self.model, list(tools.values()))
        first = None
        if self.settings.llm.first_tool:
            if self.settings.llm.first_tool not in tools:
                raise ConfigError(f"DISCLOSURES_LLM_FIRST_TOOL must name one of the tools {', '.join(tools)}, "
                                  f"not {self.settings.llm.first_tool!r}")
            first = self.model.bind_tools(list(tools.values()), tool_choice=self.settings.llm.first_tool)
        system = "\n".join(load_prompt(name) for name in ("system", "answer_format", "refusal"))
        # The parser's reading of the question, so that the model answers exactly the quantity asked.
        system += f"\n\nHow the question reads: {query.reading()}. Answer exactly that quantity, or refuse."
        messages: list = [SystemMessage(system)]
        turns = self.settings.llm.history_turns
        for earlier, said in (list(history)[-turns:] if turns else []):
            messages += [HumanMessage(earlier), AIMessage(said)]
        messages.append(HumanMessage(self._question(query, doc_ids)))
        usage: dict[str, int] = {}

        text = self._run(model, tools, messages, usage, first=first)
        answer = self._compose(query, text, ledger)
        repaired = False
        if answer.unsupported_numbers:
            messages.append(HumanMessage(load_prompt("repair").format(numbers="\n".join(
                f"- {number}" for number in answer.unsupported_numbers))))
            text = self._run(model, tools, messages, usage)
            answer = self._compose(query, text, ledger)
            repaired = True
        answer = answer.model_copy(update={"text": mark_unverified(answer.text, answer.unsupported_numbers),
                                           "tokens": usage, "repaired": repaired,
                                           "tool_calls": list(ledger.tool_calls)})
        return answer

    def _question(self, query: Query, doc_ids: list[str]) -> str:
        names = sorted({self.cache.document(doc_id).title for doc_id in doc_ids})
        scope = "; ".join(names[:12]) + (f"; and {len(names) - 12} more" if len(names) > 12 else "")
        return f"{query.question}\n\n(Documents you can search: {scope}.)"

    def _run(self, model, tools: dict, messages: list, usage: dict[str, int], first=None) -> str:  # noqa: ANN001
        """Let the model call tools until it answers; the final answer text ("" if it never did)."""
        from langchain_core.messages import ToolMessage

        for step in range(self.settings.llm.max_steps):
            try:
                reply = (first if step == 0 and first is not None else model).invoke(messages)
            except DisclosuresError:
                raise
            except Exception as exc:  # noqa: BLE001 - any provider failure becomes one line
                detail = " ".join(str(exc).split())
                if self.settings.llm.api_key and self.settings.llm.api_key.get_secret_value():
                    detail = detail.replace(self.settings.llm.api_key.get_secret_value(), "***")
                raise LLMError(f"the LLM backend {self.name} failed: {type(exc).__name__}: {detail[:300]}") from None
            if reply.tool_calls and not reply.content:
                # Sent back as `"content": null`, which llama.cpp's server rejects; a space is valid everywhere.
                reply = reply.model_copy(update={"content": " "})
            messages.append(reply)
            for key, value in (getattr(reply, "usage_metadata", None) or {}).items():
                if isinstance(value, int):
                    usage[key] = usage.get(key, 0) + value
            if not reply.tool_calls:
                return _content_text(reply)
            for call in reply.tool_calls:
                tool = tools.get(call["name"])
                if tool is None:
                    messages.append(ToolMessage(f"there is no tool {call['name']!r}; the tools are "
                                                f"{', '.join(tools)}", tool_call_id=call["id"], status="error"))
                    continue
                try:
                    messages.append(tool.invoke(call))
                except DisclosuresError as exc:
                    messages.append(ToolMessage(f"error: {exc}", tool_call_id=call["id"], status="error"))
                except ValueError as exc:  # arguments that do not fit the tool's schema
                    messages.append(ToolMessage(f"invalid arguments for {call['name']}: {' '.join(str(exc).split())[:300]}",
                                                tool_call_id=call["id"], status="error"))
        return ""

    def _compose(self, query: Query, text: str, ledger: ToolBox) -> Answer:
        """The Answer for the model's text: its markers mapped to the passages shown, checked by the guard."""
        text = text.strip()
        if not text:
            return Answer(question=query.question, refused=True, backend=self.name, text=(
                "The model gave no answer (an empty reply, or still calling tools at its step limit, "
                "DISCLOSURES_LLM_MAX_STEPS), so I cannot answer this."))
        shown = {citation.n: citation for citation in ledger.citations}
        order: dict[int, int] = {}

        def renumber(match: re.Match) -> str:
            kept = []
            for part in re.split(r"[,;]", match.group(1)):
                n = int(part)
                if n in shown:
                    order.setdefault(n, len(order) + 1)
                    kept.append(str(order[n]))
            return f"[{', '.join(kept)}]" if kept else ""

        text = _MARKER.sub(renumber, text)
        text = re.sub(r"[ \t]+([.,;:])", r"\1", re.sub(r"[ \t]{2,}", " ", text))
        citations = [shown[n].model_copy(update={"n": order[n]}) for n in order]
        # The figures this answer states, and the rows their facts come from (cited even if the model did not).
        stated = {number.value for number in numbers_in_text(text)}
        figures = [figure for figure in ledger.figures
                   if figure.value in stated or any(number.raw in text for number in numbers_in_text(figure.display))]
        for figure in figures:
            for fact in figure.facts:
                n = ledger.cite_fact(fact)
                if n not in order:
                    order[n] = len(order) + 1
                    citations.append(shown_or(ledger, n).model_copy(update={"n": order[n]}))
        grounded_figures = [figure for figure in figures if not _laundered(figure, citations)]
        unsupported = check_numbers(text, citations, grounded_figures)
        refused = bool(_REFUSAL.search(text)) and not figures
        return Answer(question=query.question, text=text, citations=citations, figures=figures,
                      value=None if refused else _headline(query, text, grounded_figures, unsupported),
                      grounded=not unsupported, unsupported_numbers=unsupported, refused=refused, backend=self.name)


def _bind(model, tools: list):  # noqa: ANN001, ANN202
    """The model with our tools, and tool_choice "auto" said explicitly: some OpenAI-compatible servers
    (llama.cpp's function-calling format) ignore tools when no tool_choice is sent."""
    try:
        return model.bind_tools(tools, tool_choice="auto")
    except (TypeError, ValueError):
        return model.bind_tools(tools)
    except NotImplementedError:
        raise ConfigError(f"the chat model {type(model).__name__} cannot call tools; choose a model that supports "
                          "tool calling") from None


def shown_or(ledger: ToolBox, n: int) -> Citation:
    return next(citation for citation in ledger.citations if citation.n == n)


def _laundered(figure: Figure, citations: Sequence[Citation]) -> bool:
    """Whether a calculator result used a literal number that no cited quote states (and that is no constant)."""
    expression = re.sub(r"@[\w-]+", " ", figure.expression)
    literals = [number for number in numbers_in_text(expression) if abs(number.value) not in CONSTANTS]
    if not literals:
        return False
    literal_text = " ".join(number.raw.replace("−", "-") for number in literals)
    return bool(check_numbers(literal_text, citations, []))


def _headline(query: Query, text: str, figures: Sequence[Figure], unsupported: Sequence[str]) -> AnswerValue | None:
    """The first supported figure of the answer, for a question that asks for one."""
    if query.kind == "narrative":
        return None
    for number in numbers_in_text(text):
        if number.raw in unsupported:
            continue
        for figure in figures:
            if figure.value == number.value or number.raw.rstrip("%").strip() in figure.display:
                return AnswerValue(number=figure.value, unit="percent" if figure.unit == "percent" else "number")
        unit = "percent" if number.percent else ("USD" if "$" in number.raw or "USD" in number.raw else "number")
        return AnswerValue(number=number.value, unit=unit, scale=number.scale)
    return None


def _content_text(message) -> str:  # noqa: ANN001
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(block.get("text", "") if isinstance(block, dict) else str(block) for block in content)
