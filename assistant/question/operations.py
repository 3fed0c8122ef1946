"""What a question asks to do with the figures: the operation (value, change, pct_change, ratio, sum, average,
margin, cagr, compare, direction), a definition it states ("... is defined as X / Y"), and whether it asks for a
narrative answer rather than a figure ("Why did ...", "What drove ...")."""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.question.query import Operation, Selection

_DEFINITION = re.compile(
    r"(?:\b(?:is|are|should\s+be|be|being)\s+|,\s*|\(\s*|\bwhere\s+)(?:(?:here\s+)?(?:defined|calculated|computed|"
    r"measured)\s+as|(?:the\s+)?(?:defined|calculated|computed)\s+(?:here\s+)?(?:as|by)|(?:using|with)\s+the\s+(?:definition|formula)"
    r"\s*:?)\s*:?\s*(.+)$", re.I | re.S)
# "Define Apple's days payable outstanding for fiscal 2021 as 365 × average accounts payable ÷ purchases."
_DEFINE = re.compile(r"^\s*(?:let(?:'s|\s+us)\s+|we\s+)?define\s+(?P<defined>.+?)\s+as\s+(.+)$", re.I | re.S)
_DEFINITION_TAIL = re.compile(r"\s*(?:[,;]?\s*(?:(?:please\s+)?(?:round(?:ed|ing)?|answer|express(?:ed)?|give|provide|report|state)\b|"
                              r"in\s+(?:usd|us\s+dollars|dollars|percent|%|millions|billions|thousands)\b|(?:for|in)\s+"
                              r"(?:fiscal\s+(?:year\s+)?|fy\s*)?(?:19|20)\d{2}\b).*|\?)$", re.I | re.S)


def definition_in(text: str) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """A definition the question states: (the definition, what it defines, the span of the defining clause)."""
    match = _DEFINITION.search(text) or _DEFINE.search(text)
    if not match:
        return None, None, None
    body = match.group(1) if match.re is _DEFINITION else match.group(2)
    # The definition runs to the end of its sentence (a '.' not inside a number), not into "Round your answer...".
    sentence = re.split(r"(?<!\d)\.(?!\d)\s+(?=[A-Z])|(?<!\d)\.\s*$", body, maxsplit=1)[0]
    previous = None
    definition = sentence
    while previous != definition:
        previous = definition
        definition = _DEFINITION_TAIL.sub("", definition).strip(" .:;,")
        while definition.endswith(")") and definition.count(")") > definition.count("("):
            definition = definition[:-1].rstrip(" .:;,")
    before = text[:match.start()] if match.re is _DEFINITION else match.group("defined")
    sentence_start = max(before.rfind(". "), before.rfind("? "), before.rfind("\n"))
    defined = before[sentence_start + 1:].strip(" .?:\n,(")
    defined = re.sub(r"^(?:where|here|and|the)\s+|^[A-Z][\w&.-]*['’]s\s+|^(?:what|how\s+much)\s+(?:is|was|were|are)\s+(?:the\s+)?"
                     r"(?:[A-Z][\w&.-]*['’]s\s+)?", "", defined, flags=re.I).strip()
    defined = re.sub(r"(?:\s+(?:for|in|at|as\s+of|on)\s+(?:the\s+)?(?:fiscal\s+(?:year\s+)?|fy\s*)?(?:[A-Za-z]+\.?\s+\d{1,2},?\s+)?\S*\d{2}\S*$|^(?:fy\s*|fiscal\s+)?\d{4}\s+)", "", defined,
                     flags=re.I).strip() or None
    end = match.start(1 if match.re is _DEFINITION else 2) + len(sentence)
    # "Define X for fiscal 2021 as ...": the words before "as" are the question's (its metric and period).
    return definition or None, defined, (match.start() if match.re is _DEFINITION else match.start(2), end)


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


# --- picking or counting the periods (or items) whose values meet a test ---------------------------------------

