"""Metric values: a catalogue metric (assistant/metrics.py) computed for a period from the facts a lookup gives,
by the calculator, so every result carries a derivation and the facts it used.

    entry = metric_named("What was Apple's free cash flow in FY2022?")
    figure = compute(entry, "FY2022", facts_lookup(facts, "FY2022"))

`compute` asks `lookup(item_key, role)` for each input: role "this" is the period asked about, "prior" the same
line one fiscal year earlier (the prior year end for a balance, for the averages of DOMAIN.md; the prior year
for growth), and "prior-N" N fiscal years earlier (the start of a CAGR). The meaning of a line decides its sign:
capital expenditure printed (1,577) is 1,577 of capex (abs()), an expense printed in parentheses is a positive
expense, and an income tax printed in a "(provision) benefit" line is negated.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.calculator import calculate
from assistant.metrics import Input, Metric, Sign
from index.errors import MetricError, MissingInput
from index.periods import fact_matches_period, shift_fiscal_label
from index.records import Fact, Figure
from index.synonyms import metric as line_item

Lookup = Callable[[str, str], "Fact | None"]


def missing_input(metric: str, item: str, period: str, role: str, reason: str = "is not reported") -> MissingInput:
    """The error for a line item a metric needs that is not reported for the period it needs it for."""
    return MissingInput(metric, item, period, role, f"cannot compute {metric} for {period}: {_item_name(item)} "
                                                    f"({item}) {_role_text(role, period)} {reason}")


# --- computing --------------------------------------------------------------------------------------------

_EXPENSE_IN_PARENTHESES = re.compile(r"\((?:provision|expense)\b[^)]*\)", re.I)


def years_back(role: str) -> int:
    """How many fiscal years before the period a role is: this 0, prior 1, prior-3 3."""
    if role == "this":
        return 0
    if role == "prior":
        return 1
    if match := re.fullmatch(r"prior-(\d{1,3})", role):
        return int(match.group(1))
    raise MetricError(f"unknown period role {role!r}; roles are this, prior, prior-N")


def _role_text(role: str, period: str) -> str:
    back = years_back(role)
    if back == 0:
        return f"for {period}"
    earlier = shift_fiscal_label(period, back)
    return f"for {earlier}" if earlier else f"{back} fiscal year{'s' if back > 1 else ''} before {period}"


def _item_name(key: str) -> str:
    try:
        entry = line_item(key)
        return (entry.labels[0] if entry.labels else key.replace("_", " ")).capitalize()
    except KeyError:
        return key.replace("_", " ").capitalize()


def _reference(fact: Fact, sign: Sign) -> str:
    if sign == "magnitude":
        return f"abs(@{fact.id})"
    if sign == "expense" and _EXPENSE_IN_PARENTHESES.search(fact.label):
        return f"-@{fact.id}"
    return f"@{fact.id}"


def _inputs(entry: Metric, item: str | None, years: int | None) -> tuple[Input, ...]:
    if not entry.generic:
        return entry.inputs
    if not item:
        raise MetricError(f"{entry.name} needs the line item it applies to (for example revenue or free cash flow)")
    if entry.key == "cagr":
        if not years or years < 1:
            raise MetricError("CAGR needs a whole number of years, at least 1")
        return Input(item, f"prior-{years}"), Input(item)
    return Input(item, "prior"), Input(item)


def compute(entry: Metric, period: str, lookup: Lookup, item: str | None = None, years: int | None = None) -> Figure:
    """`entry` for `period`, from the facts `lookup(item_key, role)` gives (None when not reported).

    `item` is the line item of a generic metric (growth, CAGR: "revenue"), `years` the span of a CAGR. Raises
    MissingInput naming the line item and period when a required input is not reported or is nil, and
    CalculationError when the arithmetic cannot be done (a zero denominator, a CAGR from a negative)."""
    expression, used = expression_of(entry, period, lookup, item, years)
    figure = calculate(expression, used.get)
    return figure.model_copy(update={"derivation": f"{entry.name}, {period} = {entry.definition}: {figure.derivation}"})


def expression_of(entry: Metric, period: str, lookup: Lookup, item: str | None = None,
                  years: int | None = None) -> tuple[str, dict[str, Fact]]:
    """The calculator expression of `entry` for `period` over `@FACT_ID`s, and the facts it uses (see `compute`)."""
    if not entry.computable:
        raise MetricError(f"{entry.name} is not computed here: {entry.definition}")
    inputs = _inputs(entry, item, years)
    expression = entry.expression
    if entry.generic:
        expression = expression.replace("{item@begin}", "{item@prior-%d}" % (years or 0)).replace("{years}", str(years or 0))
        expression = expression.replace("{item", "{" + (item or ""))
    references: dict[str, str | None] = {}
    used: dict[str, Fact] = {}
    for needed in inputs:
        fact = lookup(needed.key, needed.role)
        if fact is not None and fact.value is None:
            if needed.optional:
                fact = None
            else:
                raise missing_input(entry.name, needed.key, period, needed.role, f"is nil ({fact.raw})")
        if fact is None and not needed.optional:
            raise missing_input(entry.name, needed.key, period, needed.role)
        if fact is not None and fact.kind != "money":
            raise MetricError(f"cannot compute {entry.name} for {period}: {fact.label} ({fact.period or 'its period'}) "
                              f"is read as a {fact.kind.replace('_', '-')} figure, not an amount of money")
        references[needed.name] = None if fact is None else _reference(fact, needed.sign)
        if fact is not None and needed.sign == "expense" and _added_up(fact, lookup, needed.role):
            references[needed.name] = f"-@{fact.id}"
        if fact is not None:
            used[fact.id] = fact
    if entry.one_of and all(references[needed.name] is None for needed in inputs if needed.key in entry.one_of):
        raise missing_input(entry.name, "total_debt", period, "this",
                           f"is not reported (none of {', '.join(entry.one_of)} is)")
    for name, reference in references.items():
        expression = expression.replace("{" + name + "}", reference if reference is not None else "")
    return _drop_empty_arguments(expression), used


def _added_up(tax: Fact, lookup: Lookup, role: str) -> bool:
    """Whether an income tax printed negative is an expense in a statement that adds every line up ("Provision for
    income taxes (459)"), or a benefit in one that subtracts: the statement's own arithmetic tells (income before
    taxes + the printed tax = net income, or − the printed tax). A label that names a provision or an expense
    and not a benefit, whose arithmetic says neither, cannot be read either way: MetricError."""
    if tax.value is None or tax.value >= 0 or tax.amount is None or _EXPENSE_IN_PARENTHESES.search(tax.label):
        return False
    pretax = lookup("pretax_income", role)
    # Net income, or with discontinued operations below the tax line, income from continuing operations.
    for after in (lookup("net_income", role), lookup("continuing_income", role)):
        if pretax is None or after is None or pretax.amount is None or after.amount is None:
            continue
        tolerance = abs(pretax.amount) / 200  # half a percent: rounding, and small lines between the two
        adds = abs(pretax.amount + tax.amount - after.amount) <= tolerance
        subtracts = abs(pretax.amount - tax.amount - after.amount) <= tolerance
        if adds != subtracts:
            return adds
    if re.search(r"\b(?:provision|expense)\b", tax.label, re.I) and not re.search(r"\bbenefit", tax.label, re.I):
        raise MetricError(f"{tax.label} is printed negative for {tax.period or 'the period'}, and the statement's "
                          "arithmetic does not say whether that is an expense or a benefit")
    return False


def _drop_empty_arguments(expression: str) -> str:
    """sum(@a, , @c) -> sum(@a, @c): absent optional inputs leave empty arguments behind."""
    previous = None
    while previous != expression:
        previous = expression
        expression = re.sub(r",\s*(?=[,)])", "", expression)
        expression = re.sub(r"\(\s*,\s*", "(", expression)
    return expression


# --- a lookup over a list of facts ------------------------------------------------------------------------

BALANCE_ITEMS = frozenset({
    "cash", "short_term_investments", "accounts_receivable", "inventory", "current_assets",
    "property_plant_and_equipment", "goodwill", "total_assets", "accounts_payable", "short_term_debt",
    "current_portion_of_long_term_debt", "long_term_debt", "total_debt", "current_liabilities", "total_liabilities",
    "retained_earnings", "total_equity", "total_liabilities_and_equity",
})
_CASH_FLOW_ITEMS = frozenset({"cash_from_operations", "cash_from_investing", "cash_from_financing",
                              "capital_expenditure", "free_cash_flow", "dividends_paid", "share_repurchases",
                              "depreciation_and_amortization", "stock_based_compensation"})


def _group(fact: Fact) -> str:
    return (fact.group or "").lower().replace("’", "'").strip(" :")


_CONTINUING = re.compile(r"(?:net\s+)?income(?:\s+\(loss\))?\s+from\s+continuing\s+operations(?:,\s+net\s+of\s+(?:income\s+)?taxes)?")


def line_item_of(fact: Fact) -> str | None:
    """The line item a fact is for metrics: its metric, except where a balance sheet's layout says more. Apple
    prints "Term debt" under both current and non-current liabilities (the current one is the current portion)
    and "Marketable securities" under both current and non-current assets (the current ones are short-term).
    "Income from continuing operations" is `continuing_income`, which reads the sign of a tax line above it."""
    if fact.metric is None and fact.statement == "income_statement" and _CONTINUING.fullmatch(fact.label_norm):
        return "continuing_income"
    if fact.statement == "balance_sheet":
        group = _group(fact)
        if fact.metric == "long_term_debt" and group.startswith("current liabilities") and not re.search(
                r"long-term|non-?current", fact.label_norm):
            return "current_portion_of_long_term_debt"
        if fact.metric is None and fact.label_norm == "notes payable" and group.startswith("current liabilities"):
            return "current_portion_of_long_term_debt"  # plain "Notes payable" under current liabilities
        if fact.metric is None and fact.label_norm == "marketable securities" and (
                not group or group.startswith("current assets")):
            return "short_term_investments"
    return fact.metric


def facts_lookup(facts: list[Fact], period: str) -> Lookup:
    """A lookup over the facts of a filing for a fiscal year ("FY2022" or "2022"): the line from the primary
    statement (the balance sheet for a balance, the income or cash flow statement for a flow), the first one
    the document prints. Fiscal years are matched by the calendar year they end in."""
    def lookup(key: str, role: str) -> Fact | None:
        target = shift_fiscal_label(period, years_back(role))
        if target is None:
            raise MetricError(f"cannot read period {period!r} as a fiscal year (FY2022 or 2022)")
        if key in BALANCE_ITEMS:
            statements = ("balance_sheet",)
        elif key in _CASH_FLOW_ITEMS:
            statements = ("cash_flow", "income_statement")
        else:
            statements = ("income_statement", "cash_flow")
        fiscal = target if target.startswith("FY") else f"FY{target}"
        candidates = [fact for fact in facts
                      if fact.source == "table" and fact.statement in statements and fact.value is not None
                      and fact.column_certain and line_item_of(fact) == key and fact_matches_period(fact, fiscal)
                      and (fact.duration in ("instant", None) if key in BALANCE_ITEMS else fact.duration in ("FY", None))]
        candidates.sort(key=lambda fact: (statements.index(fact.statement), fact.start))
        return candidates[0] if candidates else None

    return lookup
