"""The companies a question names: company names, tickers and file-name forms (`JOHNSON_JOHNSON`, `BESTBUY`), in
any case, with or without a possessive, matched against the documents' companies (index/companies.py)."""

from __future__ import annotations

import re

from index.companies import company_names, display_name, squash
from index.records import Document

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[&.'’-][A-Za-z0-9]+)*")
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$", re.I)
_POSSESSIVE_NAME = re.compile(r"\b([A-Z][A-Za-z&.-]+(?:\s+[A-Z][A-Za-z&.-]+){0,2})['’]s\b")


def companies_in(question: str, documents: list[Document]) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """The companies a question names, their documents' ids (in `documents` order), and the spans naming them.

    Names and file-name forms match in any case and with a possessive ("Apple's", "JOHNSON_JOHNSON"); a ticker
    only as written in capitals ("MMM"), so that tickers do not match ordinary words.
    """
    tokens = list(_TOKEN.finditer(question.replace("_", " ")))
    forms = [(document, company_names(document)) for document in documents]
    matched: set[str] = set()
    spans: list[tuple[int, int]] = []
    for first in range(len(tokens)):
        for last in range(min(len(tokens), first + 5) - 1, first - 1, -1):
            if any(start < tokens[last].end() and tokens[first].start() < end for start, end in spans):
                continue
            words = [token.group() for token in tokens[first:last + 1]]
            plain = [*words[:-1], _POSSESSIVE.sub("", words[-1])]
            candidates = {squash(" ".join(words)), squash(" ".join(plain))}
            hits = {document.id for document, names in forms if candidates & names}
            if first == last:
                hits |= {document.id for document in documents
                         if document.ticker and plain[0] == document.ticker.upper() and len(plain[0]) >= 2}
            if hits:
                matched |= hits
                end = tokens[last].end()
                if question[end:end + 2] in ("'s", "’s"):
                    end += 2
                spans.append((tokens[first].start(), end))
                break
    doc_ids = [document.id for document in documents if document.id in matched]
    companies: list[str] = []
    for document in documents:
        name = display_name(document)
        if document.id in matched and name not in companies:
            companies.append(name)
    return companies, doc_ids, spans


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
