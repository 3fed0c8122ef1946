"""Question understanding for the offline backend: a question (and what earlier turns asked) -> a typed `Query`.

Pure and deterministic: no model, no store. `parse_question` reads
- which companies (and so which documents) the question names: company names, tickers, file-name forms
  (`JOHNSON_JOHNSON`, `BESTBUY`), in any case, with or without a possessive;
- the metric(s), as keys of index/synonyms.yaml, and the raw line label asked about ("Gain on use of digital
  currencies"), for lines the vocabulary does not know;
- the period(s): FY2022, fiscal 2022, Q2 2023, first half of 2021, six months ended June 30, 2021, as of a date,
  "2021 and 2020", "between FY2018 and FY2019", year over year;
- the operation (value, change, pct_change, ratio, sum, average, margin, cagr, compare, direction, metric);
- the unit asked for (scale, percent, decimals, currency), a definition the question states, and whether the
  question wants a figure or a narrative answer.

A follow-up ("And in 2020?", "What's the percentage change?", "What about revenue?") takes what it leaves out
from the `ConversationState` of the earlier turns.
"""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from index.metadata import FORM_ALIASES, is_generic_company, parse_date, squash
from index.records import Document
from index.synonyms import metric as vocabulary_metric
from index.synonyms import metrics_in_order

Operation = Literal["value", "change", "pct_change", "ratio", "sum", "average", "margin", "cagr", "compare",
                    "direction", "metric"]
Duration = Literal["3M", "6M", "9M", "FY", "instant"]
Kind = Literal["figure", "narrative"]

MAX_TURNS = 5
# Operations that compare a figure across two (or more) periods.
ACROSS_PERIODS: tuple[str, ...] = ("change", "pct_change", "cagr", "compare", "direction")


class Period(BaseModel):
    """A period a question names. `label` is canonical where there is one (FY2022, 2023Q2, 2021H1, 2021, or the
    ISO end date of a balance-sheet date or an N-months-ended period), the form index/facts.py's
    `fact_matches_period` reads. `end` is the end date when the question states it or a matched document does
    (quarters and halves otherwise get their calendar end); `text` is the phrase as written (or how the period
    was derived)."""

    model_config = ConfigDict(extra="forbid")

    label: str
    text: str
    year: int | None = None
    end: dt.date | None = None
    duration: Duration | None = None
    quarter: int | None = None
    half: int | None = None


class Unit(BaseModel):
    """The unit an answer is asked in: `scale` 1,000,000 for "in millions", `percent` for "in percent" or
    "as a percentage", `decimals` for "round to one decimal place", `currency` for "in USD" / "in dollars"."""

    model_config = ConfigDict(extra="forbid")

    scale: int | None = None
    currency: str | None = None
    percent: bool = False
    decimals: int | None = None

    def is_empty(self) -> bool:
        return self.scale is None and self.currency is None and not self.percent and self.decimals is None


class Query(BaseModel):
    """What a question asks, resolved against the documents and the earlier turns.

    `periods` are ordered old -> new. `compare_prior` says the question compares with the prior period ("year
    over year") — when it named a period, the prior one is already in `periods`. `inherited` names the fields
    taken from the conversation state rather than from the question.
    """

    model_config = ConfigDict(extra="forbid")

    question: str
    kind: Kind = "figure"
    companies: list[str] = []
    doc_ids: list[str] = []
    metrics: list[str] = []
    label: str | None = None
    analyst_metric: str | None = None
    operation: Operation = "value"
    periods: list[Period] = []
    compare_prior: bool = False
    unit: Unit = Unit()
    definition: str | None = None
    inherited: list[str] = []


class ConversationState(BaseModel):
    """The structured memory of a conversation: its last few queries (oldest first)."""

    model_config = ConfigDict(extra="forbid")

    turns: list[Query] = []

    @property
    def last(self) -> Query | None:
        return self.turns[-1] if self.turns else None

    def update(self, query: Query) -> ConversationState:
        """The state after `query` (a new state; this one is left as it was)."""
        return ConversationState(turns=[*self.turns, query][-MAX_TURNS:])

    def recent_periods(self, count: int = 2) -> list[Period]:
        """The last `count` distinct periods asked, newest turns first, returned old -> new."""
        found: list[Period] = []
        for turn in reversed(self.turns):
            for period in reversed(turn.periods):
                if all(period.label != other.label for other in found):
                    found.append(period)
            if len(found) >= count:
                break
        return _ordered(found[:count])


