"""The columns a table header names: period ends from dates, years and fiscal-year labels, durations from
'three months ended' and the like, change columns after the periods, and which columns hold percentages."""

from __future__ import annotations

import re

from index.numbers import Number
from index.periods import (DURATION_OF_MONTHS, DURATION_OF_WEEKS, MONTH, MONTHS_COUNT, MONTHS_WORDS, WEEKS_COUNT,
                           WEEKS_WORDS, YEAR, format_date, month_number, parse_date, safe_date)
from index.tables.model import Column, Row

# Headers print dates loosely ("Sept. 30 2023", "Dec 31, 2022"): abbreviated months, the comma optional.
_FULL_DATE = re.compile(rf"\b({MONTH})\s+(\d{{1,2}})\s*,?\s*({YEAR})\b", re.I)
_MONTH_DAY = re.compile(rf"\b({MONTH})\s+(\d{{1,2}})\b,?", re.I)
_YEAR = re.compile(rf"(?<![\d,.$])\b({YEAR})\b(?![\d,.%])")
_FISCAL_YEAR = re.compile(r"\b(?:fiscal(?:\s+year)?|FY)\s*'?((?:19|20)?\d{2})\b", re.I)
_DURATION = re.compile(
    rf"\b({MONTHS_COUNT})[\s-]+months?\s+(?:period\s+)?end(?:ed|ing)|\b({WEEKS_COUNT})[\s-]+weeks?\s+end(?:ed|ing)"
    r"|\b(quarters?)\s+end(?:ed|ing)|\b((?:fiscal\s+)?years?)\s+end(?:ed|ing)|\b(year[\s-]to[\s-]date)",
    re.I,
)


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
        periods = header_periods(text)
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
            periods = header_periods(text)
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
    return columns


def header_periods(text: str) -> list[tuple[int, int | None, int | None, int]]:
    """(position, month, day, year) of each period named in order: full dates, then bare years and FY labels."""
    found = []
    taken: list[tuple[int, int]] = []
    for match in _FULL_DATE.finditer(text):
        found.append((match.start(), month_number(match.group(1)), int(match.group(2)), int(match.group(3))))
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
