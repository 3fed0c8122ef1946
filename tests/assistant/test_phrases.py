"""The part of a quoted sentence that answers a question (assistant/rules/phrases.py), and the narrative answers
that carry it as their short answer (assistant/rules/narrative.py). Expected phrases are read off the sentences."""

import pytest

from assistant.answering import Assistant
from assistant.rules.phrases import answering_part, asks_several, content_words, items, stem


@pytest.mark.parametrize("question, sentence, expected", [
    # The sentence restates the question, then answers it.
    ("What is the company paid on a cost-plus type contract?", "On a cost-plus type contract, we are paid our "
     "allowable incurred costs plus a profit up to predetermined funding levels.",
     "our allowable incurred costs plus a profit up to predetermined funding levels"),
    # The verb and preposition that only link the answer to the question are left out.
    ("What does goodwill consist of?", "Goodwill consists of the excess of the consideration transferred over the "
     "fair value of net assets acquired.", "the excess of the consideration transferred over the fair value of net "
     "assets acquired"),
    ("What are minimum fixed payments classified as?", "The minimum fixed payments in these agreements have been "
     "classified as a finance lease.", "a finance lease"),
    ("What is represented by allowance for expected credit losses?", "The allowance for expected credit losses "
     "represents an estimate of receivables that are not considered to be recoverable.",
     "an estimate of receivables that are not considered to be recoverable"),
    # A clause that starts another thought is not part of the answer.
    ("What is the company's ongoing involvement limited to?", "Our ongoing involvement is limited to the remittance of "
     "customer payments; therefore, our sold trade receivables are not included in our balance sheet.",
     "the remittance of customer payments"),
    # Nothing follows the question's words: the answer lies between them.
    ("What does the company rely on to record its revenue?", "The Company relies on royalty reports received from "
     "third party licensees to record its revenue.", "royalty reports received from third party licensees"),
    # ... or before them.
    ("What is goodwill?", "The excess of the purchase consideration over the fair value of the assets acquired was "
     "recorded as goodwill.", "The excess of the purchase consideration over the fair value of the assets acquired"),
    # "How" and "where" are answered with their preposition: "by ...", "within ...".
    ("How is the discount rate for domestic plans determined?", "For domestic plans, the discount rate was "
     "determined by comparison against the FTSE pension liability index.",
     "by comparison against the FTSE pension liability index"),
    ("Where are subsidiary undertakings disclosed?", "Subsidiary undertakings are disclosed within note 35 to the "
     "consolidated financial statements.", "within note 35 to the consolidated financial statements"),
    ("What is the symbol of the company's common stock?", "The company's common stock is listed on the Nasdaq Global "
     "Market under the symbol “LWAY.”", "LWAY"),
])
def test_the_part_that_answers(question, sentence, expected):
    assert answering_part(question, sentence) == expected


@pytest.mark.parametrize("question, sentence", [
    # Too few of the question's words: the sentence is not about it, no phrase is guessed.
    ("What is the maturity date of the variable rate loans?", "The objective of these instruments is to reduce "
     "variability in interest payments."),
    # A heading answers nothing.
    ("What is trade receivables?", "Trade and other receivables"),
    # Only the question's own words and function words: nothing is left to answer with.
    ("What does the table show?", "The table below shows the following:"),
])
def test_no_phrase_when_the_sentence_does_not_line_up(question, sentence):
    assert answering_part(question, sentence) is None


def test_stems_make_inflections_one_word():
    assert stem("considers") == stem("considered") == stem("consider")
    assert stem("relies") == stem("rely")
    assert stem("Company’s") == stem("company")
    assert content_words("What does the company's goodwill consist of?") == ["company", "goodwill", "consist"]


def test_a_list_is_split_into_its_items_when_several_are_asked():
    assert asks_several("What are the components of net cash flows?")
    assert not asks_several("What is the company paid on a cost-plus type contract?")
    assert items("days past due, credit status of the counterparty and historical evidence of collection") == [
        "days past due", "credit status of the counterparty", "historical evidence of collection"]
    # Two "and"s in the last item: which one separates items is unclear, so the phrase stays whole.
    assert items("cash balances, credit facilities and other committed and uncommitted lines") == []
    assert items("a profit which can be fixed or variable") == []


NOTE = """Goodwill and Other Intangible Assets

Goodwill consists of the excess of the consideration transferred over the fair value of net assets acquired in
business combinations. Autodesk tests goodwill for impairment annually in its fourth fiscal quarter.

Purchase obligations consist of significant contractual obligations related to our outsourcing activities.
"""


@pytest.fixture
def note(store, tmp_path):
    from index.ingest import Ingestor

    path = tmp_path / "acme-2019-goodwill.txt"
    path.write_text(NOTE, encoding="utf-8")
    assert not Ingestor(store, progress=False).ingest([path]).failed
    return Assistant(store)


def test_a_narrative_answer_quotes_the_sentence_and_gives_its_answering_part(note):
    answer = note.ask("What does goodwill consist of?")
    assert not answer.refused
    assert answer.spans == ["the excess of the consideration transferred over the fair value of net assets acquired "
                            "in business combinations"]
    assert "Goodwill consists of the excess" in answer.citations[0].quote or any(
        "Goodwill consists of the excess" in citation.quote for citation in answer.citations)
    assert "“Goodwill consists of" in answer.text, "the whole sentence stays quoted"
