"""The few words of a quoted sentence that answer a narrative question: a name for "who", a date for "when", the
figure for "how much / how many / what is the maximum", the cause for "why", the items for "which countries".

Each reader returns the spans it found in one sentence, or [] when the sentence holds nothing of the kind asked:
then the sentence does not answer the question (rules/narrative.py tries the next one, or refuses).
"""

from __future__ import annotations

import re

from assistant.rules.lines import stem, words
from index.periods import MONTH_NAME, YEAR

# What a question asks for, from its wording.
_WHO = re.compile(r"^\s*(?:who\b|which\s+(?:company|firm|auditor|bank|entity|person|individual|agent)\b)", re.I)
_WHEN = re.compile(r"^\s*(?:when\b|in\s+which\s+(?:year|month|quarter|period)\b|(?:on\s+)?what\s+date\b)", re.I)
_WHY = re.compile(r"^\s*(?:why\b|what\s+(?:was|were|is|are)\s+the\s+(?:main\s+|primary\s+|key\s+)?reasons?\b|"
                  r"what\s+(?:caused|led\s+to|drove|contributed\s+to|resulted\s+in)\b)", re.I)
_QUANTITY = re.compile(
    r"^\s*(?:how\s+(?:much|many|long)\b|what\s+(?:is|was|were|are)\s+(?:the\s+(?:[\w-]+\s+){0,3}?|"
    r"(?:the\s+)?(?:total\s+|maximum\s+|minimum\s+|aggregate\s+)*)"
    r"(?:amount|number|value|rate|price|percentage|proportion|size|cost|term|duration)\b|"
    r"what\s+(?:is|was)\s+the\s+maximum\b)", re.I)
_LIST = re.compile(r"^\s*(?:which|what)\s+(?:are\s+the\s+|were\s+the\s+)?(?:[\w-]+\s+){0,2}?"
                   r"(?:countries|regions|currencies|markets|segments|types|components|products|items|categories|"
                   r"businesses|jurisdictions|factors|sources)\b", re.I)
_COMPUTED = re.compile(r"\b(?:average|mean|sum|total\s+(?:value|amount|number)?\s*of\b.*\band\b|difference|ratio|"
                       r"(?:percentage|proportion|share|portion)\s+of\b|combined|cagr|growth\s+rate)", re.I)
_PERCENT_ASKED = re.compile(r"\b(?:percent(?:age)?|per\s+cent|rate|proportion|margin)\b|%", re.I)
_PERCENT_FIGURE = re.compile(r"(?:%|per\s?cent|percent|percentage\s+points|basis\s+points)$", re.I)
_COUNT_ASKED = re.compile(r"^\s*how\s+many\b|\bnumber\s+of\b", re.I)
# "up to 6 cohorts", "a maximum of $15 million": the figure a "maximum / planned / up to" question asks for.
_CEILING_WORDS = re.compile(r"\b(?:maximum|max|up\s+to|at\s+most|ceiling|cap|planned|plan|limit)\b", re.I)
_CEILING_BEFORE = re.compile(r"\b(?:up\s+to|maximum(?:\s+of)?|not\s+to\s+exceed|no\s+more\s+than|at\s+most)\s*$", re.I)

# Roles a "who" question names, and the words a sentence uses for them.
_ROLES = {
    r"\bceo\b|chief\s+executive": r"chief\s+executive(?:\s+officer)?|\bCEO\b",
    r"\bcfo\b|chief\s+financial": r"chief\s+financial(?:\s+officer)?|\bCFO\b",
    r"\bcoo\b|chief\s+operating": r"chief\s+operating(?:\s+officer)?|\bCOO\b",
    r"\bchair(?:man|woman|person)?\b": r"\bchair(?:man|woman|person)?\b",
    r"\bpresident\b": r"\bpresident\b",
    r"\bauditors?\b|accounting\s+firm": r"\bauditors?\b|independent\s+registered\s+public\s+accounting\s+firm|\baudit\s+firm\b",
    r"\bsales\s+agent\b|\bagent\b": r"\bagent\b",
}
ROLE_WORDS = {"ceo": "chief executive officer", "cfo": "chief financial officer", "coo": "chief operating officer"}

_CURRENCY = r"(?:(?:US|A|C|HK|S|NZ)\$|\$|£|€|¥|(?:USD|RMB|INR|EUR|GBP|AUD|CAD|HKD|SGD)\s?)"
_SCALE = r"(?:million|billion|thousand|trillion|bn|mn|m|k)"
_UNIT = (r"(?:%|\s?per\s?cent\b|\s?percent\b|\s?percentage\s+points\b|\s?basis\s+points\b|\s?cents?\b|\s?pence\b|p\b|"
         r"\s?(?:square\s+feet|sq\.\s*ft\.|acres|years?|months?|days?|weeks?|hours?|employees|people|stores|countries|"
         r"times|x\b))")
