"""Structure-aware chunking: headings, paragraphs and tables become passages with exact character spans.

- A table (an HTML `<table>`, a run of `label number number` lines from a PDF, or a newswire table flattened
  into one line, as in the seed) stays in one passage with its title and column headers. A long table is split
  by rows; each later part carries the table's title and headers in `header`, which is a span of its own.
- Prose is packed up to `chunk_size` characters; a longer stretch is split by LangChain's
  RecursiveCharacterTextSplitter, at paragraph, then line, then sentence boundaries (index/sentences.py's).
- Passages never cross a page boundary, so each has one page.
- `passage.text == text[passage.start:passage.end]` always holds.

Which lines are tables, headings and prose is read by index/segments.py; this module packs them into passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from index.loading import LoadedFile, Span
from index.numbers import NUMBER_PATTERN
from index.segments import Segment, page_segments, running_lines
from index.sentences import SENTENCE_END

_HAS_DIGIT = re.compile(r"\d")


@dataclass
class PassageDraft:
    """A passage before it has ids: what the chunker decides."""

    kind: str  # "text" or "table"
    start: int
    end: int
    page: int | None
    section: str | None
    header_start: int | None = None
    header_end: int | None = None


@dataclass
class TableSpan:
    """A whole table as the chunker found it: title and column headers up to `header_end`, then rows."""

    start: int
    end: int
    header_end: int
    title: str | None
    page: int | None
    shape: str  # flat (a newswire line), html (rendered `a | b` rows) or lines (one row per line)


class Chunker:
    def __init__(self, chunk_size: int = 1000, chunk_overlap: int = 100, min_chars: int = 12):
        self.chunk_size = chunk_size
        self.min_chars = min_chars
        self.table_limit = int(chunk_size * 1.5)
        self.splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size,
            chunk_overlap=min(chunk_overlap, chunk_size // 2),
            # Sentences end where index/sentences.py says, never at "H.C." or "Inc.".
            separators=[re.escape("\n\n"), re.escape(".\n"), "\n", SENTENCE_END, "; ", ", ", " ", ""],
            is_separator_regex=True,
            keep_separator="end",
            add_start_index=True,
            strip_whitespace=True,
        )

    def chunk(self, loaded: LoadedFile) -> list[PassageDraft]:
        return self.layout(loaded)[0]

    def layout(self, loaded: LoadedFile) -> tuple[list[PassageDraft], list[TableSpan]]:
        """The passages, and the whole tables they were cut from (for the fact parser)."""
        text = loaded.text
        regions: list[tuple[int | None, Span]] = (
            [(number + 1, span) for number, span in enumerate(loaded.pages)] if loaded.pages is not None else [(None, (0, len(text)))]
        )
        noise = running_lines(text, loaded.pages) if loaded.pages else set()
        drafts: list[PassageDraft] = []
        tables: list[TableSpan] = []
        section: str | None = None
        for page, (start, end) in regions:
            segments = page_segments(loaded, start, end, noise)
            section = self._pack(text, page, segments, section, drafts)
            tables.extend(TableSpan(segment.start, segment.end, segment.header_end or segment.start, segment.title, page,
                                    segment.shape) for segment in segments if segment.kind == "table")
        kept = [draft for draft in drafts if len(text[draft.start:draft.end].strip()) >= self.min_chars or len(drafts) == 1]
        return kept, tables

    # --- packing ---------------------------------------------------------------------------------------

    def _pack(self, text: str, page: int | None, segments: list[Segment], section: str | None, out: list[PassageDraft]) -> str | None:
        current: list[Segment] = []
        current_section = section

        def flush() -> None:
            nonlocal current
            if current:
                self._emit_text(text, page, current[0].start, current[-1].end, current_section, out)
            current = []

        for segment in segments:
            if segment.kind == "table":
                flush()
                # A statement's title ("CONSOLIDATED BALANCE SHEETS") is the section of what follows it.
                section = segment.title[:200] if segment.title else section
                self._emit_table(text, page, segment, section, out)
                current_section = section
                continue
            if segment.kind == "heading":
                heading = text[segment.start:segment.end].strip()
                if current and current[0].start < segment.start and segment.start - current[0].start >= self.chunk_size // 2:
                    flush()
                section = heading[:200]
                if not current:
                    current_section = section
                current.append(segment)
                continue
            only_headings = all(item.kind == "heading" for item in current)
            if current and not only_headings and segment.end - current[0].start > self.chunk_size:
                flush()
                current_section = section
            if not current:
                current_section = section
            current.append(segment)
        flush()
        return section

    def _emit_text(self, text: str, page: int | None, start: int, end: int, section: str | None, out: list[PassageDraft]) -> None:
        body = text[start:end]
        if not body.strip():
            return
        if end - start <= self.chunk_size:
            start, end = _trim(text, start, end)
            out.append(PassageDraft("text", start, end, page, section))
            return
        spans = []
        for piece in self.splitter.create_documents([body]):
            piece_start = start + piece.metadata["start_index"]
            spans.append((piece_start, piece_start + len(piece.page_content)))
        # The splitter leaves a heading alone in front of a long paragraph: give it to the next piece.
        if len(spans) > 1 and spans[0][1] - spans[0][0] < self.chunk_size // 4 and spans[1][1] - spans[0][0] <= self.chunk_size * 1.2:
            spans[:2] = [(spans[0][0], spans[1][1])]
        out.extend(PassageDraft("text", piece_start, piece_end, page, section) for piece_start, piece_end in spans)

    def _emit_table(self, text: str, page: int | None, table: Segment, section: str | None, out: list[PassageDraft]) -> None:
        start, end = table.start, table.end
        if end - start <= self.table_limit:
            out.append(PassageDraft("table", start, end, page, section))
            return
        header_end = table.header_end if table.header_end and table.header_end > start else None
        body_start = header_end if header_end else start
        limit = max(self.chunk_size - (header_end - start if header_end else 0), self.chunk_size // 2)
        cuts = _row_boundaries(text, body_start, end)
        part_start = start
        while end - part_start > limit:
            if end - part_start <= self.table_limit and _tail_is_small(cuts, part_start, end, limit):
                break
            fitting = [(offset, sure) for offset, sure in cuts if part_start < offset <= part_start + limit]
            if not fitting:
                later = [offset for offset, _ in cuts if offset > part_start]
                if not later:
                    break
                cut = later[0]
            else:
                sure = [offset for offset, is_sure in fitting if is_sure and offset - part_start >= limit // 3]
                cut = sure[-1] if sure else fitting[-1][0]
            self._add_table_part(text, page, section, part_start, cut, start, header_end, out)
            part_start = cut
        self._add_table_part(text, page, section, part_start, end, start, header_end, out)

    def _add_table_part(self, text: str, page: int | None, section: str | None, start: int, end: int,
                        table_start: int, header_end: int | None, out: list[PassageDraft]) -> None:
        start, end = _trim(text, start, end)
        if end <= start:
            return
        repeat = header_end is not None and start >= header_end
        out.append(PassageDraft("table", start, end, page, section,
                                header_start=table_start if repeat else None,
                                header_end=header_end if repeat else None))



# --- table parts ------------------------------------------------------------------------------------------


def _row_boundaries(text: str, start: int, end: int) -> list[tuple[int, bool]]:
    """Offsets where a table row may start, each with whether it surely does.

    Line starts are sure. In a flattened line, a label after two numbers ('... 19,935,888 3,495,231 Restricted
    cash') surely starts a row; a label after one number may be inside a label ('60,000,000 shares authorized').
    """
    cuts: dict[int, bool] = {}
    body = text[start:end]
    for match in re.finditer(r"\n", body):
        cuts[start + match.end()] = True
    value = rf"(?:{NUMBER_PATTERN})"
    for match in re.finditer(rf"(?<=\s)({value}\s+)?{value}\s+(?=\(?[A-Za-z])", body):
        tokens = match.group(0).split()
        if not all(_HAS_DIGIT.search(token) or set(token) <= set("—–-") for token in tokens):
            continue
        offset = start + match.end()
        cuts[offset] = cuts.get(offset, False) or len(tokens) >= 2
    return sorted((offset, sure) for offset, sure in cuts.items() if start < offset < end)


def _tail_is_small(cuts: list[tuple[int, bool]], start: int, end: int, limit: int) -> bool:
    """Whether the best cut would leave only a sliver (a row or two) for a last part: keep it with this one."""
    fitting = [offset for offset, sure in cuts if start < offset <= start + limit and sure]
    return bool(fitting) and end - fitting[-1] < limit // 4


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
