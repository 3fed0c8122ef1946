"""SEC form names and how file names and flags spell them: `normalize_form("10k")` -> "10-K"."""

from __future__ import annotations

import re

FORM_ALIASES = {
    "10K": "10-K", "10-K": "10-K", "10Q": "10-Q", "10-Q": "10-Q", "8K": "8-K", "8-K": "8-K",
    "20F": "20-F", "20-F": "20-F", "6K": "6-K", "6-K": "6-K",
    "EARNINGS": "earnings release", "EARNINGS RELEASE": "earnings release", "ER": "earnings release",
    "PR": "press release", "PRESS": "press release", "PRESS RELEASE": "press release", "RELEASE": "press release",
}


def normalize_form(value: str) -> str:
    key = re.sub(r"[\s_]+", " ", value.strip()).upper()
    if key in FORM_ALIASES:
        return FORM_ALIASES[key]
    compact = key.replace(" ", "").replace("-", "")
    if compact in FORM_ALIASES:
        return FORM_ALIASES[compact]
    return value.strip()


def is_form_token(token: str) -> bool:
    """Whether a word of a file name names a form ("10K", "10-Q", "EARNINGS")."""
    upper = token.upper()
    return upper in FORM_ALIASES or upper.replace("-", "") in FORM_ALIASES