# --- companies ------------------------------------------------------------------------------------------------

_SUFFIXES = re.compile(
    r"[\s,]+(?:inc\.?|incorporated|corporation|corp\.?|company|co\.?|limited|ltd\.?|group|holdings?|plc|n\.v\.|"
    r"s\.a\.|llc|l\.p\.|ag|se)$", re.I)
# Forms a generic or badly read name can shrink to ("The Company" -> "the") that would match any question.
_NOT_NAMES = frozenset({"the", "our", "this", "that", "its", "and", "for", "of", "in", "on", "to", "a", "an", "we", "us",
                        "company", "corporation", "group", "inc", "total", "net", "income", "revenue"})
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[&.'’-][A-Za-z0-9]+)*")
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$", re.I)
_PERIODISH = re.compile(r"(?:FY)?\d{2,4}(?:Q[1-4]|H[12])?|Q[1-4]\d{4}|DATED.*", re.I)


def _stem_company(source_path: str) -> str | None:
    """The company part of a file name: `JOHNSON_JOHNSON_2022_10K` -> JOHNSON JOHNSON, `aptorum-2021-h1-results`
    -> aptorum."""
    tokens = [token for token in re.split(r"[_\s-]+", Path(source_path).stem) if token]
    company: list[str] = []
    for token in tokens:
        if _PERIODISH.fullmatch(token) or token.upper() in FORM_ALIASES or token.upper().replace("-", "") in FORM_ALIASES:
            break
        company.append(token)
    return " ".join(company) or None


def _company_forms(document: Document) -> set[str]:
    """Squashed forms a question may name the document's company by (compared ignoring case)."""
    forms: set[str] = set()
    names = [name for name in (document.company, _stem_company(document.source_path))
             if name and not is_generic_company(name)]
    for name in names:
        variants = {name, name.replace("&", " and ")}
        stripped = name
        while (shorter := _SUFFIXES.sub("", stripped)) != stripped and shorter:
            stripped = shorter
            variants |= {stripped, stripped.replace("&", " and ")}
        forms |= {squash(variant) for variant in variants}
    return {form for form in forms if len(form) >= 2 and form.lower() not in _NOT_NAMES}


def _display_name(document: Document) -> str:
    return document.company or _stem_company(document.source_path) or document.ticker or document.id


def resolve_companies(question: str, documents: list[Document]) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """The companies a question names, their documents' ids (in `documents` order), and the spans naming them.

    Names and file-name forms match in any case and with a possessive ("Apple's", "JOHNSON_JOHNSON"); a ticker
    only as written in capitals ("MMM"), so that tickers do not match ordinary words.
    """
    tokens = list(_TOKEN.finditer(question.replace("_", " ")))
    forms = [(document, _company_forms(document)) for document in documents]
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
        name = _display_name(document)
        if document.id in matched and name not in companies:
            companies.append(name)
    return companies, doc_ids, spans


# --- periods --------------------------------------------------------------------------------------------------

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DATE = rf"{_MONTH}\s+\d{{1,2}}\s*,?\s*(?:19|20)\d{{2}}"
_YEAR = r"(?:19|20)\d{2}"
_YY = r"(?:(?:19|20)?\d{2})"
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_ORD = r"(?:first|second|third|fourth|1st|2nd|3rd|4th)"
_MONTHS_COUNT = {"three": 3, "3": 3, "six": 6, "6": 6, "nine": 9, "9": 9, "twelve": 12, "12": 12}

_PERIOD_PATTERNS: list[tuple[str, re.Pattern[str]]] = [(name, re.compile(pattern, re.I)) for name, pattern in [
    ("months_ended", rf"\b(?:the\s+)?(three|six|nine|twelve|3|6|9|12)[\s-]+months?\s+(?:period\s+)?end(?:ed|ing)\s+(?:on\s+)?({_DATE})"),
    ("year_ended", rf"\b(?:the\s+)?(?:fiscal\s+)?year\s+end(?:ed|ing)\s+(?:on\s+)?({_DATE})"),
    ("as_of", rf"\b(?:as\s+of|as\s+at|at)\s+({_DATE})"),
    ("date", rf"\b({_DATE})"),
    ("quarter_words", rf"\b(?:the\s+)?({_ORD})\s+(?:fiscal\s+)?quarter\s+(?:of\s+)?(?:fiscal\s+(?:year\s+)?|FY\s*)?({_YEAR})"),
    ("quarter_q", rf"\b(?:fiscal\s+)?Q([1-4])\s*(?:of\s+)?(?:fiscal\s+(?:year\s+)?|FY\s*)?['’]?({_YY})\b"),
    ("quarter_q_after", rf"\b({_YEAR})\s*-?\s*Q([1-4])\b"),
    ("quarter_nq", rf"\b([1-4])Q\s*['’]?({_YY})\b"),
    ("half_words", rf"\b(?:the\s+)?(first|second)\s+(?:half|six\s+months)\s+(?:of\s+)?(?:fiscal\s+(?:year\s+)?|FY\s*)?({_YEAR})"),
    ("half_h", rf"\b(?:H([12])|([12])H)\s*(?:of\s+)?(?:fiscal\s+|FY\s*)?['’]?({_YY})\b"),
    ("half_h_after", rf"\b({_YEAR})\s*-?\s*H([12])\b"),
    ("fiscal", rf"\b(?:FY\s*['’]?({_YY})|fiscal\s+(?:year\s+)?({_YEAR})|(?:full|calendar)\s+year\s+({_YEAR})|({_YEAR})\s*FY)\b"),
    ("year", rf"(?<![\w$,.])({_YEAR})(?![\w,.]\d)"),
]]

_PRIOR = re.compile(
    r"\b(?:year[\s-]+over[\s-]+year|yoy|y/y|(?:the\s+)?(?:prior|previous|preceding)\s+(?:fiscal\s+)?(?:year|period)|"
    r"(?:the\s+)?same\s+period\s+(?:of\s+|in\s+)?(?:the\s+)?(?:prior|previous|last)\s+year|last\s+year)\b", re.I)


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if value < 100 else value


def _quarter_end(year: int, quarter: int) -> dt.date:
    month = 3 * quarter
    return dt.date(year, month, monthrange(year, month)[1])


def _half_end(year: int, half: int) -> dt.date:
    return dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)


