"""Financial tables parsed into rows, columns and numbers, from every shape they come in:

- newswire tables flattened into one line (the seed): rows run together, negatives lost their ')';
- PDF text, one row per line: `Net income $ 5,363 $ 4,869 $ 5,058` under `(Millions) 2018 2017 2016`;
- HTML tables, rendered by the loader as `label | value | value` rows;
- 2-D arrays of cells (TAT-QA).

A `ParsedTable` knows its statement kind, scale, columns (period end and duration) and rows; each number keeps
its character span in the document. Rows with fewer numbers than there are columns are left for the
reconciliation (index/reconcile.py) to place.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from index.metadata import parse_date
from index.numbers import Number, find_cells, is_year, parse_number

STATEMENTS = ("balance_sheet", "income_statement", "cash_flow", "comprehensive_income", "equity", "segment", "other")

_MONTHS = (r"January|February|March|April|May|June|July|August|September|October|November|December|"
           r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?")
_FULL_DATE = re.compile(rf"\b({_MONTHS})\s+(\d{{1,2}})\s*,?\s*((?:19|20)\d{{2}})\b", re.I)
_MONTH_DAY = re.compile(rf"\b({_MONTHS})\s+(\d{{1,2}})\b,?", re.I)
_YEAR = re.compile(r"(?<![\d,.$])\b((?:19|20)\d{2})\b(?![\d,.%])")
_FISCAL_YEAR = re.compile(r"\b(?:fiscal(?:\s+year)?|FY)\s*'?((?:19|20)?\d{2})\b", re.I)
_DURATION = re.compile(
    r"\b(three|six|nine|twelve|3|6|9|12)[\s-]+months?\s+(?:period\s+)?end(?:ed|ing)|\b(thirteen|twenty-six|thirty-nine|fifty-two|fifty-three|13|26|39|52|53)[\s-]+weeks?\s+end(?:ed|ing)"
    r"|\b(quarters?)\s+end(?:ed|ing)|\b((?:fiscal\s+)?years?)\s+end(?:ed|ing)|\b(year[\s-]to[\s-]date)",
    re.I,
)
_DURATION_WORDS = {"three": "3M", "3": "3M", "six": "6M", "6": "6M", "nine": "9M", "9": "9M", "twelve": "FY", "12": "FY",
                   "thirteen": "3M", "13": "3M", "twenty-six": "6M", "26": "6M", "thirty-nine": "9M", "39": "9M",
                   "fifty-two": "FY", "52": "FY", "fifty-three": "FY", "53": "FY"}
_SCALE = re.compile(r"(?:in|\()\s*(?:u\.s\.\s*)?(?:\$|dollars|usd|us\$)?\s*(thousands|millions|billions)\b|\((thousands|millions|billions)\)"
                    r"|\$\s*(?:in\s+)?(thousands|millions|billions)", re.I)
_SHARE_SCALE = re.compile(r"shares?[^.;)]{0,60}?(?:in|reflected in)\s+(thousands|millions)|(thousands|millions) of shares", re.I)
_SCALES = {"thousands": 1_000, "millions": 1_000_000, "billions": 1_000_000_000}
_PER_SHARE = re.compile(r"per\s+(?:basic\s+|diluted\s+)?(?:common\s+|ordinary\s+|class\s+\w\s+)?(?:share|unit)|\beps\b|earnings\s+per|dividends?\s+declared\s+per", re.I)
_SHARES = re.compile(r"\bshares\b", re.I)
_SHARE_COUNT = re.compile(r"weighted|outstanding|shares used|number of shares|shares issued|shares repurchased|basic|diluted", re.I)
_SHARES_USED = re.compile(r"^(?:(?:basic|diluted)\s+)?(?:weighted[\s-]+average\s+(?:number\s+of\s+)?(?:[\w'’-]+\s+){0,3}?shares"
                          r"|shares\s+used|number\s+of\s+shares)\b", re.I)
_COUNT = re.compile(r"^(?:number of|employees|headcount|stores|restaurants|locations)\b", re.I)
_FOOTNOTE = re.compile(r"(?:\s*\(\d{1,2}\)|\s*\([a-z]\)|\*+)+$")


@dataclass
class Column:
    label: str
    period_end: dt.date | None = None
    duration: str | None = None  # instant, 3M, 6M, 9M, FY
    year: int | None = None
    percent: bool = False  # a column of percentages ("% Change"): never summed

    @property
    def period(self) -> str:
        """How an analyst says it: 'June 30, 2021', 'six months ended June 30, 2021', 'fiscal 2022'."""
        when = _format_date(self.period_end) if self.period_end else (str(self.year) if self.year else self.label)
        if self.duration == "instant" or not self.duration:
            return when
        if self.duration == "FY":
            return f"year ended {when}" if self.period_end else f"fiscal {when}"
        words = {"3M": "three", "6M": "six", "9M": "nine"}[self.duration]
        return f"{words} months ended {when}"


@dataclass
class Row:
    label: str
    numbers: list[Number]
    label_start: int | None = None
    group: str | None = None
    groups: list[int] = field(default_factory=list)  # indexes (into table.rows) of the enclosing group headers
    columns: list[int] | None = None  # the column of each number; None while undecided
    certain: bool = True
    reconciled: bool | None = None
    note: str | None = None

    @property
    def is_header(self) -> bool:
        return not self.numbers


@dataclass
class ParsedTable:
    title: str | None
    statement: str
    scale: int
    share_scale: int
    currency: str | None
    columns: list[Column]
    rows: list[Row]
    start: int | None = None
    end: int | None = None
    page: int | None = None
    shape: str = "lines"

    @property
    def data_rows(self) -> list[Row]:
        return [row for row in self.rows if row.numbers]

    def kind_of(self, row: Row) -> str:
        kind = row_kind(row.label, row.numbers)
        if kind == "money" and row.group and len(row.label.split()) <= 4:
            # "Basic" and "Diluted" under "Earnings per share:" or "Shares used in computing earnings per share:"
            # are what their header says they are.
            return row_kind(row.group, [])
        return kind

    def scale_of(self, row: Row) -> int:
        kind = self.kind_of(row)
        if kind == "money":
            return self.scale
        if kind == "shares":
            return self.share_scale
        return 1


# --- classification ---------------------------------------------------------------------------------------


def statement_kind(text: str) -> str:
    """The statement a table is, from its title and headers."""
    lowered = " ".join(text.lower().split())
    if re.search(r"balance sheets?(?! location)|statements? of financial (?:position|condition)|financial position", lowered):
        return "balance_sheet"
    if re.search(r"cash flows?", lowered) and re.search(r"statements?|consolidated|condensed", lowered):
        return "cash_flow"
    if re.search(r"statements? of (?:consolidated )?(?:operations|income|earnings|loss)|income statements?|statements? of operations", lowered):
        return "income_statement"
    if re.search(r"comprehensive \(?(?:income|loss)", lowered) and re.search(r"statements?", lowered):
        return "comprehensive_income"
    if re.search(r"(?:stockholders|shareholders)['’]? (?:equity|deficit)|changes in equity|statements? of equity", lowered):
        return "equity"
    if re.search(r"\bsegments?\b", lowered):
        return "segment"
    return "other"


def _is_contents(rows: list[Row]) -> bool:
    """A table of contents ("Condensed Consolidated Statements of Operations 4", "Notes to ... 9") lists statements
    with page numbers; it is not itself one."""
    labelled = [row for row in rows if row.numbers]
    named = [row for row in labelled if statement_kind(row.label) != "other" or row.label.lower().startswith("notes to")]
    return len(named) >= 2 and len(named) >= len(labelled) / 2


def table_scale(text: str) -> tuple[int, int]:
    """(money scale, share scale) from '(in millions, except per share data)' and the like; 1 when unstated."""
    money = 1
    for match in _SCALE.finditer(text):
        word = next(group for group in match.groups() if group)
        before = text[max(0, match.start() - 40):match.start()].lower()
        if "share" in before and "except" not in before and "dollar" not in before:
            continue  # "shares in thousands" is the share scale
        money = _SCALES[word.lower()]
        break
    share = 1
    if match := _SHARE_SCALE.search(text):
        share = _SCALES[(match.group(1) or match.group(2)).lower()]
    elif match := re.search(r"dollars\s+and\s+shares\s+in\s+(thousands|millions|billions)", text, re.I):
        share = _SCALES[match.group(1).lower()]
    elif money != 1 and not _shares_excepted(text) and not re.search(r"(?:\$|dollars)\s*(?:are\s+)?in\s+(?:thousands|millions|billions)", text, re.I):
        # "(In millions, except per share amounts)": share counts are in millions too (3M's 588.5); a separate
        # statement for shares, "except share and per share data", or a scale bound to dollars ("Dollars in
        # millions", "$ in millions") leaves them as printed.
        share = money
    return money, share


def _shares_excepted(text: str) -> bool:
    for clause in re.findall(r"except\b([^)\n]*)", text, re.I):
        rest = re.sub(r"per[\s-]+(?:basic\s+|diluted\s+|common\s+)*share", " ", clause, flags=re.I)
        if re.search(r"\bshares?\b", rest, re.I):
            return True
    return False


def row_kind(label: str, numbers: list[Number]) -> str:
    if any(number.percent for number in numbers) or re.search(r"(?:\(%\)|%$|\bpercent(?:age)?\b|\bmargin %|\brate\b)", label, re.I):
        return "percent"
    if _SHARES_USED.search(label) and "$" not in label:
        return "shares"  # "Shares used in computing diluted net income per share" counts shares
    if _PER_SHARE.search(label):
        return "per_share"
    if _SHARES.search(label) and _SHARE_COUNT.search(label) and "$" not in label:
        return "shares"
    if _COUNT.search(label):
        return "count"
    return "money"


def clean_label(label: str) -> str:
    """The label as printed, footnote marks included, in single spaces and without a stray '$'."""
    return " ".join(label.replace("|", " ").split()).strip(" $")


def normalize_label(label: str) -> str:
    """Lower case, '&' spelled 'and', no footnote marks or punctuation at the ends, single spaces."""
    text = _FOOTNOTE.sub("", clean_label(label)).strip().lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"^less:\s*", "", text)
    text = re.sub(r"[^\w%()/'.,-]+", " ", text)
    return " ".join(text.split()).strip(" :,.-")


# --- columns --------------------------------------------------------------------------------------------


def parse_columns(header: str, count: int, statement: str, cells: list[str] | None = None) -> list[Column]:
    """`count` columns from a header's dates, years and durations; plain labels when it has none.

    The column header is usually the last lines of the header, under the title: of the suffixes of the header
    (last line, last two lines, ...), the longest that still names exactly `count` periods is read.
    """
    lines = [line for line in header.split("\n") if line.strip()]
    best: list[tuple[int, int | None, int | None, int]] | None = None
    best_text = ""
    for size in range(1, len(lines) + 1):
        text = " ".join(" ".join(lines[-size:]).replace("|", " ").split())
        periods = _periods(text)
        if len(periods) == count:
            best, best_text = periods, text
        elif len(periods) > count and best is not None:
            break
    durations = [_duration_of(match) for match in _DURATION.finditer(header.replace("\n", " "))]
    extra_labels: list[str] = []
    if best is None:
        # Fewer periods than columns: the periods come first, then change columns ("Inc/(Dec)", "% Change").
        for size in range(len(lines), 0, -1):
            text = " ".join(" ".join(lines[-size:]).replace("|", " ").split())
            periods = _periods(text)
            if 0 < len(periods) < count:
                best, best_text = periods, text
                tail = text[periods[-1][0]:]
                tail = re.sub(r"^\S+\s*", "", tail)
                extra_labels = re.findall(r"%\s*(?:change|chg\.?)|(?:inc|increase)\s*/?\s*\((?:dec|decrease)\)|change|variance|%", tail, re.I)
                break
    if best is None:
        labels = cells if cells and len(cells) == count else [f"column {number + 1}" for number in range(count)]
        return [Column(label=label, duration=("instant" if statement == "balance_sheet" else None)) for label in labels]
    # Month-days printed once above bare years ("March 31," over "2023 2022") apply to the years under them.
    month_days = [(match.start(), match.group(1), int(match.group(2))) for match in _MONTH_DAY.finditer(best_text)
                  if not _FULL_DATE.match(best_text, match.start())]
    full_month_days = {(month.lower(), day) for _, month, day, year in
                       ((m.start(), m.group(1), int(m.group(2)), m.group(3)) for m in _FULL_DATE.finditer(best_text))}
    columns = []
    periods_found = len(best)
    for index, (_, month, day, year) in enumerate(best):
        if month is None:
            source = None
            if len(month_days) == periods_found:
                source = month_days[index]
            elif month_days and periods_found % len(month_days) == 0:
                source = month_days[index // (periods_found // len(month_days))]
            elif len(full_month_days) == 1:
                only_month, only_day = next(iter(full_month_days))
                source = (0, only_month, only_day)
            if source:
                month, day = _month_number(source[1]), source[2]
        end = _safe_date(year, month, day) if month else None
        label = _format_date(end) if end else str(year)
        columns.append(Column(label=label, period_end=end, year=year))
    period_count = len(columns)
    if statement == "balance_sheet" and not durations:
        for column in columns:
            column.duration = "instant"
    elif durations:
        if len(durations) == 1:
            for column in columns:
                column.duration = durations[0]
        elif len(columns) % len(durations) == 0:
            for index, column in enumerate(columns):
                column.duration = durations[index // (len(columns) // len(durations))]
    if statement == "balance_sheet":
        for column in columns:
            column.duration = "instant"
    for index in range(period_count, count):
        label = extra_labels[index - period_count] if index - period_count < len(extra_labels) else "change"
        columns.append(Column(label=" ".join(label.split()), percent="%" in label))
    return columns


def _periods(text: str) -> list[tuple[int, int | None, int | None, int]]:
    """(position, month, day, year) of each period named in order: full dates, then bare years and FY labels."""
    found = []
    taken: list[tuple[int, int]] = []
    for match in _FULL_DATE.finditer(text):
        found.append((match.start(), _month_number(match.group(1)), int(match.group(2)), int(match.group(3))))
        taken.append(match.span())
    for match in _FISCAL_YEAR.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        year = int(match.group(1))
        year = year + 2000 if year < 100 else year
        found.append((match.start(), None, None, year))
        taken.append(match.span())
    for match in _YEAR.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        found.append((match.start(), None, None, int(match.group(1))))
    return sorted(found)


def _duration_of(match: re.Match[str]) -> str:
    months, weeks, quarter, year, ytd = match.groups()
    if months:
        return _DURATION_WORDS[months.lower()]
    if weeks:
        return _DURATION_WORDS[weeks.lower()]
    if quarter:
        return "3M"
    if year:
        return "FY"
    return "YTD"


def _month_number(name: str) -> int:
    key = name.lower().rstrip(".")[:3]
    return ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].index(key) + 1


def _safe_date(year: int, month: int | None, day: int | None) -> dt.date | None:
    try:
        return dt.date(year, month, day) if month and day else None
    except ValueError:
        return None


def _format_date(date: dt.date) -> str:
    return f"{date.strftime('%B')} {date.day}, {date.year}"


# --- rows -----------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _group_header_patterns() -> list[re.Pattern[str]]:
    from index.synonyms import group_headers

    # A header only splits off when another label follows it, starting with a capital or a parenthesis.
    return [re.compile(rf"^(?:{pattern})(?=\s+[(A-Z])", re.I) for pattern in group_headers()]


def split_group_headers(label: str) -> tuple[list[str], str]:
    """Group headers run into a flattened row's label: 'ASSETS Current assets: Cash' -> (['ASSETS', 'Current
    assets:'], 'Cash'). A label that is only a header stays a label (it is a total line)."""
    headers: list[str] = []
    rest = label.strip()
    while rest:
        match = next((found for pattern in _group_header_patterns() if (found := pattern.match(rest))), None)
        if match is None:
            caps = re.match(r"^((?:[A-Z][A-Z'’&,-]+\s+)*[A-Z][A-Z'’&,-]+:?)\s+(?=[A-Z][a-z]|[A-Z]+\s)", rest)
            colon = None if re.match(r"^(?:less|add|plus|deduct)\s*:", rest, re.I) else re.match(r"^([^:]{3,60}:)\s+", rest)
            match = caps or colon
            if match is None:
                break
        remainder = rest[match.end():].strip()
        if not remainder:
            break
        headers.append(match.group(0).strip())
        rest = remainder
    return headers, rest


