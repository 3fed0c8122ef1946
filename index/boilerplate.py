"""Boilerplate: passages every filing carries that are not evidence for an analyst's question.

    boilerplate_kind(section, text)   # "exhibits" | "auditor" | "forward-looking" | "website" | None
    asked_kinds(question)             # the kinds a question asks about ("Who audits Apple?" -> {"auditor"})

An exhibit index, the auditor's report and consent, the forward-looking-statements disclaimer and the "available
on our website" notice match the words of many questions ("revenue", "internal control", "results") and so crowd
the passages that answer them. They are recognised by their section and by the legal phrases they are written
in, not by a word any passage may use: a press release's guidance paragraph that says its figures are
forward-looking is still the guidance. Ingest marks a passage that is mostly boilerplate with its kind
(`Passage.boilerplate`, `passage_kind`); answers leave such passages out unless the question asks for them.
"""

from __future__ import annotations

import re

from index.sentences import sentence_spans

KINDS = ("exhibits", "auditor", "forward-looking", "website")

_EXHIBITS = re.compile(
    r"\bexhibit\s+(?:index|number|no\.|description)\b|\bfiled\s+herewith\b|\bfurnished\s+herewith\b", re.I)
# Exhibit numbers listed one after another ("10.12* First Amendment ... 10.13* Form of ..."), as an index lists them.
_EXHIBIT_NUMBERS = re.compile(r"(?:^|\s)\d{1,3}\.\d{1,3}[*†#+]*\s+(?:form\s+of|amended|amendment|agreement|"
                              r"certification|indenture|restated|consent|subsidiaries|power\s+of\s+attorney)", re.I)
_AUDITOR = re.compile(
    r"\breport\s+of\s+independent\s+registered\s+public\s+accounting\s+firm\b|\bconsent\s+of\s+independent\s+"
    r"registered\s+public\s+accounting\s+firm\b|\bwe\s+consent\s+to\s+the\s+incorporation\s+by\s+reference\b|"
    r"\bwe\s+(?:have\s+)?audited\s+(?:the\s+accompanying|[\w\s,.'’&-]{0,80}?internal\s+control)|\bwe\s+conducted\s+our\s+"
    r"audits?\s+in\s+accordance\b|\bcritical\s+audit\s+matters?\b|\bpublic\s+company\s+accounting\s+oversight\s+board\b",
    re.I)
_FORWARD = re.compile(
    r"\bprivate\s+securities\s+litigation\s+reform\s+act\b|\bsection\s+27a\s+of\s+the\s+securities\s+act\b|"
    r"\bsection\s+21e\s+of\s+the\s+(?:securities\s+)?exchange\s+act\b|\b(?:undertakes?|assumes?)\s+no\s+(?:obligation|duty)"
    r"\s+to\s+(?:publicly\s+)?(?:update|revise)\b|\bno\s+obligation\s+to\s+(?:publicly\s+)?(?:update|revise)\s+(?:any|these|"
    r"such|the)\s+forward[- ]looking\b", re.I)
_FORWARD_SECTION = re.compile(r"\bforward[- ]looking\s+statements\b|\bcautionary\s+(?:note|statement)", re.I)
_WEBSITE = re.compile(
    r"\b(?:available|accessible|posted)\s+(?:free\s+of\s+charge\s+)?(?:on|through|at|via)\s+(?:our|the\s+company['’]s)\s+"
    r"(?:corporate\s+|investor\s+relations\s+)?(?:web\s*site|internet\s+site)|\bvisit\s+(?:our|the\s+company['’]s)\s+"
    r"(?:corporate\s+|investor\s+relations\s+)?web\s*site\b|\bon\s+our\s+investor\s+relations\s+web\s*site\b", re.I)
# A press release's outlook is evidence, though it says its figures are forward-looking.
_OUTLOOK = re.compile(r"\b(?:outlook|guidance)\b", re.I)

# The words of a question that ask for a kind of boilerplate ("Who is the auditor?", "What are the exhibits?").
_ASKS = {
    "exhibits": re.compile(r"\bexhibits?\b|\bincorporated\s+by\s+reference\b", re.I),
    "auditor": re.compile(r"\baudit\w*|\baccounting\s+firm\b|\bopinion\b|\bconsent\b|\bpcaob\b|"
                          r"\binternal\s+control\b", re.I),
    "forward-looking": re.compile(r"\bforward[- ]looking\b|\bsafe\s+harbou?r\b|\bcautionary\b", re.I),
    "website": re.compile(r"\bweb\s*sites?\b|\binternet\b|\bonline\b|\bwhere\s+can\b|\bavailable\b", re.I),
}


def boilerplate_kind(section: str | None, text: str) -> str | None:
    """Which kind of boilerplate a passage is, by its section and its wording; None for evidence."""
    if _EXHIBITS.search(text) or len(_EXHIBIT_NUMBERS.findall(text)) >= 3:
        return "exhibits"  # before the auditor: an exhibit index lists the auditor's consent
    if _AUDITOR.search(text):
        return "auditor"
    if (_FORWARD.search(text) or (section and _FORWARD_SECTION.search(section))) and not _OUTLOOK.search(text):
        return "forward-looking"
    if _WEBSITE.search(text):
        return "website"  # by wording only: an "Available Information" heading runs on over the executive officers
    return None


def asked_kinds(question: str) -> set[str]:
    """The kinds of boilerplate a question asks about, which its answer may then quote."""
    return {kind for kind, pattern in _ASKS.items() if pattern.search(question)}


def passage_kind(section: str | None, text: str) -> str | None:
    """The kind of boilerplate a passage mostly is, as ingest marks it (`Passage.boilerplate`); None for evidence
    (a passage that runs from a disclaimer into the results it precedes is evidence)."""
    kind = boilerplate_kind(section, text)
    return kind if kind is not None and _mostly_boilerplate(section, text, set()) else None


def evidence_hits(hits: list, question: str) -> list:  # list[SearchHit]
    """The hits that are evidence for `question`: passages marked as boilerplate of a kind it does not ask about
    left out."""
    asked = asked_kinds(question)
    return [hit for hit in hits if hit.passage.boilerplate is None or hit.passage.boilerplate in asked]


def _mostly_boilerplate(section: str | None, text: str, asked: set[str]) -> bool:
    kind = boilerplate_kind(section, text)
    if kind is None or kind in asked:
        return False
    if kind in ("exhibits", "auditor") or boilerplate_kind(None, text) is None:
        return True  # an index or a report is whole; a cautionary note's list is known by its section alone
    spans = sentence_spans(text)
    marked = sum(end - start for start, end in spans if boilerplate_kind(None, text[start:end]) not in (None, *asked))
    return marked * 2 >= sum(end - start for start, end in spans)
