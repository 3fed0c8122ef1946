"""The companies a question names (`companies_in`, which lives in index/companies.py so that search resolves them
the same way), a company it names that no document is about (`unknown_company`), and the filing it names by
fiscal year (`filing_in`)."""

from __future__ import annotations

import re

from index.companies import companies_in
from index.records import Document

_POSSESSIVE_NAME = re.compile(r"\b([A-Z][A-Za-z&.-]+(?:\s+[A-Z][A-Za-z&.-]+){0,2})['’]s\b")
_FOR_NAME = re.compile(r"^\s*(?i:(?:(?:and|now|same|then)\s+)?(?:(?:what|how)\s+about\s+|(?:the\s+)?same\s+)?for\s+)"
                       r"([A-Z][A-Za-z&.-]+(?:\s+[A-Z][A-Za-z&.-]+){0,2})\s*[?.!]?\s*$")


def unknown_company(question: str, documents: list[Document]) -> str | None:
    """A company the question names that no document is about: with a possessive ("Pfizer's"), or as the whole of
    a follow-up ("And for Pfizer?")."""
    if (match := _FOR_NAME.match(question)) and not re.search(r"\d", match.group(1)):
        _, ids, _ = companies_in(match.group(1), documents)
        if not ids and not re.fullmatch(r"(?:FY|Q[1-4]|H[12]|fiscal|the)\b.*", match.group(1), re.I):
            return match.group(1)
    for match in _POSSESSIVE_NAME.finditer(question):
        name = match.group(1)
        if name.split()[0].lower() in ("what", "which", "how", "company", "the", "and"):
            continue
        _, ids, _ = companies_in(f"{name}'s", documents)
        if not ids:
            return name
    return None


# "eBay's 2019 Form 10-K", "its fiscal 2017 10-K", "the FY2021 annual report": the filing a question reads from.
_FILING = re.compile(
    r"(?:\b(?:in|from|using|per|according\s+to|based\s+on|as\s+(?:reported|stated|shown)\s+in)\s+)?(?:(?:its|the|their|"
    r"[A-Z][\w&.-]*['’]s)\s+)?(?:company['’]s\s+)?(?:fiscal\s+(?:year\s+)?|fy\s*)?((?:19|20)\d{2})\s+(?:annual\s+report\s+on\s+)?"
    r"(?:form\s+)?(10-?k|annual\s+report)\b", re.I)


def filing_in(question: str, documents: list[Document], doc_ids: list[str]) -> tuple[list[str], tuple[int, int] | None]:
    """The annual reports a question names by fiscal year ("Using eBay's 2019 Form 10-K"), among `doc_ids` (all
    documents when empty), and the span naming them; ([], None) when it names none."""
    match = _FILING.search(question)
    if not match:
        return [], None
    year = match.group(1)
    found = [document.id for document in documents if (not doc_ids or document.id in doc_ids)
             and (document.period or "").upper() == f"FY{year}" and (document.form or "").upper().startswith("10-K")]
    return found, match.span()
