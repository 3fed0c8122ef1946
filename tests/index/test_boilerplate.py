"""index/boilerplate.py: the passages every filing carries that are not evidence (exhibit index, auditor's report and
consent, forward-looking-statements disclaimer, website notice), recognised by their wording, and kept for a
question that asks about them."""

from __future__ import annotations

import pytest

from index.boilerplate import asked_kinds, boilerplate_kind, evidence_hits, passage_kind
from index.records import Document, Passage, SearchHit

AUDITOR = ("Report of Independent Registered Public Accounting Firm. To the Shareholders and the Board of Directors of "
           "Apple Inc. Opinion on Internal Control Over Financial Reporting. We have audited Apple Inc.'s internal "
           "control over financial reporting as of September 24, 2022.")
CONSENT = ("Exhibit 23.1 CONSENT OF INDEPENDENT REGISTERED PUBLIC ACCOUNTING FIRM We consent to the incorporation by "
           "reference in the Registration Statements on Form S-8 of our reports dated October 27, 2022.")
EXHIBITS = ("No. Exhibit Description Incorporated by Reference Form File No. Date Filed 10.1* Employee Stock Purchase "
            "Plan, as amended. 8-K 10.1 3/13/15 10.2* Form of Indemnification Agreement. 10-Q 10.2 2/1/16")
DISCLAIMER = ("This Annual Report on Form 10-K contains forward-looking statements within the meaning of the Private "
              "Securities Litigation Reform Act of 1995. The Company assumes no obligation to revise or update any "
              "forward-looking statements for any reason.")
WEBSITE = ("The Company's Annual Reports on Form 10-K and Quarterly Reports on Form 10-Q are available free of charge "
           "on the Company's website when such reports are available on the SEC's website.")
OUTLOOK = ("Business Outlook. The guidance figures provided below are forward-looking statements. Revenue is expected "
           "to be $13.0 billion to $14.0 billion; the Company undertakes no obligation to update them.")
EVIDENCE = ("Net sales increased 8% to $394.3 billion in 2022, driven by higher net sales of iPhone, Mac and "
            "Services; gross margin was 43.3%.")


@pytest.mark.parametrize(("text", "kind"), [
    (AUDITOR, "auditor"), (CONSENT, "auditor"), (EXHIBITS, "exhibits"), (DISCLAIMER, "forward-looking"),
    (WEBSITE, "website"), (OUTLOOK, None), (EVIDENCE, None)])
def test_boilerplate_is_recognised_by_its_wording(text, kind):
    assert boilerplate_kind(None, text) == kind


def test_a_cautionary_section_marks_its_list_of_statements():
    listed = "• our belief that we can market and sell our cloud offerings together; • our expectations regarding growth"
    assert boilerplate_kind("Cautionary Note on Forward-Looking Statements", listed) == "forward-looking"
    assert boilerplate_kind("Results of Operations", listed) is None


@pytest.mark.parametrize(("question", "kinds"), [
    ("Who audits Apple's financial statements?", {"auditor"}),
    ("What are the exhibits filed with the 10-K?", {"exhibits"}),
    ("What does the forward-looking statements disclaimer say?", {"forward-looking"}),
    ("What drove net sales growth in 2022?", set())])
def test_a_question_asks_for_a_kind_by_its_words(question, kinds):
    assert asked_kinds(question) == kinds


def _hit(text: str, ordinal: int) -> SearchHit:
    passage = Passage(id=f"p{ordinal}", doc_id="d", ordinal=ordinal, kind="text", page=1, section=None, start=0,
                      end=len(text), text=text, boilerplate=passage_kind(None, text))  # marked as ingest marks it
    document = Document(id="d", title="Apple 10-K", source_path="apple.pdf", content_hash="0" * 64, char_count=1)
    return SearchHit(passage=passage, document=document, score=1.0 / (ordinal + 1))


def test_evidence_hits_leave_boilerplate_out_unless_asked():
    hits = [_hit(AUDITOR, 0), _hit(EVIDENCE, 1), _hit(DISCLAIMER, 2)]
    assert [hit.passage.text for hit in evidence_hits(hits, "What was net sales in 2022?")] == [EVIDENCE]
    kept = evidence_hits(hits, "Who is the auditor and what is its opinion on internal control?")
    assert [hit.passage.text for hit in kept] == [AUDITOR, EVIDENCE]


def test_a_passage_running_from_a_disclaimer_into_the_results_is_kept():
    mixed = f"{DISCLAIMER} {EVIDENCE} {EVIDENCE}"
    assert [hit.passage.text for hit in evidence_hits([_hit(mixed, 0)], "What was net sales?")] == [mixed]


def test_an_exhibit_index_passage_is_left_out_whole():
    assert evidence_hits([_hit(EXHIBITS, 0)], "What was the employee stock purchase plan?") == []
