from index.normalize import normalize_inline, normalize_text, repair_unmapped_glyphs


def test_normalize_text_folds_compatibility_characters_line_ends_and_padding():
    raw = "Net income $\u00a0\u00a0\u00a0\u00a0 567\r\nTotal\u2003assets\t 12\r\n\r\n\r\n\r\nﬁnancial \x07end  "
    assert normalize_text(raw) == "Net income $ 567\nTotal assets 12\n\nfinancial end"


def test_normalize_text_is_idempotent():
    once = normalize_text("  A\u00a0b \r\n\r\n\r\n c\fd ")
    assert normalize_text(once) == once


def test_normalize_inline_squashes_whitespace_and_folds():
    assert normalize_inline("  Management\u2019s\n  Discussion ﬁ ") == " Management’s Discussion fi "


def test_ligatures_are_repaired_from_the_documents_own_vocabulary():
    text = ("We reported \ufffenancial results. Our financial position and efficiency improved. "
            "The e\ufffeciency gains were signi\ufffecant and significant again; cash \ufffeows rose.")
    repaired = repair_unmapped_glyphs(text)
    assert "financial results" in repaired
    assert "efficiency gains" in repaired
    assert "were significant" in repaired
    assert "cash flows" in repaired
    assert "\ufffe" not in repaired


def test_unmapped_hyphen_becomes_a_hyphen_when_both_halves_are_words():
    repaired = repair_unmapped_glyphs("our long\ufffeterm objectives and FX\ufffeNeutral basis")
    assert repaired == "our long-term objectives and FX-Neutral basis"


def test_fragments_next_to_a_broken_glyph_are_not_evidence():
    # "signi" and "cant" appear only as fragments of broken words: the ligature must still win.
    repaired = repair_unmapped_glyphs("signi\ufffecant progress and signi\ufffecantly more")
    assert repaired == "significant progress and significantly more"


def test_text_without_broken_glyphs_is_returned_unchanged():
    text = "Nothing to repair here."
    assert repair_unmapped_glyphs(text) is text