_FIGURE = re.compile(
    rf"(?<![\w.\-/])(?:(?:approximately|about|over|nearly|almost|up\s+to|more\s+than|less\s+than)\s+)?"
    rf"(?P<figure>\(?-?{_CURRENCY}?\s?\(?-?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?\)?(?:\s?{_SCALE}\b)?(?:{_UNIT})?)", re.I)
_DATE = re.compile(
    rf"\b(?:{MONTH_NAME}\s+\d{{1,2}}\s*,\s*{YEAR}|\d{{1,2}}\s+{MONTH_NAME}\s+{YEAR}|{MONTH_NAME}\s+(?:of\s+)?{YEAR}|"
    rf"(?:the\s+)?(?:first|second|third|fourth)\s+quarter\s+of\s+(?:fiscal\s+(?:year\s+)?)?{YEAR}|Q[1-4],?\s+{YEAR}|"
    rf"(?:fiscal\s+(?:year\s+)?)?{YEAR})\b", re.I)
_CAUSE = re.compile(r"\b(?:(?:primarily|mainly|largely|partly|principally|mostly)\s+)?(?:due\s+to|because\s+of|because|"
                    r"as\s+a\s+result\s+of|driven\s+by|attributable\s+to|resulting\s+from|owing\s+to|reflecting)\b", re.I)
# A name: capitalised words, with initials, "&", "of", "and" between them ("H.C. Wainwright & Co., LLC",
# "Board of Directors", "Deloitte LLP").
_NAME = re.compile(r"(?:(?:Mr|Ms|Mrs|Dr)\.\s)?[A-Z][\w'’.-]*(?:\s+(?:(?:of|and|de|van|von|the)\s+)?(?:[A-Z][\w'’.-]*|&)"
                   r"|,?\s+(?:LLC|LLP|L\.P\.|Inc\.?|Ltd\.?|plc|N\.A\.)\b)*")
_NOT_NAMES = frozenset("the a an in on at for as of and our we its it this these those during while following "
                       "as such company group registrant corporation".split())
_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)
_PARENTHESIS = re.compile(r"\((?=[^()]*[A-Za-z:])[^()]*\d[^()]*\)")


def prefers(question: str, sentence: str) -> bool:
    """Whether a sentence says what qualifies the figure asked for: "planned", "maximum", "up to" in both."""
    wanted = {match.group(0).lower() for match in _CEILING_WORDS.finditer(question)}
    return bool(wanted) and any(re.search(rf"\b{re.escape(word)}\b", sentence, re.I) for word in wanted)


def kind_of(question: str) -> str | None:
    """Which kind of short answer a question asks for: who, when, why, quantity, list; None for any other (and for
    a quantity to compute, "average", "total of ... and ...", "percentage of X in Y": no one printed figure is it)."""
    if _QUANTITY.search(question) and _COMPUTED.search(question):
        return None
    for kind, pattern in (("why", _WHY), ("who", _WHO), ("when", _WHEN), ("quantity", _QUANTITY), ("list", _LIST)):
        if pattern.search(question):
            return kind
    return None


def role_asked(question: str) -> str | None:
    """The pattern a sentence must match to name the role a "who" question asks about (CEO, auditor, ...)."""
    for asked, said in _ROLES.items():
        if re.search(asked, question, re.I):
            return said
    return None


def spans_in(question: str, sentence: str, kind: str) -> list[str]:
    """The spans of `sentence` that answer `question`, of `kind` (see kind_of); [] when it holds none."""
    asked_years = set(re.findall(YEAR, question))
    unbracketed = _PARENTHESIS.sub(" ", sentence)  # "(2018: £4.1 million)" is the prior year beside the current
    if kind in ("why", "quantity") and asked_years and re.search(YEAR, unbracketed) and not any(
            re.search(rf"\b{year}\b|\b{year[2:]}\b", sentence) for year in asked_years):
        return []  # a sentence about other years than the one asked
    reader = {"who": _who, "when": _when, "why": _why, "quantity": _quantity, "list": _items}[kind]
    return [span.strip(" ,;:.") for span in reader(question, sentence) if span.strip(" ,;:.")]


def _asked(question: str) -> frozenset[str]:
    expanded = re.sub(r"\b(ceo|cfo|coo)\b", lambda match: ROLE_WORDS[match.group(1).lower()], question, flags=re.I)
    return words(expanded)