def quarter_period(year: int, quarter: int, text: str) -> Period:
    return Period(label=f"{year}Q{quarter}", text=text, year=year, end=_quarter_end(year, quarter), duration="3M",
                  quarter=quarter)


def half_period(year: int, half: int, text: str) -> Period:
    return Period(label=f"{year}H{half}", text=text, year=year, end=_half_end(year, half), duration="6M", half=half)


def fiscal_period(year: int, text: str, end: dt.date | None = None) -> Period:
    return Period(label=f"FY{year}", text=text, year=year, end=end, duration="FY")


def _months_ended(months: int, end: dt.date, text: str) -> Period:
    if months == 3 and end.month in (3, 6, 9, 12) and end.day >= 28:
        period = quarter_period(end.year, end.month // 3, text)
    elif months == 6 and end.month in (6, 12) and end.day >= 28:
        period = half_period(end.year, 1 if end.month == 6 else 2, text)
    elif months == 12:
        return fiscal_period(end.year, text, end)
    else:
        return Period(label=end.isoformat(), text=text, year=end.year, end=end,
                      duration={3: "3M", 6: "6M", 9: "9M"}[months])
    return period.model_copy(update={"end": end})


def _period_of(name: str, match: re.Match[str]) -> Period | None:
    text = " ".join(match.group().split())
    groups = match.groups()
    if name == "months_ended":
        end = parse_date(groups[1])
        return _months_ended(_MONTHS_COUNT[groups[0].lower()], end, text) if end else None
    if name == "year_ended":
        end = parse_date(groups[0])
        return fiscal_period(end.year, text, end) if end else None
    if name in ("as_of", "date"):
        end = parse_date(groups[0])
        if end is None:
            return None
        return Period(label=end.isoformat(), text=text, year=end.year, end=end,
                      duration="instant" if name == "as_of" else None)
    if name == "quarter_words":
        return quarter_period(_year(groups[1]), _ORDINAL[groups[0].lower()], text)
    if name in ("quarter_q", "quarter_nq"):
        return quarter_period(_year(groups[1]), int(groups[0]), text)
    if name == "quarter_q_after":
        return quarter_period(_year(groups[0]), int(groups[1]), text)
    if name == "half_words":
        return half_period(_year(groups[1]), _ORDINAL[groups[0].lower()], text)
    if name == "half_h":
        return half_period(_year(groups[2]), int(groups[0] or groups[1]), text)
    if name == "half_h_after":
        return half_period(_year(groups[0]), int(groups[1]), text)
    if name == "fiscal":
        return fiscal_period(_year(next(group for group in groups if group)), text)
    if name == "year":
        year = int(groups[0])
        return Period(label=str(year), text=text, year=year)
    return None


def periods_in(text: str) -> tuple[list[Period], list[tuple[int, int]]]:
    """The periods a text names, in the order written, and the spans naming them."""
    found: list[tuple[int, Period]] = []
    spans: list[tuple[int, int]] = []
    for name, pattern in _PERIOD_PATTERNS:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in spans):
                continue
            period = _period_of(name, match)
            if period is None:
                continue
            spans.append(match.span())
            found.append((match.start(), period))
    found.sort(key=lambda item: item[0])
    periods: list[Period] = []
    for _, period in found:
        if all(period.label != other.label for other in periods):
            periods.append(period)
    return periods, spans


