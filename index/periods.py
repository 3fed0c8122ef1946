"""Periods: the one home for reading, labelling, shifting and matching them.

- Dates: month names (`MONTH`, `MONTH_NAME`, `month_number`), `DATE`, `YEAR`, `parse_date("June 30, 2021")`,
  `safe_date`, `format_date`; the words of a period's length ("three months", "26 weeks": `MONTHS_WORDS`,
  `WEEKS_WORDS` and the durations they are, `DURATION_OF_MONTHS`, `DURATION_OF_WEEKS`).
- Labels: the canonical forms FY2022, 2023Q2, 2021H1, a bare year 2021, or an ISO date for a balance
  (`normalize_period`, `duration_of_label`, `fact_period_label`), and how a period is said ("six months ended
  June 30, 2021": `describe_period`).
- Periods named in a text (`periods_in`): FY2022, fiscal 2022, Q2 2023, the first half of 2021, six months ended
  June 30, 2021, as of a date, a bare year; each a `Period` record. `shift_years`, `prior`, `like` move them.
- Matching: `period_matcher(label)` (which facts are of a period an analyst names; `fact_year`, the year a fact is
  of, a 52-53-week year ending in early January being the year before), `document_matches_period`
  (a document's own period), `shift_fiscal_label("FY2022", 1)` -> "FY2021".

Durations are "3M", "6M", "9M", "FY" (flows) and "instant" (balances).
"""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from index.records import Document, Fact

Duration = Literal["3M", "6M", "9M", "FY", "instant"]

# --- dates -------------------------------------------------------------------------------------------------------

MONTH_NAME = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
"""A month's full name (match with re.I where case does not matter)."""
MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
         r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
"""A month's full name or its abbreviation, with an optional dot ("Jun.", "Sept")."""
DATE = rf"{MONTH_NAME}\s+\d{{1,2}}\s*,\s*\d{{4}}"
"""A date as filings print it: "June 30, 2021" (full month name, comma)."""
_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_PARSED_DATE = re.compile(rf"({MONTH_NAME})\s+(\d{{1,2}})\s*,\s*(\d{{4}})", re.I)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
YEAR = r"(?:19|20)\d{2}"
"""A year as filings and questions print it, 1900-2099."""
MONTHS_WORDS = {"three": 3, "3": 3, "six": 6, "6": 6, "nine": 9, "9": 9, "twelve": 12, "12": 12}
"""Months in "three months ended", as words or digits."""
DURATION_OF_MONTHS: dict[int, str] = {3: "3M", 6: "6M", 9: "9M", 12: "FY"}
MONTHS_COUNT = rf"(?:{'|'.join(MONTHS_WORDS)})"
"""The months of "three months ended", "6 months ended" (a key of MONTHS_WORDS)."""
WEEKS_WORDS = {"thirteen": 13, "13": 13, "twenty-six": 26, "26": 26, "thirty-nine": 39, "39": 39,
               "fifty-two": 52, "52": 52, "fifty-three": 53, "53": 53}
"""Weeks in "thirteen weeks ended" (the periods of a 52-53-week fiscal year), as words or digits."""
DURATION_OF_WEEKS: dict[int, str] = {13: "3M", 26: "6M", 39: "9M", 52: "FY", 53: "FY"}
WEEKS_COUNT = rf"(?:{'|'.join(WEEKS_WORDS)})"
"""The weeks of "thirteen weeks ended", "52 weeks ended" (a key of WEEKS_WORDS)."""


def month_number(name: str) -> int:
    """1 for "January", "Jan", "Jan." (any case)."""
    return _ABBREVIATIONS.index(name.lower().rstrip(".")[:3]) + 1


def safe_date(year: int, month: int | None, day: int | None) -> dt.date | None:
    """The date, or None when a part is missing or the day does not exist."""
    try:
        return dt.date(year, month, day) if month and day else None
    except ValueError:
        return None


def parse_date(text: str) -> dt.date | None:
    """The first date in a text: "June 30, 2021" (full month name) or 2021-06-30; None when there is none."""
    if match := _PARSED_DATE.search(text):
        return safe_date(int(match.group(3)), month_number(match.group(1)), int(match.group(2)))
    if match := _ISO_DATE.search(text):
        return safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    return None


def format_date(date: dt.date) -> str:
    """"June 30, 2021"."""
    return f"{date.strftime('%B')} {date.day}, {date.year}"


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (February 28 for a February 29)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def quarter_end(year: int, quarter: int) -> dt.date:
    month = 3 * quarter
    return dt.date(year, month, monthrange(year, month)[1])


def half_end(year: int, half: int) -> dt.date:
    return dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)


# --- labels ------------------------------------------------------------------------------------------------------