# A line that ends on a word a label cannot end on goes on in the next line ("... allowance of $12 and" /
# "$10, respectively 340 310"), whatever case that line starts in.
_DANGLING = re.compile(r"(?:\b(?:and|or|of|for|to|in|on|by|from|with|at|the)|&)$", re.I)


def rows_from_lines(text: str, offset: int, html: bool) -> list[Row]:
    """Rows of a table printed one row per line ('label 1,234 (567)') or rendered from HTML ('label | 1 | 2')."""
    rows: list[Row] = []
    position = offset
    pending: Row | None = None
    for line in text.split("\n"):
        line_start = position
        position += len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        numbers = _html_numbers(line, line_start) if html else _trailing_numbers(line, line_start)
        label_end = (numbers[0].start - line_start) if numbers else len(line)
        label = clean_label(line[:label_end])
        if not html and numbers and (several := _run_together(line, line_start, label)):
            # PDF text sometimes prints two or more rows on one line ("Other (126) (105) — Cash used in financing
            # activities (86,820) (90,976) (87,876)"): read that line as a flattened table.
            if pending is not None:
                rows.append(pending)
                pending = None
            rows.extend(several)
            continue
        if numbers and not label and all(number.value is not None and is_year(number.raw) for number in numbers):
            continue  # a repeated column header ("2023 2022") inside the table
        if not numbers:
            if pending is not None and not pending.label.endswith(":"):
                rows.append(pending)
            pending = Row(label=label, numbers=[], label_start=line_start + line.index(stripped[0]))
            continue
        row = Row(label=label, numbers=numbers, label_start=line_start + (line.index(stripped[0]) if label else 0))
        if pending is not None:
            # A label wrapped onto the next line continues in lower case ("... included in net / income (1,074)").
            if label and (label[0].islower() or label[0] in "(&" or _DANGLING.search(pending.label)) and not pending.label.endswith(":"):
                row.label = clean_label(f"{pending.label} {line[:label_end]}")  # the line's own '$10' kept
                row.label_start = pending.label_start
            else:
                rows.append(pending)
            pending = None
        rows.append(row)
    if pending is not None:
        rows.append(pending)
    return rows