def _ordered(periods: list[Period]) -> list[Period]:
    return sorted(periods, key=lambda period: (period.end or dt.date(period.year or 1, 12, 31), period.label))


def _shift_years(period: Period, years: int, text: str) -> Period:
    """The same kind of period `years` later (earlier when negative)."""
    year = (period.year or 0) + years
    end = None
    if period.end is not None:
        day = min(period.end.day, monthrange(period.end.year + years, period.end.month)[1])
        end = dt.date(period.end.year + years, period.end.month, day)
    if period.quarter:
        label = f"{year}Q{period.quarter}"
    elif period.half:
        label = f"{year}H{period.half}"
    elif period.duration == "FY":
        label = f"FY{year}"
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", period.label) and end is not None:
        label = end.isoformat()
    else:
        label = str(year)
    return period.model_copy(update={"label": label, "text": text, "year": year, "end": end})


def _like(year_period: Period, model: Period) -> Period:
    """A bare year read as the kind of period asked before ("And in 2020?" after H1 2021 means H1 2020)."""
    if model.year is None or model.label == str(model.year):
        return year_period
    return _shift_years(model, (year_period.year or 0) - model.year, year_period.text)


def _prior(period: Period) -> Period:
    return _shift_years(period, -1, f"prior period of {period.label}")


# --- units, definitions, operations, kind ---------------------------------------------------------------------

_SCALES = {"thousand": 1_000, "thousands": 1_000, "k": 1_000, "million": 1_000_000, "millions": 1_000_000,
           "mm": 1_000_000, "m": 1_000_000, "billion": 1_000_000_000, "billions": 1_000_000_000, "bn": 1_000_000_000,
           "b": 1_000_000_000}
_CURRENCY = r"(?:usd|us\$|u\.s\.\s+dollars|us\s+dollars|dollars|\$)"
_SCALE_WORD = r"(?:thousands|millions|billions|thousand|million|billion|mm|bn|k|m|b)"
_UNIT_SCALE = re.compile(
    rf"(?:\b(?:in|as|expressed\s+in|stated\s+in)\s+|\(\s*)(?:(?:the\s+)?{_CURRENCY}\s*)?({_SCALE_WORD})\b(?:\s+(?:of\s+)?{_CURRENCY})?\)?",
    re.I)
