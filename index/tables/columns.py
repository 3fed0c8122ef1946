"""The columns a table header names: period ends from dates, years and fiscal-year labels, durations from
'three months ended' and the like, change columns after the periods, and which columns hold percentages."""

from __future__ import annotations

import datetime as dt

import re

from index.numbers import Number
from index.periods import (DURATION_OF_MONTHS, DURATION_OF_WEEKS, MONTH, MONTHS_COUNT, MONTHS_WORDS, WEEKS_COUNT,
                           WEEKS_WORDS, YEAR, format_date, month_number, parse_date, safe_date)
from index.tables.model import Column, Row

# Headers print dates loosely ("Sept. 30 2023", "Dec 31, 2022"): abbreviated months, the comma optional.
_FULL_DATE = re.compile(rf"\b({MONTH})\s*(\d{{1,2}})\s*,?\s*({YEAR})\b", re.I)
_MONTH_DAY = re.compile(rf"\b({MONTH})\s*(\d{{1,2}})\b,?", re.I)
_YEAR_SPAN = re.compile(rf"\b{YEAR}\s?[-–]\s?(?:19|20)?\d{{2}}\b")
# Not a year of a span ("2021-2022", "2023 – 2024": a column of payments due in those years, not a period).
_YEAR = re.compile(rf"(?<![\d,.$])(?<![-–])(?<![-–]\s)\b({YEAR})\b(?![\d,.%])(?!\s?[-–]\s?(?:19|20)?\d{{2}}\b)")
# A fiscal year printed as the two calendar years it spans ("2017/2018", "2018/19"): the year it ends in, as
# "FY2019" names it. Only consecutive years, and only with a slash (a hyphen is a schedule's bucket, "2021-2022").
_FISCAL_SPAN = re.compile(rf"(?<![\d/])\b({YEAR})\s?/\s?((?:19|20)?\d{{2}})\b(?![/\d])")
_FISCAL_YEAR = re.compile(r"\b(?:fiscal(?:\s+year)?|FY)\s*'?((?:19|20)?\d{2})\b", re.I)
_DURATION = re.compile(
    rf"\b({MONTHS_COUNT})[\s-]+months?\s+(?:period\s+)?end(?:ed|ing)|\b({WEEKS_COUNT})[\s-]+weeks?\s+end(?:ed|ing)"
    r"|\b(quarters?)\s+end(?:ed|ing)|\b((?:fiscal\s+)?years?)\s+end(?:ed|ing)|\b(year[\s-]to[\s-]date)",
    re.I,
)


def parse_columns(header: str, count: int, statement: str, cells: list[str] | None = None) -> list[Column]:
    """`count` columns from a header (see `_read_columns`), unless the periods read are out of order: years of
    one duration that neither rise nor fall across the columns ("2021  2020  2022") were not read off the header
    the table prints (a header broken across lines, a page), and no column is then given a period."""
    columns = _read_columns(header, count, statement, cells)
    by_duration: dict[str | None, list[tuple]] = {}
    for column in columns:
        if column.year is not None:
            # (An end date, or the year's end when the column prints a year alone: keys of one type to compare.)
            by_duration.setdefault(column.duration, []).append(
                (column.period_end or dt.date(column.year, 12, 31), column.year))
    for found in by_duration.values():
        keys = [key for key, _ in found]
        years = [year for _, year in found]
        rising = all(a < b for a, b in zip(years, years[1:])) or all(a < b for a, b in zip(keys, keys[1:]))
        falling = all(a > b for a, b in zip(years, years[1:])) or all(a > b for a, b in zip(keys, keys[1:]))
        if len(found) > 1 and not (rising or falling):
            return [Column(label=f"column {number + 1}", duration=("instant" if statement == "balance_sheet" else None))
                    for number in range(count)]
    return columns


