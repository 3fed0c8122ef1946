from pathlib import Path

import pytest
from conftest import FILINGS, SEED, shared_or_skip
from pdfs import make_pdf, report_pages

from index.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    FileTooLargeError,
    IngestError,
    NoTextError,
    UnsupportedFileError,
)
from index.loading import load_file
from index.normalize import normalize_text

MB = 1_000_000


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- text ---------------------------------------------------------------------------------------------------


def test_seed_loads_as_normalized_text_without_pages():
    loaded = load_file(SEED, 10 * MB)
    assert loaded.format == "text"
    assert loaded.pages is None and loaded.page_count is None
    assert "Research and development expenses were $5.5 million" in loaded.text
    assert normalize_text(loaded.text) == loaded.text
    assert len(loaded.content_hash) == 64


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Café revenue rose to £4.5 million.".encode("latin-1"), "Café revenue rose to £4.5 million."),
        ("Smart “quotes” cost €3 — said Zoë.".encode("cp1252"), "Smart “quotes” cost €3 — said Zoë."),
        ("\ufeffUTF-8 with a byte-order mark: naïve".encode("utf-8"), "UTF-8 with a byte-order mark: naïve"),
        ("UTF-16 text from Windows: déjà vu".encode("utf-16"), "UTF-16 text from Windows: déjà vu"),
    ],
)
def test_non_utf8_text_is_decoded_sensibly(tmp_path, raw, expected):
    loaded = load_file(write(tmp_path / "memo.txt", raw), MB)
    assert loaded.text == expected


def test_markdown_is_loaded_as_text(tmp_path):
    loaded = load_file(write(tmp_path / "notes.md", "# Results\n\nRevenue grew 5%.\n"), MB)
    assert loaded.text == "# Results\n\nRevenue grew 5%."


# --- HTML ---------------------------------------------------------------------------------------------------

EDGAR_LIKE = """<html><head><title>ACME CORP 10-Q</title><style>p { color: red }</style></head><body>
<div style="display:none"><ix:header>hidden xbrl 12345</ix:header></div>
<p><b>UNITED STATES</b><br>SECURITIES AND EXCHANGE COMMISSION</p>
<h2>Item 2. Management&#8217;s   Discussion</h2>
<p>Revenue   increased <i>12%</i> to $1.2 billion. <script>alert("x")</script>Costs fell.</p>
<table>
<tr><td></td><td colspan=2>Three Months Ended June 30,</td></tr>
<tr><td></td><td>2023</td><td></td><td>2022</td></tr>
<tr><td>Net revenues</td><td>$</td><td>1,234</td><td>$</td><td>1,100</td></tr>
<tr><td>Cost of revenues</td><td></td><td>(456</td><td>)</td><td>(400</td><td>)</td></tr>
<tr><td>Operating margin</td><td>22.2</td><td>%</td><td>21.0</td><td>%</td></tr>
</table>
<div>Liquidity</div><div>We had cash of $5 million.</div>
</body></html>"""


def test_html_tables_survive_as_rows_with_cells(tmp_path):
    loaded = load_file(write(tmp_path / "acme.htm", EDGAR_LIKE), MB)
    assert loaded.format == "html"
    assert loaded.title == "ACME CORP 10-Q"
    lines = loaded.text.split("\n")
    assert "Net revenues | $1,234 | $1,100" in lines
    assert "Cost of revenues | (456) | (400)" in lines
    assert "Operating margin | 22.2% | 21.0%" in lines
    [(start, end)] = loaded.tables
    table = loaded.text[start:end]
    assert table.startswith("Three Months Ended June 30,") and table.endswith("21.0%")


def test_html_drops_scripts_styles_and_hidden_content(tmp_path):
    text = load_file(write(tmp_path / "acme.html", EDGAR_LIKE), MB).text
    assert "alert" not in text and "color: red" not in text and "hidden xbrl" not in text
    assert "Revenue increased 12% to $1.2 billion. Costs fell." in text


def test_html_headings_are_spans_into_normalized_text(tmp_path):
    loaded = load_file(write(tmp_path / "acme.html", EDGAR_LIKE), MB)
    assert [loaded.text[start:end] for start, end in loaded.headings] == ["Item 2. Management’s Discussion"]
    assert normalize_text(loaded.text) == loaded.text


