"""The tools an LLM backend gives its model, built afresh for each question around the evidence they show it:
- `search_disclosures`: the hybrid retriever; each passage comes back as quoted data inside
  `<passage n="3" ...>...</passage>`, numbered with the citation number the model must use;
- `lookup_facts`: the fact store; each fact with its citation number, its `@ID` for the calculator, its label,
  period and value as printed;
- `calculator`: assistant/calculator.py; each result is kept as a Figure.

Document text is untrusted. It only ever reaches the model inside a tool result, fenced, with any fence-like tag
in the text neutralized, so a filing cannot close its quote and speak as the system. The user's filters (the
Scope) bound every tool call: the model can narrow a search, never widen it.
"""

from __future__ import annotations

import json
import re

from assistant.calculator import calculate
from assistant.citations import Evidence
from index.boilerplate import evidence_hits
from index.cache import CatalogCache
from index.catalog import matches_reference
from index.companies import company_matches
from index.errors import CalculationError
from index.numbers import scale_suffix
from index.periods import document_matches_period
from index.records import Fact, SearchFilters

_FENCE = re.compile(r"</?\s*(passage|fact|facts|system|instructions?)\b", re.I)


def quote_passage(n: int, title: str, page: int | None, section: str | None, text: str) -> str:
    """A passage as quoted data for the model. Tags in the document that look like our fences are defused."""
    attributes = [f'n="{n}"', f'document="{_attribute(title)}"']
    if page:
        attributes.append(f'page="{page}"')
    if section:
        attributes.append(f'section="{_attribute(section)}"')
    return f"<passage {' '.join(attributes)}>\n{_defuse(text)}\n</passage>"


def _defuse(text: str) -> str:
    return _FENCE.sub(lambda match: match.group(0).replace("<", "‹"), text)


def _attribute(text: str) -> str:
    return _defuse(" ".join(text.split())).replace('"', "'")[:120]


class ToolBox:
    """The tools of one question, and what they showed the model: citations by number, facts by id, figures, and
    the tools called, in order."""

    def __init__(self, cache: CatalogCache, retriever, doc_ids: list[str], max_facts: int):  # noqa: ANN001
        self.cache = cache
        self.retriever = retriever
        self.doc_ids = doc_ids
        self.max_facts = max_facts
        self.evidence = Evidence(cache)
        self.facts: dict[str, Fact] = {}
        self.tool_calls: list[str] = []

    @property
    def citations(self):  # noqa: ANN201 - list[Citation]
        return self.evidence.citations

    @property
    def figures(self):  # noqa: ANN201 - list[Figure]
        return self.evidence.figures

    def cite_passage(self, hit) -> int:  # noqa: ANN001 - a SearchHit
        passage = hit.passage
        return self.evidence.cite_span(passage.doc_id, passage.start, passage.end, passage.id, passage.page)

    def cite_fact(self, fact: Fact) -> int:
        self.facts[fact.id] = fact
        return self.evidence.cite_fact(fact)

    def documents_for(self, company: str | None, doc: str | None, period: str | None) -> list[str]:
        """The documents a tool call may see: the question's own (the user's filters), narrowed by the call."""
        documents = [self.cache.document(doc_id) for doc_id in self.doc_ids]
        if company:
            documents = [document for document in documents if company_matches(document, company)]
        if doc:
            documents = [document for document in documents if matches_reference(document, doc)]
        if period:
            narrowed = [document for document in documents if document_matches_period(document, period)]
            documents = narrowed or documents  # a period often names a column, not the document's own period
        return [document.id for document in documents]

    def tools(self) -> list:
        from langchain_core.tools import StructuredTool

        from assistant.calculator import CalculatorInput, calculator_tool

        def search_disclosures(query: str, company: str | None = None, doc: str | None = None,
                               period: str | None = None, k: int = 5) -> str:
            self.tool_calls.append("search_disclosures")
            doc_ids = self.documents_for(company, doc, period)
            if not doc_ids:
                return "No document matches those filters; search without them or try another company name."
            wanted = max(1, min(int(k), 10))
            # Exhibit indexes, the auditor's report, disclaimers: left out unless the search asks for them.
            hits = evidence_hits(self.retriever.search(query, k=wanted * 2, filters=SearchFilters(docs=doc_ids)),
                                 query)[:wanted]
            if not hits:
                return "No passage matches."
            return "\n\n".join(quote_passage(self.cite_passage(hit), hit.document.title, hit.passage.page,
                                             hit.passage.section, hit.passage.text) for hit in hits)

        def lookup_facts(label: str, company: str | None = None, doc: str | None = None,
                         period: str | None = None, statement: str | None = None) -> str:
            from index.facts import find_facts

            self.tool_calls.append("lookup_facts")
            doc_ids = self.documents_for(company, doc, None)
            if not doc_ids:
                return "No document matches those filters."
            found = find_facts(self.cache.catalog, doc_ids, label or None, period or None, statement or None)
            found = [fact for fact in found if fact.value is not None][: self.max_facts]
            if not found:
                return f"No figure labelled like {label!r}" + (f" for {period}" if period else "") + "."
            lines = []
            for fact in found:
                n = self.cite_fact(fact)
                title = self.cache.document(fact.doc_id).title
                scale = scale_suffix(fact.scale, fact.raw)
                lines.append(f"[{n}] @{fact.id} | {_defuse(fact.label)} | {fact.period or 'period not stated'} | "
                             f"{fact.raw}{scale} ({fact.kind}) | {_defuse(title)}" + (f", page {fact.page}" if fact.page else ""))
            return "<facts>\n" + "\n".join(lines) + "\n</facts>"

        def resolve(fact_id: str) -> Fact | None:
            if fact_id in self.facts:
                return self.facts[fact_id]
            found = self.cache.catalog.facts(fact_ids=[fact_id])
            if found and found[0].doc_id in self.doc_ids:
                self.cite_fact(found[0])
                return found[0]
            return None

        calculator = calculator_tool(resolve)

        def calculate_and_keep(expression: str) -> str:
            self.tool_calls.append("calculator")
            try:
                figure = calculate(expression, resolve)
            except CalculationError as exc:
                return f"calculator error: {exc}"
            self.figures.append(figure)
            return json.dumps({"value": str(figure.value), "unit": figure.unit, "display": figure.display,
                               "derivation": figure.derivation})

        return [
            StructuredTool.from_function(
                search_disclosures, name="search_disclosures",
                description="Search the ingested disclosures. Returns numbered passages (quoted document text). "
                            "Optional filters: company (name or ticker), doc (document id), period (e.g. FY2022)."),
            StructuredTool.from_function(
                lookup_facts, name="lookup_facts",
                description="Figures the documents state (table rows and sentence figures) by label, e.g. "
                            "'research and development', 'total revenue', 'capex'. Each comes with its citation "
                            "number [n] and an @ID to use in the calculator. Optional: company, doc, period "
                            "('2021', 'FY2022', 'June 30, 2021', 'H1 2021'), statement (balance_sheet, "
                            "income_statement, cash_flow)."),
            StructuredTool.from_function(calculate_and_keep, name="calculator", args_schema=CalculatorInput,
                                         description=calculator.description),
        ]
