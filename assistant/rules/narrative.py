"""Narrative answers: the sentences of the best retrieved passages that share most words with the question,
quoted and cited ("The disclosures say: “...” [1]").

A question that asks for a name, a date, a figure, a cause or a list (rules/answer_spans.py) is answered by the
best sentence that holds one, quoted alone, with the few words that answer it in `Answer.spans`; a "who is the
CFO" the sentences never name is refused rather than answered with the nearest sentence."""

from __future__ import annotations

import re
from collections import defaultdict

from assistant.citations import Evidence
from assistant.rules.answer_spans import ROLE_WORDS, kind_of, prefers, role_asked, spans_in
from assistant.rules.lines import words
from assistant.rules.phrases import answering_part, asks_several, items
from index.boilerplate import asked_kinds, boilerplate_kind
from index.periods import MONTH_NAME, YEAR
from index.records import Answer, SearchFilters
from index.sentences import sentence_spans

_SYNONYMS = {"start": "commencing", "starting": "commencing", "begin": "commencing", "fund": "funding",
             "territory": "region", "buy": "purchased", "bought": "purchased"}
# "In which years was operating income calculated?", "Which years does the table provide information for?": the
# years of a table's header; not "In which year was it larger?" (a comparison of the figures).
_TABLE_YEARS = re.compile(r"^\s*(?:in\s+)?(?:which|what)\s+(?:financial\s+|fiscal\s+)?years['’]?\s+(?:information\s+)?"
                          r"(?:does|do|is|are|was|were)\b.*\b(?:calculated|provided|provide|recorded|presented|shown|"
                          r"show|information|reported|disclosed|included|given)\b", re.I)
_WHICH_YEAR = re.compile(r"^\s*(?:in\s+|for\s+)?(?:which|what)\s+(?:financial\s+|fiscal\s+)?(?:years?|periods?)\b", re.I)
_COMPARING = re.compile(r"\b(?:larger|largest|higher|highest|lower|lowest|less|more|most|least|greater|greatest|exceed\w*|"
                        r"smaller|smallest|above|below|negative|positive|increas\w*|decreas\w*)\b", re.I)
_TABLE_WORDS = frozenset(words("table tables information provide provided calculated recorded presented shown show "
                               "reported disclosed included given financial fiscal"))
_INTRODUCES = 300  # characters between a sentence that introduces a table ("... as follows:") and the table
# A sentence answers a short-answer question only if it is nearly as close to it as the best one.
_NEAR_BEST = 0.75
_MIN_SENTENCE = 15
LEAD = "The disclosures say:"


def answer_narrative(store, question: str, doc_ids: list[str], evidence: Evidence) -> Answer:  # noqa: ANN001
    from index.retrieval import HybridRetriever

    filters = SearchFilters(docs=doc_ids) if doc_ids else None
    # "CEO" is "Chief Executive Officer" in a filing's prose: search and score with both.
    expanded = re.sub(r"\b(ceo|cfo|coo)\b", lambda match: f"{match.group(1)} {ROLE_WORDS[match.group(1).lower()]}",
                      question, flags=re.I)
    hits = HybridRetriever(store=store, k=6, filters=filters).search(expanded)
    # One-letter words are what is left of a possessive or a period ("Oracle's", "H1"): never a match on their own.
    asked = {word for word in words(expanded) if len(word) > 1} - {"say", "said", "expect", "explain", "explained",
                                                                    "drove", "happen"}
    asked |= {_SYNONYMS[word] for word in asked if word in _SYNONYMS}
    if _WHICH_YEAR.search(question) and _COMPARING.search(question):
        # "In which year was net income larger?": a comparison of a line's figures, which no quoted sentence is.
        return Answer(question=question, refused=True, text=(
            "I cannot compare the figures of several periods to pick one out; ask for the figures of each period "
            "and compare them."))
    if _TABLE_YEARS.search(question) and not _COMPARING.search(question):
        years = _years_of_table(question, [hit.passage for hit in hits], evidence)
        if years is not None:
            return years
    candidates: list[tuple[int, str, int, int, object, set[str]]] = []
    boilerplate_asked = asked_kinds(question)
    for rank, hit in enumerate(hits):
        passage = hit.passage
        if passage.kind == "table":
            continue
        for start, end in sentences(passage.text):
            sentence = passage.text[start:end]
            if (kind := boilerplate_kind(None, sentence)) is not None and kind not in boilerplate_asked:
                continue  # an exhibit index, the auditor's report, a disclaimer: not quoted unless asked about
            candidates.append((rank, sentence, passage.start + start, passage.start + end, passage, words(sentence)))
    frequency: dict[str, int] = defaultdict(int)
    for *_, found in candidates:
        for word in found:
            frequency[word] += 1
    scored = []
    for rank, sentence, start, end, passage, found in candidates:
        shared = asked & found
        if not shared:
            continue
        score = sum(1 + 1 / frequency[word] for word in shared) - 0.05 * rank
        scored.append((score, rank, sentence, start, end, passage))
    if not scored:
        return Answer(question=question, refused=True,
                      text="The disclosures do not say anything I can quote in answer to this.")
    scored.sort(key=lambda item: -item[0])
    kind = kind_of(question)
    if kind:
        short = _short_answer(question, kind, scored, evidence)
        if short is not None:
            return short
    best = scored[0][0]
    chosen = [item for item in scored[:3] if item[0] >= best * 0.6]
    spans = _phrase(question, chosen)
    # The sentence after the best one often finishes its thought ("... retained rights in the rest of the world").
    top = scored[0]
    following = [item for item in candidates if item[4] is top[5] and item[2] > top[3]]
    if following:
        after = min(following, key=lambda item: item[2])
        if after[2] - top[4] <= 3 and all(item[3] != after[2] for item in chosen):
            chosen.append((0, after[0], after[1], after[2], after[3], after[4]))
    chosen.sort(key=lambda item: item[3])
    parts = []
    for _, _, sentence, start, end, passage in chosen:
        marker = evidence.cite_span(passage.doc_id, start, end, passage.id, passage.page)
        parts.append(f"“{' '.join(sentence.split())}” [{marker}]")
    return Answer(question=question, text=f"{LEAD} " + " ".join(parts), citations=evidence.citations, spans=spans)