def normalize_period(value: str) -> str:
    """Canonical period labels: FY2022, 2023Q2, 2021H1. Anything else is kept as written."""
    text = value.strip().upper().replace(" ", "")
    if match := re.fullmatch(r"(?:FY)?'?(\d{4})(?:FY)?", text):
        return f"FY{match.group(1)}"
    if match := re.fullmatch(r"(\d{4})-?Q([1-4])|Q([1-4])-?(?:FY)?(\d{4})", text):
        return f"{match.group(1) or match.group(4)}Q{match.group(2) or match.group(3)}"
    if match := re.fullmatch(r"(\d{4})-?H([12])|H([12])-?(?:FY)?(\d{4})", text):
        return f"{match.group(1) or match.group(4)}H{match.group(2) or match.group(3)}"
    return value.strip()


def duration_of_label(label: str | None) -> str | None:
    """The duration a period label implies: FY2022 -> FY, 2023Q2 -> 3M, 2021H1 -> 6M."""
    if not label:
        return None
    if label.startswith("FY"):
        return "FY"
    if re.fullmatch(r"\d{4}Q[1-4]", label):
        return "3M"
    if re.fullmatch(r"\d{4}H[12]", label):
        return "6M"
    return None


def fact_period_label(fact: Fact) -> str:
    """The canonical label of a fact's period: 2021H1, 2023Q2, FY2022, or the ISO end date (a balance, 9 months)."""
    end = fact.period_end
    if fact.duration == "6M" and end is not None:
        return f"{end.year}H{1 if end.month <= 6 else 2}"
    if fact.duration == "3M" and end is not None:
        return f"{end.year}Q{(end.month + 2) // 3}"
    if fact.duration == "FY" and end is not None:
        return f"FY{fact_year(fact)}"
    return end.isoformat() if end else (fact.period or "")


_MONTHS_SAID = {"3M": "three", "6M": "six", "9M": "nine"}


def describe_period(end: dt.date | None, duration: str | None, year: int | None = None, fallback: str = "") -> str:
    """How an analyst says a period: "June 30, 2021" (a balance), "six months ended June 30, 2021", "year ended
    September 24, 2022", "fiscal 2022" (a fiscal year with no end date)."""
    when = format_date(end) if end else (str(year) if year else fallback)
    if duration == "instant" or not duration or duration not in ("3M", "6M", "9M", "FY"):
        return when
    if duration == "FY":
        return f"year ended {when}" if end else f"fiscal {when}"
    return f"{_MONTHS_SAID[duration]} months ended {when}"


_FISCAL_LABEL = re.compile(r"^(FY|fiscal(?: year)?\s*)?'?(\d{4})$", re.I)


def shift_fiscal_label(label: str, years: int) -> str | None:
    """'FY2022' 1 year back is 'FY2021'; '2022' is '2021'; other labels cannot be shifted (None)."""
    match = _FISCAL_LABEL.match(" ".join(label.split()))
    if not match:
        return None
    return f"{'FY' if match.group(1) else ''}{int(match.group(2)) - years}"


# --- periods named in a text -------------------------------------------------------------------------------------


class Period(BaseModel):
    """A period a text names. `label` is canonical where there is one (FY2022, 2023Q2, 2021H1, 2021, or the ISO end
    date of a balance-sheet date or an N-months-ended period), the form `period_matcher` reads. `end` is the end
    date when the text states it or a matched document does (quarters and halves otherwise get their calendar
    end); `text` is the phrase as written (or how the period was derived)."""

    model_config = ConfigDict(extra="forbid")

    label: str
    text: str
    year: int | None = None
    end: dt.date | None = None
    duration: Duration | None = None
    quarter: int | None = None
    half: int | None = None


def quarter_period(year: int, quarter: int, text: str) -> Period:
    return Period(label=f"{year}Q{quarter}", text=text, year=year, end=quarter_end(year, quarter), duration="3M",
                  quarter=quarter)


def half_period(year: int, half: int, text: str) -> Period:
    return Period(label=f"{year}H{half}", text=text, year=year, end=half_end(year, half), duration="6M", half=half)


def fiscal_period(year: int, text: str, end: dt.date | None = None) -> Period:
    return Period(label=f"FY{year}", text=text, year=year, end=end, duration="FY")


