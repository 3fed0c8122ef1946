"""The rule-based backend: deterministic, no model. A parsed Query -> an Answer.

Figure questions are answered from the facts the ingest extracted (index/facts.py): the line a question asks
about is chosen by scoring every line of the documents (rules/lines.py), from one filing per company
(rules/filings.py), then its facts for the periods asked are read or combined by the calculator (rules/figures.py),
or a catalogue metric is computed (rules/analyst.py). Narrative questions are answered with cited sentences
(rules/narrative.py). Every figure in an answer is a cited row or a calculator result; when nothing in the
documents supports an answer, the answer is a refusal naming the closest thing found. Never a guessed figure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.backends import Scope
from assistant.citations import Evidence
from assistant.guard import guard_answer
from assistant.question.companies import unknown_company
from assistant.question.listing import asks_respectively, list_request
from assistant.question.parse import parse_question
from assistant.question.query import Query
from assistant.rules.analyst import answer_metric
from assistant.rules.figures import FigureAnswers
from assistant.rules.filings import reporting_documents
from assistant.rules.lines import LineFinder
from assistant.rules.listing import answer_listing, answer_respectively
from assistant.rules.narrative import LEAD, answer_narrative
from assistant.rules.selection import answer_selection
from index.cache import CatalogCache
from index.errors import CalculationError, MetricError
from index.records import Answer

# "How many years did net income exceed $30,000 thousand?", "How many types of intangible assets are there?":
# counting rows or periods, which this backend does not do (as opposed to "how many employees", a figure).
_COUNTING = re.compile(
    r"\bhow\s+many\s+(?:of\s+the\s+)?(?:[\w-]+\s+){0,3}?(?:years|quarters|periods|months|types|kinds|categories|"
    r"components|segments|items|assumptions|factors|elements|classes|sources|regions|countries|lines|"
    r"geographic\s+areas|subsidiaries|facilities|plans)\b", re.I)
_TABLE = re.compile(r"\btables?\b", re.I)
_OPERATION_NAMES = {"change": "change", "pct_change": "percentage change", "average": "average", "cagr": "growth rate",
                    "sum": "total", "ratio": "ratio", "margin": "margin"}
_RESULT_WORDS = {
    "change": r"increas|decreas|chang|grew|grow|declin|rose|fell|higher|lower|up\b|down\b|improv|reduc",
    "pct_change": r"percent|%|increas|decreas|grew|declin",
    "average": r"average|mean",
    "cagr": r"compound|annual\s+growth|cagr",
    "sum": r"total|combined|aggregate|together",
    "ratio": r"percent|%|ratio|times|proportion",
    "margin": r"margin|percent|%",
}


class RuleBackend:
    """Answers a parsed query from a store's catalog (facts, document text) and its hybrid retriever."""

    name = "offline"

    def __init__(self, store):  # noqa: ANN001
        self.store = store
        self.cache = CatalogCache(store.catalog)

    def answer(self, query: Query, scope: Scope, history: Sequence[tuple[str, str]] = ()) -> Answer:
        self.cache.refresh()
        documents = list(scope.documents)
        doc_ids = scope.narrow(query.doc_ids) if query.doc_ids or scope.filtered else []
        unknown = unknown_company(query.question, documents)
        if unknown and (not query.doc_ids or "companies" in query.inherited):
            names = ", ".join(sorted({document.company or document.title for document in documents}))
            return guard_answer(Answer(question=query.question, refused=True, text=(
                f"The disclosures do not cover {unknown}: none of the ingested documents is about it, so I cannot "
                f"answer. The documents are about: {names}.")))
        request = list_request(query.question) if query.selection is None else None
        if _COUNTING.search(query.question) and query.selection is None and not (request and request.counting):
            return guard_answer(Answer(question=query.question, refused=True, text=(
                "I cannot count lines, periods or items that meet a condition reliably; ask for the figures "
                "themselves (for example, the values for each year) and compare them.")))
        doc_ids = reporting_documents(self.cache, query, doc_ids or [document.id for document in documents])
        lines = LineFinder(self.cache, query, doc_ids)
        evidence = Evidence(self.cache)
        figures = FigureAnswers(self.cache, query, lines, evidence)
        try:
            listed = answer_listing(request, query, lines, evidence, bool(_TABLE.search(query.question))) \
                if request else None
            implicit: Answer | None = None
            if listed is None and _over_printed_periods(query, lines):
                # "The average X", "the change in X" with no period: from the line's printed periods when its
                # table makes them plain; else (a refusal) the prose may state the result ("The $29.3 million
                # increase in ..."), and only when it does not is the refusal saying which periods are printed kept.
                implicit = FigureAnswers(self.cache, query, lines, Evidence(self.cache)).answer(exact=bool(query.doc_ids))
            if listed is not None:
                answer = listed
            elif request is not None and request.counting and _COUNTING.search(query.question):
                answer = Answer(question=query.question, refused=True, text=(
                    f"No one table of the disclosures lists the {request.noun} of \u201c{request.subject}\u201d under "
                    "one heading or total, so I will not count them; ask for the lines themselves and count them."))
            elif implicit is not None and not implicit.refused:
                answer = implicit
            elif query.selection is not None:
                answer = answer_selection(query, lines, evidence, figures, exact=bool(query.doc_ids))
            elif _wants_prose(query, lines):
                answer = answer_narrative(self.store, query.question, doc_ids, evidence)
                if (not answer.refused and query.kind != "narrative" and query.operation in _OPERATION_NAMES
                        and not states_result(answer, query.operation)):
                    # A calculation asked for and no figures to compute it from: passages near the question are
                    # context, not an answer, and saying so beats quoting them as if they were one.
                    answer = answer.model_copy(update={"refused": True, "text": (
                        f"The disclosures do not give figures I can compute the {_OPERATION_NAMES[query.operation]} "
                        "from. " + answer.text.replace(LEAD, "The closest passages say:", 1))})
                if answer.refused and implicit is not None and implicit.text.startswith("The question names no period"):
                    answer = implicit
            elif query.formula is not None or query.analyst_metric or query.operation == "metric":
                answer = answer_metric(query, lines, evidence, figures.refuse,
                                       printed=lambda: self._printed_metric(query, scope, history))
            elif asks_respectively(query.question) and query.operation == "value" and len(query.periods) >= 2:
                answer = answer_respectively(query, lambda asked: FigureAnswers(self.cache, asked, lines, evidence)
                                             .answer(exact=bool(query.doc_ids)))
            else:
                answer = figures.answer(exact=bool(query.doc_ids))
        except (CalculationError, MetricError) as exc:
            answer = Answer(question=query.question, refused=True,
                            text=f"The disclosures do not give enough to answer this: {exc}.")
        return guard_answer(answer)

    def _printed_metric(self, query: Query, scope: Scope, history: Sequence[tuple[str, str]]) -> Answer | None:
        """The question read with the metric's name as a line's label: the figure the documents print under it."""
        if query.inherited or query.analyst_metric is None:
            return None  # a follow-up's reading depends on the turns before; not re-read without them
        reading = parse_question(query.question, list(scope.documents), catalogue=False)
        if (reading.analyst_metric or reading.formula is not None or reading.kind != "figure"
                or not (reading.label or reading.metrics)):
            return None
        return self.answer(reading.model_copy(update={"doc_ids": query.doc_ids}), scope, history)


