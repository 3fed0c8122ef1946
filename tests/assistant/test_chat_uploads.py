"""assistant/chat/uploads.py: uploads are checked by content, count and size, and named safely."""

from __future__ import annotations

import pytest

from assistant.chat.uploads import check_uploads, safe_name, sniff_type
from index.errors import UploadError
from index.settings import Settings


def test_uploads_are_checked_by_content_count_and_size(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", ui_max_files=2, max_file_mb=0.001)
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b"0" * 100)
    png = tmp_path / "fake.pdf"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 50)
    html = tmp_path / "page.txt"
    html.write_text("<html><body><p>hi</p></body></html>")
    assert (sniff_type(pdf), sniff_type(png), sniff_type(html)) == ("pdf", None, "html")
    with pytest.raises(UploadError, match="fake.pdf: not a PDF, HTML or text file"):
        check_uploads([png], ["fake.pdf"], settings)
    with pytest.raises(UploadError, match="the content is PDF but the name ends in .txt"):
        check_uploads([pdf], ["a.txt"], settings)
    with pytest.raises(UploadError, match="3 files at once; the limit is 2"):
        check_uploads([pdf, pdf, pdf], ["a.pdf"] * 3, settings)
    big = tmp_path / "big.txt"
    big.write_text("x" * 5000)
    with pytest.raises(UploadError, match="over the 0.001 MB limit"):
        check_uploads([big], ["big.txt"], settings)
    assert check_uploads([pdf], ["../../etc/a b.pdf"], settings)[0][1] == "a_b.pdf"


@pytest.mark.parametrize(("name", "safe"), [("../../x.pdf", "x.pdf"), ("..\\..\\evil.txt", "evil.txt"),
                                            (".hidden.html", "hidden.html"), ("Q1 report (final).pdf", "Q1_report_final_.pdf"),
                                            ("", "upload")])
def test_file_names_are_sanitized(name, safe):
    assert safe_name(name) == safe
