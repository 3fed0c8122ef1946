"""Metric values (assistant/metric_values.py): every catalogue metric computed on hand-built facts with round numbers and a
value worked out by hand, prior-year averages, signs, missing inputs, aliases, and free cash flow on Apple's
FY2022 10-K."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from index.errors import CalculationError, DisclosuresError
from assistant.metric_values import compute, facts_lookup, line_item_of
from assistant.metrics import METRICS, metric, metric_named
from index.errors import MetricError, MissingInput
from index.records import Fact
from index.synonyms import metric_of_label

THIS = dt.date(2022, 12, 31)
PRIOR = dt.date(2021, 12, 31)
EARLIER = {2020: dt.date(2020, 12, 31), 2019: dt.date(2019, 12, 31)}

# Line item -> (this year, prior year), in millions; flows are for the year, balances at year end.
BOOK = {
    "revenue": (1000, 800),
    "cost_of_revenue": (600, 500),
    "operating_income": (200, 150),
    "interest_expense": (25, 20),
    "pretax_income": (180, 130),
    "income_tax": (36, 26),
    "net_income": (144, 104),
    "depreciation_and_amortization": (50, 40),
    "cash_from_operations": (600, 500),
    "capital_expenditure": (-200, -150),  # an outflow, printed (200)
    "dividends_paid": (-72, -60),
    "cash": (300, 250),
    "short_term_investments": (100, 80),
    "accounts_receivable": (120, 80),
    "inventory": (70, 50),
    "current_assets": (1500, 1200),
    "property_plant_and_equipment": (450, 350),
    "total_assets": (2200, 1800),
    "accounts_payable": (90, 60),
    "current_liabilities": (1250, 1000),
    "short_term_debt": (50, 40),
    "current_portion_of_long_term_debt": (100, 80),
    "long_term_debt": (650, 600),
    "total_equity": (1000, 600),
}


def make_fact(key: str, value, end: dt.date = THIS, *, label: str | None = None, kind: str = "money",
              scale: int = 1_000_000, statement: str | None = None, fid: str | None = None, group: str | None = None) -> Fact:
    balance = key in {"cash", "short_term_investments", "accounts_receivable", "inventory", "current_assets",
                      "property_plant_and_equipment", "total_assets", "accounts_payable", "current_liabilities",
                      "short_term_debt", "current_portion_of_long_term_debt", "long_term_debt", "total_equity"}
    balance = balance if statement is None else statement == "balance_sheet"
    label = label or key.replace("_", " ").capitalize()
    raw = "—" if value is None else (f"({abs(value):,})" if value < 0 else f"{value:,}")
    return Fact(id=fid or f"doc-{key}-{end.year}", doc_id="doc", source="table",
                statement=statement or ("balance_sheet" if balance else "income_statement"),
                label=label, label_norm=label.lower(), metric=key, group=group,
                period=f"{end:%B %d, %Y}" if balance else f"year ended {end:%B %d, %Y}", period_end=end,
                duration="instant" if balance else "FY", raw=raw,
                value=None if value is None else Decimal(value), scale=scale, kind=kind, start=0, end=1)


def book_lookup(book: dict | None = None, extra: dict | None = None):
    """lookup(key, role) over BOOK (or `book`), plus facts for other roles in `extra`: {(key, role): Fact}."""
    book = BOOK if book is None else book
    extra = extra or {}

    def lookup(key: str, role: str) -> Fact | None:
        if (key, role) in extra:
            return extra[(key, role)]
        if key not in book or role not in ("this", "prior"):
            return None
        this, prior = book[key]
        value = this if role == "this" else prior
        return None if value is None else make_fact(key, value, THIS if role == "this" else PRIOR)

    return lookup


def run(key: str, lookup=None, **kwargs):
    return compute(metric(key), "FY2022", lookup or book_lookup(), **kwargs)


# --- every metric, by hand ---------------------------------------------------------------------------------

M = 1_000_000
EXPECTED = {
    # percentages in percent points
    "gross_margin": Decimal(40),                      # (1000 − 600) / 1000
    "operating_margin": Decimal(20),                  # 200 / 1000
    "net_margin": Decimal("14.4"),                    # 144 / 1000
    "current_ratio": Decimal("1.2"),                  # 1500 / 1250
    "quick_ratio": Decimal("0.416"),                  # (300 + 100 + 120) / 1250
    "cash_ratio": Decimal("0.32"),                    # (300 + 100) / 1250
    "debt_to_equity": Decimal("0.8"),                 # (50 + 100 + 650) / 1000
    "debt_to_assets": Decimal(800) / Decimal(2200),   # 800 / 2200
    "interest_coverage": Decimal(8),                  # 200 / 25
    "asset_turnover": Decimal("0.5"),                 # 1000 / ((1800 + 2200) / 2)
    "fixed_asset_turnover": Decimal("2.5"),           # 1000 / ((350 + 450) / 2)
    "inventory_turnover": Decimal(10),                # 600 / ((50 + 70) / 2)
    "receivables_turnover": Decimal(10),              # 1000 / ((80 + 120) / 2)
    "dso": Decimal("36.5"),                           # 365 / 10
    "dio": Decimal("36.5"),                           # 365 / 10
    "dpo": Decimal("45.625"),                         # 365 × ((60 + 90) / 2) / 600
    "cash_conversion_cycle": Decimal("27.375"),       # 36.5 + 36.5 − 45.625
    "roa": Decimal("7.2"),                            # 144 / ((1800 + 2200) / 2)
    "roe": Decimal("18"),                             # 144 / ((600 + 1000) / 2)
    "ebit": Decimal(200 * M),                         # operating income
    "ebitda": Decimal(250 * M),                       # 200 + 50
    "free_cash_flow": Decimal(400 * M),               # 600 − 200
    "capex_intensity": Decimal(20),                   # 200 / 1000
    "dividend_payout_ratio": Decimal(50),             # 72 / 144
    "effective_tax_rate": Decimal(20),                # 36 / 180
    "operating_cash_flow_ratio": Decimal("0.48"),     # 600 / 1250
    "working_capital": Decimal(250 * M),              # 1500 − 1250
    "growth": Decimal(25),                            # revenue (1000 − 800) / 800
    "cagr": Decimal(25),                              # revenue (1000 / 640)^(1/2) − 1
}
UNITS = {"percent": "percent", "number": "number", "days": "number", "money": "number"}


def test_every_metric_has_an_expected_value_here():
    assert set(EXPECTED) == {entry.key for entry in METRICS if entry.computable}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_metric_on_round_numbers(key):
    extra = {("revenue", "prior-2"): make_fact("revenue", 640, EARLIER[2020])}
    figure = run(key, book_lookup(extra=extra), item="revenue", years=2)
    assert figure.value == pytest.approx(EXPECTED[key], abs=Decimal("1e-20")), figure.derivation
    assert figure.unit == UNITS[metric(key).unit]
    # The figure cites the facts it used, and its derivation shows every one of them.
    assert figure.facts, key
    for fact in figure.facts:
        assert f"[{fact.label}, {fact.period}]" in figure.derivation
        assert f"@{fact.id}" in figure.expression
    assert metric(key).name in figure.derivation and metric(key).definition in figure.derivation


def test_current_ratio_derivation_and_facts():
    figure = run("current_ratio")
    assert figure.value == Decimal("1.2")
    assert figure.display == "1.2"
    assert [fact.metric for fact in figure.facts] == ["current_assets", "current_liabilities"]
    assert "1,500 million [Current assets, December 31, 2022] ÷ 1,250 million [Current liabilities" in figure.derivation


def test_averages_use_the_prior_year_end():
    figure = run("roe")
    assert [(fact.metric, fact.period_end) for fact in figure.facts] == [
        ("net_income", THIS), ("total_equity", PRIOR), ("total_equity", THIS)]
    assert "600 million [Total equity, December 31, 2021]" in figure.derivation
    assert figure.display == "18.00%"


def test_cash_conversion_cycle_cites_each_fact_once():
    figure = run("cash_conversion_cycle")
    ids = [fact.id for fact in figure.facts]
    assert len(ids) == len(set(ids)) == 8  # revenue, cost of revenue, inventory ×2, receivables ×2, payables ×2


# --- signs -------------------------------------------------------------------------------------------------


def test_capex_printed_in_parentheses_is_an_outflow_of_that_size():
    figure = run("free_cash_flow")
    assert figure.value == 400 * M  # 600 − 200, not 600 + 200
    assert "(200)" not in figure.expression and "abs(@doc-capital_expenditure-2022)" in figure.expression
    # Printed positive ("Capital expenditures 200"), it is the same 200.
    book = {**BOOK, "capital_expenditure": (200, 150)}
    assert run("free_cash_flow", book_lookup(book)).value == 400 * M


def test_expenses_printed_in_parentheses_are_positive_amounts():
    book = {**BOOK, "cost_of_revenue": (-600, -500), "interest_expense": (-25, -20),
            "depreciation_and_amortization": (-50, -40), "dividends_paid": (72, 60)}
    lookup = book_lookup(book)
    assert run("gross_margin", lookup).value == 40
    assert run("interest_coverage", lookup).value == 8
    assert run("ebitda", lookup).value == 250 * M
    assert run("inventory_turnover", lookup).value == 10
    assert run("dividend_payout_ratio", lookup).value == 50


def test_losses_keep_their_sign():
    book = {**BOOK, "net_income": (-100, 104), "operating_income": (-50, 150)}
    assert run("net_margin", book_lookup(book)).value == -10
    assert run("ebitda", book_lookup(book)).value == 0  # −50 + 50


def test_a_tax_line_that_prints_the_provision_in_parentheses_is_negated():
    # "(Provision for) benefit from income taxes (36)" is a provision of 36.
    tax = make_fact("income_tax", -36, label="(Provision for) benefit from income taxes")
    figure = run("effective_tax_rate", book_lookup(extra={("income_tax", "this"): tax}))
    assert figure.value == 20
    # "Provision for income taxes (9)" under income before taxes of 180: the statement's arithmetic decides.
    benefit = make_fact("income_tax", -9, label="Provision for income taxes")
    subtracts = {("net_income", "this"): make_fact("net_income", 189)}  # 180 − (−9): a benefit of 9
    assert run("effective_tax_rate", book_lookup(extra={("income_tax", "this"): benefit, **subtracts})).value == -5
    adds = {("net_income", "this"): make_fact("net_income", 171)}  # 180 + (−9): an expense of 9, printed negative
    assert run("effective_tax_rate", book_lookup(extra={("income_tax", "this"): benefit, **adds})).value == 5
    # Neither (discontinued operations in between): the sign cannot be read, so no rate.
    with pytest.raises(MetricError, match="does not say whether"):
        run("effective_tax_rate", book_lookup(extra={("income_tax", "this"): benefit}))
    # ... unless the statement prints income from continuing operations right below the tax line: 180 + (−9).
    continuing = {("continuing_income", "this"): make_fact("continuing_income", 171,
                                                           label="Income from continuing operations")}
    assert run("effective_tax_rate", book_lookup(extra={("income_tax", "this"): benefit, **continuing})).value == 5


def test_income_from_continuing_operations_is_its_own_line_item():
    fact = make_fact("net_income", 171, label="Income (loss) from continuing operations").model_copy(
        update={"metric": None})
    assert line_item_of(fact) == "continuing_income"


# --- missing and optional inputs ---------------------------------------------------------------------------


def test_a_missing_input_names_the_line_item_and_period():
    book = {key: value for key, value in BOOK.items() if key != "current_liabilities"}
    with pytest.raises(MissingInput) as caught:
        run("current_ratio", book_lookup(book))
    message = str(caught.value)
    assert "current ratio" in message and "current_liabilities" in message and "FY2022" in message
    assert caught.value.item == "current_liabilities" and caught.value.role == "this"
    assert isinstance(caught.value, DisclosuresError)


def test_a_missing_prior_balance_names_the_prior_year():
    book = {**BOOK, "total_assets": (2200, None)}
    with pytest.raises(MissingInput, match=r"total_assets.*FY2021"):
        run("roa", book_lookup(book))


def test_a_nil_cell_is_not_zero():
    extra = {("interest_expense", "this"): make_fact("interest_expense", None)}
    with pytest.raises(MissingInput, match=r"interest_expense.*nil"):
        run("interest_coverage", book_lookup(extra=extra))


def test_optional_parts_of_debt_may_be_absent_but_not_all_of_them():
    book = {key: value for key, value in BOOK.items() if key not in ("short_term_debt", "current_portion_of_long_term_debt")}
    figure = run("debt_to_equity", book_lookup(book))
    assert figure.value == Decimal("0.65")  # 650 / 1000
    assert [fact.metric for fact in figure.facts] == ["long_term_debt", "total_equity"]
    book = {key: value for key, value in book.items() if key != "long_term_debt"}
    with pytest.raises(MissingInput, match="total_debt"):
        run("debt_to_equity", book_lookup(book))
    # Quick ratio without short-term investments: (300 + 120) / 1250.
    book = {key: value for key, value in BOOK.items() if key != "short_term_investments"}
    assert run("quick_ratio", book_lookup(book)).value == Decimal("0.336")


def test_generic_metrics_need_their_line_item():
    with pytest.raises(MetricError, match="line item"):
        run("growth")
    with pytest.raises(MetricError, match="years"):
        run("cagr", item="revenue")
    with pytest.raises(MissingInput, match=r"revenue.*FY2019"):
        run("cagr", item="revenue", years=3)


def test_growth_of_free_cash_flow_line_and_zero_denominators():
    extra = {("free_cash_flow", "this"): make_fact("free_cash_flow", 400),
             ("free_cash_flow", "prior"): make_fact("free_cash_flow", 320, PRIOR)}
    assert run("growth", book_lookup(extra=extra), item="free_cash_flow").value == 25
    book = {**BOOK, "current_liabilities": (0, 0)}
    with pytest.raises(CalculationError):
        run("current_ratio", book_lookup(book))


def test_a_per_share_fact_is_not_an_amount():
    extra = {("net_income", "this"): make_fact("net_income", 5, kind="per_share", scale=1)}
    with pytest.raises(MetricError, match="read as a per-share figure"):
        run("net_margin", book_lookup(extra=extra))


# --- names in questions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "key"), [
    ("Short-term investments", "short_term_investments"),
    ("Marketable securities — current", "short_term_investments"),
    ("Commercial paper", "short_term_debt"),
    ("Short-term debt", "short_term_debt"),
    ("Short-term borrowings and current portion of long-term debt", "short_term_debt"),
    ("Notes payable and other borrowings, current", "current_portion_of_long_term_debt"),
    ("Notes payable and other borrowings, non-current", "long_term_debt"),
    ("Current portion of long-term debt", "current_portion_of_long_term_debt"),
    ("Total debt", "total_debt"),
    ("Payments of dividends to stockholders", "dividends_paid"),
    ("Dividends paid to shareholders", "dividends_paid"),
    ("(Provision for) benefit from income taxes", "income_tax"),
    ("Income tax benefit (provision)", "income_tax"),
    ("Income (loss) from continuing operations before income taxes", "pretax_income"),
    ("Purchases of property, plant and equipment (PP&E)", "capital_expenditure"),
    ("Trade receivables, net of allowances for credit losses of $428 and $362 as of May 31, 2023", "accounts_receivable"),
    ("Accounts receivable, net of allowance for doubtful accounts of $12", "accounts_receivable"),
])
def test_new_printed_labels(label, key):
    assert metric_of_label(label) == key


def test_facts_lookup_reads_the_balance_sheet_layout():
    facts = [
        make_fact("long_term_debt", 11, label="Term debt", group="Current liabilities:", fid="f1"),
        make_fact("long_term_debt", 99, label="Term debt", group="Non-current liabilities:", fid="f2"),
        make_fact(None, 25, label="Marketable securities", fid="f3", statement="balance_sheet"),
        make_fact(None, 120, label="Marketable securities", group="Non-current assets:", fid="f4", statement="balance_sheet"),
        make_fact("revenue", 1000, statement="other", fid="f5"),  # a segment or MD&A table: not the statement
        make_fact("revenue", 1000, fid="f6"),
        make_fact("revenue", 800, PRIOR, fid="f7"),
    ]
    assert [line_item_of(fact) for fact in facts[:4]] == [
        "current_portion_of_long_term_debt", "long_term_debt", "short_term_investments", None]
    lookup = facts_lookup(facts, "FY2022")
    assert lookup("current_portion_of_long_term_debt", "this").id == "f1"
    assert lookup("long_term_debt", "this").id == "f2"
    assert lookup("short_term_investments", "this").id == "f3"
    assert lookup("revenue", "this").id == "f6"
    assert lookup("revenue", "prior").id == "f7"
    assert lookup("revenue", "prior-2") is None
    assert compute(metric("growth"), "FY2022", lookup, item="revenue").value == 25


# --- real facts --------------------------------------------------------------------------------------------


@pytest.mark.shared
def test_apple_free_cash_flow_fy2022():
    from conftest import FILINGS, shared_or_skip

    shared_or_skip()
    path = FILINGS / "APPLE_2022_10K.pdf"
    if not Path(path).exists():
        pytest.skip(f"needs {path}")
    from index.ingest import read_facts

    _, report = read_facts(path)
    figure = compute(metric_named("What was Apple's free cash flow in FY2022?"), "FY2022", facts_lookup(report.facts, "FY2022"))
    # Consolidated Statements of Cash Flows, year ended September 24, 2022: "Cash generated by operating
    # activities 122,151" and "Payments for acquisition of property, plant and equipment (10,708)", in millions.
    assert figure.value == 111_443 * M
    assert sorted(fact.value for fact in figure.facts) == [Decimal(-10708), Decimal(122151)]
    assert "122,151 million [Cash generated by operating activities" in figure.derivation
