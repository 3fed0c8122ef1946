"""Document metadata: inferred from the file name and the text, then overridden by a sidecar and by flags.

Precedence, lowest first: the text, the file name (`COMPANY_2023Q2_10Q.pdf`), a sidecar `NAME.meta.yaml`
beside the file, and command-line flags.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from index.companies import is_generic_company, squash
from index.errors import MetadataError
from index.forms import is_form_token, normalize_form
from index.periods import DATE, MONTHS_WORDS, months_ended, normalize_period, parse_date
from index.records import DocumentMeta

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}


# --- from the file name ----------------------------------------------------------------------------------


def meta_from_filename(path: Path) -> DocumentMeta:
    """`APPLE_2022_10K`, `EBAY_2023Q1_EARNINGS`, `MCDONALDS_8K_dated-2023-02-13`, `COMPANY_2023Q2_10Q`."""
    stem = path.stem
    if stem.endswith(".meta"):
        stem = stem[: -len(".meta")]
    tokens = [token for token in re.split(r"[_\s]+", stem) if token]
    company_tokens: list[str] = []
    meta: dict[str, object] = {}
    for token in tokens:
        upper = token.upper()
        if match := re.fullmatch(r"DATED-?(\d{4}-\d{2}-\d{2})", upper):
            meta["filing_date"] = parse_date(match.group(1))
        elif re.fullmatch(r"(?:FY)?\d{4}(?:Q[1-4]|H[12])?|Q[1-4]\d{4}", upper):
            meta["period"] = normalize_period(upper)
        elif is_form_token(upper):
            meta["form"] = normalize_form(upper)
        elif not meta:
            company_tokens.append(token)
    # Only a name that looks like the convention (a company followed by a period or form) says who it is.
    if company_tokens and ("period" in meta or "form" in meta):
        meta["company"] = " ".join(company_tokens)
    return DocumentMeta(**meta)


# --- from the text ------------------------------------------------------------------------------------------


_TICKER_PATTERNS = [
    re.compile(r"\((?:NASDAQ|Nasdaq|NYSE|NYSE American|NYSE MKT|Nasdaq GS|NASDAQ GS|AMEX)\s*:\s*([A-Z][A-Z.]{0,5})\b"),
    re.compile(r"(?:NASDAQ|Nasdaq|NYSE)\s*:\s*([A-Z][A-Z.]{0,5})\b"),
    re.compile(r"[Cc]ommon [Ss]tock[^\n]{0,80}?\s([A-Z]{1,5})\s+(?:The\s+)?(?:Nasdaq|NASDAQ|New York Stock Exchange|NYSE)"),
]
_REGISTRANT = re.compile(r"^(.{2,80}?)\s*\n\s*\(Exact name of (?:the )?registrant as specified in (?:its )?charter\)", re.I | re.M)
# "Aptorum Group Limited (NASDAQ: APM", "-- eBay Inc. (Nasdaq: EBAY)", "- McDonald's Corporation today announced"
_NAMED_BEFORE_TICKER = re.compile(
    r"(?:^|--|\s-\s|—|/\s)\s*([A-Za-z][\w&.,'’ ]{1,60}?)\s+(?:\((?:NASDAQ|Nasdaq|NYSE|Nyse|NYSE American)\b|today\s+(?:announced|reported|provided))",
    re.M)
_PRESS_COMPANY = re.compile(r"^(?:[A-Z][A-Z .,]+--\s*)?([A-Z][\w&.,' -]{1,60}?(?:Inc\.|Incorporated|Corporation|Corp\.|Company|Limited|Ltd\.|Group|plc|N\.V\.|S\.A\.|LLC))[,\s(]", re.M)

def meta_from_text(text: str) -> DocumentMeta:
    head = text[:20000]
    meta: dict[str, object] = {}

    form = _form_from_text(head)
    if form:
        meta["form"] = form

    for pattern, span in ((_REGISTRANT, 20000), (_NAMED_BEFORE_TICKER, 5000), (_PRESS_COMPANY, 3000)):
        match = pattern.search(head[:span])
        if match and not is_generic_company(match.group(1)):
            meta["company"] = match.group(1).strip()
            break

    for pattern in _TICKER_PATTERNS:
        if match := pattern.search(head):
            meta["ticker"] = match.group(1).rstrip(".")
            break

    period, period_end = _period_from_text(head, form)
    if period:
        meta["period"] = period
    if period_end:
        meta["period_end"] = period_end

    filing = re.search(rf"Date of Report \(Date of earliest event reported\)\s*:?\s*({DATE})", head, re.I)
    filing = filing or re.search(rf"({DATE})\s*/\s*PRNewswire", head) or re.search(rf"\b({DATE})\s*/?\s*(?:--|—)?\s*/?(?:PRNewswire|GLOBE NEWSWIRE|Business Wire)", head)
    if filing:
        meta["filing_date"] = parse_date(filing.group(1))
    return DocumentMeta(**meta)


def _form_from_text(head: str) -> str | None:
    cover = head[:4000]
    if match := re.search(r"\bFORM\s+(10-K|10-Q|8-K|20-F|6-K)\b", cover, re.I):
        return match.group(1).upper()
    lowered = cover.lower()
    if re.search(r"(reports?|announce[sd]?|provided|report(?:ed|s)?)\b[^.]{0,120}\b(financial )?results", lowered) or "earnings release" in lowered:
        return "earnings release"
    if "press release" in lowered or "news release" in lowered or "prnewswire" in lowered:
        return "press release"
    return None


def _period_from_text(head: str, form: str | None) -> tuple[str | None, dt.date | None]:
    """The period the document reports on: the earliest statement of it wins (the cover page or the dateline),
    since later ones often refer to other periods ("for the fiscal year ended ..." inside a 10-Q)."""
    found: list[tuple[int, str | None, dt.date | None]] = []
    if match := re.search(rf"for the fiscal year ended\s+({DATE})", head, re.I):
        end = parse_date(match.group(1))
        found.append((match.start(), f"FY{end.year}" if end else None, end))
    if match := re.search(rf"for the quarterly period ended\s+({DATE})", head, re.I):
        found.append((match.start(), None, parse_date(match.group(1))))
    quarter = re.search(
        rf"\b(first|second|third|fourth)\s+(?:fiscal\s+)?quarter(?:\s+(?:of\s+)?(?:fiscal\s+)?(?:year\s+)?(\d{{4}}))?,?\s+ended\s+({DATE})",
        head, re.I)
    if quarter:
        end = parse_date(quarter.group(3))
        year = quarter.group(2) or (str(end.year) if end else None)
        found.append((quarter.start(), f"{year}Q{_ORDINALS[quarter.group(1).lower()]}" if year else None, end))
    if match := re.search(rf"\b(three|six|nine|twelve)\s+months\s+ended\s+({DATE})", head, re.I):
        end = parse_date(match.group(2))
        label = None
        if end is not None:
            period = months_ended(MONTHS_WORDS[match.group(1).lower()], end, match.group(0))
            label = None if period.label == end.isoformat() else period.label  # a quarter, half or fiscal year
        found.append((match.start(), label, end))
    if not found:
        if match := re.search(r"\b(first|second|third|fourth)\s+quarter\s+(?:of\s+)?(?:fiscal\s+)?(\d{4})\b", head, re.I):
            return f"{match.group(2)}Q{_ORDINALS[match.group(1).lower()]}", None
        return None, None
    _, label, end = min(found, key=lambda item: item[0])
    return label, end


# --- sidecar and merge -----------------------------------------------------------------------------------


def sidecar_path(path: Path) -> Path | None:
    for candidate in (path.with_name(path.stem + ".meta.yaml"), path.with_name(path.name + ".meta.yaml"),
                      path.with_name(path.stem + ".meta.yml")):
        if candidate.is_file():
            return candidate
    return None


def meta_from_sidecar(path: Path) -> DocumentMeta:
    sidecar = sidecar_path(path)
    if sidecar is None:
        return DocumentMeta()
    try:
        data = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MetadataError(path, f"cannot read sidecar {sidecar.name}: {reason}") from None
    if data is None:
        return DocumentMeta()
    if not isinstance(data, dict):
        raise MetadataError(path, f"sidecar {sidecar.name} must be a mapping of field: value")
    return validate_meta(path, data, where=f"sidecar {sidecar.name}")


def validate_meta(path: Path, data: dict, where: str) -> DocumentMeta:
    cleaned = {key: (str(value) if key in ("period", "ticker", "company", "form", "title") and value is not None else value)
               for key, value in data.items()}
    try:
        meta = DocumentMeta(**cleaned)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "?"
        message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        raise MetadataError(path, f"{where}: {field}: {message}") from None
    updates: dict[str, object] = {}
    if meta.form:
        updates["form"] = normalize_form(meta.form)
    if meta.period:
        updates["period"] = normalize_period(meta.period)
    return meta.model_copy(update=updates)


def merge_meta(*layers: DocumentMeta) -> DocumentMeta:
    """Later layers win, field by field, where they say something."""
    merged: dict[str, object] = {}
    for layer in layers:
        merged.update({key: value for key, value in layer.model_dump().items() if value not in (None, "")})
    return DocumentMeta(**merged)


def default_title(meta: DocumentMeta, path: Path) -> str:
    parts = [meta.company or path.stem, meta.form, meta.period or (meta.period_end.isoformat() if meta.period_end else None)]
    return " ".join(part for part in parts if part)


def infer_meta(path: Path, text: str, html_title: str | None, overrides: DocumentMeta | None = None) -> DocumentMeta:
    from_text = meta_from_text(text)
    from_name = meta_from_filename(path)
    explicit = merge_meta(meta_from_sidecar(path), overrides or DocumentMeta())
    meta = merge_meta(from_text, from_name, explicit)
    # The text spells the company out ("Apple Inc."); a file name only squashes it ("APPLE"). Prefer the text's
    # when both name the same company and nobody said otherwise.
    if (not explicit.company and from_text.company and meta.company
            and squash(from_text.company).startswith(squash(meta.company))):
        meta = meta.model_copy(update={"company": from_text.company})
    if meta.company and meta.company.isupper() and len(meta.company) > 4 and not from_text.company:
        meta = meta.model_copy(update={"company": meta.company.title()})
    if not meta.title:
        meta = meta.model_copy(update={"title": html_title or default_title(meta, path)})
    return meta