def _over_printed_periods(query: Query, lines: LineFinder) -> bool:
    """Whether the question asks an average, change or percentage change of a table line and names no period."""
    if (query.periods or query.compare_prior or query.selection is not None or query.kind == "narrative"
            or query.operation not in ("average", "change", "pct_change") or query.formula is not None
            or query.analyst_metric or re.match(r"\s*(?:when|why|who|where|how\s+(?!much|many))\b", query.question, re.I)):
        return False
    return bool(query.metrics) or any(line.table for line in lines.best(1))


def _wants_prose(query: Query, lines: LineFinder) -> bool:
    """Whether the answer is in the prose rather than a line of the statements."""
    if query.kind == "narrative":
        return True
    if query.formula is not None or query.analyst_metric or query.operation in ("ratio", "sum", "margin", "compare",
                                                                                "direction"):
        return False
    if re.match(r"\s*(?:when|why|who|where)\b", query.question, re.I):
        return True
    if not query.periods and not query.compare_prior:
        return True
    # No line of the documents is what the question names: the answer, if any, is in the prose.
    if query.metrics:
        return False
    if any(line.table for line in lines.best(1)):
        return False
    # A follow-up ("And in 2021?") names its line through the previous turn.
    return not ("metrics" in query.inherited and query.label and any(line.table for line in lines.best(1, query.label)))


def states_result(answer: Answer, operation: str) -> bool:
    """Whether the first quoted sentence states the result itself ("The $29.3 million increase in ..."): a number
    and a word of the operation asked for."""
    if not answer.citations:
        return False
    quote = answer.citations[0].quote
    return bool(re.search(r"\d", quote)) and bool(re.search(_RESULT_WORDS[operation], quote, re.I))
