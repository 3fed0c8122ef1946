"""Statements printed several rows to a line. PDF text sometimes runs a statement's rows together and breaks a
label from its numbers at the end of a line:

    Cash and cash equivalents $ 20,152 $ 21,716 Marketable securities 35,973 32,652 Trade receivables, net of
    allowances for doubtful accounts of $327 and $285 as of May 31, 2016 and 2015,
    respectively 5,385 5,618 Inventories 212 314

Every row of a statement prints one value per column (a nil as '—'), so a row ends at a run of exactly that many
values followed by the next label (a capital) or the end of the line. A number inside a label ("of $327 and",
"11,000 shares", "May 31, 2016 and") is followed by more of the label, in lower case. A run of numbers that is
neither (a short row, a footnote mark, a year before a capital) leaves where its row's label begins or ends
unknown: that row is skipped, never guessed.

- `rows_from_runs`: the rows of such a statement's body, given how many columns it has;
- `run_count`: how many columns the rows of a text print;
- `statement_region`: the statement a page prints this way, from its title to its last row.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from index.labels import clean_label
from index.numbers import Number, find_cells, is_year
from index.tables.classification import statement_kind
from index.tables.columns import header_periods
from index.tables.model import Row
from index.tables.rows import split_group_headers

_PRIMARY = ("balance_sheet", "income_statement", "cash_flow", "comprehensive_income", "equity")
_LABEL_START = re.compile(r"\(?[A-Z]")
"""How a row's label begins: a capital, or a parenthesis before one ("(Increase) decrease in inventories")."""
_LABEL_GOES_ON = re.compile(r"[a-z;:,&]")
"""What follows a number printed inside a label: more of the label ("and $285", "shares;")."""
_DANGLING = re.compile(r"(?:\b(?:and|or|of|for|to|in|on|by|from|with|at|the)|[&,—–-])$", re.I)
"""A word or mark a label cannot end on: what follows it is more of the label."""
_TITLE = re.compile(r"^(?:(?:consolidated|condensed|combined|interim)\s+)*(?:statements?\s+of\b|balance\s+sheets?\b)", re.I)
_PROSE = re.compile(r"[a-z]{2,}[.!?]\s*$")
"""A line of prose: a sentence ends it ("... are an integral part of these consolidated financial statements.")."""
_SCALE = re.compile(r"^\((?:\$\s*)?(?:in|amounts in|dollars in)\b[^)]*(?:thousands|millions|billions)", re.I)
_TITLE_REACH = 12
"""How many lines from the top of a page a statement's title may be (after the running header)."""


@dataclass
class _Piece:
    """Label text between two runs of values (or a line's end), and whether a number in it leaves unknown where
    a label begins."""

    start: int
    end: int
    unsure: bool = False


@dataclass
class _Line:
    pieces: list[_Piece]  # one more than there are runs of values
    runs: list[list[Number]]


def _runs(line: str, offset: int) -> list[list[Number]]:
    """The numbers of a line, grouped into runs printed side by side (nothing but spaces between them)."""
    runs: list[list[Number]] = []
    for cell in find_cells(line, offset):
        if runs and not line[runs[-1][-1].end - offset:cell.start - offset].strip(" $"):  # ("$ 266 $ — $ —")
            runs[-1].append(cell)
        else:
            runs.append([cell])
    return runs


def _ends_row(line: str, offset: int, run: list[Number]) -> bool | None:
    """True when a run ends a row (the line ends or a label begins after it), False when it is inside a label
    (the label goes on in lower case), None when it cannot be told."""
    following = line[run[-1].end - offset:].lstrip()
    if not following or _LABEL_START.match(following):
        return True
    if _LABEL_GOES_ON.match(following):
        return False
    return None


def _plain_values(run: list[Number]) -> bool:
    """Cells a statement prints as values: no percentages, no bare years (a year is a label's: 'May 31, 2016')."""
    return not any(cell.percent or (cell.value is not None and is_year(cell.raw)) for cell in run)


