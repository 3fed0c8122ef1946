"""Small PDFs written by hand for tests: real PDF syntax, one text line per row, no third-party writer."""

from __future__ import annotations


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose page i shows the lines pages[i], top to bottom, in Helvetica."""
    objects: list[bytes] = []
    page_ids = [4 + 2 * index for index in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{page_id} 0 R" for page_id in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for index, lines in enumerate(pages):
        content_id = page_ids[index] + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {content_id} 0 R >>".encode()
        )
        body = ["BT", "/F1 9 Tf", "11 TL", "40 760 Td"]
        for line in lines:
            body.append(f"({_escape(line)}) Tj T*")
        body.append("ET")
        stream = "\n".join(body).encode("cp1252", errors="replace")
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def report_pages(company: str, pages: int, words_per_page: int = 300, seed_word: str = "zebrafinch") -> list[list[str]]:
    """A plausible multi-page report: a heading and prose lines on every page, one unusual word to search for."""
    vocabulary = ("revenue grew in the period as customers adopted the platform while operating costs were "
                  "managed carefully across regions and segments with investment in research").split()
    result = []
    for page in range(pages):
        lines = [f"{company} Annual Report Section {page + 1}"]
        words = [vocabulary[(page * 7 + index * 3) % len(vocabulary)] for index in range(words_per_page)]
        words[5] = f"{seed_word}{page}"
        for start in range(0, len(words), 14):
            lines.append(" ".join(words[start:start + 14]) + ("." if start + 14 >= len(words) else ""))
        result.append(lines)
    return result