def _read_columns(header: str, count: int, statement: str, cells: list[str] | None = None) -> list[Column]:
    """`count` columns from a header's dates, years and durations; plain labels when it has none.

    The column header is usually the last lines of the header, under the title: of the suffixes of the header
    (last line, last two lines, ...), the longest that still names exactly `count` periods is read.
    """
    lines = [line for line in header.split("\n") if line.strip()]
    best: list[tuple[int, int | None, int | None, int]] | None = None
    best_text = ""
    for size in range(1, len(lines) + 1):
        text = " ".join(" ".join(lines[-size:]).replace("|", " ").split())
        periods = header_periods(text)
        if len(periods) == count:
            best, best_text = periods, text
        elif len(periods) > count and best is not None:
            break
    durations = [_duration_of(match) for match in _DURATION.finditer(header.replace("\n", " "))]
    if len(set(durations)) == 1:
        # The title and the column header both say it ("For the Years Ended May 31, 2016, 2015 and 2014" over
        # "Year Ended May 31,"): one duration for every column.
        durations = durations[:1]
    extra_labels: list[str] = []
    slots: list[str] = []
    if best is None:
        for size in range(1, len(lines) + 1):
            text = " ".join(" ".join(lines[-size:]).replace("|", " ").split())
            if (share := _interleaved(text, count)) is not None:
                return _paired_columns(text, share, statement, durations, count)
    if best is None and _YEAR_SPAN.search(header):
        # A schedule by year spans ("Total  2020  2021-2022  2023-2024  Thereafter"): its columns are not the
        # periods of a statement, and which cell is under which year cannot be told from a count.
        labels = cells if cells and len(cells) == count else [f"column {number + 1}" for number in range(count)]
        return [Column(label=label) for label in labels]
    if best is None and cells and len(cells) == count:
        found = [header_periods(" ".join(cell.split())) for cell in cells]
        last_period = max((index for index, periods in enumerate(found) if periods), default=-1)
        if any(not periods for periods in found[:last_period]):
            # A value column before the periods ("Weightage (%) | FY 2019 | FY 2018 | % Change"): each column is its
            # own cell; a cell naming one year is that year, any other cell is no period.
            return [Column(label=str(periods[0][3]), year=periods[0][3],
                           duration=durations[0] if len(durations) == 1 else None)
                    if len(periods) == 1 and periods[0][1] is None
                    else Column(label=" ".join(cell.split()), percent="%" in cell)
                    for cell, periods in zip(cells, found)]
    if best is None:
        # Fewer periods than columns: the periods come first, then change columns ("Inc/(Dec)", "% Change").
        for size in range(len(lines), 0, -1):
            text = " ".join(" ".join(lines[-size:]).replace("|", " ").split())
            periods = header_periods(text)
            if 0 < len(periods) < count:
                best, best_text = periods, text
                tail = text[periods[-1][0]:]
                tail = re.sub(r"^\S+\s*", "", tail)
                extra_labels = _EXTRA_LABEL.findall(tail)
                order = _slots(text)
                if order.count("L") and "L" in "".join(order).strip("L"):
                    # Change columns between the periods ("2022  Change  2021  Change  2020"): in the order printed,
                    # when the header names every column; else which column is which cannot be told.
                    if len(order) != count:
                        return [Column(label=f"column {number + 1}") for number in range(count)]
                    extra_labels = [match.group() for match in _EXTRA_LABEL.finditer(text, periods[0][0])
                                    if not any(start <= match.start() < end for start, end, *_ in _period_spans(text))]
                    slots = order
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
                month, day = month_number(source[1]), source[2]
        end = safe_date(year, month, day) if month else None
        label = format_date(end) if end else str(year)
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
    if slots:
        periods_left, labels_left = iter(columns[:period_count]), iter(columns[period_count:])
        columns = [next(periods_left) if slot == "P" else next(labels_left) for slot in slots]
    return columns


_EXTRA_LABEL = re.compile(r"%\s*(?:change|chg\.?)|(?:inc|increase)\s*/?\s*\((?:dec|decrease)\)|\$?\s*change|variance|%", re.I)


def _slots(text: str) -> list[str]:
    """The columns a header names from its first period on, in order: "P" a period, "L" a change or percent label."""
    spans = _period_spans(text)
    if not spans:
        return []
    found = [(start, "P") for start, *_ in spans]
    found += [(match.start(), "L") for match in _EXTRA_LABEL.finditer(text, spans[0][0])
              if not any(start <= match.start() < end for start, end, *_ in spans)]
    return [slot for _, slot in sorted(found)]


def _paired_columns(text: str, share: str, statement: str, durations: list[str], count: int) -> list[Column]:
    """Each period's amount column, then its percentage column, which is of no period (so that a question about
    the period reads the amount); then change columns, if any."""
    columns = []
    for _, _, month, day, year in _period_spans(text):
        end = safe_date(year, month, day) if month else None
        duration = "instant" if statement == "balance_sheet" else (durations[0] if len(durations) == 1 else None)
        columns.append(Column(label=format_date(end) if end else str(year), period_end=end, year=year, duration=duration))
        columns.append(Column(label=f"{share} ({columns[-1].label})", percent=True))
    columns.extend(Column(label="change") for _ in range(count - len(columns)))
    return columns


def header_periods(text: str) -> list[tuple[int, int | None, int | None, int]]:
    """(position, month, day, year) of each period named in order: full dates, then bare years and FY labels."""
    return [(start, month, day, year) for start, _, month, day, year in _period_spans(text)]