_UNIT_CURRENCY = re.compile(rf"\bin\s+({_CURRENCY})(?![\w$])(?!\s*{_SCALE_WORD}\b)", re.I)
_UNIT_PERCENT = re.compile(
    r"\b(?:in\s+(?:percent(?:age)?s?|%)|as\s+(?:a\s+)?percent(?:age)?s?(?!\s+(?:of|change|point))|"
    r"in\s+percentage\s+terms|expressed\s+as\s+a\s+percent(?:age)?(?!\s+of))(?=\W|$)", re.I)
_NUMBER_WORDS = {"zero": 0, "no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_DECIMALS = re.compile(
    r"\b(?:round(?:ed|ing)?\s+(?:your\s+(?:answer|result)\s+)?)?to\s+(?:the\s+nearest\s+)?(\d|zero|no|one|two|three|four|five)\s+"
    r"(?:decimal\s+(?:places?|points?)|decimals?|d\.?p\.?)\b", re.I)
_NEAREST = re.compile(r"\b(?:round(?:ed|ing)?\s+(?:your\s+(?:answer|result)\s+)?)?to\s+the\s+nearest\s+"
                      r"(whole\s+number|integer|whole\s+(?:dollar|percent)|dollar|tenth|hundredth|thousandth)\b", re.I)
_NEAREST_DECIMALS = {"tenth": 1, "hundredth": 2, "thousandth": 3}


def unit_in(text: str) -> tuple[Unit, list[tuple[int, int]]]:
    """The unit a question asks its answer in, and the spans saying so."""
    unit: dict[str, object] = {}
    spans: list[tuple[int, int]] = []
    if match := _UNIT_SCALE.search(text):
        unit["scale"] = _SCALES[match.group(1).lower()]
        if re.search(_CURRENCY, match.group(), re.I):
            unit["currency"] = "USD"
        spans.append(match.span())
    if match := _UNIT_CURRENCY.search(text):
        unit["currency"] = "USD"
        if match.group(1).lower() == "dollars" and "scale" not in unit:
            unit["scale"] = 1
        spans.append(match.span())
    if match := _UNIT_PERCENT.search(text):
        unit["percent"] = True
        spans.append(match.span())
    if match := _DECIMALS.search(text):
        word = match.group(1).lower()
        unit["decimals"] = int(word) if word.isdigit() else _NUMBER_WORDS[word]
        spans.append(match.span())
    elif match := _NEAREST.search(text):
        unit["decimals"] = _NEAREST_DECIMALS.get(match.group(1).lower(), 0)
        spans.append(match.span())
    return Unit(**unit), spans


_DEFINITION = re.compile(r"\b(?:is|are|should\s+be|be)\s+(?:defined|calculated|computed|measured)\s+as\s*:?\s*(.+)$",
                         re.I | re.S)
_DEFINITION_TAIL = re.compile(r"\s*(?:(?:please\s+)?(?:round|answer|express|give|provide|report)\b.*|\?)$", re.I | re.S)


def definition_in(text: str) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """A definition the question states: (the definition, what it defines, its span)."""
    match = _DEFINITION.search(text)
    if not match:
        return None, None, None
    body = match.group(1)
    # The definition runs to the end of its sentence (a '.' not inside a number), not into "Round your answer...".
    sentence = re.split(r"(?<!\d)\.(?!\d)\s+(?=[A-Z])|(?<!\d)\.\s*$", body, maxsplit=1)[0]
    definition = _DEFINITION_TAIL.sub("", sentence).strip(" .:;")
    before = text[:match.start()]
    sentence_start = max(before.rfind(". "), before.rfind("? "), before.rfind("\n"))
    defined = before[sentence_start + 1:].strip(" .?:\n")
    defined = re.sub(r"^(?:where|here|and|the)\s+", "", defined, flags=re.I).strip() or None
    return definition or None, defined, (sentence_start + 1 if sentence_start >= 0 else 0, len(text))