def _read_line(line: str, offset: int, count: int) -> _Line:
    pieces = [_Piece(offset, offset)]
    runs: list[list[Number]] = []
    for run in _runs(line, offset):
        ends = _ends_row(line, offset, run)
        if ends and len(run) > count and _DANGLING.search(line[:run[0].start - offset].rstrip()):
            # "... doubtful accounts of $42 and $97 98 362": a label cannot end on "and", so the number after it
            # is the label's, and the row's values are the last of the run.
            run = run[len(run) - count:]
        if ends and len(run) == count and _plain_values(run):
            pieces[-1].end = run[0].start
            runs.append(run)
            pieces.append(_Piece(run[-1].end, run[-1].end))
        elif ends is False and len(run) < count:
            continue  # a number inside the label ("of $327 and $285", "11,000 shares")
        else:
            pieces[-1].unsure = True
    pieces[-1].end = offset + len(line.rstrip())
    return _Line(pieces, runs)


def run_count(text: str) -> int:
    """How many values the rows of a text print (2 or more): the commonest length of the runs of numbers that end
    a row, when most such runs have it; 0 when the text shows no such rows."""
    lengths: Counter[int] = Counter()
    position = 0
    for line in text.split("\n"):
        for run in _runs(line, position):
            if _ends_row(line, position, run) and _plain_values(run):
                lengths[len(run)] += 1
        position += len(line) + 1
    if not lengths:
        return 0
    count, seen = lengths.most_common(1)[0]
    return count if count >= 2 and seen >= 3 and seen * 3 >= sum(lengths.values()) * 2 else 0


def rows_from_runs(text: str, offset: int, count: int) -> list[Row]:
    """The rows (and group headers) of a statement body printed several rows to a line, each row with `count`
    values. A label wrapped onto the next line goes on there in lower case or after a word a label cannot end on;
    a label ending in ':' and left at the end of a line is a group header."""
    rows: list[Row] = []
    carry: _Piece | None = None  # label text left at the end of the previous line
    position = offset
    for line in text.split("\n"):
        line_start = position
        position += len(line) + 1
        if not line.strip():
            continue
        read = _read_line(line, line_start, count)
        first = read.pieces[0]
        leading = _text(text, offset, first)
        if carry is not None:
            carried = _text(text, offset, carry)
            if not carried.endswith(":") and (not leading or not _LABEL_START.match(leading) or _DANGLING.search(carried)):
                first = _Piece(carry.start, first.end, carry.unsure or first.unsure)  # the label goes on here
            else:
                rows.extend(_headers_only(text, offset, carry))
            carry = None
        for piece, run in zip(read.pieces, read.runs):
            piece = first if piece is read.pieces[0] else piece
            rows.extend(_row(text, offset, piece, run))
        last = first if not read.runs else read.pieces[-1]
        if _text(text, offset, last):
            carry = last
    if carry is not None and _text(text, offset, carry).endswith(":"):
        rows.extend(_headers_only(text, offset, carry))
    while rows and rows[-1].is_header:
        rows.pop()  # a header with no row under it ("See notes to consolidated financial statements.")
    return rows


def _text(text: str, offset: int, piece: _Piece) -> str:
    return clean_label(text[piece.start - offset:piece.end - offset])


def _row(text: str, offset: int, piece: _Piece, run: list[Number]) -> list[Row]:
    """A row from its label text and values, with the group headers run into the label before it; nothing when
    where the label begins is unknown."""
    if piece.unsure:
        return []
    headers, label = _split_headers(text, offset, piece)
    if not re.search(r"[A-Za-z]{2,}", label.label):
        return []
    label.numbers = run
    return [*headers, label]


def _headers_only(text: str, offset: int, piece: _Piece) -> list[Row]:
    """Label text with no values after it: group headers ('LIABILITIES AND EQUITY Current liabilities:') or a
    line of its own ('Commitments and contingencies')."""
    if piece.unsure:
        return []
    headers, rest = _split_headers(text, offset, piece)
    return [*headers, rest] if re.search(r"[A-Za-z]{2,}", rest.label) else headers