def _run_together(line: str, offset: int, label: str) -> list[Row] | None:
    """The rows of a line that holds several (each a label and the same number of values, two or more), else None."""
    if not re.search(r"\d", label) or not re.search(r"[A-Za-z]", label):
        return None
    rows = rows_from_flat(line, offset)
    numeric = [row for row in rows if row.numbers]
    if len(numeric) < 2 or len({len(row.numbers) for row in numeric}) != 1 or len(numeric[0].numbers) < 2:
        return None
    if not all(re.search(r"[A-Za-z]{2,}", row.label) for row in rows):
        return None
    return rows


def _trailing_numbers(line: str, offset: int) -> list[Number]:
    """The run of numbers that ends a printed row; numbers inside the label are not values."""
    cells = find_cells(line, offset)
    run: list[Number] = []
    end = len(line.rstrip())
    for cell in reversed(cells):
        gap = line[cell.end - offset:end]
        if gap.strip(" $") != "":
            break
        run.insert(0, cell)
        end = cell.start - offset
    # A lone year at the end of a label is part of it ("... due 2027"); so is a year before values that are not
    # years ("Balance as of December 31, 2022 1,234", "Senior notes due 2027 700 650", a schedule's "2024 1,500").
    while run and len(run) == 1 and run[0].value is not None and is_year(run[0].raw) and line[:run[0].start - offset].strip():
        return []
    if _year_label(run):
        return run[1:]
    return run


