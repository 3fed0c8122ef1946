"""What a question asks to do with the figures: the operation (value, change, pct_change, ratio, sum, average,
margin, cagr, compare, direction), a definition it states ("... is defined as X / Y"), and whether it asks for a
narrative answer rather than a figure ("Why did ...", "What drove ...")."""

from __future__ import annotations

import re

from assistant.question.query import Operation

_DEFINITION = re.compile(
    r"(?:\b(?:is|are|should\s+be|be|being)\s+|,\s*|\(\s*|\bwhere\s+)(?:(?:here\s+)?(?:defined|calculated|computed|"
    r"measured)\s+as|(?:the\s+)?(?:defined|calculated|computed)\s+(?:as|by)|(?:using|with)\s+the\s+(?:definition|formula)"
    r"\s*:?)\s*:?\s*(.+)$", re.I | re.S)
_DEFINITION_TAIL = re.compile(r"\s*(?:[,;]?\s*(?:(?:please\s+)?(?:round(?:ed|ing)?|answer|express(?:ed)?|give|provide|report|state)\b|"
                              r"in\s+(?:usd|us\s+dollars|dollars|percent|%|millions|billions|thousands)\b|(?:for|in)\s+"
                              r"(?:fiscal\s+(?:year\s+)?|fy\s*)?(?:19|20)\d{2}\b).*|\?)$", re.I | re.S)


def definition_in(text: str) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """A definition the question states: (the definition, what it defines, the span of the defining clause)."""
    match = _DEFINITION.search(text)
    if not match:
        return None, None, None
    body = match.group(1)
    # The definition runs to the end of its sentence (a '.' not inside a number), not into "Round your answer...".
    sentence = re.split(r"(?<!\d)\.(?!\d)\s+(?=[A-Z])|(?<!\d)\.\s*$", body, maxsplit=1)[0]
    previous = None
    definition = sentence
    while previous != definition:
        previous = definition
        definition = _DEFINITION_TAIL.sub("", definition).strip(" .:;,")
        while definition.endswith(")") and definition.count(")") > definition.count("("):
            definition = definition[:-1].rstrip(" .:;,")
    before = text[:match.start()]
    sentence_start = max(before.rfind(". "), before.rfind("? "), before.rfind("\n"))
    defined = before[sentence_start + 1:].strip(" .?:\n,(")
    defined = re.sub(r"^(?:where|here|and|the)\s+|^(?:what|how\s+much)\s+(?:is|was|were|are)\s+(?:the\s+)?"
                     r"(?:[A-Z][\w&.-]*['’]s\s+)?", "", defined, flags=re.I).strip()
    defined = re.sub(r"(?:\s+(?:for|in|at|as\s+of)\s+(?:the\s+)?(?:fiscal\s+(?:year\s+)?|fy\s*)?\S*\d{2}\S*$|^(?:fy\s*|fiscal\s+)?\d{4}\s+)", "", defined,
                     flags=re.I).strip() or None
    end = match.start(1) + len(sentence)
    return definition or None, defined, (match.start(), end)