# Named analyst metrics (the metric library computes them): canonical name -> phrases (regular expressions).
ANALYST_METRICS: dict[str, tuple[str, ...]] = {
    "ebitda margin": (r"(?:adjusted\s+)?ebitda\s+margin",),
    "ebitda": (r"(?:adjusted\s+)?ebitda",),
    "gross margin": (r"gross(?:\s+profit)?\s+margin",),
    "operating margin": (r"operating(?:\s+(?:income|profit))?\s+margin",),
    "net margin": (r"net(?:\s+(?:income|profit|loss))?\s+margin", r"profit\s+margin"),
    "free cash flow": (r"free\s+cash\s+flows?", r"\bfcf"),
    "current ratio": (r"current\s+ratio",),
    "quick ratio": (r"quick\s+ratio", r"acid[\s-]+test\s+ratio"),
    "cash ratio": (r"cash\s+ratio",),
    "working capital": (r"(?:net\s+)?working\s+capital",),
    "debt to equity": (r"debt[\s-]+to[\s-]+equity(?:\s+ratio)?", r"d/e(?:\s+ratio)?", r"gearing\s+ratio"),
    "interest coverage": (r"interest\s+coverage(?:\s+ratio)?", r"times\s+interest\s+earned"),
    "fixed asset turnover": (r"fixed\s+assets?\s+turnover(?:\s+ratio)?",),
    "asset turnover": (r"(?:total\s+)?assets?\s+turnover(?:\s+ratio)?",),
    "inventory turnover": (r"inventory\s+turnover(?:\s+ratio)?",),
    "receivables turnover": (r"(?:accounts\s+)?receivables?\s+turnover(?:\s+ratio)?",),
    "days sales outstanding": (r"days\s+sales\s+outstanding", r"\bdso"),
    "days inventory outstanding": (r"days\s+(?:of\s+)?inventory\s+outstanding", r"\bdio", r"days\s+inventory"),
    "days payable outstanding": (r"days\s+payables?\s+outstanding", r"\bdpo"),
    "cash conversion cycle": (r"cash\s+conversion\s+cycle", r"\bccc"),
    "return on assets": (r"return\s+on\s+(?:average\s+)?(?:total\s+)?assets", r"\broa"),
    "return on equity": (r"return\s+on\s+(?:average\s+)?(?:shareholders['’]?\s+|stockholders['’]?\s+)?equity", r"\broe"),
    "return on invested capital": (r"return\s+on\s+invested\s+capital", r"\broic"),
    "dividend payout ratio": (r"(?:dividend\s+)?payout\s+ratio",),
    "effective tax rate": (r"effective\s+(?:income\s+)?tax\s+rate", r"\betr"),
    "operating cash flow ratio": (r"operating\s+cash\s+flow\s+ratio",),
    "capex intensity": (r"capex\s+intensity", r"capital\s+(?:expenditure\s+)?intensity"),
}
_ANALYST_PATTERNS = [(name, re.compile(rf"(?<![\w&]){'|'.join(f'(?:{p})' for p in patterns)}(?![\w&])", re.I))
                     for name, patterns in ANALYST_METRICS.items()]