def _year_label(numbers: list[Number]) -> bool:
    """Whether a row's first 'number' is its label: a bare year before values that are not years."""
    return (len(numbers) > 1 and numbers[0].value is not None and is_year(numbers[0].raw)
            and any(number.value is not None and not is_year(number.raw) for number in numbers[1:]))


def _html_numbers(line: str, offset: int) -> list[Number]:
    numbers = []
    position = 0
    for index, cell in enumerate(line.split(" | ")):
        start = line.index(cell, position) if cell else position
        position = start + len(cell)
        if index == 0 and parse_number(cell) is None:
            continue
        number = parse_number(" ".join(cell.split()))
        if number is not None:
            numbers.append(Number(number.raw, number.value, number.negative, number.percent, number.dollar,
                                  offset + start, offset + start + len(cell)))
    if numbers and numbers[0].start == offset and _year_label(numbers):
        return numbers[1:]  # "2024 | 1,500 | 400": the first cell is the row's label
    return numbers


_WORD = re.compile(r"\S+")


def rows_from_flat(text: str, offset: int) -> list[Row]:
    """Rows of a newswire table flattened into one line: a label, then its numbers, then the next label."""
    rows: list[Row] = []
    tokens = list(_WORD.finditer(text))
    label_words: list[re.Match[str]] = []
    numbers: list[Number] = []

    def close() -> None:
        nonlocal label_words, numbers
        rest, label_start = "", None
        if label_words:
            cursor = label_words[0].start()
            headers, rest = split_group_headers(clean_label(text[cursor:label_words[-1].end()]))
            for header in headers:
                found = text.find(header, cursor)
                position = found if found >= 0 else cursor
                rows.append(Row(label=header, numbers=[], label_start=offset + position))
                cursor = position + len(header)
            found = text.find(rest, cursor) if rest else -1
            label_start = offset + (found if found >= 0 else cursor)
        if numbers or rest:
            rows.append(Row(label=rest, numbers=numbers, label_start=label_start))
        label_words, numbers = [], []

    index = 0
    depth = 0  # inside a parenthesis of a label, such as "($1.00 par value; 60,000,000 shares authorized)"
    while index < len(tokens):
        token = tokens[index]
        word = token.group(0)
        following = tokens[index + 1].group(0) if index + 1 < len(tokens) else ""
        if depth:
            label_words.append(token)
            depth = max(0, depth + word.count("(") - word.count(")"))
            index += 1
            continue
        if word.startswith("(") and word.count("(") > word.count(")"):
            # "($1.00 par value; ..." or "(in thousands ..." open a label's parenthesis; "(46,570,550" is a
            # negative number whose ')' the newswire lost.
            if re.match(r"^\([A-Za-z]", word) or (word.startswith("($") and following and parse_number(following) is None and following != ")"):
                if numbers:
                    close()
                label_words.append(token)
                depth = word.count("(") - word.count(")")
                index += 1
                continue
        raw, end, used = word, token.end(), 1
        if word == "$" and following:  # "$ 567"
            raw, end, used = text[token.start():tokens[index + 1].end()], tokens[index + 1].end(), 2
        elif following == ")" and re.match(r"^\(\$?[\d.,]+$", word):  # "(2,167 )"
            raw, end, used = text[token.start():tokens[index + 1].end()], tokens[index + 1].end(), 2
        number = parse_number(raw)
        if number is not None and not re.match(r"^\([A-Za-z]", word):
            numbers.append(Number(number.raw, number.value, number.negative, number.percent, number.dollar,
                                  offset + token.start(), offset + end))
            index += used
            continue
        if numbers:
            close()
        label_words.append(token)
        index += 1
    close()
    return rows


