"""Sentence splitting (index/sentences.py): abbreviations, initials and decimals do not end a sentence."""

import pytest

from index.sentences import sentence_spans


def split(text: str, **options) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text, **options)]


def test_a_company_with_initials_and_a_form_stays_in_one_sentence():
    sentence = ("The maximum aggregate offering price under the sales agreement with H.C. Wainwright & Co., LLC "
                "is $15,000,000.")
    assert split(sentence + " The MAD study is commencing in Q3, 2021.") == [
        sentence, "The MAD study is commencing in Q3, 2021."]


@pytest.mark.parametrize("sentence", [
    "Revenue of Acme Inc. rose to $17.1 million in the period.",
    "Our net income was impacted by the effects of the U.S. Tax Cuts and Jobs Act of 2017.",
    "Costs, e.g. Rent and utilities, rose; i.e. Overheads grew.",
    "The agreement was signed by Mr. Ian Huen and Dr. Jane Roe of Acme Corp. Last year.",
    "The plan was approved by J. Smith on Sept. 30, 2021 under Resolution No. 5 of the board.",
    "Acme Ltd. and Beta Co. Holdings signed vs. Gamma Inc. Yesterday.",
])
def test_abbreviations_and_initials_do_not_end_a_sentence(sentence):
    assert split(sentence) == [sentence]


def test_sentences_end_at_stops_blank_lines_and_bullets():
    text = "Net loss was $17.1 million. “Sales rose.” Costs fell!\n\nA heading\n• a bullet item\nwrapped line."
    assert split(text) == ["Net loss was $17.1 million.", "“Sales rose.”", "Costs fell!", "A heading",
                           "• a bullet item\nwrapped line."]


def test_a_number_after_an_abbreviation_that_ends_a_sentence():
    assert split("The answer was no. The next one was yes.") == ["The answer was no.", "The next one was yes."]
    assert split("See Note No. 5 for details.") == ["See Note No. 5 for details."]


def test_one_statement_per_line_and_offsets_within_a_region():
    text = "Intro. Cash was $5 million\nDebt was $2 million. Tail"
    spans = sentence_spans(text, 7, len(text) - 5, line_breaks=True)
    assert [text[start:end] for start, end in spans] == ["Cash was $5 million", "Debt was $2 million."]