def _phrase(question: str, chosen: list) -> list[str]:  # noqa: ANN001
    """The words of the closest quoted sentence that answer the question (rules/phrases.py), the items of a list
    when the question asks for several; [] when no sentence lines up with the question well enough to tell."""
    for _, _, sentence, *_ in chosen:
        phrase = answering_part(question, " ".join(sentence.split()))
        if phrase:
            listed = items(phrase) if asks_several(question) else []
            return listed or [phrase]
    return []


def _short_answer(question: str, kind: str, scored: list, evidence: Evidence) -> Answer | None:  # noqa: ANN001
    """The best sentence that holds the kind of answer asked for, quoted alone, with its spans; a refusal when the
    question names a role no sentence names; None when no sentence near the best holds an answer of that kind."""
    role = role_asked(question) if kind == "who" else None
    best = scored[0][0]
    near = scored if role else [item for item in scored[:4] if item[0] >= best * _NEAR_BEST]
    # "How many cohorts are planned": a sentence that says "planned" (or "up to", "maximum") before one that does not.
    near = sorted(near, key=lambda item: not prefers(question, item[2])) if kind == "quantity" else near
    for _, _, sentence, start, end, passage in near:
        found = spans_in(question, " ".join(sentence.split()), kind)
        if found:
            marker = evidence.cite_span(passage.doc_id, start, end, passage.id, passage.page)
            return Answer(question=question, text=f"{LEAD} “{' '.join(sentence.split())}” [{marker}]",
                          citations=evidence.citations, spans=found)
    if role:
        return Answer(question=question, refused=True, text=(
            "The disclosures do not name who that is: no passage I found mentions the role asked about."))
    return None


def _years_of_table(question: str, passages: list, evidence: Evidence) -> Answer | None:  # noqa: ANN001
    """ "Which years does the table provide information for net sales?": the years of the header of the table the
    question names (the one sharing most of its words, or the one a sentence naming it introduces: "Operating
    income included the following:"), or None when no table is about it."""
    asked = words(question) - _TABLE_WORDS
    tables = [passage for passage in passages if passage.kind == "table"]
    best, best_shared = None, 0
    for passage in tables:
        shared = len(asked & words(passage.text))
        if best is None and not asked or shared > best_shared:
            best, best_shared = passage, shared
    if best is None:
        texts = sorted((passage for passage in passages if passage.kind != "table" and asked & words(passage.text)),
                       key=lambda passage: -len(asked & words(passage.text)))
        for text in texts:
            # A table is introduced by the sentence before it; a file laid out table first has its text after it.
            near = [table for table in tables if table.doc_id == text.doc_id
                    and (0 <= table.start - text.end <= _INTRODUCES or 0 <= text.start - table.end <= _INTRODUCES)]
            if near:
                best = min(near, key=lambda table: (table.start < text.start, abs(table.start - text.end)))
                break
    if best is None:
        return None
    header, years = _header_years(best.text)
    if not years:
        return None
    start, end = best.start, best.start + header
    marker = evidence.cite_span(best.doc_id, start, end, best.id, best.page)
    listed = ", ".join(years[:-1]) + f" and {years[-1]}" if len(years) > 1 else years[0]
    return Answer(question=question, text=f"The table gives figures for {listed} [{marker}].",
                  citations=evidence.citations, spans=years)


def _header_years(text: str) -> tuple[int, list[str]]:
    """The length of a table's header (its lines before the first row of figures) and the years it names."""
    years: list[str] = []
    position = 0
    for line in text.splitlines(keepends=True):
        without_dates = re.sub(rf"{MONTH_NAME}\s+\d{{1,2}},?|\b{YEAR}\b|\(\d\)|\b(?:Note|note)\s+\d+", " ", line)
        if re.search(r"\d", without_dates) and years:
            break
        for year in re.findall(rf"\b{YEAR}\b", line):
            if year not in years:
                years.append(year)
        position += len(line)
        if position > 600:
            break
    # A table in blocks by date ("December 31, 2019" rows, then "December 31, 2018" rows) names its years in rows.
    for line in text[position:].splitlines():
        block = re.fullmatch(rf"\s*(?:(?:As\s+(?:of|at)\s+)?{MONTH_NAME}\s+\d{{1,2}},?\s+)?({YEAR}):?\s*", line, re.I)
        if block and block.group(1) not in years:
            years.append(block.group(1))
    return position, years


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a passage of at least 15 characters (a paragraph break or a bullet ends one too)."""
    return [(start, end) for start, end in sentence_spans(text) if end - start >= _MIN_SENTENCE]