def test_html_with_no_text_is_refused(tmp_path):
    path = write(tmp_path / "empty.html", "<html><head><title>t</title><script>var a = 1;</script></head><body><img src=x></body></html>")
    with pytest.raises(NoTextError, match="empty.html: HTML file has no visible text"):
        load_file(path, MB)


# --- PDF ----------------------------------------------------------------------------------------------------


def test_pdf_pages_are_spans_of_the_text(tmp_path):
    pages = report_pages("Acme", 3)
    loaded = load_file(write(tmp_path / "acme.pdf", make_pdf(pages)), MB)
    assert loaded.format == "pdf" and loaded.page_count == 3
    for number, (start, end) in enumerate(loaded.pages):
        assert loaded.text[start:end].startswith(f"Acme Annual Report Section {number + 1}")
    assert loaded.text[loaded.pages[0][1]:loaded.pages[1][0]] == "\n\n"


def test_real_filing_extracts_every_page():
    shared_or_skip()
    loaded = load_file(FILINGS / "EBAY_2023Q1_EARNINGS.pdf", 50 * MB)
    assert loaded.page_count == 15
    assert "\ufffe" not in loaded.text
    assert "financial results for its first quarter" in loaded.text  # a ligature the font did not map
    assert "long-term" in loaded.text


# --- bad input: one clear error naming the file ----------------------------------------------------------------


def test_empty_file(tmp_path):
    with pytest.raises(EmptyFileError, match=r"empty\.txt: empty file \(0 bytes\)"):
        load_file(write(tmp_path / "empty.txt", b""), MB)


def test_binary_file_named_pdf(tmp_path):
    with pytest.raises(CorruptFileError, match=r"photo\.pdf: not a PDF"):
        load_file(write(tmp_path / "photo.pdf", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8), MB)


def test_binary_file_named_txt(tmp_path):
    with pytest.raises(UnsupportedFileError, match=r"report\.txt: binary content"):
        load_file(write(tmp_path / "report.txt", b"%PDF-1.7 pretending to be text\x00\x01"), MB)


def test_truncated_pdf(tmp_path):
    data = make_pdf(report_pages("Acme", 2))
    with pytest.raises(CorruptFileError, match=r"cut\.pdf: truncated PDF"):
        load_file(write(tmp_path / "cut.pdf", data[: len(data) // 2]), MB)


def test_corrupt_pdf(tmp_path):
    with pytest.raises(CorruptFileError, match=r"broken\.pdf: corrupt PDF"):
        load_file(write(tmp_path / "broken.pdf", b"%PDF-1.4\n1 0 obj garbage\n%%EOF\n"), MB)


def test_encrypted_pdf(tmp_path):
    from pypdf import PdfReader, PdfWriter

    plain = write(tmp_path / "plain.pdf", make_pdf(report_pages("Acme", 1)))
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt("secret", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    with open(locked, "wb") as handle:
        writer.write(handle)
    with pytest.raises(EncryptedPdfError, match=r"locked\.pdf: encrypted PDF: it needs a password"):
        load_file(locked, MB)


def test_pdf_without_text(tmp_path):
    with pytest.raises(NoTextError, match=r"scan\.pdf: no extractable text on any of its 2 pages"):
        load_file(write(tmp_path / "scan.pdf", make_pdf([[], []])), MB)


def test_file_over_the_size_cap(tmp_path):
    with pytest.raises(FileTooLargeError, match=r"big\.txt: file is 2\.0 MB, over the 1\.0 MB cap"):
        load_file(write(tmp_path / "big.txt", b"word " * 400_000), MB)


def test_unsupported_extension(tmp_path):
    with pytest.raises(UnsupportedFileError, match=r"sheet\.xlsx: unsupported file type \.xlsx"):
        load_file(write(tmp_path / "sheet.xlsx", b"PK\x03\x04"), MB)


def test_missing_file(tmp_path):
    with pytest.raises(IngestError, match=r"gone\.txt: no such file"):
        load_file(tmp_path / "gone.txt", MB)


def test_whitespace_only_text(tmp_path):
    with pytest.raises(NoTextError, match=r"blank\.txt: no text"):
        load_file(write(tmp_path / "blank.txt", "  \n\n\t \n"), MB)
