"""A page's lines read as a reader sees them: which are table rows, column headers, headings, prose or page
furniture (running headers and footers), grouped into segments: headings, stretches of prose, and tables with
their title and column-header lines. The chunker (index/chunking.py) packs the segments into passages.

- A table is an HTML `<table>` (rendered by the loader as `a | b` rows), a run of `label number number` lines
  from a PDF, or a newswire table flattened into one line (the seed).
- A heading is one the format marked up (HTML) or a short, title-like line after a finished sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from index.loading import LoadedFile, Span
from index.numbers import NUMBER_PATTERN, NUMBER_TOKEN
from index.periods import MONTH, YEAR

# Cell values ending a line: 1,234 | (1,234) | (1,234 (newswire lost the parenthesis) | (2,167 ) | $ 567 | — (nil)
_TRAILING_NUMBERS = re.compile(rf"(?:\s+(?:\$\s?)?{NUMBER_PATTERN})+\s*$")
_HAS_DIGIT = re.compile(r"\d")
_LETTERS = re.compile(r"[A-Za-z]")
# Tokens a column header is made of: dates, years, "(Unaudited)", "Three Months Ended", "(In millions)".
_HEADER_TOKEN = re.compile(
    rf"^(?:{MONTH},?|\d{{1,2}},|\d{{1,2}}|{YEAR},?|\(?unaudited\)?|\(?audited\)?|\(?restated\)?|"
    r"three|six|nine|twelve|months?|weeks?|quarters?|years?|periods?|fiscal|ended|ending|as|of|at|and|for|the|to|through|"
    r"\(?(?:\$\s?)?in|\(?thousands|\(?millions|\(?billions|except|per|share|data|amounts|par|value|\(?stated|u\.s\.|dollars|q[1-4]|fy\d{2,4})[,;:)]*$",
    re.I,
)
_ENDS_WITH_DATE = re.compile(rf"(?:{MONTH}\s+\d{{1,2}},?|ended|ending|fiscal|year|quarter|q[1-4])\s+{YEAR}$", re.I)
_SCALE_LINE = re.compile(r"^\(?(?:\$\s*)?(?:in|amounts in|dollars in|stated in)\b.*(?:thousands|millions|billions|dollars)", re.I)
_SECTION_HEADING = re.compile(r"^(?:item\s+\d+[a-z]?\.?|part\s+[ivx]+\b|note\s+\d+\b)", re.I)
_STATEMENT_TITLE = re.compile(r"statements?\s+of|balance\s+sheets?|statements?\b.*\b(?:income|operations|cash\s+flows|equity|comprehensive)", re.I)
_SENTENCE_END = re.compile(r"[.!?:;\"”’)]$")


@dataclass
class _Line:
    start: int
    end: int
    text: str
    kind: str = "text"  # text | blank | row | numbers | flat | short | noise


@dataclass
class Segment:
    """A heading, a stretch of prose or a table of one page, as a character span."""

    kind: str  # heading | text | table
    start: int
    end: int
    header_end: int | None = None  # tables: end of the title and column headers
    title: str | None = None
    shape: str = "lines"


def page_segments(loaded: LoadedFile, start: int, end: int, noise: set[str]) -> list[Segment]:
    """The headings, prose stretches and tables of loaded.text[start:end] (a page), in order. `noise` holds the
    running lines of the document (`running_lines`), which belong to no segment."""
    lines = _split_lines(loaded.text, start, end)
    _classify(lines, loaded, noise)
    return _segments(lines, loaded.text, loaded)


# --- lines ----------------------------------------------------------------------------------------------


def _split_lines(text: str, start: int, end: int) -> list[_Line]:
    lines = []
    position = start
    for raw in text[start:end].split("\n"):
        lines.append(_Line(position, position + len(raw), raw))
        position += len(raw) + 1
    return lines


def running_lines(text: str, pages: list[Span]) -> set[str]:
    """Lines repeated at the top or bottom of many pages (running headers and footers), with digits masked."""
    if len(pages) < 4:
        return set()
    counts: Counter[str] = Counter()
    for start, end in pages:
        page_lines = [line.strip() for line in text[start:end].split("\n") if line.strip()]
        edge = set(page_lines[:2] + page_lines[-2:])
        counts.update(_mask_digits(line) for line in edge)
    threshold = max(3, len(pages) // 4)
    return {line for line, count in counts.items() if count >= threshold}


def _mask_digits(line: str) -> str:
    return re.sub(r"\d+", "#", line)


def _numeric_tail(line: str) -> tuple[str, int]:
    """The label and how many numbers end the line ('Total assets 31,714,867 44,231,316' -> 2)."""
    match = _TRAILING_NUMBERS.search(line)
    if not match:
        return line, 0
    tail = match.group(0)
    values = [token for token in re.split(r"\s+", re.sub(r"\s\)", ")", tail).replace("$ ", "$").strip()) if token and token != "$"]
    values = [value for value in values if NUMBER_TOKEN.match(value) and (_HAS_DIGIT.search(value) or set(value) <= set("—–-"))]
    return line[: match.start()].rstrip(), len(values)


def _classify(lines: list[_Line], loaded: LoadedFile, noise: set[str]) -> None:
    table_spans = loaded.tables
    for line in lines:
        stripped = line.text.strip()
        if not stripped:
            line.kind = "blank"
            continue
        if table_spans and any(start <= line.start < end for start, end in table_spans):
            line.kind = "html-row"
            continue
        if noise and _mask_digits(stripped) in noise:
            line.kind = "noise"
            continue
        label, values = _numeric_tail(stripped)
        if values == 1 and _ENDS_WITH_DATE.search(stripped):
            label, values = stripped, 0  # "... Six Months Ended June 30, 2021" is a title, not a row
        tokens = stripped.split()
        numeric_tokens = sum(1 for token in tokens if NUMBER_TOKEN.match(token) and _HAS_DIGIT.search(token))
        if len(stripped) >= 300 and numeric_tokens >= 10 and numeric_tokens / len(tokens) >= 0.2:
            line.kind = "flat"
        elif values and not _LETTERS.search(label):
            line.kind = "numbers"
        elif (values and (len(label) <= 120 or (values >= 2 and len(label) <= 200 and not _HAS_DIGIT.search(label)))
              and len(stripped) <= 250 and not _looks_like_sentence(label)):
            # A long label with a value per column ("Payment for purchase ... and net cash variation for joint
            # ventures deconsolidation (200) (100) 99") is still a row; a long line of dates is a column header.
            line.kind = "row" if values >= 2 or len(label) <= 80 else "text"
        elif len(stripped) <= 100 and not _looks_like_sentence(stripped):
            line.kind = "short"
        else:
            line.kind = "text"


def _looks_like_sentence(text: str) -> bool:
    words = text.split()
    # A label-only row ends with ':' ("Cash flows from operating activities:"): not a sentence.
    return len(words) >= 8 and text.rstrip()[-1:] in (".", "!", "?") and not _SCALE_LINE.match(text.strip())


# --- segments -------------------------------------------------------------------------------------------


def _segments(lines: list[_Line], text: str, loaded: LoadedFile) -> list[Segment]:
    """Group lines into headings, prose stretches and tables (with their title and column-header lines)."""
    used = [False] * len(lines)
    tables: list[Segment] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.kind == "html-row":
            end = index
            while end + 1 < len(lines) and lines[end + 1].kind == "html-row":
                end += 1
            tables.append(_table_segment(lines, used, index, end, text))
            index = end + 1
            continue
        if line.kind == "flat" or line.kind == "row":
            end, strong = _extend_table(lines, index)
            if line.kind == "flat" or strong:
                tables.append(_table_segment(lines, used, index, end, text))
                index = end + 1
                continue
        index += 1

    segments: list[Segment] = list(tables)
    headings = {(start, end) for start, end in loaded.headings}
    previous_ended_sentence = True
    run: list[_Line] = []

    def close_run() -> None:
        if run:
            segments.append(Segment("text", run[0].start, run[-1].end))
            run.clear()

    for position, line in enumerate(lines):
        if used[position] or line.kind in ("blank", "noise"):
            if line.kind == "blank" and not used[position]:
                previous_ended_sentence = True
            if used[position] or line.kind == "noise":
                close_run()
            continue
        stripped = line.text.strip()
        is_heading = (line.start, line.end) in headings or any(start <= line.start and line.end <= end for start, end in headings)
        if not is_heading and line.kind == "short" and previous_ended_sentence and _looks_like_heading(stripped):
            following = [other for other in lines[position + 1:position + 4] if other.kind not in ("blank", "noise")]
            next_line = following[0] if following else None
            # A title-case line followed by another short line is more likely a wrapped column header.
            strong = _SECTION_HEADING.match(stripped) or _is_all_caps(stripped)
            is_heading = next_line is None or next_line.kind == "text" or bool(strong and next_line.kind != "row")
        if is_heading:
            close_run()
            segments.append(Segment("heading", line.start, line.end))
        else:
            run.append(line)
        previous_ended_sentence = bool(_SENTENCE_END.search(stripped)) or is_heading or len(stripped) < 60
    close_run()
    segments.sort(key=lambda segment: segment.start)
    return segments


def _extend_table(lines: list[_Line], first: int) -> tuple[int, bool]:
    """The last line of the table starting at `first`, and whether it is clearly a table."""
    rows = 1 if lines[first].kind in ("row", "flat") else 0
    strong = 1 if _numeric_tail(lines[first].text.strip())[1] >= 2 else 0
    end = first
    index = first + 1
    while index < len(lines):
        kind = lines[index].kind
        if kind in ("row", "numbers", "flat"):
            rows += 1
            if _numeric_tail(lines[index].text.strip())[1] >= 2:
                strong += 1
            end = index
        elif kind in ("short", "blank", "noise"):
            # A label-only row ("Current assets:") belongs to the table when rows follow it closely.
            lookahead = [line for line in lines[index + 1:index + 6] if line.kind not in ("blank", "noise")][:3]
            if not any(line.kind in ("row", "numbers", "flat") for line in lookahead):
                break
        elif kind == "text" and _is_wrapped_label(lines, index):
            pass
        else:
            break
        index += 1
    return end, strong >= 2 or rows >= 3


def _is_wrapped_label(lines: list[_Line], index: int) -> bool:
    """A long row label wrapped onto the next line ("... as of May 31, 2023 and May 31, 2022," then
    "respectively 6,915 5,953"): no sentence ends, and the next line is a row that continues in lower case."""
    stripped = lines[index].text.strip()
    if len(stripped) > 250 or stripped.endswith((".", "!", "?")):
        return False
    following = next((line for line in lines[index + 1:index + 3] if line.kind not in ("blank", "noise")), None)
    return following is not None and following.kind == "row" and following.text.strip()[:1].islower()


def _table_segment(lines: list[_Line], used: list[bool], first: int, last: int, text: str) -> Segment:
    """A table from lines first..last, extended upward over its title and column-header lines."""
    top = first
    cursor = first - 1
    taken = 0
    while cursor >= 0 and taken < 16:
        line = lines[cursor]
        if used[cursor]:
            break
        if line.kind == "blank" or line.kind == "noise":
            cursor -= 1
            continue
        stripped = line.text.strip()
        title_like = line.kind in ("short", "numbers") and len(stripped) <= 120
        if (title_like or (_SCALE_LINE.match(stripped) and len(stripped) <= 250)) and not _SECTION_HEADING.match(stripped):
            top = cursor
            taken += 1
            cursor -= 1
            continue
        break
    for index in range(top, last + 1):
        used[index] = True
    start, end = lines[top].start, lines[last].end
    header_end = start
    for line in lines[top:last + 1]:
        stripped = line.text.strip()
        if line.kind in ("blank", "noise") or _is_header_line(stripped):
            continue
        if line.kind in ("row", "flat", "html-row", "numbers"):
            prefix = _header_prefix_length(stripped)
            header_end = line.start + (line.text.index(stripped) + prefix if prefix else 0)
            break
    header_end = header_end if header_end > start else None
    title = None
    for line in lines[top:first + 1]:
        stripped = line.text.strip()
        if _STATEMENT_TITLE.search(stripped) and len(stripped) <= 150:
            title = stripped
            break
    kinds = {line.kind for line in lines[first:last + 1]}
    shape = "flat" if "flat" in kinds else "html" if "html-row" in kinds else "lines"
    return Segment("table", start, end, header_end=header_end, title=title, shape=shape)


def _is_header_line(line: str) -> bool:
    """A title or column-header line: only dates, years and header words, or a short line with no numbers."""
    if not line:
        return True
    tokens = line.replace("|", " ").split()
    if all(_HEADER_TOKEN.match(token) for token in tokens):
        return True
    return not _HAS_DIGIT.search(line) and len(line) <= 120 and _numeric_tail(line)[1] == 0


def _header_prefix_length(line: str) -> int:
    """How much of a flattened table line is column header ('June 30, 2021 2020 (Unaudited) Revenue ...')."""
    length = 0
    for match in re.finditer(r"\S+", line):
        if not _HEADER_TOKEN.match(match.group(0)):
            break
        length = match.end()
    return length


def _is_all_caps(line: str) -> bool:
    letters = "".join(re.findall(r"[A-Za-z]", line))
    return len(letters) >= 4 and letters.isupper()


def _looks_like_heading(line: str) -> bool:
    if len(line) < 3 or len(line) > 100 or line.endswith((",", ";", "-")) or "|" in line:
        return False
    if _SECTION_HEADING.match(line):
        return True
    words = re.findall(r"[A-Za-z][A-Za-z'’&-]*", line)
    if not words or len(words) > 14:
        return False
    if line.rstrip().endswith(".") and not re.search(r"\b(?:Inc|Corp|Co|Ltd|L\.P|N\.V|S\.A)\.$", line):
        return False
    letters = "".join(words)
    if letters.isupper() and len(letters) >= 4:
        return True
    minor = {"and", "or", "of", "the", "for", "to", "in", "on", "a", "an", "by", "with", "from", "at", "as"}
    significant = [word for word in words if word.lower() not in minor]
    capitalized = sum(1 for word in significant if word[0].isupper())
    if len(significant) == 1:  # "Overview", "Liquidity": one capitalized word of some length
        return significant[0][0].isupper() and len(significant[0]) >= 4 and len(words) == 1
    return bool(significant) and capitalized / len(significant) >= 0.75

