"""Stated definitions read as formulas (assistant/question/formulas.py): operators in words and symbols, precedence,
period roles of terms, years named in a term, and definitions with a part that is not a line item."""

from __future__ import annotations

import pytest

from assistant.calculator import calculate
from assistant.question.formulas import formula_in


def _terms(definition: str) -> list[tuple[str, str, list[int]]]:
    formula, unread = formula_in(definition)
    assert unread is None, unread
    return [(term.item, term.role, term.years) for term in formula.terms]


@pytest.mark.parametrize(("definition", "expression"), [
    ("total current assets divided by total current liabilities", "{t0} / {t1}"),
    ("total current assets / total current liabilities", "{t0} / {t1}"),
    ("net income over revenue", "{t0} / {t1}"),
    ("operating income plus depreciation and amortization", "{t0} + {t1}"),
    ("revenue less cost of sales", "{t0} - {t1}"),
    ("(revenue - cost of sales) / revenue", "({t0} - {t1}) / {t2}"),
    ("365 * average accounts payable / (cost of goods sold + change in inventory)", "365 * {t0} / ({t1} + {t2})"),
    ("net income divided by revenue times 100", "{t0} / {t1} * 100"),
])
def test_operators_and_precedence(definition, expression):
    formula, unread = formula_in(definition)
    assert unread is None
    assert formula.expression == expression


def test_the_expression_is_one_the_calculator_evaluates_with_the_same_precedence():
    formula, _ = formula_in("365 * average accounts payable / (cost of goods sold + change in inventory)")
    values = {"{t0}": "50", "{t1}": "300", "{t2}": "65"}
    expression = formula.expression
    for name, value in values.items():
        expression = expression.replace(name, value)
    assert calculate(expression).value == 365 * 50 / 365  # 365 * 50 / (300 + 65)


def test_period_roles_of_terms():
    assert _terms("365 * average accounts payable / (cost of goods sold + change in inventory)") == [
        ("accounts_payable", "average", []), ("cost_of_revenue", "this", []), ("inventory", "change", [])]
    assert _terms("cost of sales divided by the average of beginning and ending inventory") == [
        ("cost_of_revenue", "this", []), ("inventory", "average", [])]
    assert _terms("net income divided by prior-year total assets") == [
        ("net_income", "this", []), ("total_assets", "prior", [])]


def test_years_named_in_a_term_are_kept_for_the_answer_to_check():
    assert _terms("FY2019 revenue / (average PP&E between FY2018 and FY2019)") == [
        ("revenue", "this", [2019]), ("property_plant_and_equipment", "average", [2018, 2019])]


def test_percent_when_the_definition_multiplies_by_100():
    assert formula_in("(net income / total revenue) x 100")[0].percent
    assert not formula_in("net income / total revenue")[0].percent


@pytest.mark.parametrize(("definition", "unread"), [
    ("total current assets divided by total widgets", "total widgets"),
    ("cost of sales excluding amortization divided by revenue", "cost of sales excluding amortization"),
    ("revenue divided by", "the end of the definition (an operand is missing)"),
    ("(revenue - cost of sales / revenue", "an unclosed parenthesis"),
])
def test_a_part_that_is_not_a_line_item_makes_the_definition_unreadable(definition, unread):
    formula, part = formula_in(definition)
    assert formula is None
    assert part == unread


@pytest.mark.parametrize(("definition", "expression"), [
    # Said in words, one division splits the definition in two, as an analyst means it.
    ("current assets minus inventories divided by current liabilities", "({t0} - {t1}) / {t2}"),
    ("cash plus short-term investments over current liabilities", "({t0} + {t1}) / {t2}"),
    ("net income divided by revenue times 100", "{t0} / {t1} * 100"),
    ("operating income divided by interest expense", "{t0} / {t1}"),
])
def test_one_division_in_words_splits_the_definition(definition, expression):
    formula, unread = formula_in(definition)
    assert unread is None, unread
    assert formula.expression == expression


@pytest.mark.parametrize(("definition", "items"), [
    ("short-term plus long-term debt over total stockholders' equity",
     ["short_term_debt", "long_term_debt", "total_equity"]),
    ("current plus non-current notes payable and borrowings divided by total equity",
     ["current_portion_of_long_term_debt", "long_term_debt", "total_equity"]),
    ("commercial paper plus current and non-current term debt",
     ["short_term_debt", "current_portion_of_long_term_debt", "long_term_debt"]),
])
def test_two_parts_said_with_one_noun_are_both_line_items(definition, items):
    assert [item for item, _, _ in _terms(definition)] == items


def test_a_part_the_question_defines_on_its_own_is_put_in():
    formula, unread = formula_in("365 × average accounts payable (fiscal 2020 and fiscal 2021 year ends) ÷ purchases",
                                 {"purchases": "total cost of sales + ending inventories − beginning inventories"})
    assert unread is None, unread
    assert formula.expression == "365 * {t0} / ({t1} + {t2} - {t3})"
    assert [(term.item, term.role, term.years) for term in formula.terms] == [
        ("accounts_payable", "average", [2020, 2021]), ("cost_of_revenue", "this", []), ("inventory", "this", []),
        ("inventory", "prior", [])]


def test_what_a_definition_excludes_must_not_be_one_of_its_parts():
    formula, unread = formula_in("cash and cash equivalents divided by total current liabilities "
                                 "(excluding short-term investments)")
    assert unread is None and formula.expression == "{t0} / {t1}"
    formula, unread = formula_in("cash and cash equivalents plus short-term investments divided by total current "
                                 "liabilities (excluding short-term investments)")
    assert formula is None and "short-term investments" in unread
    formula, unread = formula_in("cash divided by total current liabilities (excluding widgets)")
    assert formula is None and unread == "excluding widgets"
