"""assistant/question/parse.py (with the question/ modules it reads through): questions (and earlier turns) -> Query.
Every expected value is written by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from assistant.question.parse import parse_question
from assistant.question.query import ConversationState, Query, Unit
from index.periods import Period
from index.records import Document


def _doc(doc_id: str, company: str, ticker: str, path: str, period: str | None = None,
         end: dt.date | None = None) -> Document:
    return Document(id=doc_id, title=path, company=company, ticker=ticker, source_path=path, content_hash="h",
                    char_count=1, period=period, period_end=end)


DOCS = [
    _doc("aapl", "Apple Inc.", "AAPL", "/filings/APPLE_2022_10K.pdf", "FY2022", dt.date(2022, 9, 24)),
    _doc("ebay", "eBay Inc.", "EBAY", "/filings/EBAY_2022_10K.pdf", "FY2022", dt.date(2022, 12, 31)),
    _doc("orcl", "Oracle Corporation", "ORCL", "/filings/ORACLE_2023_10K.pdf", "FY2023", dt.date(2023, 5, 31)),
    _doc("mmm", "3M Company", "MMM", "/filings/3M_2022_10K.pdf", "FY2022"),
    _doc("jnj", "Johnson & Johnson", "JNJ", "/filings/JOHNSON_JOHNSON_2022_10K.pdf", "FY2022"),
    _doc("bby", "Best Buy Co., Inc.", "BBY", "/filings/BESTBUY_2023_10K.pdf", "FY2023"),
    _doc("apm", "Aptorum Group Limited", "APM", "/sample/aptorum-2021-h1-results.txt", "2021H1", dt.date(2021, 6, 30)),
]


def parse(question: str, state: ConversationState | None = None) -> Query:
    return parse_question(question, DOCS, state)


# --- companies ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "doc_ids"), [
    ("What was Apple's revenue in FY2022?", ["aapl"]),
    ("what was APPLE revenue in 2022?", ["aapl"]),
    ("What was AAPL's net income in FY2022?", ["aapl"]),
    ("What was eBay's net loss for Q2 2023?", ["ebay"]),
    ("What was EBAY revenue in 2022?", ["ebay"]),
    ("What were Oracle's total assets in fiscal 2023?", ["orcl"]),
    ("What is ORCL capex for FY2023?", ["orcl"]),
    ("What was 3M's R&D in 2022?", ["mmm"]),
    ("What did MMM report as revenue in FY2022?", ["mmm"]),
    ("What were JOHNSON_JOHNSON total assets in 2022?", ["jnj"]),
    ("What is Johnson & Johnson's ROE for FY2022?", ["jnj"]),
    ("What was johnson and johnson's revenue in 2022?", ["jnj"]),
    ("How much was BESTBUY capex in fiscal 2023?", ["bby"]),
    ("What was Best Buy's revenue in fiscal 2023?", ["bby"]),
    ("What was Aptorum's net loss in H1 2021?", ["apm"]),
    ("What were Aptorum Group's G&A fees in H1 2021?", ["apm"]),
    ("Compare Apple and eBay revenue in FY2022.", ["aapl", "ebay"]),
    ("What was Tesla's revenue in 2022?", []),
    ("What was revenue in 2022?", []),
    # A ticker counts only in capitals: "apm" here is not Aptorum.
    ("What was revenue at 3 apm in 2022?", []),
])
def test_companies_resolve_to_documents(question, doc_ids):
    assert parse(question).doc_ids == doc_ids


def test_a_generic_self_reference_is_not_a_company_name():
    # TAT-QA contexts open with "The Company ..."; stored as a name, "The Company" shrank to "the" and matched
    # every question, which sent per-document questions to other documents.
    generic = [_doc(f"g{n}", name, "", f"/x/context-{n}.txt") for n, name in
               enumerate(["The Company", "The Corporation", "The Group"])]
    query = parse_question("What is the change in net income between 2019 and 2018?", [*DOCS, *generic])
    assert query.doc_ids == []
    assert parse_question("What was the Company's revenue?", [*DOCS, *generic]).doc_ids == []


def test_company_names_come_back_as_the_documents_name_them():
    query = parse("Compare Apple's and Johnson & Johnson's revenue in FY2022")
    assert query.companies == ["Apple Inc.", "Johnson & Johnson"]


# --- metrics and labels ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "metrics", "label"), [
    ("What were G&A fees in H1 2021?", ["general_and_administrative"], "G&A fees"),
    ("What was R&D in the year ended December 31, 2020?", ["research_and_development"], "R&D"),
    ("What was Apple's revenue in FY2022?", ["revenue"], "revenue"),
    ("How much was BESTBUY capex in fiscal 2023?", ["capital_expenditure"], "capex"),
    ("What was Aptorum's net loss for the six months ended June 30, 2021?", ["net_income"], "net loss"),
    ("What were JOHNSON_JOHNSON's total assets as of December 31, 2022?", ["total_assets"], "total assets"),
    ("What was Oracle's PP&E in the second quarter of 2023?", ["property_plant_and_equipment"], "PP&E"),
    ("What was Tesla's revenue in 2022?", ["revenue"], "revenue"),
    ("What was Apple's diluted earnings per share of FY2022?", ["eps_diluted"], "diluted earnings per share"),
    # Two lines: no one label, the metrics in the order asked.
    ("What were Aptorum's revenue and net loss in H1 2021?", ["revenue", "net_income"], None),
])
def test_metrics_and_label(question, metrics, label):
    query = parse(question)
    assert (query.metrics, query.label) == (metrics, label)


@pytest.mark.parametrize(("question", "label"), [
    # Lines the vocabulary does not know (its metrics may grow, so only the label is checked).
    ("What was Gain on use of digital currencies in the first half of 2021?", "Gain on use of digital currencies"),
    ("What were Digital currencies as of June 30, 2021?", "Digital currencies"),
    ("What were Amounts due from related parties as of June 30, 2021?", "Amounts due from related parties"),
    ("In H1 2021, what were Legal and professional fees?", "Legal and professional fees"),
    ("What were Aptorum's Loan payables to related parties at December 31, 2020?", "Loan payables to related parties"),
])
def test_label_of_a_line_outside_the_vocabulary(question, label):
    assert parse(question).label == label


# --- periods --------------------------------------------------------------------------------------------------

def _p(label, year, end=None, duration=None, quarter=None, half=None):
    return (label, year, end, duration, quarter, half)


@pytest.mark.parametrize(("question", "periods"), [
    ("What was revenue in FY2022?", [_p("FY2022", 2022, None, "FY")]),
    ("What was revenue in FY22?", [_p("FY2022", 2022, None, "FY")]),
    ("What was revenue in fiscal 2022?", [_p("FY2022", 2022, None, "FY")]),
    ("What was revenue in fiscal year 2022?", [_p("FY2022", 2022, None, "FY")]),
    ("What was revenue in 2022?", [_p("2022", 2022)]),
    ("What was revenue in Q2 2023?", [_p("2023Q2", 2023, dt.date(2023, 6, 30), "3M", quarter=2)]),
    ("What was revenue in 2Q23?", [_p("2023Q2", 2023, dt.date(2023, 6, 30), "3M", quarter=2)]),
    ("What was revenue in the second quarter of 2023?", [_p("2023Q2", 2023, dt.date(2023, 6, 30), "3M", quarter=2)]),
    ("What was revenue in the first half of 2021?", [_p("2021H1", 2021, dt.date(2021, 6, 30), "6M", half=1)]),
    ("What was revenue in H1 2021?", [_p("2021H1", 2021, dt.date(2021, 6, 30), "6M", half=1)]),
    ("What was revenue in 2021H2?", [_p("2021H2", 2021, dt.date(2021, 12, 31), "6M", half=2)]),
    ("What was net loss for the six months ended June 30, 2021?",
     [_p("2021H1", 2021, dt.date(2021, 6, 30), "6M", half=1)]),
    ("What was net loss for the three months ended March 31, 2023?",
     [_p("2023Q1", 2023, dt.date(2023, 3, 31), "3M", quarter=1)]),
    ("What was net loss for the nine months ended September 30, 2022?",
     [_p("2022-09-30", 2022, dt.date(2022, 9, 30), "9M")]),
    ("What was cash as of June 30, 2021?", [_p("2021-06-30", 2021, dt.date(2021, 6, 30), "instant")]),
    ("What was cash on December 31, 2020?", [_p("2020-12-31", 2020, dt.date(2020, 12, 31))]),
    ("What was R&D in the year ended December 31, 2020?", [_p("FY2020", 2020, dt.date(2020, 12, 31), "FY")]),
    ("What were R&D expenses in 2021 and 2020?", [_p("2020", 2020), _p("2021", 2021)]),
    ("What was the average inventory between FY2018 and FY2019?",
     [_p("FY2018", 2018, None, "FY"), _p("FY2019", 2019, None, "FY")]),
    ("What was revenue in FY22 compared to the prior year?",
     [_p("FY2021", 2021, None, "FY"), _p("FY2022", 2022, None, "FY")]),
    ("How did revenue grow year over year in Q2 2023?",
     [_p("2022Q2", 2022, dt.date(2022, 6, 30), "3M", quarter=2), _p("2023Q2", 2023, dt.date(2023, 6, 30), "3M", quarter=2)]),
    ("What was revenue for the first half of 2021 and 2020?",
     [_p("2020H1", 2020, dt.date(2020, 6, 30), "6M", half=1), _p("2021H1", 2021, dt.date(2021, 6, 30), "6M", half=1)]),
    ("What was cash as of June 30, 2021 and 2020?",
     [_p("2020-06-30", 2020, dt.date(2020, 6, 30), "instant"), _p("2021-06-30", 2021, dt.date(2021, 6, 30), "instant")]),
    ("Revenue was $2,021 million in 2022; what was it in 2021?", [_p("2021", 2021), _p("2022", 2022)]),
    # A document of the named company says when its fiscal year ends.
    ("What was Apple's revenue in FY2022?", [_p("FY2022", 2022, dt.date(2022, 9, 24), "FY")]),
])
def test_periods(question, periods):
    got = [(p.label, p.year, p.end, p.duration, p.quarter, p.half) for p in parse(question).periods]
    assert got == periods


def test_year_over_year_without_a_period_is_flagged():
    query = parse("What was the year-over-year change in revenue?")
    assert (query.compare_prior, query.periods, query.operation) == (True, [], "change")


# --- operations -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "operation"), [
    ("What was Apple's revenue in FY2022?", "value"),
    ("What was the change in Apple's total assets from FY2021 to FY2022?", "change"),
    ("How much did R&D expenses increase from 2020 to 2021?", "change"),
    ("By how much did net loss grow in H1 2021?", "change"),
    # TAT-QA's wording, after the column heading "Increase / (Decrease)".
    ("What is the increase / (decrease) in R&D from 2020 to 2021?", "change"),
    ("What is the increase/ (decrease) in Service delivery costs from 2018 to 2019?", "change"),
    ("What was the percentage change in R&D between 2020 and 2021?", "pct_change"),
    ("By what percentage did revenue increase in FY2022?", "pct_change"),
    ("What was the revenue growth rate in 2022?", "pct_change"),
    ("What is the ratio of R&D to revenue for Aptorum in H1 2021?", "ratio"),
    ("What was R&D as a percentage of revenue in 2021?", "ratio"),
    ("What were R&D and G&A fees combined in H1 2021?", "sum"),
    ("What is the sum of R&D and G&A fees in H1 2021?", "sum"),
    ("What was the average revenue of Apple in 2021 and 2022?", "average"),
    ("What was the R&D margin in 2021?", "margin"),
    ("What was the 3-year CAGR of Apple's revenue from FY2019 to FY2022?", "cagr"),
    ("What was the compound annual growth rate of revenue from 2019 to 2022?", "cagr"),
    ("Compare Apple and eBay revenue in FY2022.", "compare"),
    ("Which was higher, R&D or G&A in H1 2021?", "compare"),
    ("Did eBay's revenue increase or decrease in 2022?", "direction"),
    ("Did net loss go up or down in H1 2021?", "direction"),
    ("What was Oracle's current ratio as of May 31, 2023?", "metric"),
])
def test_operations(question, operation):
    assert parse(question).operation == operation


@pytest.mark.parametrize("question", ["What is the weighted average remaining amortization period?",
                                      "What is the weighted-average expected long-term rate of return?",
                                      "What is the average duration of the accounts receivables?"])
def test_a_weighted_average_or_an_average_life_is_a_line_not_an_operation(question):
    assert parse(question).operation != "average"


def test_increase_decrease_heading_is_not_part_of_the_label():
    assert parse("What is the increase / (decrease) in G&A fees from 2020 to 2021?").label == "G&A fees"


@pytest.mark.parametrize(("question", "name"), [
    ("What was Oracle's current ratio as of May 31, 2023?", "current ratio"),
    ("What was Apple's gross margin in FY2022?", "gross margin"),
    ("What is Apple's free cash flow in FY2022?", "free cash flow"),
    ("What was 3M's EBITDA in FY2022?", "ebitda"),
    ("What is Johnson & Johnson's ROE for FY2022?", "return on equity"),
    ("What was Best Buy's DSO in fiscal 2023?", "days sales outstanding"),
    ("What was the debt-to-equity ratio of eBay in 2022?", "debt to equity"),
])
def test_named_analyst_metrics(question, name):
    query = parse(question)
    assert (query.operation, query.analyst_metric, query.metrics) == ("metric", name, [])


def test_change_in_a_named_metric_keeps_both():
    query = parse("What was the change in Oracle's current ratio between FY2022 and FY2023?")
    assert (query.operation, query.analyst_metric) == ("change", "current ratio")
    assert [period.label for period in query.periods] == ["FY2022", "FY2023"]


def test_one_period_change_compares_with_the_prior_one():
    query = parse("Did eBay's revenue increase or decrease in 2022?")
    assert [period.label for period in query.periods] == ["2021", "2022"]
    assert query.compare_prior


def test_difference_between_two_lines_of_one_period_adds_no_prior_period():
    query = parse("What is the difference between R&D and G&A fees in H1 2021?")
    assert query.operation == "change"
    assert query.metrics == ["research_and_development", "general_and_administrative"]
    assert [period.label for period in query.periods] == ["2021H1"]


# --- units ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "unit"), [
    ("What was revenue in FY2022 in USD millions?", Unit(scale=1_000_000, currency="USD")),
    ("What was revenue in FY2022, in millions?", Unit(scale=1_000_000)),
    ("What was revenue in FY2022 (in $ millions)?", Unit(scale=1_000_000, currency="USD")),
    ("What was revenue in FY2022 in millions of dollars?", Unit(scale=1_000_000, currency="USD")),
    ("What was net loss in thousands?", Unit(scale=1_000)),
    ("What was revenue in billions in FY2022?", Unit(scale=1_000_000_000)),
    ("What was the net loss in dollars?", Unit(scale=1, currency="USD")),
    ("What was revenue in USD in FY2022?", Unit(currency="USD")),
    ("What was revenue growth in percent?", Unit(percent=True)),
    ("What was the gross margin as a percentage in FY2022?", Unit(percent=True)),
    ("What was net loss in thousands, rounded to one decimal place?", Unit(scale=1_000, decimals=1)),
    ("What was the current ratio? Round to two decimal places.", Unit(decimals=2)),
    ("What was the current ratio to 2 decimal places?", Unit(decimals=2)),
    ("What was revenue in millions, rounded to the nearest whole number?", Unit(scale=1_000_000, decimals=0)),
    ("What was revenue in FY2022?", Unit()),
])
def test_units(question, unit):
    assert parse(question).unit == unit


def test_as_a_percentage_of_is_a_ratio_not_a_unit():
    query = parse("What was R&D as a percentage of revenue in 2021?")
    assert query.operation == "ratio"
    assert query.metrics == ["research_and_development", "revenue"]
    assert query.unit == Unit()


# --- a stated definition --------------------------------------------------------------------------------------

def test_stated_definition_is_kept():
    query = parse("What is the FY2019 fixed asset turnover ratio for 3M? Fixed asset turnover ratio is defined as: "
                  "FY2019 revenue / (average PP&E between FY2018 and FY2019). Round your answer to two decimal places.")
    assert query.definition == "FY2019 revenue / (average PP&E between FY2018 and FY2019)"
    assert query.operation == "metric"
    assert query.analyst_metric == "fixed asset turnover ratio"  # the name the question gives what it defines
    assert query.formula.expression == "{t0} / ({t1})"
    assert [(term.item, term.role, term.years) for term in query.formula.terms] == [
        ("revenue", "this", [2019]), ("property_plant_and_equipment", "average", [2018, 2019])]
    assert query.doc_ids == ["mmm"]
    assert sorted(query.metrics) == ["property_plant_and_equipment", "revenue"]
    assert [period.label for period in query.periods] == ["FY2018", "FY2019"]
    assert query.unit == Unit(decimals=2)
    assert query.kind == "figure"


def test_definition_of_a_metric_nobody_named_names_it():
    query = parse("What is the R&D intensity of Aptorum in H1 2021? R&D intensity is calculated as "
                  "R&D expenses / revenue.")
    assert query.definition == "R&D expenses / revenue"
    assert (query.operation, query.analyst_metric) == ("metric", "r&d intensity")


# --- kind -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "kind"), [
    ("Why did G&A fees increase in H1 2021?", "narrative"),
    ("What does the company say about its ALS-4 program?", "narrative"),
    ("Describe Aptorum's clinical pipeline.", "narrative"),
    ("What drove the increase in net loss in H1 2021?", "narrative"),
    ("What explained the decrease in legal and professional fees?", "narrative"),
    ("What accounted for the increase in revenue in 2019?", "narrative"),
    ("What are the main risk factors for Apple?", "narrative"),
    ("Explain the decrease in legal and professional fees.", "narrative"),
    ("How much did R&D expenses increase from 2020 to 2021?", "figure"),
    ("What was Apple's revenue in FY2022?", "figure"),
])
def test_kind(question, kind):
    assert parse(question).kind == kind


def test_narrative_question_has_no_line_label():
    query = parse("What does Aptorum say about its ALS-4 program?")
    assert (query.kind, query.label, query.doc_ids) == ("narrative", None, ["apm"])


# --- follow-ups -----------------------------------------------------------------------------------------------

def test_seed_conversation():
    state = ConversationState()
    first = parse("What were G&A fees in H1 2021?", state)
    assert first.metrics == ["general_and_administrative"]
    assert [(p.label, p.end, p.duration, p.half) for p in first.periods] == [("2021H1", dt.date(2021, 6, 30), "6M", 1)]
    assert first.operation == "value" and first.inherited == []
    state = state.update(first)

    second = parse("And in 2020?", state)
    assert second.metrics == ["general_and_administrative"]
    assert second.label == "G&A fees"
    assert [(p.label, p.year, p.end, p.duration, p.half) for p in second.periods] == [
        ("2020H1", 2020, dt.date(2020, 6, 30), "6M", 1)]
    assert second.operation == "value"
    assert second.inherited == ["metrics"]
    state = state.update(second)

    third = parse("What's the percentage change?", state)
    assert third.operation == "pct_change"
    assert third.metrics == ["general_and_administrative"]
    assert [p.label for p in third.periods] == ["2020H1", "2021H1"]
    assert third.inherited == ["metrics", "periods"]


def test_what_about_replaces_the_metric_and_keeps_company_and_period():
    state = ConversationState().update(parse("What was Apple's net income in FY2022?"))
    query = parse("What about revenue?", state)
    assert query.metrics == ["revenue"]
    assert query.label == "revenue"
    assert query.doc_ids == ["aapl"] and query.companies == ["Apple Inc."]
    assert [p.label for p in query.periods] == ["FY2022"]
    assert query.operation == "value"
    assert query.inherited == ["companies", "periods"]


def test_follow_up_keeps_the_company():
    state = ConversationState().update(parse("What was Aptorum's net loss in H1 2021?"))
    query = parse("And in 2020?", state)
    assert query.doc_ids == ["apm"]
    assert query.metrics == ["net_income"]
    assert [p.label for p in query.periods] == ["2020H1"]


def test_elliptical_follow_up_keeps_the_operation():
    state = ConversationState().update(parse("What was the percentage change in R&D between FY2021 and FY2022?"))
    query = parse("What about revenue?", state)
    assert query.operation == "pct_change"
    assert query.metrics == ["revenue"]
    assert [p.label for p in query.periods] == ["FY2021", "FY2022"]


def test_bare_year_after_a_fiscal_year_is_a_fiscal_year():
    state = ConversationState().update(parse("What was Oracle's revenue in FY2023?"))
    assert [p.label for p in parse("And in 2021?", state).periods] == ["FY2021"]


def test_naming_another_company_does_not_reshape_a_bare_year():
    state = ConversationState().update(parse("What were G&A fees in H1 2021?"))
    query = parse("What was Apple's revenue in 2022?", state)
    assert [p.label for p in query.periods] == ["2022"]
    assert query.inherited == []


def test_state_keeps_the_last_few_turns():
    state = ConversationState()
    for year in range(2015, 2023):
        state = state.update(parse(f"What was revenue in FY{year}?"))
    assert [turn.periods[0].label for turn in state.turns] == ["FY2018", "FY2019", "FY2020", "FY2021", "FY2022"]
    assert state.recent_periods(2)[0].label == "FY2021"


def test_update_leaves_the_old_state_alone():
    state = ConversationState()
    new = state.update(parse("What was revenue in FY2022?"))
    assert state.turns == [] and len(new.turns) == 1


# --- records --------------------------------------------------------------------------------------------------

def test_records_forbid_unknown_fields():
    with pytest.raises(ValidationError):
        Query(question="q", colour="red")
    with pytest.raises(ValidationError):
        Period(label="FY2022", text="FY2022", fiscal=True)
    with pytest.raises(ValidationError):
        Unit(scale=1, currency_code="USD")


def test_parsing_is_deterministic_and_serializes():
    first = parse("What was the percentage change in Apple's revenue between FY2021 and FY2022, in percent?")
    second = parse("What was the percentage change in Apple's revenue between FY2021 and FY2022, in percent?")
    assert first == second
    assert first.model_dump(mode="json")["periods"][1]["end"] == "2022-09-24"


def test_a_part_defined_on_its_own_and_define_as():
    query = parse("Define Apple's days payable outstanding for fiscal 2021 as 365 × average accounts payable (fiscal "
                  "2020 and fiscal 2021 year ends) ÷ purchases, where purchases = total cost of sales + ending "
                  "inventories − beginning inventories. What is it, in days, rounded to one decimal place?")
    assert not query.unclear and not query.extra, (query.unclear, query.extra)
    assert query.formula.expression == "365 * {t0} / ({t1} + {t2} - {t3})"
    assert query.periods[-1].label == "FY2021"
    assert query.unit == Unit(decimals=1)


def test_a_catalogue_metric_with_a_part_the_question_defines():
    query = parse("What was the debt-to-equity ratio at the end of fiscal 2020, with total debt as commercial paper "
                  "plus current and non-current term debt?")
    assert not query.unclear and not query.extra, (query.unclear, query.extra)
    assert [term.item for term in query.formula.terms] == [
        "short_term_debt", "current_portion_of_long_term_debt", "long_term_debt", "total_equity"]


def test_a_part_defined_that_no_formula_uses_is_not_understood():
    query = parse("What was the current ratio at the end of fiscal 2020, with total debt as commercial paper plus "
                  "term debt?")
    assert any("total debt" in part for part in query.unclear), query.unclear


def test_defined_here_as():
    query = parse("What was the cash ratio at December 31, 2016, defined here as cash and cash equivalents divided by "
                  "total current liabilities (excluding short-term investments)?")
    assert not query.unclear and not query.extra, (query.unclear, query.extra)
    assert query.formula.expression == "{t0} / {t1}" and query.analyst_metric == "cash ratio"


@pytest.mark.parametrize("question", [
    "How much cash did the operating activities provide in fiscal 2019?",
    "How much cash did operations generate in fiscal 2019?",
    "What was the cash generated from operations in fiscal 2019?",
])
def test_operating_cash_flow_in_an_analysts_words(question):
    assert "cash_from_operations" in parse(question).metrics
