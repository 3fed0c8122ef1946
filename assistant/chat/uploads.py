"""What the page accepts as an upload: PDF, HTML or text by content, within the count and size limits, under a
safe name. Checked before anything is written."""

from __future__ import annotations

import re
from pathlib import Path

from index.errors import UploadError
from index.settings import Settings

UPLOAD_TYPES = {"pdf": (".pdf",), "html": (".html", ".htm"), "txt": (".txt",)}


def sniff_type(path: Path) -> str | None:
    """What a file is by its content: pdf, html or txt; None for anything else (images, archives, binaries)."""
    with path.open("rb") as handle:  # the first 4 KB decide; a 50 MB PDF is not read whole
        head = handle.read(4096)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1252")
        except UnicodeDecodeError:
            return None
    if re.search(r"<\s*(?:!doctype\s+html|html|body|table|div|p|head)\b", text[:2048], re.I):
        return "html"
    return "txt"


def safe_name(name: str) -> str:
    """A file name with no directory, no leading dots, letters, digits, dot, dash and underscore only."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip("._") or "upload"
    stem, dot, suffix = base.rpartition(".")
    return (stem[:100] + dot + suffix[:8]) if dot else base[:100]


def check_uploads(paths: list[Path], names: list[str], settings: Settings) -> list[tuple[Path, str]]:
    """(temporary file, safe name) for each upload, or UploadError naming the first problem."""
    if len(paths) > settings.chat.max_files:
        raise UploadError(f"{len(paths)} files at once; the limit is {settings.chat.max_files}")
    checked = []
    for path, name in zip(paths, names):
        size = path.stat().st_size
        if size > settings.store.max_file_mb * 1_000_000:
            raise UploadError(f"{name}: {size / 1e6:.1f} MB is over the {settings.store.max_file_mb:g} MB limit")
        if size == 0:
            raise UploadError(f"{name}: the file is empty")
        kind = sniff_type(path)
        suffix = Path(name).suffix.lower()
        if kind is None:
            raise UploadError(f"{name}: not a PDF, HTML or text file (checked by content)")
        if suffix not in UPLOAD_TYPES[kind] and not (kind == "txt" and suffix in UPLOAD_TYPES["html"]):
            raise UploadError(f"{name}: the content is {kind.upper()} but the name ends in {suffix or 'nothing'}")
        checked.append((path, safe_name(name)))
    return checked