def _split_headers(text: str, offset: int, piece: _Piece) -> tuple[list[Row], Row]:
    """Group headers off the front of a label ('Operating expenses: Sales and marketing'). A header never holds
    a number or '$': 'Preferred stock, $0.01 par value—authorized:' is the start of a label."""
    raw = text[piece.start - offset:piece.end - offset]
    found, _ = split_group_headers(clean_label(raw))
    headers: list[Row] = []
    cursor = 0
    for header in found:
        if re.search(r"[\d$]", header):
            break
        at = _find_words(raw, header, cursor)
        if at is None:
            break
        headers.append(Row(label=header, numbers=[], label_start=piece.start + at[0]))
        cursor = at[1]
    rest = raw[cursor:]
    lead = len(rest) - len(rest.lstrip())
    return headers, Row(label=clean_label(rest), numbers=[], label_start=piece.start + cursor + lead)


def _find_words(raw: str, words: str, start: int) -> tuple[int, int] | None:
    """Where `words` (in single spaces) are printed in `raw` from `start`, whatever spaces or line breaks part them."""
    pattern = r"\s+".join(re.escape(word) for word in words.split())
    match = re.compile(pattern).search(raw, start)
    return match.span() if match else None


# --- the statement of a page ----------------------------------------------------------------------------------


@dataclass
class Region:
    """A statement printed several rows to a line: its title, column header up to `header_end`, then its rows."""

    start: int
    header_end: int
    end: int
    title: str


def statement_region(text: str, start: int, end: int) -> Region | None:
    """The statement text[start:end] (a page) prints with several rows on one line at least once: from its
    title (near the top of the page) through its column header (the last line naming a period before the first
    row) to its last row. None when the page prints no statement so, or its rows one to a line (which
    index/tables/rows.py reads)."""
    lines = []
    position = start
    for line in text[start:end].split("\n"):
        lines.append((position, line))
        position += len(line) + 1
    printed = [index for index, (_, line) in enumerate(lines) if line.strip()][:_TITLE_REACH]
    title_index = next((index for index in printed if _is_title(lines[index][1])), None)
    if title_index is None:
        return None
    body_start = lines[title_index][0] + len(lines[title_index][1]) + 1
    count = run_count(text[body_start:end])
    if count < 2:
        return None
    first_row = last_row = None
    several = False
    header_end = None
    for index in range(title_index + 1, len(lines)):
        line_start, line = lines[index]
        if _is_title(line) or (_PROSE.search(line) and not _read_line(line, line_start, count).runs):
            if first_row is None:
                return None  # prose between the title and the rows: not a statement's page
            break  # the next statement on the same page, or the prose after this one
        found = _read_line(line, line_start, count).runs
        if found:
            first_row = index if first_row is None else first_row
            last_row = index
            several = several or len(found) >= 2
        elif first_row is None and (header_periods(" ".join(line.split())) or _SCALE.match(line.strip())):
            header_end = line_start + len(line)  # (the scale may follow the periods: "(In millions)")
    if first_row is None or header_end is None or not several:
        return None
    row_start, row_line = lines[last_row]
    return Region(lines[title_index][0] + len(lines[title_index][1]) - len(lines[title_index][1].lstrip()),
                  header_end, row_start + len(row_line.rstrip()), " ".join(lines[title_index][1].split()))


def _is_title(line: str) -> bool:
    """A statement's title ('CONSOLIDATED STATEMENTS OF CASH FLOWS'), not a group header that names one of its
    parts ('Oracle Corporation stockholders' equity:')."""
    stripped = line.strip()
    return (0 < len(stripped) <= 150 and not re.search(r"\d", stripped) and not stripped.endswith(":")
            and bool(_TITLE.search(stripped)) and statement_kind(stripped) in _PRIMARY)
