"""The rows of a table in each shape it comes in (one flattened line, one row per line, HTML cells), with the
column of each number, wrapped labels joined, and the group headers ('ASSETS' > 'Current assets:') above each row."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from functools import lru_cache

from index.labels import clean_label
from index.numbers import Number, find_cells, is_year, parse_number
from index.tables.model import Row


@lru_cache(maxsize=1)
def _group_header_patterns() -> list[re.Pattern[str]]:
    from index.synonyms import group_headers

    # A header only splits off when another label follows it, starting with a capital or a parenthesis (the
    # patterns ignore case; what follows does not: "Current assets of discontinued operations" is one label).
    return [re.compile(rf"^(?:{pattern})(?=\s+(?-i:[(A-Z]))(?!\s+{_CONNECTOR})", re.I) for pattern in group_headers()]


_CONNECTOR = r"(?:AND|OR|OF|TO|FOR|IN|THE|&)\b"
"""A word that joins a label's parts ("LIABILITIES AND EQUITY"): no header ends before it."""


def split_group_headers(label: str) -> tuple[list[str], str]:
    """Group headers run into a flattened row's label: 'ASSETS Current assets: Cash' -> (['ASSETS', 'Current
    assets:'], 'Cash'). A label that is only a header stays a label (it is a total line)."""
    headers: list[str] = []
    rest = label.strip()
    while rest:
        match = next((found for pattern in _group_header_patterns() if (found := pattern.match(rest))), None)
        if match is None:
            caps = re.match(rf"^((?:[A-Z][A-Z'’&,-]+\s+)*[A-Z][A-Z'’&,-]+:?)\s+(?=[A-Z][a-z]|(?!{_CONNECTOR})[A-Z]+\s)", rest)
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
    if len(run) >= 2 and re.fullmatch(r"\(\d\)", run[0].raw):
        # A footnote mark glued to the label ("Operating leases (1)  $19,437  $4,143") where the cells are set
        # apart by wider gaps: part of the label, not a value of -1.
        before = line[:run[0].start - offset]
        after = line[run[0].end - offset:run[1].start - offset]
        if re.search(r"[A-Za-z]\s$", before) and (("  " in after and not before.endswith("  "))
                                                    or (run[1].dollar and not run[0].dollar)):
            return run[1:]  # (or the amounts' '$' starts after it: "Operating leases (1) $19,437 $4,143")
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
