"""The line a question asks about, as it words it ("Gain on use of digital currencies"): the noun phrase after
"What was/were/is", without the periods, units, companies and operation words around it. For lines the vocabulary
(index/synonyms.yaml) does not know, the label is what finds them."""

from __future__ import annotations

import re

_LEAD = re.compile(
    r"\b(?:what|how)\s+about\s+(?:the\s+)?|^\s*and\s+(?:the\s+)?(?=[a-z])(?!(?:in|for|at|during|what|how|by|over|from)\b)|"
    r"\b(?:what|how\s+much|how\s+many|how\s+(?:large|big|high|low|small))\s+(?:(?:was|were|is|are|has\s+been|have\s+been|did)\s+)?(?:the\s+)?"
    r"(?:(?:value|amount|figure|balance|level)\s+of\s+(?:the\s+)?)?|"
    r"\b(?:give|show|tell)\s+me\s+(?:the\s+)?|\bfind\s+(?:the\s+)?|\breport\s+(?:the\s+)?", re.I)
_OP_WORDS = re.compile(
    r"^(?:(?:percent(?:age)?|%|absolute|dollar|net|year[\s-]+over[\s-]+year|yoy)\s+)?(?:change|difference|"
    r"increase\s*/\s*\(?\s*decrease\s*\)?|increase|"
    r"decrease|growth(?:\s+rate)?|decline|variance|delta|ratio|sum|total|average|mean|cagr|compound\s+annual\s+growth"
    r"(?:\s+rate)?)\s+(?:in|of|for)\s+(?:the\s+)?", re.I)
_OP_ONLY = re.compile(
    r"(?:percent(?:age)?|%|absolute|dollar|net|year[\s-]+over[\s-]+year|yoy|relative)?\s*(?:change|difference|increase|"
    r"decrease|growth(?:\s+rate)?|decline|variance|delta|ratio|sum|total|average|mean|cagr|percentage|percent)"
    r"(?:\s+(?:then|now|instead))?", re.I)
_TRAIL = re.compile(r"\s+(?:in|for|as\s+of|as\s+at|at|during|of|on|by|from|between|over|reported|the|and|with|to|"
                    r"did|was|were|is|are|change|increase|decrease|compare|compared)$", re.I)


def label_in(text: str, blanked: str) -> str | None:
    """The noun phrase a question asks the value of: after "What was/were/is", up to the first period, unit,
    definition or the question mark (found in `blanked`, where those spans are \\x00 and a company's \\x01)."""
    match = _LEAD.search(blanked)
    if not match:
        return None
    start = match.end()
    end = len(blanked)
    stop = re.search(r"\x00|[?;]|,\s|\s+(?:compared|versus|vs\.?|relative)\b", blanked[start:], re.I)
    if stop:
        end = start + stop.start()
    phrase = " ".join("".join(char for char in text[start:end] if char != "\x01").split())
    phrase = re.sub(r"^(?:the\s+)?(?:company['’]s|its|their|total\s+amount\s+of)\s+", "", phrase, flags=re.I)
    if _OP_ONLY.fullmatch(phrase.strip(" .:,'’\"")):
        return None  # "What is the percentage change?": an operation on the line of the previous turn
    phrase = _OP_WORDS.sub("", re.sub(r"^\d+[\s-]years?\s+", "", phrase))
    phrase = re.sub(r"^(?:average|mean)\s+", "", phrase, flags=re.I)
    # A company the documents do not know, named with a possessive: "Tesla's revenue" asks for revenue.
    phrase = re.sub(r"^(?:[A-Z][\w&.-]*\s+){0,3}[A-Z][\w&.-]*['’]s\s+(?=\w)", "", phrase)
    while (shorter := _TRAIL.sub("", phrase)) != phrase:
        phrase = shorter
    phrase = phrase.strip(" .:,'’\"")
    if not phrase or phrase.lower() in ("it", "they", "this", "that", "the", "value", "amount") or _OP_ONLY.fullmatch(phrase):
        return None
    return phrase


def blank(text: str, spans: list[tuple[int, int]], mark: str = "\x00") -> str:
    chars = list(text)
    for start, end in spans:
        for index in range(start, min(end, len(chars))):
            chars[index] = mark
    return "".join(chars)


PRONOUN = re.compile(r"^(?:it|they|this|that|these|those)\b", re.I)
