"""Financial abbreviations and synonyms (../shared/DOMAIN.md), for expanding keyword queries.

BM25 only matches the words it is given: "R&D" has no word a filing spells out, and "capex" appears in few
filings that report "purchases of property and equipment". Expansion adds the spelled-out forms.
"""

from __future__ import annotations

import re

# (pattern in the query, words added). Patterns are matched case-insensitively on word boundaries.
EXPANSIONS: list[tuple[str, str]] = [
    (r"r\s*&\s*d", "research and development"),
    (r"sg\s*&\s*a", "selling general and administrative"),
    (r"g\s*&\s*a", "general and administrative"),
    (r"pp\s*&\s*e", "property plant and equipment"),
    (r"d\s*&\s*a", "depreciation and amortization"),
    (r"capex|capital expenditures?", "capital expenditures purchases of property and equipment additions to property plant and equipment"),
    (r"cogs|cost of goods sold", "cost of sales cost of revenue cost of goods sold"),
    (r"eps", "earnings per share"),
    (r"fcf|free cash flow", "free cash flow net cash provided by operating activities purchases of property and equipment"),
    (r"opex", "operating expenses"),
    (r"revenues?|net sales|sales", "revenue net revenues net sales total revenues"),
    (r"net (?:income|earnings|profit)", "net income net earnings"),
    (r"operating income|operating profit|income from operations", "operating income income from operations"),
    (r"shareholders'? equity|stockholders'? equity", "shareholders equity stockholders equity"),
    (r"first half|h1|1h", "six months ended"),
    (r"second half|h2|2h", "six months ended december"),
    (r"q1|first quarter", "three months ended first quarter"),
    (r"q2|second quarter", "three months ended second quarter"),
    (r"q3|third quarter", "three months ended third quarter"),
    (r"q4|fourth quarter", "three months ended fourth quarter"),
    (r"nine months|9m", "nine months ended"),
    (r"fy\s?\d{2,4}|fiscal year", "fiscal year"),
    (r"yoy|year over year|year-over-year", "compared to prior year"),
]

_COMPILED = [(re.compile(rf"(?<![\w&]){pattern}(?![\w&])", re.I), words) for pattern, words in EXPANSIONS]


def expand_query(query: str) -> str:
    """The query plus the spelled-out forms of the abbreviations and synonyms it uses."""
    added = [words for pattern, words in _COMPILED if pattern.search(query)]
    if not added:
        return query
    return query + " " + " ".join(added)