def _who(question: str, sentence: str) -> list[str]:
    asked = _asked(question)
    role = role_asked(question)
    names = [match for match in _NAME.finditer(sentence) if _is_name(match.group(0), asked)]
    if not names:
        return []
    if role:
        at = re.search(role, sentence, re.I)
        if not at:
            return []
        # "Mr. Ian Huen, Chief Executive Officer" or "our Chief Executive Officer, Ian Huen": the name next to it.
        names = [match for match in names if match.end() <= at.start() or match.start() >= at.end()]
        if not names:
            return []
        near = min(names, key=lambda match: min(abs(match.end() - at.start()), abs(match.start() - at.end())))
        if min(abs(near.end() - at.start()), abs(near.start() - at.end())) > 40:
            return []
        return [_clean_name(near.group(0))]
    by = re.search(r"\bby\s+((?:the\s+)?[A-Z][^,;]*)", sentence)
    if by:
        name = _NAME.match(by.group(1).removeprefix("the ").strip())
        if name and _is_name(name.group(0), asked):
            return [("the " if by.group(1).startswith("the ") else "") + _clean_name(name.group(0))]
    return [_clean_name(names[0].group(0))]


def _is_name(text: str, asked: frozenset[str]) -> bool:
    tokens = [re.sub(r"['’]s$", "", token) for token in re.findall(r"[A-Za-z][\w'’-]*", text)]
    if not tokens or all(token.lower() in _NOT_NAMES for token in tokens):
        return False
    # A name the question already says is not the answer ("Who approved the financial statements?").
    return not all(stem(token) in asked or token.lower() in _NOT_NAMES for token in tokens)


def _clean_name(name: str) -> str:
    return re.sub(r"^(?:Mr|Ms|Mrs|Dr)\.\s*", "", name.strip()).strip(" ,")


def _when(question: str, sentence: str) -> list[str]:
    years_asked = set(re.findall(YEAR, question))
    for match in _DATE.finditer(sentence):
        if match.group(0) in years_asked:
            continue
        return [match.group(0)]
    return []


_UP = re.compile(r"\b(?:increas\w*|rose|rise|risen|grew|grow\w*|higher|improv\w*|gain\w*)\b", re.I)
_DOWN = re.compile(r"\b(?:decreas\w*|fell|fall\w*|declin\w*|lower|reduc\w*|drop\w*)\b", re.I)


def _why(question: str, sentence: str) -> list[str]:
    cause = _CAUSE.search(sentence)
    if not cause:
        return []
    # "What led to the increase ...?" is not answered by the cause of a decrease.
    head = sentence[:cause.start()]
    for asked, other in ((_UP, _DOWN), (_DOWN, _UP)):
        if asked.search(question) and not other.search(question) and other.search(head) and not asked.search(head):
            return []
    clause = sentence[cause.start():]
    return [re.sub(r"[.;]\s*$", "", clause)]


def _quantity(question: str, sentence: str) -> list[str]:
    years = re.findall(YEAR, question)
    for year in years:
        # "£4.1 million (2018: £3.5 million)": the prior year's figure is the one in brackets.
        prior = re.search(rf"\((?:FY\s?)?{year}(?:/\d{{2}})?:\s*([^()]*?\d[^()]*?)\)", sentence)
        if prior and _FIGURE.fullmatch(prior.group(1).strip()):
            return [prior.group(1).strip()]
    figures = _figures(sentence)
    counted = re.match(r"\s*how\s+many\s+(?:of\s+the\s+)?([a-z][\w-]*)", question, re.I)
    if counted:
        # "How many cohorts ...": a number of cohorts ("5 total cohorts"), not "ALS-4" or "$2.9".
        noun = stem(counted.group(1))
        figures = [figure for figure in figures
                   if any(stem(word) == noun for word in re.findall(r"[\w-]+", sentence[figure[1]:])[:3])]
    # The figure is of the kind asked: a percentage for "what rate", a count for "how many", not an amount.
    if _PERCENT_ASKED.search(question):
        figures = [figure for figure in figures if _PERCENT_FIGURE.search(figure[2])]
    elif _COUNT_ASKED.search(question):
        figures = [figure for figure in figures
                   if not re.search(_CURRENCY, figure[2]) and not _PERCENT_FIGURE.search(figure[2])]
    if re.match(r"\s*how\s+long\b", question, re.I):
        figures = [figure for figure in figures if re.search(r"(?:year|month|week|day|hour)s?$", figure[2], re.I)]
    if not figures:
        return []
    if len(figures) == 1:
        return [_with_range(sentence, figures[0])]
    years = re.findall(YEAR, question)
    if _RESPECTIVELY.search(sentence) and years:
        # "... in 2019, 2018 and 2017 were $131 million, $117 million and $180 million, respectively".
        listed = [match.group(0) for match in re.finditer(YEAR, sentence) if not _inside(match.span(), figures)]
        amounts = [figure for figure in figures if not re.fullmatch(r"\(?\d{4}\)?", figure[2])]
        if len(amounts) != len(listed) or not all(year in listed for year in years):
            return []
        return [amounts[listed.index(year)][2] for year in years]
    paired = _paired(question, sentence, figures)
    if paired:
        return paired
    if _CEILING_WORDS.search(question):
        ceilings = [figure for figure in figures if _CEILING_BEFORE.search(sentence[:figure[0]])]
        if ceilings:
            figures = ceilings
    asked = _asked(question)
    scored = []
    for index, (start, end, text) in enumerate(figures):
        left = figures[index - 1][1] if index else 0
        right = figures[index + 1][0] if index + 1 < len(figures) else len(sentence)
        scored.append((len(asked & (words(sentence[left:start]) | words(sentence[end:right]))), index))
    best = max(score for score, _ in scored)
    top = [index for score, index in scored if score == best]
    if len(top) > 1 and re.search(r"\band\b", question) and best > 0:
        return [figures[index][2] for index in top]
    return [_with_range(sentence, figures[top[0]])]


