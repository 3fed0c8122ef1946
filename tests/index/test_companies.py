"""Companies (index/companies.py): name forms, filters and keys, on hand-built documents."""

from __future__ import annotations

from index.companies import company_key, company_matches, company_names, company_of_file, display_name, is_generic_company, squash
from index.records import Document


def _doc(company: str | None, path: str, ticker: str | None = None) -> Document:
    return Document(id="d1", title=path, company=company, ticker=ticker, source_path=path, content_hash="h", char_count=1)


def test_squash_is_the_file_name_form():
    assert squash("Johnson & Johnson") == "JOHNSONJOHNSON" and squash("McDonald’s Corp.") == "MCDONALDSCORP"


def test_generic_self_references_are_not_names():
    assert is_generic_company("The Company") and is_generic_company("the Group") and is_generic_company("Registrant")
    assert not is_generic_company("Apple Inc.")


def test_the_company_part_of_a_file_name():
    assert company_of_file("/x/JOHNSON_JOHNSON_2022_10K.pdf") == "JOHNSON JOHNSON"
    assert company_of_file("aptorum-2021-h1-results.txt") == "aptorum"
    assert company_of_file("2022_10K.pdf") is None


def test_names_a_question_may_use_drop_suffixes_and_spell_ampersands():
    names = company_names(_doc("Johnson & Johnson Inc.", "JNJ_2022_10K.pdf"))
    assert {"JOHNSONJOHNSONINC", "JOHNSONJOHNSON", "JOHNSONANDJOHNSON", "JNJ"} <= names
    assert company_names(_doc("The Company", "report.txt")) == {"REPORT"}   # never "THE", which any question has


def test_filters_match_name_ticker_or_file_prefix():
    apple = _doc("Apple Inc.", "/f/APPLE_2022_10K.pdf", "AAPL")
    assert company_matches(apple, "apple") and company_matches(apple, "AAPL") and company_matches(apple, "Apple Inc")
    assert not company_matches(apple, "Oracle") and not company_matches(apple, "  ")


def test_one_key_per_company_however_spelled():
    assert company_key(_doc("McDONALD’S CORPORATION", "a.pdf")) == company_key(_doc("McDonald's Corporation", "b.pdf"))
    assert display_name(_doc(None, "/f/EBAY_2022_10K.pdf")) == "EBAY"
