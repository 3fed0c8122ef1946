"""Standard analyst metrics (../shared/DOMAIN.md, "Standard metrics"), each a formula over canonical line items
(the metric keys of index/synonyms.yaml), evaluated by the calculator so every result carries a derivation and
the facts it used.

    metric = metric_named("What was Apple's free cash flow in FY2022?")
    figure = compute(metric, "FY2022", facts_lookup(facts, "FY2022"))

`compute` asks `lookup(item_key, role)` for each input: role "this" is the period asked about, "prior" the same
line one fiscal year earlier (the prior year end for a balance, for the averages of DOMAIN.md; the prior year
for growth), and "prior-N" N fiscal years earlier (the start of a CAGR). The meaning of a line decides its sign:
capital expenditure printed (1,577) is 1,577 of capex (abs()), an expense printed in parentheses is a positive
expense, and an income tax printed in a "(provision) benefit" line is negated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from assistant.calculator import calculate
from index.errors import DisclosuresError
from index.records import Fact, Figure

Unit = Literal["percent", "number", "days", "money"]
Sign = Literal["signed", "magnitude", "expense"]
Lookup = Callable[[str, str], "Fact | None"]


class MetricError(DisclosuresError):
    """A metric cannot be computed as asked (a generic metric without its line item, an unknown metric)."""


class MissingInput(MetricError):
    """A line item a metric needs is not reported for the period it needs it for."""

    def __init__(self, metric: str, item: str, period: str, role: str, reason: str = "is not reported"):
        self.metric = metric
        self.item = item
        self.period = period
        self.role = role
        super().__init__(f"cannot compute {metric} for {period}: {_item_name(item)} ({item}) "
                         f"{_role_text(role, period)} {reason}")


@dataclass(frozen=True)
class Input:
    """A line item a formula reads: `key` of index/synonyms.yaml, the period `role`, and how to read its sign.

    sign: "signed" as printed (a loss stays negative); "magnitude" abs() (capex, dividends paid, interest expense,
    cost of revenue, D&A: the line's meaning is an outflow or an expense whatever the typography); "expense" as
    printed, negated when the label puts the expense in parentheses ("Income tax benefit (provision)").
    optional: may be absent (a debt component a company does not have); a formula's `sum(...)` then skips it.
    """

    key: str
    role: str = "this"
    sign: Sign = "signed"
    optional: bool = False

    @property
    def name(self) -> str:
        return self.key if self.role == "this" else f"{self.key}@{self.role}"


@dataclass(frozen=True)
class Metric:
    """A standard metric: `expression` is a calculator expression with `{name}` for each input (`key`, or
    `key@prior` for the prior period's), which becomes `@FACT_ID` (`abs(@FACT_ID)` for a "magnitude" input);
    a generic metric (growth, CAGR) uses `{item}` and `{item@prior}`
    (`{item@begin}` and `{years}` for CAGR) for the line item the question names."""

    key: str
    name: str
    aliases: tuple[str, ...]
    inputs: tuple[Input, ...]
    expression: str
    unit: Unit
    definition: str
    one_of: tuple[str, ...] = ()  # optional inputs of which at least one must be reported (the parts of debt)

    @property
    def generic(self) -> bool:
        return "{item" in self.expression


def _avg(key: str, sign: Sign = "signed") -> tuple[Input, Input]:
    return Input(key, "prior", sign), Input(key, "this", sign)


_REVENUE = Input("revenue")
_COST = Input("cost_of_revenue", sign="magnitude")
_DEBT = (Input("short_term_debt", optional=True), Input("current_portion_of_long_term_debt", optional=True),
         Input("long_term_debt", optional=True))
_DEBT_KEYS = tuple(needed.key for needed in _DEBT)
_DEBT_SUM = "sum({short_term_debt}, {current_portion_of_long_term_debt}, {long_term_debt})"
_DIO = "365 / ({cost_of_revenue} / avg({inventory@prior}, {inventory}))"
_DSO = "365 / ({revenue} / avg({accounts_receivable@prior}, {accounts_receivable}))"
_DPO = "365 * avg({accounts_payable@prior}, {accounts_payable}) / {cost_of_revenue}"

METRICS: tuple[Metric, ...] = (
    Metric("gross_margin", "gross margin", ("gross margin", "gross profit margin", "gross margin percentage"),
           (_REVENUE, _COST), "margin({revenue} - {cost_of_revenue}, {revenue})", "percent",
           "(revenue − cost of revenue) / revenue"),
    Metric("operating_margin", "operating margin", ("operating margin", "operating profit margin", "ebit margin"),
           (Input("operating_income"), _REVENUE), "margin({operating_income}, {revenue})", "percent",
           "operating income / revenue"),
    Metric("net_margin", "net margin", ("net margin", "net profit margin", "net income margin", "profit margin"),
           (Input("net_income"), _REVENUE), "margin({net_income}, {revenue})", "percent", "net income / revenue"),
    Metric("growth", "growth rate", ("growth rate", "growth", "grew", "year-over-year change", "yoy change",
                                      "percentage change", "percent change"),
           (), "pct_change({item@prior}, {item})", "percent", "(new − old) / old"),
    Metric("cagr", "CAGR", ("cagr", "compound annual growth rate", "compound annual growth", "annualized growth rate"),
           (), "cagr({item@begin}, {item}, {years})", "percent", "CAGR = (end / begin)^(1 / years) − 1"),
    Metric("current_ratio", "current ratio", ("current ratio",),
           (Input("current_assets"), Input("current_liabilities")), "ratio({current_assets}, {current_liabilities})",
           "number", "current assets / current liabilities"),
    Metric("quick_ratio", "quick ratio", ("quick ratio", "acid-test ratio", "acid test ratio", "acid test"),
           (Input("cash"), Input("short_term_investments", optional=True), Input("accounts_receivable"),
            Input("current_liabilities")),
           "ratio(sum({cash}, {short_term_investments}, {accounts_receivable}), {current_liabilities})", "number",
           "(cash and equivalents + short-term investments + accounts receivable) / current liabilities"),
    Metric("cash_ratio", "cash ratio", ("cash ratio",),
           (Input("cash"), Input("short_term_investments", optional=True), Input("current_liabilities")),
           "ratio(sum({cash}, {short_term_investments}), {current_liabilities})", "number",
           "(cash and equivalents + short-term investments) / current liabilities"),
    Metric("debt_to_equity", "debt to equity", ("debt to equity", "debt-to-equity", "d/e", "debt/equity",
                                                 "debt to equity ratio", "leverage ratio", "gearing"),
           (*_DEBT, Input("total_equity")), f"ratio({_DEBT_SUM}, {{total_equity}})", "number",
           "total debt (short-term + current portion + long-term) / total shareholders' equity", _DEBT_KEYS),
    Metric("debt_to_assets", "debt to assets", ("debt to assets", "debt-to-assets", "debt/assets", "debt ratio",
                                                 "debt to total assets"),
           (*_DEBT, Input("total_assets")), f"ratio({_DEBT_SUM}, {{total_assets}})", "number",
           "total debt (short-term + current portion + long-term) / total assets", _DEBT_KEYS),
    Metric("interest_coverage", "interest coverage", ("interest coverage", "interest coverage ratio",
                                                       "times interest earned", "tie ratio"),
           (Input("operating_income"), Input("interest_expense", sign="magnitude")),
           "ratio({operating_income}, {interest_expense})", "number", "operating income / interest expense"),
    Metric("asset_turnover", "asset turnover", ("asset turnover", "total asset turnover", "asset turnover ratio"),
           (_REVENUE, *_avg("total_assets")), "ratio({revenue}, avg({total_assets@prior}, {total_assets}))",
           "number", "revenue / average total assets"),
    Metric("fixed_asset_turnover", "fixed asset turnover", ("fixed asset turnover", "fixed-asset turnover",
                                                             "fixed asset turnover ratio", "pp&e turnover"),
           (_REVENUE, *_avg("property_plant_and_equipment")),
           "ratio({revenue}, avg({property_plant_and_equipment@prior}, {property_plant_and_equipment}))", "number",
           "revenue / average net PP&E"),
    Metric("inventory_turnover", "inventory turnover", ("inventory turnover", "inventory turns",
                                                         "inventory turnover ratio"),
           (_COST, *_avg("inventory")), "ratio({cost_of_revenue}, avg({inventory@prior}, {inventory}))", "number",
           "cost of revenue / average inventory"),
    Metric("receivables_turnover", "receivables turnover", ("receivables turnover", "receivable turnover",
                                                             "accounts receivable turnover", "receivables turnover ratio"),
           (_REVENUE, *_avg("accounts_receivable")),
           "ratio({revenue}, avg({accounts_receivable@prior}, {accounts_receivable}))", "number",
           "revenue / average accounts receivable"),
    Metric("dso", "days sales outstanding", ("dso", "days sales outstanding", "days sales in receivables",
                                             "days of sales outstanding", "receivable days", "debtor days"),
           (_REVENUE, *_avg("accounts_receivable")), _DSO, "days",
           "365 / receivables turnover = 365 × average accounts receivable / revenue"),
    Metric("dio", "days inventory outstanding", ("dio", "days inventory outstanding", "days in inventory",
                                                 "days sales in inventory", "inventory days", "days of inventory"),
           (_COST, *_avg("inventory")), _DIO, "days",
           "365 / inventory turnover = 365 × average inventory / cost of revenue"),
    Metric("dpo", "days payable outstanding", ("dpo", "days payable outstanding", "days payables outstanding",
                                               "payable days", "creditor days"),
           (_COST, *_avg("accounts_payable")), _DPO, "days", "365 × average accounts payable / cost of revenue"),
    Metric("cash_conversion_cycle", "cash conversion cycle", ("cash conversion cycle", "ccc", "cash cycle",
                                                               "cash-to-cash cycle"),
           (_REVENUE, _COST, *_avg("inventory"), *_avg("accounts_receivable"), *_avg("accounts_payable")),
           f"{_DIO} + {_DSO} - {_DPO}", "days", "DIO + DSO − DPO"),
    Metric("roa", "return on assets", ("roa", "return on assets", "return on average assets", "return on total assets"),
           (Input("net_income"), *_avg("total_assets")), "margin({net_income}, avg({total_assets@prior}, {total_assets}))",
           "percent", "net income / average total assets"),
    Metric("roe", "return on equity", ("roe", "return on equity", "return on average equity",
                                       "return on shareholders' equity", "return on stockholders' equity"),
           (Input("net_income"), *_avg("total_equity")), "margin({net_income}, avg({total_equity@prior}, {total_equity}))",
           "percent", "net income / average shareholders' equity"),
    Metric("ebit", "EBIT", ("ebit", "earnings before interest and taxes"),
           (Input("operating_income"),), "{operating_income}", "money", "operating income (≈ EBIT)"),
    Metric("ebitda", "EBITDA", ("ebitda", "earnings before interest, taxes, depreciation and amortization",
                                "earnings before interest taxes depreciation and amortization"),
           (Input("operating_income"), Input("depreciation_and_amortization", sign="magnitude")),
           "{operating_income} + {depreciation_and_amortization}", "money",
           "operating income + depreciation and amortization (D&A from the cash flow statement)"),
    Metric("free_cash_flow", "free cash flow", ("free cash flow", "fcf", "free cashflow"),
           (Input("cash_from_operations"), Input("capital_expenditure", sign="magnitude")),
           "{cash_from_operations} - {capital_expenditure}", "money",
           "cash from operations − capital expenditures"),
    Metric("capex_intensity", "capex as a percentage of revenue",
           ("capex intensity", "capital intensity", "capex as a percentage of revenue", "capex as a percent of revenue",
            "capex as a % of revenue", "capex to revenue", "capex/revenue", "capex to sales", "capex as a percentage of sales",
            "capital expenditures as a percentage of revenue"),
           (Input("capital_expenditure", sign="magnitude"), _REVENUE),
           "margin({capital_expenditure}, {revenue})", "percent", "capital expenditures / revenue"),
    Metric("dividend_payout_ratio", "dividend payout ratio", ("dividend payout ratio", "payout ratio",
                                                               "dividend payout"),
           (Input("dividends_paid", sign="magnitude"), Input("net_income")),
           "margin({dividends_paid}, {net_income})", "percent", "cash dividends paid / net income"),
    Metric("effective_tax_rate", "effective tax rate", ("effective tax rate", "etr", "effective rate of tax",
                                                         "effective income tax rate"),
           (Input("income_tax", sign="expense"), Input("pretax_income")), "margin({income_tax}, {pretax_income})",
           "percent", "income tax expense / income before income taxes"),
    Metric("operating_cash_flow_ratio", "operating cash flow ratio", ("operating cash flow ratio", "cash flow ratio",
                                                                       "ocf ratio", "cfo to current liabilities"),
           (Input("cash_from_operations"), Input("current_liabilities")),
           "ratio({cash_from_operations}, {current_liabilities})", "number",
           "cash from operations / current liabilities"),
    Metric("working_capital", "working capital", ("working capital", "net working capital"),
           (Input("current_assets"), Input("current_liabilities")), "{current_assets} - {current_liabilities}", "money",
           "current assets − current liabilities"),
)

# Growth and CAGR apply to another quantity: when a question names them, they are what it asks.
_OPERATORS = ("growth", "cagr")


def metric(key: str) -> Metric:
    for candidate in METRICS:
        if candidate.key == key:
            return candidate
    raise MetricError(f"unknown metric {key!r}; metrics are {', '.join(m.key for m in METRICS)}")


def _alias_pattern(alias: str) -> re.Pattern[str]:
    escaped = re.escape(alias.lower()).replace("\\ ", r"\s+").replace("\\-", r"[\s-]?").replace("/", r"\s*/\s*")
    escaped = escaped.replace("'", "['’]?")
    return re.compile(rf"(?<![\w&/]){escaped}(?![\w&/])", re.I)


_PATTERNS = sorted(((_alias_pattern(alias), entry) for entry in METRICS for alias in entry.aliases),
                   key=lambda item: -len(item[0].pattern))


def metrics_named(text: str) -> list[Metric]:
    """The metrics a question names, longest phrase first ("fixed asset turnover" is not "asset turnover")."""
    found: list[Metric] = []
    taken: list[tuple[int, int]] = []
    for pattern, entry in _PATTERNS:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            if entry not in found:
                found.append(entry)
    return found


def metric_named(text: str) -> Metric | None:
    """The metric a question asks for: growth or CAGR when named ("FCF growth" asks for a growth rate), else the
    one named by the longest phrase."""
    found = metrics_named(text)
    for entry in found:
        if entry.key in _OPERATORS:
            return entry
    return found[0] if found else None


# --- computing --------------------------------------------------------------------------------------------

_PERIOD_YEAR = re.compile(r"^(FY|fiscal(?: year)?\s*)?'?(\d{4})$", re.I)
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


def shift_period(period: str, years: int) -> str | None:
    """'FY2022' 1 year back is 'FY2021'; '2022' is '2021'; other labels cannot be shifted (None)."""
    match = _PERIOD_YEAR.match(" ".join(period.split()))
    if not match:
        return None
    prefix = "FY" if match.group(1) else ""
    return f"{prefix}{int(match.group(2)) - years}"


def _role_text(role: str, period: str) -> str:
    back = years_back(role)
    if back == 0:
        return f"for {period}"
    earlier = shift_period(period, back)
    return f"for {earlier}" if earlier else f"{back} fiscal year{'s' if back > 1 else ''} before {period}"


def _item_name(key: str) -> str:
    try:
        from index.synonyms import metric as line_item

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
                raise MissingInput(entry.name, needed.key, period, needed.role, f"is nil ({fact.raw})")
        if fact is None and not needed.optional:
            raise MissingInput(entry.name, needed.key, period, needed.role)
        if fact is not None and fact.kind != "money":
            raise MetricError(f"cannot compute {entry.name} for {period}: {fact.label} ({fact.id}) is a {fact.kind} "
                              f"figure, not an amount of money")
        references[needed.name] = None if fact is None else _reference(fact, needed.sign)
        if fact is not None:
            used[fact.id] = fact
    if entry.one_of and all(references[needed.name] is None for needed in inputs if needed.key in entry.one_of):
        raise MissingInput(entry.name, "total_debt", period, "this",
                           f"is not reported (none of {', '.join(entry.one_of)} is)")
    for name, reference in references.items():
        expression = expression.replace("{" + name + "}", reference if reference is not None else "")
    expression = _drop_empty_arguments(expression)
    figure = calculate(expression, used.get)
    return figure.model_copy(update={"derivation": f"{entry.name}, {period} = {entry.definition}: {figure.derivation}"})


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


def line_item_of(fact: Fact) -> str | None:
    """The line item a fact is for metrics: its metric, except where a balance sheet's layout says more. Apple
    prints "Term debt" under both current and non-current liabilities (the current one is the current portion)
    and "Marketable securities" under both current and non-current assets (the current ones are short-term)."""
    if fact.statement == "balance_sheet":
        group = _group(fact)
        if fact.metric == "long_term_debt" and group.startswith("current liabilities"):
            return "current_portion_of_long_term_debt"
        if fact.metric is None and fact.label_norm == "marketable securities" and (
                not group or group.startswith("current assets")):
            return "short_term_investments"
    return fact.metric


def facts_lookup(facts: list[Fact], period: str) -> Lookup:
    """A lookup over the facts of a filing for a fiscal year ("FY2022" or "2022"): the line from the primary
    statement (the balance sheet for a balance, the income or cash flow statement for a flow), the first one
    the document prints. Fiscal years are matched by the calendar year they end in."""
    from index.facts import fact_matches_period

    def lookup(key: str, role: str) -> Fact | None:
        target = shift_period(period, years_back(role))
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