def merge_wrapped_rows(rows: list[Row], count: int, text: str, offset: int) -> list[Row]:
    """A label wrapped after a number ('... shares authorized; 15,647,868' / 'and 15,943,425 shares issued ...
    70,667 64,849'): a short row followed by a full row that continues in lower case is one row."""
    merged: list[Row] = []
    index = 0
    while index < len(rows):
        row = rows[index]
        following = rows[index + 1] if index + 1 < len(rows) else None
        if (row.numbers and len(row.numbers) < count and following is not None and len(following.numbers) == count
                and following.label[:1].islower() and row.label_start is not None and following.label_start is not None):
            label_text = text[row.label_start - offset:following.label_start - offset]
            following.label = clean_label(label_text + " " + following.label)
            following.label_start = row.label_start
            merged.append(following)
            index += 2
            continue
        merged.append(row)
        index += 1
    return merged


_LABEL_NUMBER = re.compile(r"^(?:(?:19|20)\d{2}|\(\d{1,2}\)|[—–-])$")


def assign_columns(rows: list[Row], count: int) -> None:
    """Rows with exactly `count` numbers fill the columns; more: the last `count` (years and footnote marks
    before them rejoin the label); fewer: left undecided for the reconciliation."""
    for row in rows:
        if not row.numbers:
            continue
        if len(row.numbers) > count:
            extra, row.numbers = row.numbers[:-count], row.numbers[-count:]
            # "Notes due 2027 700 650", "Revenue (1) 100 200", "2024 1,500 1,400": a year or footnote mark
            # printed before the values is the label's.
            words = list(itertools.takewhile(lambda number: _LABEL_NUMBER.match(number.raw), extra))
            while words and words[-1].value is None:
                words.pop()
            if words:
                row.label = clean_label(" ".join([row.label, *(number.raw for number in words)]))
        if len(row.numbers) == count:
            row.columns = list(range(count))
        else:
            row.columns = None
            row.certain = False