def analyst_metric_in(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """The first named analyst metric a text names (longest name first where they overlap), and its span."""
    best: tuple[int, int, str] | None = None
    for name, pattern in _ANALYST_PATTERNS:
        if match := pattern.search(text):
            key = (match.start(), -(match.end() - match.start()))
            if best is None or key < (best[0], -(best[1] - best[0])):
                best = (match.start(), match.end(), name)
    if best is None:
        return None, None
    return best[2], (best[0], best[1])


_OPERATIONS: list[tuple[str, re.Pattern[str]]] = [(name, re.compile(pattern, re.I)) for name, pattern in [
    ("cagr", r"\bcagr\b|compound(?:ed)?\s+annual(?:\s+growth)?(?:\s+rate)?|annuali[sz]ed\s+growth"),
    ("pct_change", r"\b(?:percent(?:age)?|%)\s+(?:change|increase|decrease|growth|decline|difference|rise|drop|fall)|"
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
    ("ratio", r"\bratio\s+of\b|\bto[\s-]+\w+(?:\s+\w+)?\s+ratio\b|\bdivided\s+by\b|\bas\s+a\s+(?:percent(?:age)?|share|"
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

_NARRATIVE = re.compile(
    r"^\s*(?:why|describe|explain|discuss|summari[sz]e|outline|list)\b|\bwhy\s+(?:did|does|was|were|is|has|have)\b|"
    r"\bwhat\s+(?:drove|drives|caused|causes|explains|explained|accounts?\s+for|accounted\s+for|contributed\s+to|led\s+to)\b|"
    r"\b(?:reasons?|drivers?|factors?)\s+(?:for|behind|of)\b|\bwhat\s+(?:does|did)\s+(?:the\s+)?(?:company|management|"
    r"\w+)\s+(?:say|said|state|report|disclose|describe|expect|plan)\b|\bwhat\s+(?:are|were)\s+(?:the\s+)?(?:main\s+|key\s+|"
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


# --- the label ------------------------------------------------------------------------------------------------

_LEAD = re.compile(
    r"\b(?:what|how)\s+about\s+(?:the\s+)?|\b(?:what|how\s+much|how\s+many)\s+(?:(?:was|were|is|are|has\s+been|have\s+been|did)\s+)?(?:the\s+)?"
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


def _label(text: str, blanked: str) -> str | None:
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
    if not phrase or phrase.lower() in ("it", "they", "this", "that", "the", "value", "amount"):
        return None
    return phrase


def _blank(text: str, spans: list[tuple[int, int]], mark: str = "\x00") -> str:
    chars = list(text)
    for start, end in spans:
        for index in range(start, min(end, len(chars))):
            chars[index] = mark
    return "".join(chars)


# --- the parser -----------------------------------------------------------------------------------------------

_ELLIPTICAL = re.compile(r"^\s*(?:and|what\s+about|how\s+about|same\s+(?:for|in)|now|also|then)\b", re.I)


def parse_question(question: str, documents: list[Document], state: ConversationState | None = None) -> Query:
    """Parse `question` against the documents it may be about and the conversation so far (see the module doc)."""
    text = " ".join(question.replace("’", "'").split())
    last = state.last if state else None
    inherited: list[str] = []

    definition, defined, definition_span = definition_in(text)
    companies, doc_ids, company_spans = resolve_companies(text, documents)
    periods, period_spans = periods_in(text)
    unit, unit_spans = unit_in(text)
    prior_match = _PRIOR.search(text)
    prior_spans = [prior_match.span()] if prior_match else []

    # The question proper (without its stated definition) decides the operation and the label.
    main = text[:definition_span[0]] if definition_span else text
    analyst, analyst_span = analyst_metric_in(main)
    if analyst is None and defined:
        analyst = " ".join(defined.lower().split())
    blanked = _blank(_blank(text, company_spans, "\x01"), [*period_spans, *unit_spans, *prior_spans,
                            *([analyst_span] if analyst_span else []),
                            *([definition_span] if definition_span else [])])
    metrics = metrics_in_order(_blank(text, [*company_spans, *([analyst_span] if analyst_span else [])]).replace("\x00", " "))
    # "the first half of 2021 and 2020": a bare year next to a shaped period is the same kind of period.
    shaped = [period for period in periods if period.label != str(period.year)]
    if shaped:
        periods = _unique([_like(period, shaped[0]) if period.label == str(period.year) else period
                           for period in periods])

    operation = operation_in(_blank(main, [*([analyst_span] if analyst_span else [])]).replace("\x00", " "))
    if operation == "margin" and (analyst or not metrics):
        operation = None
    if operation == "ratio" and definition and len(metrics) < 2 and analyst:
        operation = None
    if operation is None and (analyst or definition):
        operation = "metric"
    compare_prior = prior_match is not None
    if operation is None and compare_prior:
        operation = "compare"

    kind: Kind = "narrative" if _NARRATIVE.search(main) else "figure"
    label = _label(_blank(text, company_spans, "\x01"), blanked)
    if kind == "narrative" or operation in ("ratio", "sum", "margin", "metric"):
        label = None  # not one line's label
    if label and (label.lower() == (analyst or "").lower() or len(re.findall(r"[A-Za-z]", label)) < 2
                  or len(metrics) >= 2):
        label = None


    # --- what a follow-up leaves out, from the earlier turns.
    elliptical = bool(_ELLIPTICAL.match(text))
    if last is not None:
        if not doc_ids and last.doc_ids:
            companies, doc_ids = list(last.companies), list(last.doc_ids)
            inherited.append("companies")
        if not metrics and label is None and analyst is None and definition is None:
            metrics, label, analyst = list(last.metrics), last.label, last.analyst_metric
            inherited.append("metrics")
            if kind == "figure" and last.kind == "narrative" and operation is None:
                kind = "narrative"
        if operation is None and elliptical and last.operation != "value":
            operation = last.operation
            inherited.append("operation")
        if unit.is_empty() and elliptical and not last.unit.is_empty():
            unit = last.unit
            inherited.append("unit")
    operation = operation or "value"

    if last is not None and last.periods and (not doc_ids or "companies" in inherited or doc_ids == last.doc_ids):
        model = last.periods[-1]
        periods = [_like(period, model) if period.label == str(period.year) else period for period in periods]
    if not periods and state is not None and state.turns:
        if operation in ACROSS_PERIODS or operation == "average" or operation == "sum":
            periods = state.recent_periods(2)
        else:
            periods = list(last.periods) if last else []
        if periods:
            inherited.append("periods")
    if compare_prior and len(periods) == 1:
        periods = [_prior(periods[0]), periods[0]]
    elif (operation in ("change", "pct_change", "direction") and len(periods) == 1 and len(metrics) <= 1
          and "periods" not in inherited):
        # "Did R&D increase in 2021?" compares with the year before.
        periods = [_prior(periods[0]), periods[0]]
        compare_prior = True
    periods = [fix_period(text, period) for period in _ordered(_with_document_ends(periods, documents, doc_ids))]
    # "How much did it fall?": the pronoun is the line of the previous turn.
    if last is not None and not metrics and not analyst and (label is None or _PRONOUN.match(label)):
        metrics, label = list(last.metrics), last.label
        analyst = last.analyst_metric
        inherited.append("metrics")

    return Query(question=question, kind=kind, companies=companies, doc_ids=doc_ids, metrics=metrics, label=label,
                 analyst_metric=analyst, operation=operation, periods=periods, compare_prior=compare_prior,
                 unit=unit, definition=definition, inherited=inherited)


def fix_period(question: str, period: Period) -> Period:
    """"At the end of 2020" is the year end (December 31 unless a document says otherwise), not the date the
    previous turn's period had in 2020."""
    match = re.search(r"\bend\s+of\s+(?:fiscal\s+)?((?:19|20)\d{2})\b", question, re.I)
    if match and period.duration == "instant" and period.year == int(match.group(1)):
        return period.model_copy(update={"label": f"{match.group(1)}-12-31",
                                         "end": period.end.replace(month=12, day=31) if period.end else None})
    return period




_PRONOUN = re.compile(r"^(?:it|they|this|that|these|those)\b", re.I)


def _unique(periods: list[Period]) -> list[Period]:
    result: list[Period] = []
    for period in periods:
        if all(period.label != other.label for other in result):
            result.append(period)
    return result


def _with_document_ends(periods: list[Period], documents: list[Document], doc_ids: list[str]) -> list[Period]:
    """A period a named document is of takes the document's end date (Apple's FY2022 ends 2022-09-24)."""
    ends = {document.period.upper(): document.period_end for document in documents
            if document.id in doc_ids and document.period and document.period_end}
    result = []
    for period in periods:
        end = ends.get(period.label.upper())
        if end is not None and period.duration in ("FY", "3M", "6M") and (
                period.end is None or period.duration != "FY" or period.end == end):
            period = period.model_copy(update={"end": end})
        result.append(period)
    return result
