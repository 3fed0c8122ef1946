"""Questions whose answer is a list read off a table, and questions asking for several values "respectively".

    list_request("What are the components under deferred tax liabilities in the table?")
        -> ListRequest(target="rows", noun="components", subject="deferred tax liabilities")
    list_request("What are the 3 dates listed in the table in chronological order?")
        -> ListRequest(target="columns", noun="dates", chronological=True, count=3)
    list_request("How many components are there under deferred tax assets?")
        -> ListRequest(target="rows", noun="components", subject="deferred tax assets", counting=True)
    asked_order(question, periods)   # the periods of a "respectively" question in the order the question says them

A list request names what is listed (`noun`: components, segments, countries, ...) and what it is a list of
(`subject`: a heading, a total line, or a table's title, in the question's words; "" for "the table" itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.periods import YEAR, Period, periods_in

_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
# What a list is of: row labels of a table.
_ROW_NOUNS = (r"components?|(?:financial\s+|line\s+)?items|segments|(?:business\s+|operating\s+|reportable\s+)?"
              r"categories|countries|(?:geographic(?:al)?\s+)?regions|(?:geographic(?:al)?\s+)?areas|types|kinds|classes|"
              r"elements|sources|markets|currencies|jurisdictions|(?:line\s+)?items|parts|constituents|contract\s+types|"
              r"classifications|divisions|business(?:es)?|product\s+lines|brands")
# What a list of column headings is of.
_COLUMN_NOUNS = r"years|dates|periods|fiscal\s+years|financial\s+years"
_COUNT = r"(?:(?P<count>\d+|two|three|four|five|six|seven|eight|nine|ten)\s+)?"
_NOUN = rf"(?P<noun>{_COLUMN_NOUNS}|{_ROW_NOUNS})"
# "What are the components of X", "Which segments does Apple report?", "What are the 3 dates listed in the table".
_WHAT_ARE = re.compile(
    rf"^\s*(?:what|which)\s+(?:are|were)\s+(?:the\s+)?(?:different\s+|various\s+|main\s+|respective\s+)?{_COUNT}{_NOUN}\b"
    rf"(?P<rest>.*)$", re.I)
_WHICH_NOUN = re.compile(
    rf"^\s*(?:what|which)\s+{_COUNT}{_NOUN}\s+(?P<verb>are|were|does|do|did|is)\b(?P<rest>.*)$", re.I)
# "How many components are there under deferred tax assets?": the length of the list, not a figure of the table.
_HOW_MANY = re.compile(rf"^\s*how\s+many\s+(?:different\s+|main\s+|separate\s+|distinct\s+)?(?P<noun>{_ROW_NOUNS})\b"
                       rf"(?P<rest>.*)$", re.I)
# "What does X consist of?", "What makes up X?", "What is X comprised of?".
_CONSIST = re.compile(r"^\s*what\s+(?:(?:financial\s+)?items\s+)?(?:does|do|did)\s+(?P<rest>.+?)\s+(?:consist|comprise)"
                      r"(?:\s+of)?\s*\??\s*$|^\s*what\s+(?:makes|made|make)\s+up\s+(?P<rest2>.+?)\s*\??\s*$", re.I)
# Words that make the question something else than a list of labels: a figure, a comparison, a count.
_NOT_A_LIST = re.compile(r"\b(?:respectively|respective|values?|amounts?|how\s+much|how\s+many|change|increase|decrease|"
                         r"percentage|proportion|ratio|average|total\s+(?:value|amount)|largest|smallest|highest|lowest|"
                         r"most|least|greater|greatest|less|more|exceed\w*|above|below|why|reasons?|"
                         r"(?:in|for|during|as\s+of)\s+(?:fiscal\s+)?(?:19|20)\d{2})\b", re.I)
# The words around the subject that name the table itself or the act of listing.
_FRAME = re.compile(r"\b(?:(?:that\s+are\s+|which\s+are\s+)?(?:listed|shown|included|presented|provided|disclosed|"
                    r"reported|highlighted|given|stated|recorded)(?:\s+(?:in|under|within|on|by))?|in\s+the\s+(?:above\s+)?"
                    r"table|the\s+table|this\s+table|(?:in|from)\s+chronological\s+order|(?:in|of)\s+the\s+company|"
                    r"does\s+the\s+company\s+(?:have|report|use|disclose)|are\s+there|is\s+there|does\s+it\s+report|"
                    r"(?:that\s+)?make\s+up|making\s+up|consist(?:s|ing)?\s+of|compris(?:e|es|ing)(?:\s+of)?|"
                    r"whereby|used\s+(?:in|to\s+\w+)|considered)\b", re.I)
_LEAD = re.compile(r"^\s*(?:of|under|in|within|for|on|that|which|making\s+up|make\s+up|included\s+in)\s+", re.I)
_CHRONOLOGICAL = re.compile(r"\bchronological(?:ly)?\b|\bfrom\s+(?:the\s+)?(?:earliest|oldest)\b", re.I)
_TOTALS = re.compile(r"\b(?:including|with)\s+(?:the\s+)?(?:sub)?totals?\b", re.I)
RESPECTIVELY = re.compile(r"\brespective(?:ly)?\b", re.I)
# "fiscal years 2019 to 2017": every year of the span, in the direction written.
_YEAR_RUN = re.compile(rf"\b({YEAR})\s*(?:to|through|thru|-|–)\s*({YEAR})\b", re.I)


@dataclass(frozen=True)
class ListRequest:
    """A list asked of a table: its row labels (`target` "rows") under `subject`, or its column headings ("columns",
    for years, dates, periods). `count` is the number of items the question expects, when it says one;
    `chronological` asks the columns oldest first; `totals` asks that total lines be kept; `counting` asks how many
    items the list has."""

    target: Literal["rows", "columns"]
    noun: str
    subject: str = ""
    count: int | None = None
    chronological: bool = False
    totals: bool = False
    counting: bool = False


def list_request(question: str) -> ListRequest | None:
    """The list a question asks of a table, or None when it asks for something else (figures, a comparison, a
    count, a reason)."""
    text = " ".join(question.replace("’", "'").split())
    if counted := _HOW_MANY.match(text):
        rest = counted.group("rest")
        if _NOT_A_LIST.search(rest) or re.search(r"\b(?:19|20)\d{2}\b", rest):
            return None  # "How many segments were above $50 million in 2019?": a selection, not a list's length
        # "How many segments does the company have?" names no heading or total to count the rows of.
        subject = subject_of(rest)
        return ListRequest(target="rows", noun=" ".join(counted.group("noun").lower().split()), subject=subject,
                           totals=bool(_TOTALS.search(text)), counting=True) if subject else None
    match = _WHAT_ARE.match(text) or _WHICH_NOUN.match(text)
    if match:
        noun = " ".join(match.group("noun").lower().split())
        rest = match.group("rest")
        count_text = match.group("count")
    elif consist := _CONSIST.match(text):
        noun, rest, count_text = "components", consist.group("rest") or consist.group("rest2"), None
    else:
        return None
    if _NOT_A_LIST.search(rest) or _NOT_A_LIST.search(text[:match.start("noun")] if match else ""):
        return None
    target: Literal["rows", "columns"] = "columns" if re.fullmatch(_COLUMN_NOUNS, noun, re.I) else "rows"
    if target == "columns" and not re.search(r"\btable\b", text, re.I):
        return None  # "What are the years ... ?" of a sentence, not of a table's header
    count = None
    if count_text:
        count = int(count_text) if count_text.isdigit() else _NUMBERS[count_text.lower()]
    return ListRequest(target=target, noun=noun, subject=subject_of(rest), count=count,
                       chronological=bool(_CHRONOLOGICAL.search(text)), totals=bool(_TOTALS.search(text)))


def subject_of(rest: str) -> str:
    """What a list is of, in the question's words: the rest of the question less the words naming the table or
    the act of listing ("under deferred tax liabilities in the table?" -> "deferred tax liabilities")."""
    rest = _FRAME.sub(" ", rest.strip(" ?.")).strip(" ,?.")
    rest = _TOTALS.sub(" ", rest)
    previous = None
    while previous != rest:
        previous = rest
        rest = _LEAD.sub("", rest).strip(" ,")
    rest = re.sub(r"^(?:does|do|did|is|are|was|were)\s+", "", rest, flags=re.I)
    rest = re.sub(r"\s+(?:is|are|was|were)\s+(?:split|divided|broken\s+down|allocated|disaggregated)\b.*$", "", rest,
                  flags=re.I)
    # "Which segments does Apple report?": the verb after the company says nothing of the list.
    rest = re.sub(r"\s+(?:report|have|has|use|disclose|present|show|operate)s?$", "", rest, flags=re.I)
    return " ".join(rest.split())


def asks_respectively(question: str) -> bool:
    return bool(RESPECTIVELY.search(question))


def asked_order(question: str, periods: list[Period]) -> list[Period] | None:
    """The periods of a "respectively" question in the order the question names them ("in 2019 and 2018
    respectively" is 2019 then 2018), with every year of a span it names ("fiscal years 2019 to 2017"); None when
    the question's periods cannot be lined up with the parsed ones (then the order asked is not known)."""
    run = _YEAR_RUN.search(question)
    if run and len(periods) == 2 and all(re.fullmatch(rf"(?:FY)?{YEAR}", period.label) for period in periods):
        first, last = int(run.group(1)), int(run.group(2))
        step = 1 if last >= first else -1
        years = list(range(first, last + step, step))
        by_year = {period.year: period for period in periods}
        if set(by_year) != {first, last}:
            return None
        template = by_year[first]
        return [by_year.get(year) or template.model_copy(update={
            "label": template.label.replace(str(first), str(year)), "text": str(year), "year": year})
            for year in years]
    written, _ = periods_in(question)
    if len(written) != len(periods):
        return None
    order: list[Period] = []
    for said in written:
        same = [period for period in periods if period.year == said.year and period not in order]
        exact = [period for period in same if period.label == said.label] or same
        if not exact:
            return None
        order.append(exact[0])
    return order