def column_count(rows: list[Row]) -> int:
    counts = Counter(len(row.numbers) for row in rows if row.numbers)
    if not counts:
        return 0
    best = max(counts.values())
    return max(count for count, seen in counts.items() if seen == best)


_TOP_LEVEL = re.compile(r"^(?:assets|liabilities(?: and (?:shareholders'|stockholders'|members')?\s*(?:equity|deficit))?)\W*$", re.I)


def attach_groups(rows: list[Row]) -> None:
    """Each row learns its enclosing group headers ('ASSETS' > 'Current assets:'), innermost last. A row with
    no label under a header is that group's subtotal and takes the header's name."""
    stack: list[int] = []
    for index, row in enumerate(rows):
        if row.is_header:
            label = row.label
            if label.isupper() or _TOP_LEVEL.match(label.replace("’", "'")):
                stack = [index]
            else:
                stack = [position for position in stack if rows[position].label.isupper() or _TOP_LEVEL.match(rows[position].label.replace("’", "'"))]
                stack.append(index)
            continue
        row.groups = list(stack)
        row.group = rows[stack[-1]].label if stack else None
        if not row.label and stack:
            row.label = rows[stack[-1]].label.rstrip(":")


# --- whole tables -----------------------------------------------------------------------------------------


def parse_table(text: str, header_end: int, offset: int = 0, shape: str = "lines", title: str | None = None,
                page: int | None = None, inherited_header: str | None = None) -> ParsedTable | None:
    """A table from its text (title and headers up to `header_end`, then rows); offsets are document offsets.
    `inherited_header` is the header of the table this one continues (a statement broken across pages)."""
    header = text[:header_end]
    body = text[header_end:]
    statement = statement_kind(title or header[:400])
    if statement == "other" and title is None:
        statement = statement_kind(header)
    if shape == "flat":
        rows = rows_from_flat(body, offset + header_end)
    else:
        rows = rows_from_lines(body, offset + header_end, html=shape == "html")
    count = column_count(rows)
    if count == 0:
        return None
    if shape == "lines":
        rows = merge_wrapped_rows(rows, count, text, offset)
    assign_columns(rows, count)
    attach_groups(rows)
    header = (inherited_header + "\n" + header) if inherited_header and not _periods(header) else header
    if statement == "other" and inherited_header:
        statement = statement_kind(inherited_header)
    scale, share_scale = table_scale(header + "\n" + " ".join(row.label for row in rows[:3]))
    currency = "USD" if ("$" in text or re.search(r"dollars|usd", header, re.I)) else None
    header_cells = None
    if shape == "html":
        last = [line for line in header.split("\n") if line.strip()]
        header_cells = [cell.strip() for cell in last[-1].split(" | ")][-count:] if last else None
    if statement != "other" and _is_contents(rows):
        statement = "other"
    columns = parse_columns(header, count, statement, header_cells)
    mark_percent_columns(rows, columns)
    return ParsedTable(title=title, statement=statement, scale=scale, share_scale=share_scale, currency=currency,
                       columns=columns, rows=rows, start=offset, end=offset + len(text), page=page, shape=shape)