def _period_spans(text: str) -> list[tuple[int, int, int | None, int | None, int]]:
    """(start, end, month, day, year) of each period named, in order."""
    found = []
    taken: list[tuple[int, int]] = []
    for match in _FULL_DATE.finditer(text):
        found.append((*match.span(), month_number(match.group(1)), int(match.group(2)), int(match.group(3))))
        taken.append(match.span())
    for match in _FISCAL_SPAN.finditer(text):
        first, last = int(match.group(1)), int(match.group(2))
        last = last + first // 100 * 100 if last < 100 else last
        if last == first + 1 and not any(start <= match.start() < end for start, end in taken):
            found.append((*match.span(), None, None, last))
            taken.append(match.span())
    for match in _FISCAL_YEAR.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        year = int(match.group(1))
        year = year + 2000 if year < 100 else year
        found.append((*match.span(), None, None, year))
        taken.append(match.span())
    for match in _YEAR.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        found.append((*match.span(), None, None, int(match.group(1))))
    return sorted(found)


def _interleaved(text: str, count: int) -> str | None:
    """The label of each period's second column when every period has two side by side, an amount and its
    percentage ("2019  % of Total Fees  2018  % of Total Fees", or "Fiscal 2019  Fiscal 2018" over "Net Sales
    % of Total  Net Sales  % of Total"); None when the periods come first and change columns follow them."""
    spans = _period_spans(text)
    if len(spans) < 2 or count < 2 * len(spans):
        return None
    if count > 2 * len(spans):
        # Amount and share per period, then change columns ("2019  2018  Change" over "Amount  % of total
        # revenue  Amount  % of total revenue  ($)  (%)"): the share's label printed once per period.
        shares = [" ".join(match.group().split()).lower() for match in _SHARE_OF.finditer(text, spans[-1][1])]
        if len(shares) >= len(spans) and len(set(shares)) == 1:
            return shares[0]
        return None
    gaps = [" ".join(text[spans[index][1]:spans[index + 1][0]].split()) for index in range(len(spans) - 1)]
    tail = " ".join(text[spans[-1][1]:].split())
    if len(set(gaps)) == 1 and gaps[0] and tail.startswith(gaps[0]) and _PERCENT_LABEL.match(gaps[0]):
        return gaps[0]  # (a line of group header under it may follow the last)
    words = tail.split()
    if all(not gap or re.fullmatch(r"(?:fiscal|year|fy|\s)*", gap, re.I) for gap in gaps) and words:
        size, rest = divmod(len(words), len(spans))
        first = words[:size]
        if not rest and all(words[index * size:(index + 1) * size] == first for index in range(len(spans))):
            # The row under the periods names their columns: an amount, then its percentage.
            split = next((index for index, word in enumerate(first) if _PERCENT_LABEL.match(word)), 0)
            if split > 0:
                return " ".join(first[split:])
    return None


_SHARE_OF = re.compile(r"(?:%|percent(?:age)?)\s+of\s+(?:total\s+|net\s+)?[a-z]+", re.I)
_PERCENT_LABEL = re.compile(r"(?:%|percent(?:age)?\b)", re.I)


def _duration_of(match: re.Match[str]) -> str:
    months, weeks, quarter, year, ytd = match.groups()
    if months:
        return DURATION_OF_MONTHS[MONTHS_WORDS[months.lower()]]
    if weeks:
        return DURATION_OF_WEEKS[WEEKS_WORDS[weeks.lower()]]
    if quarter:
        return "3M"
    if year:
        return "FY"
    return "YTD"


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


def spanning_cells(header_row: list[str]) -> list[str]:
    """A header row with each label cell carried right over the empty cells after it."""
    filled = list(header_row)
    for column in range(2, len(filled)):
        if not filled[column]:
            filled[column] = filled[column - 1]
    return filled


def column_from_label(label: str, statement: str, context: str | None = None) -> Column:
    """The column a cell array's header label names; `context` is the label read with the header cells spanning it."""
    printed = label
    if context and context != label and header_periods(label) and len(header_periods(context)) == len(header_periods(label)):
        label = context  # the same periods, with the month, day and duration of the header above them
    periods = header_periods(label)
    duration_match = _DURATION.search(label)
    duration = _duration_of(duration_match) if duration_match else ("instant" if statement == "balance_sheet" else None)
    percent = "%" in printed
    if len(periods) == 1:
        _, month, day, year = periods[0]
        end = safe_date(year, month, day)
        return Column(label=printed, period_end=end, duration=duration, year=year, percent=percent)
    date = parse_date(label)
    return Column(label=printed, period_end=date, duration=duration, year=date.year if date else None, percent=percent)
