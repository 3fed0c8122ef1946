"""Labels: the one home for how a printed line label, or the words of a question, are cleaned, normalized and
compared.

- `clean_label("$ Total revenues (1) |")` -> "Total revenues (1)": the label as printed, in single spaces.
- `normalize_label("Less: Research & Development (1)")` -> "research and development": the one normalized form.
  It is what a fact stores (`Fact.label_norm`), the key of the vocabulary's label index (index/synonyms.py) and
  what look-ups by label compare: lower case, "&" spelled "and", no footnote marks, no "Less:", no punctuation
  at the ends, single spaces.
- `label_key("Property, plant & equipment, net (1)")` -> "property plant and equipment net 1": lower case, "&"
  spelled "and" as above, letters and digits only; what the answering code compares printed labels and question
  texts in (containment, equality). It keeps the footnote marks and "Less:" that `normalize_label` drops: the
  answering code compares printed labels with one another and with the question, and dropping them there
  changed which line a question names (an answer of the TAT-QA dev set).
"""

from __future__ import annotations

import re
from functools import lru_cache

_FOOTNOTE = re.compile(r"(?:\s*\(\d{1,2}\)|\s*\([a-z]\)|\*+)+$")
"""Footnote marks that end a label: "(1)", "(1)(2)", "(a)", "*"."""


def clean_label(label: str) -> str:
    """The label as printed, footnote marks included, in single spaces and without a stray '$'."""
    return " ".join(label.replace("|", " ").split()).strip(" $")


@lru_cache(maxsize=65536)
def normalize_label(label: str) -> str:
    """Lower case, '&' spelled 'and', no footnote marks, 'Less:' or punctuation at the ends, single spaces."""
    text = _spelled(_FOOTNOTE.sub("", clean_label(label)).strip())
    text = re.sub(r"^less:\s*", "", text)
    text = re.sub(r"[^\w%()/'.,-]+", " ", text)
    return " ".join(text.split()).strip(" :,.-")


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """Lower case, '&' spelled 'and' (as `normalize_label` spells it), every run of characters other than letters
    and digits one space."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", _spelled(text)).split())


def _spelled(text: str) -> str:
    """What both forms share: lower case, '&' spelled 'and', a typographic apostrophe typed."""
    return text.lower().replace("&", " and ").replace("’", "'")