def mark_percent_columns(rows: list[Row], columns: list[Column]) -> None:
    """A column most of whose values print a '%' is a column of percentages."""
    values: list[list[Number]] = [[] for _ in columns]
    for row in rows:
        if row.columns is None:
            continue
        for number, column in zip(row.numbers, row.columns):
            if number.value is not None:
                values[column].append(number)
    for index, column in enumerate(columns):
        cells = values[index]
        if not cells or any(number.dollar for number in cells):
            continue
        # Most percentages print their '%', or only the first row does (as a '$' marks only the first row).
        if sum(number.percent for number in cells) * 2 >= len(cells) or any(number.percent for number in cells[:2]):
            column.percent = True


def parse_cells(cells: list[list[str]], title: str | None = None) -> ParsedTable | None:
    """A table from a 2-D array of cell texts (TAT-QA): header rows on top, labels in the first column."""
    grid = [[" ".join(str(cell).split()) for cell in row] for row in cells]
    if not grid:
        return None
    width = max(len(row) for row in grid)
    grid = [row + [""] * (width - len(row)) for row in grid]

    def is_data_row(row: list[str]) -> bool:
        """A label in the first cell and a number that is not a year in another: the body starts here."""
        numbers = [parse_number(cell) for cell in row[1:] if cell]
        return bool(row[0]) and any(number is not None and number.value is not None and not is_year(number.raw.strip("$ "))
                                    for number in numbers)

    first_data = next((index for index, row in enumerate(grid) if is_data_row(row)), len(grid))
    header_rows = grid[:first_data]
    body = grid[len(header_rows):]
    rows: list[Row] = []
    for row in body:
        numbers = []
        for column, cell in enumerate(row[1:], start=1):
            number = parse_number(cell) if cell else None
            if number is not None:
                numbers.append(Number(number.raw, number.value, number.negative, number.percent, number.dollar, column, column))
        rows.append(Row(label=clean_label(row[0]), numbers=numbers))
    data_columns = sorted({number.start for row in rows for number in row.numbers})
    if not data_columns:
        return None
    for row in rows:
        if row.numbers:
            row.columns = [data_columns.index(number.start) for number in row.numbers]
    attach_groups(rows)
    header_text = "\n".join(" ".join(cell for cell in row if cell) for row in header_rows)
    statement = statement_kind((title or "") + " " + header_text + " " + " ".join(row.label for row in rows[:40]))
    labels = [" ".join(header_row[column] for header_row in header_rows if header_row[column]).strip() for column in data_columns]
    # A header cell spanning several columns sits in the first of them ("Year Ended December 31," over "2019",
    # "2018"): the dates and durations of the columns under it are read with it, their labels stay as printed.
    spanned = [_spanning(header_row) for header_row in header_rows]
    contexts = [" ".join(header_row[column] for header_row in spanned if header_row[column]).strip() for column in data_columns]
    columns = [_column_from_label(label, statement, context) for label, context in zip(labels, contexts)]
    mark_percent_columns(rows, columns)
    scale, share_scale = table_scale(header_text)
    currency = "USD" if any("$" in cell for row in grid for cell in row) else None
    return ParsedTable(title=title, statement=statement, scale=scale, share_scale=share_scale, currency=currency,
                       columns=columns, rows=rows, shape="cells")


def _spanning(header_row: list[str]) -> list[str]:
    """A header row with each label cell carried right over the empty cells after it."""
    filled = list(header_row)
    for column in range(2, len(filled)):
        if not filled[column]:
            filled[column] = filled[column - 1]
    return filled


def _column_from_label(label: str, statement: str, context: str | None = None) -> Column:
    printed = label
    if context and context != label and _periods(label) and len(_periods(context)) == len(_periods(label)):
        label = context  # the same periods, with the month, day and duration of the header above them
    periods = _periods(label)
    duration_match = _DURATION.search(label)
    duration = _duration_of(duration_match) if duration_match else ("instant" if statement == "balance_sheet" else None)
    percent = "%" in printed
    if len(periods) == 1:
        _, month, day, year = periods[0]
        end = _safe_date(year, month, day)
        return Column(label=printed, period_end=end, duration=duration, year=year, percent=percent)
    date = parse_date(label)
    return Column(label=printed, period_end=date, duration=duration, year=date.year if date else None, percent=percent)
