"""Loading files into normalized text with page spans: .txt, .md, .htm, .html and .pdf.

A loader checks the file by its content, not only its name, and turns every problem into an IngestError
that names the file and says what is wrong.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    FileTooLargeError,
    IngestError,
    NoTextError,
    UnsupportedFileError,
)
from index.normalize import normalize_inline, normalize_text, repair_unmapped_glyphs

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".htm", ".html"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES

Span = tuple[int, int]


@dataclass
class LoadedFile:
    """A file's normalized text and the structure its format told us about."""

    path: Path
    content_hash: str
    text: str
    format: str  # "text", "html" or "pdf"
    pages: list[Span] | None = None  # page i+1 is text[pages[i][0]:pages[i][1]]
    tables: list[Span] = field(default_factory=list)  # tables the format marked up (HTML)
    headings: list[Span] = field(default_factory=list)  # headings the format marked up (HTML)
    title: str | None = None

    @property
    def page_count(self) -> int | None:
        return len(self.pages) if self.pages is not None else None


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_checked(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, after the checks every format shares (exists, supported, not empty, not too large)."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileError(path, f"unsupported file type {suffix or '(none)'}; expected one of {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise IngestError(path, "no such file") from None
    except OSError as exc:
        raise IngestError(path, f"cannot read file: {exc.strerror or exc}") from None
    if size == 0:
        raise EmptyFileError(path, "empty file (0 bytes)")
    if size > max_bytes:
        raise FileTooLargeError(path, f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB cap (raise DISCLOSURES_MAX_FILE_MB to allow it)")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot read file: {exc.strerror or exc}") from None


def load_file(path: Path, max_bytes: int) -> LoadedFile:
    data = read_checked(path, max_bytes)
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return load_pdf(path, data)
    if suffix in HTML_SUFFIXES:
        return load_html(path, data)
    return load_text(path, data)


# --- plain text -----------------------------------------------------------------------------------------


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 when it is; UTF-16/32 by their byte-order mark; a clearly identified other script (Cyrillic,
    Greek, ...) by charset-normalizer; otherwise Windows-1252, the usual legacy encoding of English filings."""
    if _looks_binary(data):
        raise UnsupportedFileError(path, "binary content, not text (is it a PDF or an office file with the wrong name?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for bom, encoding in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    from charset_normalizer import from_bytes

    guess = from_bytes(data).best()
    # On short Western text charset-normalizer often guesses a Central European code page with no
    # evidence (coherence 0); only trust it when it recognised a language.
    if guess is not None and guess.coherence >= 0.2:
        return str(guess)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return True
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM is text
        return False
    return b"\x00" in head


def load_text(path: Path, data: bytes) -> LoadedFile:
    text = normalize_text(decode_text(path, data))
    if not text.strip():
        raise NoTextError(path, "no text in file (only whitespace)")
    return LoadedFile(path=path, content_hash=content_hash(data), text=text, format="text")


# --- HTML -------------------------------------------------------------------------------------------------

_SKIP_TAGS = {"script", "style", "noscript", "head", "template", "svg", "object", "iframe", "ix:header", "button", "select"}
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "center", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html",
    "li", "main", "nav", "ol", "p", "pre", "section", "ul", "caption", "document", "type", "text",
}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.I)


class _HtmlRenderer:
    """Renders an HTML tree to normalized text: blocks on their own lines, each table row on one line with
    cells split by ' | '. It normalizes as it writes, so the spans it records index the final text."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.trailing_newlines = 0
        self.at_line_start = True
        self.pending_space = False
        self.tables: list[Span] = []
        self.headings: list[Span] = []

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)
        stripped = text.rstrip("\n")
        self.trailing_newlines = (self.trailing_newlines if not stripped else 0) + len(text) - len(stripped)

    def text(self, raw: str) -> None:
        piece = normalize_inline(raw)
        words = piece.strip(" ")
        if not words:
            if piece and not self.at_line_start:
                self.pending_space = True
            return
        if not self.at_line_start and (self.pending_space or piece.startswith(" ")):
            self.write(" ")
        self.write(words)
        self.pending_space = piece.endswith(" ")
        self.at_line_start = False

    def newline(self, count: int = 1) -> None:
        self.pending_space = False
        self.at_line_start = True
        if self.length and self.trailing_newlines < count:
            self.write("\n" * (count - self.trailing_newlines))

    def render(self, element) -> None:  # noqa: ANN001 - an lxml element
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag in _SKIP_TAGS or _HIDDEN_STYLE.search(element.get("style") or ""):
            self.render_tail(element)
            return
        if tag == "table":
            self.render_table(element)
        elif tag == "br":
            self.newline(1)
        else:
            gap = 2 if tag in _HEADING_TAGS or tag == "p" else 1
            block = tag in _BLOCK_TAGS
            if block:
                self.newline(gap)
            start = self.length
            if element.text:
                self.text(element.text)
            for child in element:
                self.render(child)
            if tag in _HEADING_TAGS and self.length > start:
                self.headings.append((start, self.length))
            if block:
                self.newline(gap)
        self.render_tail(element)

    def render_tail(self, element) -> None:  # noqa: ANN001
        if element.tail:
            self.text(element.tail)

    def render_table(self, table) -> None:  # noqa: ANN001
        rows = []
        for row in table.iter("tr"):
            if _HIDDEN_STYLE.search(row.get("style") or ""):
                continue
            cells = [
                normalize_inline(cell.text_content()).strip(" ")
                for cell in row
                if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")
            ]
            cells = _merge_cells(cells)
            if cells:
                rows.append(" | ".join(cells))
        if not rows:
            return
        self.newline(2)
        start = self.length
        self.write("\n".join(rows))
        self.tables.append((start, self.length))
        self.at_line_start = False
        self.newline(2)

    def result(self) -> tuple[str, list[Span], list[Span]]:
        text = "".join(self.parts).rstrip("\n ")

        def trim(span: Span) -> Span:
            start, end = span[0], min(span[1], len(text))
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            return start, end

        tables = [span for span in map(trim, self.tables) if span[1] > span[0]]
        headings = [span for span in map(trim, self.headings) if span[1] > span[0]]
        return text, tables, headings


def _merge_cells(cells: list[str]) -> list[str]:
    """EDGAR tables put '$', ')' and '%' in cells of their own and pad with empty cells: glue them back."""
    merged: list[str] = []
    pending_prefix = ""
    for cell in cells:
        if not cell:
            continue
        if cell in ("$", "(", "$(", "($"):
            pending_prefix += cell
            continue
        if cell in (")", "%", ")%", "%)") and merged:
            merged[-1] += cell
            continue
        merged.append(pending_prefix + cell)
        pending_prefix = ""
    return merged


def load_html(path: Path, data: bytes) -> LoadedFile:
    import lxml.html
    from lxml import etree

    source = _XML_DECLARATION.sub("", decode_text(path, data))
    if not source.strip():
        raise NoTextError(path, "HTML file has no content")
    try:
        root = lxml.html.document_fromstring(source)
    except (etree.ParserError, ValueError) as exc:
        raise CorruptFileError(path, f"cannot parse HTML: {exc}") from None
    title_element = root.find(".//title")
    title = normalize_inline(title_element.text_content()).strip() if title_element is not None else None
    renderer = _HtmlRenderer()
    body = root.find("body")
    renderer.render(body if body is not None else root)
    text, tables, headings = renderer.result()
    if not text.strip():
        raise NoTextError(path, "HTML file has no visible text")
    return LoadedFile(
        path=path,
        content_hash=content_hash(data),
        text=text,
        format="html",
        tables=tables,
        headings=headings,
        title=title or None,
    )


# --- PDF ----------------------------------------------------------------------------------------------------


def load_pdf(path: Path, data: bytes) -> LoadedFile:
    import pypdfium2 as pdfium

    if not data[:1024].lstrip().startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise CorruptFileError(path, "not a PDF: the file does not start with a PDF header (%PDF-)")
    if b"%%EOF" not in data.rstrip(b"\x00\r\n\t ")[-2048:]:
        raise CorruptFileError(path, "truncated PDF: no end-of-file marker (%%EOF); the copy or download is incomplete")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise EncryptedPdfError(path, "encrypted PDF: it needs a password; save an unencrypted copy and ingest that") from None
        raise CorruptFileError(path, f"corrupt PDF: {message}") from None
    try:
        raw_pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                raw_pages.append(textpage.get_text_range())
            finally:
                textpage.close()
                page.close()
    except pdfium.PdfiumError as exc:
        raise CorruptFileError(path, f"corrupt PDF: cannot read page {len(raw_pages) + 1}: {exc}") from None
    finally:
        pdf.close()
    if not raw_pages:
        raise CorruptFileError(path, "corrupt PDF: it has no pages")
    pages_text = [normalize_text(page) for page in raw_pages]
    # Repair with the whole document as vocabulary: a word broken on one page is spelled out on another.
    joined = repair_unmapped_glyphs("\n\n".join(f"\x00{page}" for page in pages_text))
    pages_text = [page.lstrip("\x00") for page in joined.split("\n\n\x00")]
    pages_text[0] = pages_text[0].lstrip("\x00")
    if not any(page.strip() for page in pages_text):
        raise NoTextError(path, f"no extractable text on any of its {len(raw_pages)} pages (a scanned PDF? run OCR on it first)")
    spans: list[Span] = []
    parts: list[str] = []
    offset = 0
    for number, page_text in enumerate(pages_text):
        if number:
            parts.append("\n\n")
            offset += 2
        spans.append((offset, offset + len(page_text)))
        parts.append(page_text)
        offset += len(page_text)
    return LoadedFile(path=path, content_hash=content_hash(data), text="".join(parts), format="pdf", pages=spans)
