from pathlib import Path

import pytest
from conftest import FILINGS, SEED, shared_or_skip
from pdfs import make_pdf

from index.chunking import Chunker
from index.loading import LoadedFile, load_file


def chunk(loaded: LoadedFile, size: int = 1000):
    return Chunker(chunk_size=size, chunk_overlap=100).chunk(loaded)


def texts(loaded, drafts):
    return [loaded.text[draft.start:draft.end] for draft in drafts]


@pytest.fixture(scope="module")
def seed():
    loaded = load_file(SEED, 10**7)
    return loaded, chunk(loaded)


def test_spans_are_exact_and_trimmed(seed):
    loaded, drafts = seed
    for draft in drafts:
        piece = loaded.text[draft.start:draft.end]
        assert piece and piece == piece.strip()


def test_seed_balance_sheet_first_part_keeps_title_and_column_headers(seed):
    loaded, drafts = seed
    tables = [draft for draft in drafts if draft.kind == "table"]
    first = loaded.text[tables[0].start:tables[0].end]
    assert first.startswith("APTORUM GROUP LIMITED\n\nCONDENSED CONSOLIDATED BALANCE SHEETS\n\n(Stated in U.S. Dollars)")
    assert "June 30," in first and "December 31," in first and "Cash 19,935,888 3,495,231" in first
    assert tables[0].section == "CONDENSED CONSOLIDATED BALANCE SHEETS"


def test_seed_long_tables_are_split_by_rows_with_the_header_repeated(seed):
    loaded, drafts = seed
    parts = [draft for draft in drafts if draft.kind == "table" and draft.header_start is not None]
    assert len(parts) >= 2
    for part in parts:
        header = loaded.text[part.header_start:part.header_end]
        assert header.startswith("APTORUM GROUP LIMITED")
        assert "(Stated in U.S. Dollars)" in header
        # A part starts at a row label, never inside a number.
        assert loaded.text[part.start].isalpha() or loaded.text[part.start] == "("
    statement_parts = [part for part in parts if "OPERATIONS" in loaded.text[part.header_start:part.header_end]]
    assert statement_parts, "the statement of operations is long enough to split"
    assert loaded.text[statement_parts[0].header_start:statement_parts[0].header_end].endswith("June 30, 2021 2020 (Unaudited) (Unaudited)")


def test_seed_rows_are_not_cut_in_half(seed):
    loaded, drafts = seed
    joined = "\n".join(texts(loaded, [draft for draft in drafts if draft.kind == "table"]))
    for row in ("Research and development expenses (5,508,356 (4,315,033", "Accumulated deficit (46,570,550 (30,489,126",
                "Total Liabilities and Equity 31,714,867 44,231,316", "Net loss per share basic and diluted (0.47 (0.21"):
        assert row in joined


def test_seed_headings_become_sections(seed):
    loaded, drafts = seed
    by_text = {loaded.text[draft.start:draft.end][:60]: draft.section for draft in drafts}
    narrative = next(text for text in by_text if text.startswith("Financial Results for the Six Months"))
    assert by_text[narrative] == "Financial Results for the Six Months Ended June 30, 2021"
    assert any(section == "Corporate Highlights" for section in by_text.values())


def test_prose_longer_than_the_chunk_size_is_split_at_sentence_boundaries(tmp_path):
    sentence = "Revenue increased because customers bought more subscriptions in every region. "
    path = tmp_path / "long.txt"
    path.write_text("Overview\n\n" + sentence * 60)
    loaded = load_file(path, 10**7)
    drafts = chunk(loaded, size=500)
    assert len(drafts) >= 6
    for draft in drafts:
        assert draft.end - draft.start <= 500
        assert loaded.text[draft.start:draft.end].endswith(".")
        assert draft.section == "Overview"


STATEMENT_PAGE = [
    "Acme Corp.",
    "CONSOLIDATED STATEMENTS OF CASH FLOWS",
    "(In millions)",
    "Years ended December 31,",
    "2023 2022 2021",
    "Cash flows from operating activities:",
    "Net income $ 5,363 $ 4,869 $ 5,058",
    "Depreciation and amortization 1,488 1,544 1,500",
    "Changes in assets and liabilities, net of acquisition effects",
    "Accounts receivable (245) 120 (33)",
    "Net cash provided by operating activities 6,439 6,240 6,596",
    "Cash flows from investing activities:",
    "Purchases of property, plant and equipment (1,577) (1,373) (1,699)",
    "Net cash used in investing activities (222) (1,624) (2,015)",
]