def months_ended(months: int, end: dt.date, text: str) -> Period:
    """"Three months ended March 31, 2023" is 2023Q1 (a quarter ending in March, June, September or December, on
    any day: 52-53-week years end quarters on "June 25"), six ended in June or December a half, twelve a fiscal year;
    other spans are labelled by their end date."""
    if months == 3 and end.month in (3, 6, 9, 12):
        period = quarter_period(end.year, end.month // 3, text)
    elif months == 6 and end.month in (6, 12):
        period = half_period(end.year, 1 if end.month == 6 else 2, text)
    elif months == 12:
        return fiscal_period(end.year, text, end)
    else:
        return Period(label=end.isoformat(), text=text, year=end.year, end=end, duration=DURATION_OF_MONTHS[months])
    return period.model_copy(update={"end": end})


_LOOSE_DATE = rf"{MONTH}\s+\d{{1,2}}\s*,?\s*{YEAR}"
_YY = r"(?:(?:19|20)?\d{2})"
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_ORD = r"(?:first|second|third|fourth|1st|2nd|3rd|4th)"

_PERIOD_PATTERNS: list[tuple[str, re.Pattern[str]]] = [(name, re.compile(pattern, re.I)) for name, pattern in [
    ("months_ended", rf"\b(?:the\s+)?({MONTHS_COUNT})[\s-]+months?\s+(?:period\s+)?end(?:ed|ing)\s+(?:on\s+)?({_LOOSE_DATE})"),
    ("year_ended", rf"\b(?:the\s+)?(?:fiscal\s+)?year\s+end(?:ed|ing)\s+(?:on\s+)?({_LOOSE_DATE})"),
    ("as_of", rf"\b(?:as\s+of|as\s+at|at)\s+({_LOOSE_DATE})"),
    ("date", rf"\b({_LOOSE_DATE})"),
    ("quarter_words", rf"\b(?:the\s+)?({_ORD})\s+(?:fiscal\s+)?quarter\s+(?:of\s+)?(?:fiscal\s+(?:year\s+)?|FY\s*)?({YEAR})"),
    ("quarter_year_words", rf"\b(?:the\s+)?(?:fiscal\s+(?:year\s+)?|FY\s*)?({YEAR})\s+({_ORD})\s+(?:fiscal\s+)?quarter\b"),
    ("quarter_q", rf"\b(?:fiscal\s+)?Q([1-4])\s*(?:of\s+)?(?:fiscal\s+(?:year\s+)?|FY\s*)?['’]?({_YY})\b"),
    ("quarter_q_after", rf"\b({YEAR})\s*-?\s*Q([1-4])\b"),
    ("quarter_nq", rf"\b([1-4])Q\s*['’]?({_YY})\b"),
    ("half_words", rf"\b(?:the\s+)?(first|second)\s+(?:half|six\s+months)\s+(?:of\s+)?(?:fiscal\s+(?:year\s+)?|FY\s*)?({YEAR})"),
    ("half_h", rf"\b(?:H([12])|([12])H)\s*(?:of\s+)?(?:fiscal\s+|FY\s*)?['’]?({_YY})\b"),
    ("half_h_after", rf"\b({YEAR})\s*-?\s*H([12])\b"),
    ("fiscal", rf"\b(?:FY\s*['’]?({_YY})|fiscal\s+(?:year\s+)?({YEAR})|(?:full|calendar)\s+year\s+({YEAR})|({YEAR})\s*FY)\b"),
    ("year", rf"(?<![\w$,.])({YEAR})(?![\w,.]\d)"),
]]


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if value < 100 else value


def _loose_date(text: str) -> dt.date | None:
    """A date as a question may write it: "Jun 30 2021", "June 30, 2021"."""
    match = re.search(rf"({MONTH})\s+(\d{{1,2}})\s*,?\s*(\d{{4}})", text, re.I)
    return safe_date(int(match.group(3)), month_number(match.group(1)), int(match.group(2))) if match else None


def _period_of(name: str, match: re.Match[str]) -> Period | None:
    text = " ".join(match.group().split())
    groups = match.groups()
    if name == "months_ended":
        end = _loose_date(groups[1])
        return months_ended(MONTHS_WORDS[groups[0].lower()], end, text) if end else None
    if name == "year_ended":
        end = _loose_date(groups[0])
        return fiscal_period(end.year, text, end) if end else None
    if name in ("as_of", "date"):
        end = _loose_date(groups[0])
        if end is None:
            return None
        return Period(label=end.isoformat(), text=text, year=end.year, end=end,
                      duration="instant" if name == "as_of" else None)
    if name == "quarter_words":
        return quarter_period(_year(groups[1]), _ORDINAL[groups[0].lower()], text)
    if name == "quarter_year_words":
        return quarter_period(_year(groups[0]), _ORDINAL[groups[1].lower()], text)
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
    """The periods a text names, in the order written, each once, and the spans naming them."""
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
    return unique([period for _, period in found]), spans


def unique(periods: list[Period]) -> list[Period]:
    """Each label once, first kept."""
    result: list[Period] = []
    for period in periods:
        if all(period.label != other.label for other in result):
            result.append(period)
    return result


def ordered(periods: list[Period]) -> list[Period]:
    """Oldest first."""
    return sorted(periods, key=lambda period: (period.end or dt.date(period.year or 1, 12, 31), period.label))


def shift_years(period: Period, years: int, text: str) -> Period:
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


def like(year_period: Period, model: Period) -> Period:
    """A bare year read as the kind of period `model` is ("2020" after H1 2021 means H1 2020)."""
    if model.year is None or model.label == str(model.year):
        return year_period
    return shift_years(model, (year_period.year or 0) - model.year, year_period.text)


def prior(period: Period) -> Period:
    """The same period a year earlier."""
    return shift_years(period, -1, f"prior period of {period.label}")


# --- matching ----------------------------------------------------------------------------------------------------

_QUARTER = re.compile(r"^(?:(\d{4})\s*-?\s*Q([1-4])|Q([1-4])\s*-?\s*(?:FY)?\s*(\d{4}))$", re.I)
_HALF = re.compile(r"^(?:(\d{4})\s*-?\s*H([12])|H([12])\s*-?\s*(?:FY)?\s*(\d{4})|(first|second) half (?:of )?(\d{4}))$", re.I)
_FISCAL = re.compile(r"^(?:FY|fiscal(?: year)?)\s*'?(\d{2}|\d{4})$", re.I)


_PRINTED_YEAR = re.compile(r"^(?:(?:fiscal(?:\s+year)?|FY)\s*'?)?((?:19|20)\d{2})$", re.I)


def fact_year(fact: Fact) -> int | None:
    """The year a fact is of, as the company names it: its period end's year, except that a fiscal year of 52 or
    53 weeks ending in the first week of January is the year before (the year ended January 3, 2020 is fiscal
    2019); a column printed as a bare year ("2019", "Fiscal 2019") with no date is of that year."""
    end = fact.period_end
    if end is not None:
        if end.month == 1 and end.day <= 7 and fact.duration in ("FY", "instant", None):
            return end.year - 1
        return end.year
    for text in (fact.period, fact.column_label):
        if text and (match := _PRINTED_YEAR.match(" ".join(text.split()))):
            return int(match.group(1))
    return None


def fact_matches_period(fact: Fact, period: str) -> bool:
    """Whether a fact is of the period an analyst names: 'June 30, 2021', '2021', 'FY2022', '2023Q1', 'H1 2021'."""
    return period_matcher(period)(fact)


@lru_cache(maxsize=4096)
def period_matcher(period: str):  # noqa: ANN201 - Callable[[Fact], bool]
    """`fact_matches_period` with the period read once: a predicate over facts."""
    text = " ".join(period.split())
    if not text:
        return lambda fact: True
    date = parse_date(text)
    if date is not None:
        return lambda fact: fact.period_end == date
    if re.fullmatch(r"\d{4}", text):
        # A bare year is the company's fiscal year or the calendar year of the date printed: "2020" is said of the
        # year ended January 3, 2020 as often as "2019" is (where both name a column, the answer must not choose).
        year = int(text)
        return lambda fact: fact_year(fact) == year or (fact.period_end is not None and fact.period_end.year == year)
    if match := _FISCAL.match(text):
        year = _year(match.group(1))
        return lambda fact: fact_year(fact) == year and fact.duration in ("FY", "instant", None)
    # Quarters and halves are read as calendar ones (Q1 ends in January to March); a company's own fiscal
    # naming is matched at the document level (`--period` of search, the document's period label).
    if match := _QUARTER.match(text):
        year = int(match.group(1) or match.group(4))
        quarter = int(match.group(2) or match.group(3))
        return lambda fact: (fact.period_end is not None and fact.period_end.year == year and fact.duration == "3M"
                             and 3 * quarter - 2 <= fact.period_end.month <= 3 * quarter)
    if match := _HALF.match(text):
        year = int(match.group(1) or match.group(4) or match.group(6))
        half = int(match.group(2) or match.group(3) or (1 if (match.group(5) or "").lower() == "first" else 2))
        return lambda fact: (fact.period_end is not None and fact.period_end.year == year and fact.duration == "6M"
                             and (fact.period_end.month <= 6 if half == 1 else fact.period_end.month > 6))
    lowered = text.lower()
    return lambda fact: any(lowered in (value or "").lower() for value in (fact.period, fact.column_label))


def document_matches_period(document: Document, query: str) -> bool:
    """Whether a document is of the period a filter names (its own period label, or the fiscal year it ends in)."""
    wanted = normalize_period(query)
    period = document.period or ""
    if period.upper() == wanted.upper():
        return True
    if wanted.startswith("FY") and wanted[2:].isdigit():
        year = wanted[2:]
        if period.startswith(year) or (document.period_end and str(document.period_end.year) == year and not period):
            return True
    return False