_PERIOD_NOUN = r"(?P<noun>years?|periods?|quarters?|months?|fiscal\s+years?|financial\s+years?)(?:\s*\(s\))?"
# "Between 2018 and 2019, which year ...", "From 2017 to 2019, how many of the years ...": the set compared.
_SET_FIRST = r"(?:(?:between|from|of|among|in|for|during|over)\s+[^,?]{1,60},\s*)?"
_PICK_PERIOD = re.compile(rf"^\s*{_SET_FIRST}(?:(?:in|for|during|at)\s+)?(?:which|what)\s+(?:of\s+the\s+)?(?:two\s+|three\s+)?"
                          rf"(?:calendar\s+)?{_PERIOD_NOUN}\b", re.I)
_COUNT_PERIODS = re.compile(rf"^\s*{_SET_FIRST}(?:(?:in|for|during)\s+)?how\s+many\s+(?:of\s+the\s+)?{_PERIOD_NOUN}\b",
                            re.I)
_ITEM_NOUN = (r"(?:segments?|regions?|components?|categories|category|items?|types?|kinds?|lines?|products?|"
              r"countries|country|geograph(?:y|ies)|markets?|businesses|business|divisions?|subsidiaries|subsidiary|"
              r"classes|class|sources?)")
# The items' name right before its verb ("Which segment had ...", "In which region was ..."), never a verb itself
# ("What is the component ...").
_ITEM_WORD = r"(?!(?:is|are|was|were|the|a|an|does|do|did|has|had|have)\b)[\w-]+"
_ITEM_VERB = r"(?=\s+(?:had|has|have|was|were|is|are|did|does|do|recorded|reported|generated|exceeded|exceed)\b)"
_PICK_ITEM = re.compile(rf"^\s*{_SET_FIRST}(?:(?:in|for)\s+)?which\s+(?P<items>(?:{_ITEM_WORD}\s+){{0,3}}?{_ITEM_NOUN})"
                        rf"\b{_ITEM_VERB}", re.I)
_COUNT_ITEMS = re.compile(rf"^\s*{_SET_FIRST}(?:(?:in|for)\s+)?how\s+many\s+(?:of\s+the\s+)?(?P<items>(?:{_ITEM_WORD}\s+)"
                          rf"{{0,3}}?{_ITEM_NOUN})\b", re.I)
_THRESHOLD = (r"\s*(?P<sign>-|−|minus\s+|negative\s+)?(?P<currency>\$|US\$|USD\s*|€|£)?\s*(?P<sign2>-|−)?"
              r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*(?P<percent>%|percent\b|per\s+cent\b)?"
              r"(?:\s*(?P<scale>thousands?|millions?|billions?|mn|bn|m|k|b)\b)?(?:\s*(?:years?|months?|days?|times|x)\b)?")
_COMPARATORS: list[tuple[str, str]] = [
    (">=", r"at\s+least|not\s+(?:less|lower|smaller)\s+than|no\s+(?:less|lower)\s+than|(?:greater|more|higher|larger)\s+"
           r"than\s+or\s+equal\s+to|equal\s+to\s+or\s+(?:greater|more|higher)\s+than"),
    ("<=", r"at\s+most|not\s+(?:more|greater|higher|larger)\s+than|no\s+(?:more|greater|higher)\s+than|(?:less|lower|"
           r"smaller)\s+than\s+or\s+equal\s+to|equal\s+to\s+or\s+(?:less|lower)\s+than"),
    (">", r"exceed(?:s|ed|ing)?|(?:greater|more|higher|larger|bigger)\s+than|above|over|in\s+excess\s+of|surpass(?:ed|es)?"),
    ("<", r"(?:less|lower|smaller|fewer)\s+than|below|under|beneath"),
]
_COMPARATOR = [(sign, re.compile(rf"\b(?:{words})(?={_THRESHOLD})", re.I)) for sign, words in _COMPARATORS]
_SIGN_TEST = re.compile(r"\b(?:was|were|is|are|been|be|turn(?:ed)?)\s+(?:a\s+)?(?P<sign>negative|positive)\b|"
                        r"\b(?P<sign2>negative|positive)\s*\?\s*$", re.I)
_EXTREMES: list[tuple[str, bool, str]] = [
    ("max", False, r"largest|highest|greatest|biggest|most|maximum|peak"),
    ("min", False, r"smallest|lowest|least|minimum|fewest"),
    ("max", True, r"larger|higher|greater|bigger|more"),
    ("min", True, r"smaller|lower|less|fewer"),
]
# "higher than last year" compares with something named, it does not pick a period.
_EXTREME = [(name, comparative, re.compile(rf"(?:\b(?:the|a)\s+)?\b(?:{words})\b(?!\s+than\b)", re.I))
            for name, comparative, words in _EXTREMES]
