"""Companies: the one home for how a document's company is named and matched.

- `squash("Johnson & Johnson")` -> "JOHNSONJOHNSON": the form file names use, and what names are compared in.
- `is_generic_company("The Company")`: how a filing refers to itself, never a name.
- `company_names(document)`: the squashed forms a question or a filter may name a document's company by (its
  name with and without suffixes such as "Inc.", "&" as "and", the company part of its file name).
- `company_matches(document, "EBAY")`: a filter's company (name, ticker or file-name form, a prefix will do).
- `company_key(document)`: one key per company however its filings spell it ("McDONALD’S", "McDonald's").
- `display_name(document)`: how to name the company to a user.
- `companies_in(question, documents)`: the companies a question names, their documents and the spans naming them
  (answering reads a question with it, and search resolves the company a query is about).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from index.forms import is_form_token
from index.records import Document

_SUFFIXES = re.compile(
    r"[\s,]+(?:inc\.?|incorporated|corporation|corp\.?|company|co\.?|limited|ltd\.?|group|holdings?|plc|n\.v\.|"
    r"s\.a\.|llc|l\.p\.|ag|se)$", re.I)
# Forms a generic or badly read name can shrink to ("The Company" -> "the") that would match any question.
_NOT_NAMES = frozenset({"the", "our", "this", "that", "its", "and", "for", "of", "in", "on", "to", "a", "an", "we", "us",
                        "company", "corporation", "group", "inc", "total", "net", "income", "revenue"})
_PERIODISH = re.compile(r"(?:FY)?\d{2,4}(?:Q[1-4]|H[12])?|Q[1-4]\d{4}|DATED.*", re.I)
# How a filing refers to itself ("The Company", "the Group"): not a name, and as one it would match every "the".
_GENERIC_COMPANY = re.compile(
    r"(?:the|our|this|such|each|a|an)?\s*(?:company|corporation|corp\.?|group|partnership|registrant|issuer|firm|"
    r"bank|trust|fund|entity|parent|business|limited|inc\.?)", re.I)


def squash(value: str) -> str:
    """The form file names use for a company: upper case, letters and digits only (`JOHNSON_JOHNSON` -> JOHNSONJOHNSON)."""
    return re.sub(r"[^A-Z0-9]", "", value.upper())


def is_generic_company(name: str) -> bool:
    """"The Company", "the Group": how a filing refers to itself, not who it is."""
    return bool(_GENERIC_COMPANY.fullmatch(name.strip()))


def company_of_file(source_path: str) -> str | None:
    """The company part of a file name: `JOHNSON_JOHNSON_2022_10K` -> JOHNSON JOHNSON, `aptorum-2021-h1-results`
    -> aptorum (the words before the first period or form)."""
    tokens = [token for token in re.split(r"[_\s-]+", Path(source_path).stem) if token]
    company: list[str] = []
    for token in tokens:
        if _PERIODISH.fullmatch(token) or is_form_token(token):
            break
        company.append(token)
    return " ".join(company) or None


def company_names(document: Document) -> frozenset[str]:
    """Squashed forms a question may name the document's company by (compared ignoring case)."""
    return _names(document.company, document.source_path)


@lru_cache(maxsize=4096)
def _names(company: str | None, source_path: str) -> frozenset[str]:
    # Read for every document at every question and search: worth remembering.
    forms: set[str] = set()
    names = [name for name in (company, company_of_file(source_path)) if name and not is_generic_company(name)]
    for name in names:
        variants = {name, name.replace("&", " and ")}
        stripped = name
        while (shorter := _SUFFIXES.sub("", stripped)) != stripped and shorter:
            stripped = shorter
            variants |= {stripped, stripped.replace("&", " and ")}
        forms |= {squash(variant) for variant in variants}
    return frozenset(form for form in forms if len(form) >= 2 and form.lower() not in _NOT_NAMES)


def display_name(document: Document) -> str:
    return document.company or company_of_file(document.source_path) or document.ticker or document.id


def company_matches(document: Document, query: str) -> bool:
    """Whether a filter's company (a name, the ticker or the file-name form; a prefix of one will do) is the
    document's."""
    wanted = squash(query)
    if not wanted:
        return False
    names = [document.company or "", document.ticker or "", Path(document.source_path).stem.split("_")[0]]
    for name in names:
        squashed = squash(name)
        if squashed and (squashed == wanted or squashed.startswith(wanted)):
            return True
    return False


def company_key(document: Document) -> str:
    """One key per company however its filings spell it ("McDONALD’S CORPORATION", "McDonald's Corporation")."""
    name = document.company or document.ticker or document.id
    return re.sub(r"[^a-z0-9]+", "", name.lower().replace("’", "'"))


# --- the companies a text names ---------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[&.'’-][A-Za-z0-9]+)*")
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$", re.I)


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