def test_pdf_statement_is_one_table_passage_with_its_title(tmp_path):
    prose = ["Management believes cash flows are sufficient to fund operations for the next twelve months.",
             "The following table summarizes our cash flows for the periods presented in this report."]
    path = tmp_path / "acme.pdf"
    path.write_bytes(make_pdf([prose, STATEMENT_PAGE]))
    loaded = load_file(path, 10**7)
    drafts = chunk(loaded)
    tables = [draft for draft in drafts if draft.kind == "table"]
    assert len(tables) == 1
    table = loaded.text[tables[0].start:tables[0].end]
    assert table.startswith("Acme Corp.\nCONSOLIDATED STATEMENTS OF CASH FLOWS\n(In millions)")
    assert table.endswith("Net cash used in investing activities (222) (1,624) (2,015)")
    assert tables[0].page == 2 and tables[0].section == "CONSOLIDATED STATEMENTS OF CASH FLOWS"
    assert [draft.page for draft in drafts if draft.kind == "text"] == [1]


def test_a_long_pdf_table_repeats_its_header_in_every_later_part(tmp_path):
    rows = [f"Line item number {index} of the schedule {index * 101:,} {index * 97:,}" for index in range(1, 80)]
    path = tmp_path / "schedule.pdf"
    path.write_bytes(make_pdf([STATEMENT_PAGE[:5] + rows]))
    loaded = load_file(path, 10**7)
    drafts = [draft for draft in chunk(loaded, size=800) if draft.kind == "table"]
    assert len(drafts) >= 3
    assert drafts[0].header_start is None
    for draft in drafts[1:]:
        assert loaded.text[draft.header_start:draft.header_end] == "\n".join(STATEMENT_PAGE[:5]) + "\n"
        assert loaded.text[draft.start:draft.end].startswith("Line item number")
    covered = "\n".join(texts(loaded, drafts))
    assert all(row in covered for row in rows)


def test_html_table_stays_whole(tmp_path):
    rows = "".join(f"<tr><td>Item {index}</td><td>{index},000</td><td>{index + 1},000</td></tr>" for index in range(8))
    path = tmp_path / "t.html"
    path.write_text(f"<p>Intro paragraph about the results of the year.</p><p><b>Selected data</b></p><table>{rows}</table><p>After.</p>")
    loaded = load_file(path, 10**7)
    tables = [draft for draft in chunk(loaded) if draft.kind == "table"]
    assert len(tables) == 1
    text = loaded.text[tables[0].start:tables[0].end]
    assert text.startswith("Selected data\n\nItem 0 | 0,000 | 1,000") and text.endswith("Item 7 | 7,000 | 8,000")


def test_every_passage_of_every_shared_filing_is_an_exact_span_on_one_page():
    shared_or_skip()
    files = sorted(FILINGS.glob("*.pdf"))
    assert len(files) == 13
    chunker = Chunker()
    for path in files:
        loaded = load_file(path, 10**8)
        drafts = chunker.chunk(loaded)
        assert len(drafts) > loaded.page_count / 2, path.name
        for draft in drafts:
            page_start, page_end = loaded.pages[draft.page - 1]
            assert page_start <= draft.start < draft.end <= page_end, (path.name, draft)
            if draft.header_start is not None:
                assert draft.header_start < draft.header_end <= draft.start, (path.name, draft)


def test_income_statement_of_a_real_10k_is_one_passage():
    shared_or_skip()
    loaded = load_file(FILINGS / "APPLE_2022_10K.pdf", 10**8)
    drafts = Chunker().chunk(loaded)
    statement = [draft for draft in drafts if draft.kind == "table" and draft.section == "CONSOLIDATED STATEMENTS OF OPERATIONS"]
    assert statement
    text = loaded.text[statement[0].start:statement[0].end]
    assert "CONSOLIDATED STATEMENTS OF OPERATIONS" in text and "Years ended" in text
    assert "Research and development 26,251 21,914 18,752" in text
    assert "Total net sales 394,328 365,817 274,515" in text


def test_page_is_none_without_pages(seed):
    _, drafts = seed
    assert {draft.page for draft in drafts} == {None}


def test_chunker_handles_a_document_of_one_short_line(tmp_path):
    path = Path(tmp_path / "one.txt")
    path.write_text("Revenue was $5 million.")
    loaded = load_file(path, 10**7)
    assert texts(loaded, chunk(loaded)) == ["Revenue was $5 million."]


def test_long_prose_is_not_cut_inside_a_name_with_initials():
    sentence = ("The Company entered into a sales agreement with H.C. Wainwright & Co., LLC under which it may sell "
                "shares for an aggregate offering price of up to $15,000,000. ")
    text = "Corporate Highlights\n\n" + "".join(f"In sale {n}, t" + sentence[1:] for n in range(12))
    loaded = LoadedFile(path=Path("release.txt"), content_hash="0", text=text, format="text")
    pieces = texts(loaded, Chunker(chunk_size=250, chunk_overlap=50).chunk(loaded))  # a plain ". " split cuts 11 times
    assert len(pieces) > 2
    for piece in pieces:
        assert not piece.endswith("H.C."), piece
        assert not piece.startswith("Wainwright"), piece
