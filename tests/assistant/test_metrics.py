"""The metric catalogue (assistant/metrics.py): how questions name metrics, one list for the parser and the
calculator."""

from __future__ import annotations

import pytest

from assistant.metrics import METRICS, metric_in, metric_named
from index.synonyms import metric as line_item


@pytest.mark.parametrize(("question", "key"), [
    ("What is the current ratio?", "current_ratio"),
    ("What was Apple's FCF in FY2022?", "free_cash_flow"),
    ("free cash flow", "free_cash_flow"),
    ("What is the D/E?", "debt_to_equity"),
    ("debt-to-equity ratio", "debt_to_equity"),
    ("days sales outstanding", "dso"),
    ("What is the DSO?", "dso"),
    ("fixed asset turnover", "fixed_asset_turnover"),
    ("asset turnover", "asset_turnover"),
    ("EBITDA", "ebitda"),
    ("EBIT", "ebit"),
    ("EBIT margin", "operating_margin"),
    ("acid-test ratio", "quick_ratio"),
    ("return on shareholders’ equity", "roe"),
    ("ROA", "roa"),
    ("capex as a % of revenue", "capex_intensity"),
    ("payout ratio", "dividend_payout_ratio"),
    ("effective tax rate", "effective_tax_rate"),
    ("operating cash flow ratio", "operating_cash_flow_ratio"),
    ("net working capital", "working_capital"),
    ("times interest earned", "interest_coverage"),
    ("cash conversion cycle", "cash_conversion_cycle"),
    ("How fast did FCF grow? FCF growth", "growth"),
    ("revenue CAGR from 2020 to 2022", "cagr"),
    ("compound annual growth rate of revenue", "cagr"),
])
def test_metric_named(question, key):
    found = metric_named(question)
    assert found is not None and found.key == key


@pytest.mark.parametrize("question", ["What is the weather like?", "cash flow", "equity", "ebitdas"])
def test_no_metric_named(question):
    assert metric_named(question) is None


def test_every_alias_finds_its_own_metric():
    for entry in METRICS:
        for alias in entry.aliases:
            found = metric_named(alias)
            assert found is not None and found.key == entry.key, (entry.key, alias)


def test_every_input_is_a_line_item_of_the_vocabulary():

    for entry in METRICS:
        for needed in entry.inputs:
            line_item(needed.key)  # KeyError when the vocabulary does not know it


@pytest.mark.parametrize(("question", "name", "words"), [
    ("What was Apple's EBITDA margin in FY2022?", "EBITDA margin", "EBITDA margin"),
    ("What is Oracle's ROIC?", "return on invested capital", "ROIC"),
    ("What was the gross profit margin in FY2022?", "gross margin", "gross profit margin"),
    ("What was eBay's fixed asset turnover ratio?", "fixed asset turnover", "fixed asset turnover ratio"),
])
def test_the_parser_reads_names_from_the_same_catalogue(question, name, words):
    entry, span = metric_in(question)
    assert entry is not None and entry.name == name
    assert question[span[0]:span[1]] == words


def test_metrics_without_a_formula_are_named_but_not_computable():
    named = {entry.key for entry in METRICS if not entry.computable}
    assert named == {"ebitda_margin", "roic"}
    assert metric_named("What was the EBITDA margin?").key == "ebitda_margin"   # not EBITDA itself


def test_growth_and_cagr_are_operations_not_tagged_metrics():
    assert metric_in("What was revenue growth in 2022?") == (None, None)
    assert metric_in("What is the CAGR of revenue from 2019 to 2022?") == (None, None)
