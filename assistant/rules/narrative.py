"""Narrative answers: the sentences of the best retrieved passages that share most words with the question,
quoted and cited ("The disclosures say: “...” [1]")."""

from __future__ import annotations

import re
from collections import defaultdict

from assistant.citations import Evidence
from assistant.rules.lines import words
from index.records import Answer, SearchFilters

_SYNONYMS = {"start": "commencing", "starting": "commencing", "begin": "commencing", "fund": "funding",
             "territory": "region", "buy": "purchased", "bought": "purchased"}
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9“\"(])|\n\s*\n|\n(?=\s*[•\-*])")
LEAD = "The disclosures say:"


def answer_narrative(store, question: str, doc_ids: list[str], evidence: Evidence) -> Answer:  # noqa: ANN001
    from index.retrieval import HybridRetriever

    filters = SearchFilters(docs=doc_ids) if doc_ids else None
    hits = HybridRetriever(store=store, k=6, filters=filters).search(question)
    asked = words(question) - {"say", "said", "expect", "explain", "explained", "drove", "happen"}
    asked |= {_SYNONYMS[word] for word in asked if word in _SYNONYMS}
    candidates: list[tuple[int, str, int, int, object, set[str]]] = []
    for rank, hit in enumerate(hits):
        passage = hit.passage
        if passage.kind == "table":
            continue
        for start, end in sentences(passage.text):
            sentence = passage.text[start:end]
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
    best = scored[0][0]
    chosen = [item for item in scored[:3] if item[0] >= best * 0.6]
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
    return Answer(question=question, text=f"{LEAD} " + " ".join(parts), citations=evidence.citations)


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a passage of at least 15 characters (a paragraph break or a bullet ends one too)."""
    spans = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((position, match.start() + (1 if text[match.start():match.start() + 1] in "\"”’)" else 0)))
        position = match.end()
    spans.append((position, len(text)))
    result = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start >= 15:
            result.append((start, end))
    return result