def _with_range(sentence: str, figure: tuple[int, int, str]) -> str:
    """ "varies from 2 to 10 years": the range, not its upper end."""
    start, _, text = figure
    ranged = re.search(r"\b(?:from|between)\s+\d[\d,.]*\s*(?:to|and|-|–)\s*$", sentence[:start])
    return sentence[ranged.start():start] + text if ranged else text


def _paired(question: str, sentence: str, figures: list[tuple[int, int, str]]) -> list[str]:
    """ "for the SAD and MAD portions" over "up to 6 cohorts for SAD and 3 cohorts for MAD": the figure before each."""
    for pair in re.finditer(r"\b([A-Za-z][\w-]*)\s+and\s+([A-Za-z][\w-]*)\b", question):
        if re.search(rf"\b{re.escape(pair.group(1))}\s+and\s+{re.escape(pair.group(2))}\b", sentence, re.I):
            continue  # one name ("research and development"), not two things
        found = []
        for word in pair.groups():
            at = re.search(rf"\b{re.escape(word)}\b", sentence, re.I)
            before = [figure for figure in figures if at and figure[1] <= at.start()]
            if not before:
                break
            found.append(before[-1][2])
        if len(found) == 2 and found[0] != found[1]:
            return found
    return []


def _figures(sentence: str) -> list[tuple[int, int, str]]:
    """The figures of a sentence that could be an answer: not a year, a date's day, a note number or a list marker."""
    found = []
    cleaned = _PARENTHESIS.sub(lambda match: " " * len(match.group(0)), sentence)  # "(2018: £3.5 million)"
    for match in _FIGURE.finditer(cleaned):
        text = match.group("figure").strip()
        start, end = match.start("figure"), match.end("figure")
        bare = re.fullmatch(r"\(?\d+\)?", text)
        if bare and (re.fullmatch(r"\(?(?:19|20)\d{2}\)?", text) or text.startswith("(")):
            continue
        before = cleaned[max(0, start - 12):start]
        if bare and re.search(rf"(?:{MONTH_NAME}|\bNote|\bItem|\bSection|\bClass|\bPhase|\bTier)\s*$", before, re.I):
            continue
        if bare and re.match(rf"\s*(?:,\s*{YEAR}|{MONTH_NAME}\b)", cleaned[end:]):
            continue  # the day of "June 30, 2021" or of "31 December 2019"
        found.append((start, end, text))
    return found


def _inside(span: tuple[int, int], figures: list[tuple[int, int, str]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end, _ in figures)


def _items(question: str, sentence: str) -> list[str]:
    """An enumeration: "in seven geographic regions: United States, China, ... and Taiwan" -> its items."""
    match = re.search(r"(?::|\bin|\binclude|\bincluding|\bsuch\s+as|\bconsists?\s+of|\bcompris(?:e|es|ing)(?:\s+of)?)\s+"
                      r"((?:[^,;:]{1,60},\s+)+(?:and\s+|or\s+)?[^,;:]{1,60}?)(?:[.;]|$)", sentence)
    if not match:
        return []
    items = re.split(r",\s+(?:and\s+|or\s+)?|\s+and\s+", match.group(1))
    items = [item.strip() for item in items if item.strip()]
    if len(items) < 2 or any(len(item.split()) > 6 for item in items):
        return []
    return items
