"""Sentences: where one ends in a filing's prose. The one splitter every part of the project uses (the figures in
sentences, the quoted answers, the chunker's last resort), so that "H.C. Wainwright & Co., LLC", "the U.S. Tax Cuts
and Jobs Act", "J. Smith", "No. 5" or "$17.1 million" are never cut in two in one place and kept in another.

A sentence ends at ".", "!" or "?" (with any closing quote or bracket) followed by a space and a capital, a digit or
an opening quote, or by the end of the text; at a blank line; and at a line break before a bullet. Text laid out
one statement per line (`line_breaks=True`) ends one at every line break too.
"""

from __future__ import annotations

import re

# Words that end with a period without ending the sentence: titles, company forms, Latin, "vs.".
_ABBREVIATIONS = ("inc co corp ltd plc mr ms mrs dr messrs prof jr sr st vs cf approx dept esq gov sen rep gen mt ft "
                  "al").split()
# Abbreviations that only shorten something when a number follows: "No. 5", "Sept. 30, 2021", "Fig. 2".
_BEFORE_NUMBERS = "no nos fig art sec jan feb mar apr jun jul aug sep sept oct nov dec".split()
_NOT_ABBREVIATED = (
    "".join(rf"(?<!\b(?i:{word}))" for word in _ABBREVIATIONS)
    + "".join(rf"(?!(?<=\b(?i:{word}))\.\s+\d)" for word in _BEFORE_NUMBERS)
    # Initials and dotted abbreviations: "J. Smith", "H.C. Wainwright", "U.S. Tax", "e.g. rent".
    + r"(?<!\b[A-Z])(?<!\.[A-Za-z])"
)
# The end of a sentence, as a regular expression without groups (the chunker splits long prose with it too).
SENTENCE_END = (rf"(?:{_NOT_ABBREVIATED}\.|[!?])[\"”’)\]]*(?=\s+[\"“‘(\[A-Z0-9•]|\s*$)"
                r"|\n[ \t]*\n|\n(?=[ \t]*[•*▪●–-]\s)")
_END = re.compile(SENTENCE_END)
_END_OR_LINE = re.compile(SENTENCE_END + r"|\n")


def sentence_spans(text: str, start: int = 0, end: int | None = None, *, line_breaks: bool = False) -> list[tuple[int, int]]:
    """The (start, end) offsets of the sentences of text[start:end], trimmed of surrounding white space."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    begin = start
    for match in (_END_OR_LINE if line_breaks else _END).finditer(text, start, end):
        stop = match.start() if match.group(0)[0] == "\n" else match.end()
        _add(text, begin, stop, spans)
        begin = match.end()
    _add(text, begin, end, spans)
    return spans


def _add(text: str, start: int, stop: int, spans: list[tuple[int, int]]) -> None:
    while start < stop and text[start].isspace():
        start += 1
    while stop > start and text[stop - 1].isspace():
        stop -= 1
    if stop > start:
        spans.append((start, stop))