_OPERATIONS: list[tuple[str, re.Pattern[str]]] = [(name, re.compile(pattern, re.I)) for name, pattern in [
    ("cagr", r"\bcagr\b|compound(?:ed)?\s+annual(?:\s+growth)?(?:\s+rate)?|annuali[sz]ed\s+growth"),
    ("pct_change", r"\b(?:percent(?:age)?|%)\s+(?:change|increase|decrease|growth|decline|difference|rise|drop|fall)|"
                   r"\bhow\s+(?:fast|quickly)\s+(?:did|does|has|have|is|was)\b|"
                   r"\bgrowth\s+rate\b|\bby\s+what\s+(?:percent(?:age)?|%)|\bhow\s+many\s+percent|"
                   r"\bgr[eo]w\s+(?:by\s+)?(?:in\s+)?(?:percent(?:age)?|%)|\b(?:change|growth|increase|decrease)\s+"
                   r"(?:in|as\s+a)\s+percent(?:age)?(?!\s+of)|\byoy\s+growth|\byear[\s-]+over[\s-]+year\s+growth"),
    ("direction", r"\b(?:increase|increased|rise|rose|grow|grew|go\s+up|went\s+up|improve|improved|higher)\s+or\s+"
                  r"(?:decrease|decreased|decline|declined|fall|fell|drop|dropped|go\s+down|went\s+down|worsen|"
                  r"deteriorate|lower)\b|\bdid\s+(?:it|they|the\s+\w+)?\b.*\b(?:increase|decrease|rise|fall|grow|"
                  r"decline|go\s+up|go\s+down|improve|worsen)\b(?!.*\bhow\s+much)"),
    ("change", r"\b(?:change|difference|increase|decrease|decline|growth|variance|delta)\s+(?:in|of|between)\b|"
               r"\bincrease\s*/\s*\(?\s*decrease\s*\)?|"
               r"\bhow\s+much\s+did\b.*\b(?:change|increase|decrease|rise|fall|grow|decline|drop)\b|"
               r"\bby\s+how\s+much\b|\b(?:absolute|dollar|net)\s+change\b|\bchange\b(?=\s*\??$)|"
               r"\bwhat\s+(?:was|is)\s+the\s+change\b"),
    ("ratio", r"\bratio\s+of\b|\bto[\s-]+\w+(?:\s+\w+)?\s+ratio\b|\bdivided\s+by\b|\bas\s+a\s+(?:percent(?:age)?|%|share|"
              r"proportion|fraction|multiple)\s+of\b|\bper\s+cent\s+of\b|\bproportion\s+of\b|(?<!per\s)\bshare\s+of\b|"
              r"\bwhat\s+(?:percent(?:age)?|share|proportion|fraction|part)\s+of\b"),
    ("margin", r"\bmargins?\b"),
    ("average", r"(?<!weighted\s)(?<!weighted-)\baverage\b(?!\s+(?:remaining|life|duration|term|maturity|"
                r"period|age|useful|expected|cost\s+of\s+capital))|\bmean\b"),
    ("sum", r"\bsum\s+of\b|\bcombined\b|\btotal\s+of\b|\badd(?:ed)?\s+(?:up|together)\b|\bplus\b|\baltogether\b|"
            r"\btogether\b"),
    ("compare", r"\bcompar(?:e|ed|ing|ison)\b|\bversus\b|\bvs\.?(?=\s)|\bwhich\s+(?:was|is|were|had)\s+(?:higher|"
                r"larger|greater|bigger|lower|smaller)\b|\bhigher\s+(?:or|than)\b|\blower\s+than\b"),
]]

NARRATIVE = re.compile(
    r"^\s*(?:why|describe|explain|discuss|summari[sz]e|outline|list)\b|\bwhy\s+(?:did|does|was|were|is|has|have)\b|"
    r"\bwhat\s+(?:drove|drives|caused|causes|explains|explained|accounts?\s+for|accounted\s+for|contributed\s+to|led\s+to)\b|"
    r"\b(?:reasons?|drivers?|factors?)\s+(?:for|behind|of)\b|\bwhat\s+(?:does|did)\s+(?:the\s+)?(?:company|management|"
    r"\w+)\s+(?:say|said|state|disclose|describe|expect|plan)\b|\bwhat\s+(?:are|were)\s+(?:the\s+)?(?:main\s+|key\s+|"
    r"principal\s+)?(?:risks?|risk\s+factors|strateg(?:y|ies)|plans|highlights|milestones|developments|"
    r"segments|products|programs)\b|^\s*how\s+(?:does|did|is|was|will|has)\s+(?:the\s+)?(?:company|management)\b|"
    r"\bwhat\s+is\s+the\s+(?:company's\s+)?(?:strategy|outlook|business)\b|\bwhat\s+happened\b|\bmainly\s+due\s+to\b",
    re.I)


def operation_in(text: str) -> Operation | None:
    """The operation a question asks for, by the first cue in priority order; None when it names none."""
    for name, pattern in _OPERATIONS:
        if pattern.search(text):
            if name == "direction" and re.search(r"\bhow\s+much\b|\bby\s+what\b|\bby\s+how\b", text, re.I):
                continue
            return name  # type: ignore[return-value]
    return None