_SCALES = {"thousand": 1_000, "thousands": 1_000, "k": 1_000, "million": 1_000_000, "millions": 1_000_000,
           "m": 1_000_000, "mn": 1_000_000, "billion": 1_000_000_000, "billions": 1_000_000_000, "bn": 1_000_000_000,
           "b": 1_000_000_000}
_SUBJECT_LEAD = re.compile(r"^\s*(?:(?:was|were|is|are|did|does|do|has|had|have)\s+)?(?:there\s+)?(?:(?:a|an|the)\s+)?"
                           r"(?:(?:amounts?|values?|figures?|numbers?|levels?|balances?)\s+(?:of|for|in)\s+(?:the\s+)?)?",
                           re.I)
_SUBJECT_TAIL = re.compile(r"(?:\s+(?:the|a|an|was|were|is|are|did|that|which|and|in|for|during|of|at|than|value|"
                           r"amount|figure|recorded|reported))+\s*$", re.I)


def selection_in(text: str) -> Selection | None:
    """A question that picks the periods or items whose values meet a test, or counts them (see `Selection`);
    None for any other question. Without a test (a comparator and threshold, "negative", or a largest/smaller
    word) it is not one: "In which years was operating income reported?" asks for the table's years."""
    text = " ".join(text.replace("’", "'").split())
    target, count, items = "period", False, ""
    lead = _PICK_PERIOD.search(text)
    if lead is None and (lead := _COUNT_PERIODS.search(text)) is not None:
        count = True
    if lead is None and (lead := _PICK_ITEM.search(text)) is not None:
        target, items = "item", lead.group("items")
    if lead is None and (lead := _COUNT_ITEMS.search(text)) is not None:
        target, items, count = "item", lead.group("items"), True
    if lead is None:
        return None
    rest = text[lead.end():]
    fields: dict = {"target": target, "count": count, "items": " ".join(items.split())}
    cut: tuple[int, int] | None = None
    for sign, pattern in _COMPARATOR:
        if match := pattern.search(rest):
            threshold = re.match(_THRESHOLD, rest[match.end():], re.I)
            assert threshold is not None
            number = Decimal(threshold.group("number").replace(",", ""))
            if threshold.group("sign") or threshold.group("sign2"):
                number = -number
            scale = threshold.group("scale")
            fields.update(comparator=sign, threshold=number, threshold_percent=bool(threshold.group("percent")),
                          threshold_scale=_SCALES[scale.lower()] if scale else None,
                          threshold_text=" ".join(rest[match.end():match.end() + threshold.end()].split()))
            cut = (match.start(), match.end() + threshold.end())
            break
    if cut is None and (match := _SIGN_TEST.search(rest)):
        positive = (match.group("sign") or match.group("sign2")).lower() == "positive"
        fields.update(comparator=">" if positive else "<", threshold=Decimal(0), threshold_scale=1, threshold_text="0")
        cut = (match.start("sign") if match.group("sign") else match.start("sign2"),
               match.end("sign") if match.group("sign") else match.end("sign2"))
    if cut is None and not count:
        for name, comparative, pattern in _EXTREME:
            if match := pattern.search(rest):
                fields.update(extreme=name, comparative=comparative)
                cut = match.span()
                break
    if cut is None:
        return None
    subject = rest[:cut[0]] + " " + rest[cut[1]:]
    subject = re.sub(r"\?.*$", "", subject)
    fields["subject"] = _subject(subject)
    return Selection(**fields)


def _subject(text: str) -> str:
    """The line's name in a selection question: what is left of it without the question's frame."""
    text = " ".join(text.split()).strip(" ,.;:")
    text = _SUBJECT_LEAD.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _SUBJECT_TAIL.sub("", text).strip(" ,.;:")
        text = re.sub(r"\s+(?:in|for|during|at|as\s+of|between|from)\s+(?:(?:fiscal|the\s+year)\s+)?(?:19|20)\d{2}"
                      r"(?:\s*(?:and|to|-|–|or)\s*(?:19|20)\d{2})?$", "", text, flags=re.I).strip(" ,.;:")
    return text
