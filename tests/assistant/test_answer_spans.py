"""Short answers read from one quoted sentence (assistant/rules/answer_spans.py), and the narrative answers that
carry them (assistant/rules/narrative.py) over the seed press release. Expected spans are read off the sentences."""

import pytest

from assistant.answering import Assistant
from assistant.rules.answer_spans import kind_of, spans_in
from index.records import Answer

PLANNED = "In total, up to 6 cohorts for SAD and 3 cohorts for MAD have been planned."


@pytest.mark.parametrize("question, sentence, expected", [
    ("How many cohorts are planned for SAD?", PLANNED, ["6"]),
    ("How many cohorts are planned for the SAD and MAD portions?", PLANNED, ["6", "3"]),
    ("How many cohorts have been completed?", "We are pleased that 5 total cohorts, which represent the SAD portion "
     "of the ALS-4 trial, have been completed.", ["5"]),
    ("What is the maximum aggregate offering price under the sales agreement?", "The Company may sell Class A shares "
     "for an aggregate offering price of up to $15,000,000, net of 3.0% commissions.", ["$15,000,000"]),
    ("What was the amount of tax benefits realized in 2018?", "The tax benefits realized for 2019, 2018 and 2017 were "
     "$131 million, $117 million and $180 million, respectively.", ["$117 million"]),
    ("What is the amount of deposits held as collateral at 31 December 2019?", "Deposits held as collateral were "
     "£3.5 million (2018: £4.1 million).", ["£3.5 million"]),
    ("What is the amount of deposits held as collateral at 31 December 2018?", "Deposits held as collateral at "
     "31 December 2019 were £4.1 million (2018: £3.5 million).", ["£3.5 million"]),
    ("How long is the period of expected benefit?", "The period of expected benefit varies from 2 to 10 years.",
     ["from 2 to 10 years"]),
    ("What led to the increase in other income in 2019?", "Other income decreased in 2018 due to fewer grants, and "
     "increased in 2019 due to new grants.", []),
    ("What led to the increase in other income in 2019?", "In 2018 we recognized other income of $5.1 million, "
     "mainly due to lower R&D grants.", []),
    ("Who is the CEO?", "\"We are pleased,\" said Mr. Ian Huen, Chief Executive Officer of Aptorum Group Limited.",
     ["Ian Huen"]),
    ("Who is the company's sales agent?", "The Company entered into a Sales Agreement with H.C. Wainwright & Co., "
     "LLC, acting as the Company's sales agent.", ["H.C. Wainwright & Co., LLC"]),
    ("Who approved the financial statements?", "The financial statements were approved by the Board of Directors on "
     "6 June 2019 and authorised for issue.", ["the Board of Directors"]),
    ("When did the company adopt ASC 606?", "The Company adopted ASC 606 effective January 1, 2018 using the modified "
     "retrospective method.", ["January 1, 2018"]),
    ("Why did operating income decrease in fiscal 2019?", "Operating income decreased in fiscal 2019 primarily as a "
     "result of lower volume and price erosion.", ["primarily as a result of lower volume and price erosion"]),
    ("What are the geographic regions in which the Company operates?", "The Company operates in seven geographic "
     "regions: United States, China, Europe, and Taiwan.", ["United States", "China", "Europe", "Taiwan"]),
])
def test_the_words_that_answer(question, sentence, expected):
    assert spans_in(question, sentence, kind_of(question)) == expected


@pytest.mark.parametrize("question, sentence", [
    ("Who is the chief financial officer?", "\"We are pleased,\" said Mr. Ian Huen, Chief Executive Officer."),
    ("How many cohorts are planned?", "ALS-4 commenced a Phase 1 study at a cost of $2.9 million."),
    ("When did the company adopt ASC 606?", "The Company adopted ASC 606 using the modified retrospective method."),
    ("Why did revenue rise?", "Revenue rose in 2021."),
    ("What was the effective tax rate in 2019?", "Income taxes were $26.5 million in 2019."),
    ("What was the number of employees in 2018?", "Staff costs were $39.2 million in 2018."),
    ("How long was the expected term of the options?", "The options were valued at $10 per share."),
])
def test_a_sentence_without_the_kind_of_answer_asked_gives_none(question, sentence):
    assert spans_in(question, sentence, kind_of(question)) == []


def test_a_question_of_no_short_kind_gets_no_reader():
    assert kind_of("What did the CEO say about the trial?") is None
    assert kind_of("In which years was operating income calculated?") is None
    # A figure to compute is no printed figure: no span is picked for it.
    assert kind_of("What was the average interest expense in 2018 and 2019?") is None
    assert kind_of("What is the percentage of capital leases in the total liabilities?") is None
    assert kind_of("What is the standard rate of corporation tax?") == "quantity"
    assert kind_of("What is aggregate intrinsic value?") is None, "a definition, not a figure"


@pytest.fixture(scope="module")
def assistant(seed_store):
    return Assistant(seed_store)


def test_the_planned_cohorts_not_the_completed_ones(assistant):
    answer = assistant.ask("How many cohorts are planned for SAD?")
    assert answer.spans == ["6"]
    assert "have been planned" in answer.citations[0].quote


def test_the_ceo_is_named_from_the_sentence_that_names_the_role(assistant):
    answer = assistant.ask("Who is the CEO?")
    assert answer.spans == ["Ian Huen"]
    assert "Chief Executive Officer" in answer.citations[0].quote
    assert not answer.citations[0].quote.startswith("Aptorum Group Limited (NASDAQ")


def test_a_role_the_release_never_names_is_refused(assistant):
    answer = assistant.ask("Who is the chief financial officer?")
    assert answer.refused and not answer.spans


def test_the_offering_price_is_quoted_in_one_sentence_with_its_figure(assistant):
    answer = assistant.ask("What is the maximum aggregate offering price under the sales agreement with H.C. Wainwright?")
    assert answer.spans == ["$15,000,000"]
    quote = answer.citations[0].quote
    assert "H.C. Wainwright" in quote and "$15,000,000" in quote


def test_spans_survive_json():
    answer = Answer(question="Who?", text="The disclosures say: “...”", spans=["Ian Huen"])
    assert Answer.from_json(answer.to_json()).spans == ["Ian Huen"]
    assert Answer.from_json({**answer.to_json(), "spans": []}).spans == []


NOTE = """Other Assets

Other assets consist of the following (in thousands):

December 31,
2019 2018
Deposits 1,200 1,100
Prepaid taxes 300 250
Total other assets 1,500 1,350

Deposits are held by landlords under the office leases of the Company.
"""


@pytest.fixture
def note(store, tmp_path):
    from index.ingest import Ingestor

    path = tmp_path / "acme-2019-other-assets.txt"
    path.write_text(NOTE, encoding="utf-8")
    assert not Ingestor(store, progress=False).ingest([path]).failed
    return Assistant(store)


def test_the_years_of_a_table_are_read_from_its_header(note):
    answer = note.ask("In which years was Other assets calculated?")
    assert answer.spans == ["2019", "2018"]
    assert not answer.refused and "2019" in answer.citations[0].quote


def test_which_year_was_larger_is_compared_not_quoted(note):
    # A comparison of the line's figures (assistant/rules/selection.py), never a quoted sentence.
    answer = note.ask("In which year were Deposits larger?")
    assert not answer.refused and answer.spans == ["2019"] and "1,200" in answer.text and "1,100" in answer.text
