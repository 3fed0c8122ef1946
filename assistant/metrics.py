"""The metric catalogue: the standard analyst metrics of ../shared/DOMAIN.md ("Standard metrics"), each a formula
over canonical line items (the metric keys of index/synonyms.yaml), and every way a question names one. It is the one
list: the question parser tags the metrics named here (`metric_in`), and assistant/metric_values.py computes them.

    entry = metric_named("What was Apple's free cash flow in FY2022?")
    entry, span = metric_in("What was Apple's free cash flow in FY2022?")   # the parser's reading, with its span

A few metrics analysts name have no formula here (EBITDA margin, ROIC): they are listed, not `computable`, so
that a question naming one is refused by name instead of being read as a nearby metric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from index.errors import MetricError

Unit = Literal["percent", "number", "days", "money"]
Sign = Literal["signed", "magnitude", "expense"]


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
    patterns: tuple[str, ...] = ()  # more ways to name it, as regular expressions ("days inventory", r"\bfcf")
    # A line the statements may print that the formula computes (gross profit), and the formula over it: used when
    # printed, so that the answer cites the filing's own line.
    printed: tuple[str, str] = ()

    @property
    def generic(self) -> bool:
        return "{item" in self.expression

    @property
    def computable(self) -> bool:
        return bool(self.expression)


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
           "(revenue − cost of revenue) / revenue",
           patterns=(r"gross(?:\s+profit)?\s+margin",), printed=("gross_profit", "margin({gross_profit}, {revenue})")),
    Metric("operating_margin", "operating margin", ("operating margin", "operating profit margin", "ebit margin"),
           (Input("operating_income"), _REVENUE), "margin({operating_income}, {revenue})", "percent",
           "operating income / revenue",
           patterns=(r"operating(?:\s+(?:income|profit))?\s+margin",)),
    Metric("net_margin", "net margin", ("net margin", "net profit margin", "net income margin", "profit margin"),
           (Input("net_income"), _REVENUE), "margin({net_income}, {revenue})", "percent", "net income / revenue",
           patterns=(r"net(?:\s+(?:income|profit|loss))?\s+margin", r"profit\s+margin")),
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
           "(cash and equivalents + short-term investments + accounts receivable) / current liabilities",
           patterns=(r"acid[\s-]+test\s+ratio",)),
    Metric("cash_ratio", "cash ratio", ("cash ratio",),
           (Input("cash"), Input("short_term_investments", optional=True), Input("current_liabilities")),
           "ratio(sum({cash}, {short_term_investments}), {current_liabilities})", "number",
           "(cash and equivalents + short-term investments) / current liabilities"),
    Metric("debt_to_equity", "debt to equity", ("debt to equity", "debt-to-equity", "d/e", "debt/equity",
                                                 "debt to equity ratio", "leverage ratio", "gearing"),
           (*_DEBT, Input("total_equity")), f"ratio({_DEBT_SUM}, {{total_equity}})", "number",
           "total debt (short-term + current portion + long-term) / total shareholders' equity", _DEBT_KEYS,
           patterns=(r"debt[\s-]+to[\s-]+equity(?:\s+ratio)?", r"d/e(?:\s+ratio)?", r"gearing\s+ratio")),
    Metric("debt_to_assets", "debt to assets", ("debt to assets", "debt-to-assets", "debt/assets", "debt ratio",
                                                 "debt to total assets"),
           (*_DEBT, Input("total_assets")), f"ratio({_DEBT_SUM}, {{total_assets}})", "number",
           "total debt (short-term + current portion + long-term) / total assets", _DEBT_KEYS),
    Metric("interest_coverage", "interest coverage", ("interest coverage", "interest coverage ratio",
                                                       "times interest earned", "tie ratio"),
           (Input("operating_income"), Input("interest_expense", sign="magnitude")),
           "ratio({operating_income}, {interest_expense})", "number", "operating income / interest expense",
           patterns=(r"interest\s+coverage(?:\s+ratio)?", r"times\s+interest\s+earned")),
    Metric("asset_turnover", "asset turnover", ("asset turnover", "total asset turnover", "asset turnover ratio"),
           (_REVENUE, *_avg("total_assets")), "ratio({revenue}, avg({total_assets@prior}, {total_assets}))",
           "number", "revenue / average total assets",
           patterns=(r"(?:total\s+)?assets?\s+turnover(?:\s+ratio)?",)),
    Metric("fixed_asset_turnover", "fixed asset turnover", ("fixed asset turnover", "fixed-asset turnover",
                                                             "fixed asset turnover ratio", "pp&e turnover"),
           (_REVENUE, *_avg("property_plant_and_equipment")),
           "ratio({revenue}, avg({property_plant_and_equipment@prior}, {property_plant_and_equipment}))", "number",
           "revenue / average net PP&E",
           patterns=(r"fixed\s+assets?\s+turnover(?:\s+ratio)?",)),
    Metric("inventory_turnover", "inventory turnover", ("inventory turnover", "inventory turns",
                                                         "inventory turnover ratio"),
           (_COST, *_avg("inventory")), "ratio({cost_of_revenue}, avg({inventory@prior}, {inventory}))", "number",
           "cost of revenue / average inventory",
           patterns=(r"inventory\s+turnover(?:\s+ratio)?",)),
    Metric("receivables_turnover", "receivables turnover", ("receivables turnover", "receivable turnover",
                                                             "accounts receivable turnover", "receivables turnover ratio"),
           (_REVENUE, *_avg("accounts_receivable")),
           "ratio({revenue}, avg({accounts_receivable@prior}, {accounts_receivable}))", "number",
           "revenue / average accounts receivable",
           patterns=(r"(?:accounts\s+)?receivables?\s+turnover(?:\s+ratio)?",)),
    Metric("dso", "days sales outstanding", ("dso", "days sales outstanding", "days sales in receivables",
                                             "days of sales outstanding", "receivable days", "debtor days"),
           (_REVENUE, *_avg("accounts_receivable")), _DSO, "days",
           "365 / receivables turnover = 365 × average accounts receivable / revenue",
           patterns=(r"days\s+sales\s+outstanding", r"\bdso")),
    Metric("dio", "days inventory outstanding", ("dio", "days inventory outstanding", "days in inventory",
                                                 "days sales in inventory", "inventory days", "days of inventory"),
           (_COST, *_avg("inventory")), _DIO, "days",
           "365 / inventory turnover = 365 × average inventory / cost of revenue",
           patterns=(r"days\s+(?:of\s+)?inventory\s+outstanding", r"\bdio", r"days\s+inventory")),
    Metric("dpo", "days payable outstanding", ("dpo", "days payable outstanding", "days payables outstanding",
                                               "payable days", "creditor days"),
           (_COST, *_avg("accounts_payable")), _DPO, "days", "365 × average accounts payable / cost of revenue",
           patterns=(r"days\s+payables?\s+outstanding", r"\bdpo")),
    Metric("cash_conversion_cycle", "cash conversion cycle", ("cash conversion cycle", "ccc", "cash cycle",
                                                               "cash-to-cash cycle"),
           (_REVENUE, _COST, *_avg("inventory"), *_avg("accounts_receivable"), *_avg("accounts_payable")),
           f"{_DIO} + {_DSO} - {_DPO}", "days", "DIO + DSO − DPO",
           patterns=(r"cash\s+conversion\s+cycle", r"\bccc")),
    Metric("roa", "return on assets", ("roa", "return on assets", "return on average assets", "return on total assets"),
           (Input("net_income"), *_avg("total_assets")), "margin({net_income}, avg({total_assets@prior}, {total_assets}))",
           "percent", "net income / average total assets",
           patterns=(r"return\s+on\s+(?:average\s+)?(?:total\s+)?assets", r"\broa")),
    Metric("roe", "return on equity", ("roe", "return on equity", "return on average equity",
                                       "return on shareholders' equity", "return on stockholders' equity"),
           (Input("net_income"), *_avg("total_equity")), "margin({net_income}, avg({total_equity@prior}, {total_equity}))",
           "percent", "net income / average shareholders' equity",
           patterns=(r"return\s+on\s+(?:average\s+)?(?:shareholders['’]?\s+|stockholders['’]?\s+)?equity", r"\broe")),
    Metric("ebit", "EBIT", ("ebit", "earnings before interest and taxes"),
           (Input("operating_income"),), "{operating_income}", "money", "operating income (≈ EBIT)"),
    Metric("ebitda", "EBITDA", ("ebitda", "earnings before interest, taxes, depreciation and amortization",
                                "earnings before interest taxes depreciation and amortization"),
           (Input("operating_income"), Input("depreciation_and_amortization", sign="magnitude")),
           "{operating_income} + {depreciation_and_amortization}", "money",
           "operating income + depreciation and amortization (D&A from the cash flow statement)",
           patterns=(r"(?:adjusted\s+)?ebitda",)),
    Metric("free_cash_flow", "free cash flow", ("free cash flow", "fcf", "free cashflow"),
           (Input("cash_from_operations"), Input("capital_expenditure", sign="magnitude")),
           "{cash_from_operations} - {capital_expenditure}", "money",
           "cash from operations − capital expenditures",
           patterns=(r"free\s+cash\s+flows?", r"\bfcf")),
    Metric("capex_intensity", "capex as a percentage of revenue",
           ("capex intensity", "capital intensity", "capex as a percentage of revenue", "capex as a percent of revenue",
            "capex as a % of revenue", "capex to revenue", "capex/revenue", "capex to sales", "capex as a percentage of sales",
            "capital expenditures as a percentage of revenue"),
           (Input("capital_expenditure", sign="magnitude"), _REVENUE),
           "margin({capital_expenditure}, {revenue})", "percent", "capital expenditures / revenue",
           patterns=(r"capex\s+intensity", r"capital\s+(?:expenditure\s+)?intensity")),
    Metric("dividend_payout_ratio", "dividend payout ratio", ("dividend payout ratio", "payout ratio",
                                                               "dividend payout"),
           (Input("dividends_paid", sign="magnitude"), Input("net_income")),
           "margin({dividends_paid}, {net_income})", "percent", "cash dividends paid / net income",
           patterns=(r"(?:dividend\s+)?payout\s+ratio",)),
    Metric("effective_tax_rate", "effective tax rate", ("effective tax rate", "etr", "effective rate of tax",
                                                         "effective income tax rate"),
           (Input("income_tax", sign="expense"), Input("pretax_income")), "margin({income_tax}, {pretax_income})",
           "percent", "income tax expense / income before income taxes",
           patterns=(r"effective\s+(?:income\s+)?tax\s+rate", r"\betr")),
    Metric("operating_cash_flow_ratio", "operating cash flow ratio", ("operating cash flow ratio", "cash flow ratio",
                                                                       "ocf ratio", "cfo to current liabilities"),
           (Input("cash_from_operations"), Input("current_liabilities")),
           "ratio({cash_from_operations}, {current_liabilities})", "number",
           "cash from operations / current liabilities",
           patterns=(r"operating\s+cash\s+flow\s+ratio",)),
    Metric("working_capital", "working capital", ("working capital", "net working capital"),
           (Input("current_assets"), Input("current_liabilities")), "{current_assets} - {current_liabilities}", "money",
           "current assets − current liabilities",
           patterns=(r"(?:net\s+)?working\s+capital",)),
    # Named by analysts, but with no formula here: recognised, so that they are refused by name rather than read as
    # a nearby metric ("EBITDA margin" is not EBITDA) or a line of the statements.
    Metric("ebitda_margin", "EBITDA margin", ("ebitda margin", "adjusted ebitda margin"), (), "", "percent",
           "EBITDA / revenue, where EBITDA as companies adjust it is not in the statements"),
    Metric("roic", "return on invested capital", ("return on invested capital", "roic"), (), "", "percent",
           "NOPAT / invested capital, where invested capital has no one definition in the statements"),
)

# Growth and CAGR apply to another quantity: when a question names them, they are what it asks.
_OPERATORS = ("growth", "cagr")


def metric(key: str) -> Metric:
    for candidate in METRICS:
        if candidate.key == key:
            return candidate
    raise MetricError(f"unknown metric {key!r}; metrics are {', '.join(m.key for m in METRICS)}")


def _alias_pattern(alias: str) -> str:
    escaped = re.escape(alias.lower()).replace("\\ ", r"\s+").replace("\\-", r"[\s-]?").replace("/", r"\s*/\s*")
    return escaped.replace("'", "['’]?")


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], Metric]]:
    """Every name of every metric as a pattern."""
    return [(re.compile(rf"(?<![\w&/]){pattern}(?![\w&/])", re.I), entry) for entry in METRICS
            for pattern in (*(_alias_pattern(alias) for alias in entry.aliases), *entry.patterns)]


def _names_in(text: str, generic: bool = True) -> list[tuple[int, int, Metric]]:
    """The metric names in a text that do not overlap a longer one ("fixed asset turnover", not the "asset
    turnover" inside it), in the order written."""
    found = [(match.start(), match.end(), entry) for pattern, entry in _patterns() if generic or not entry.generic
             for match in pattern.finditer(text)]
    found.sort(key=lambda item: (item[0] - item[1], item[0]))
    taken: list[tuple[int, int, Metric]] = []
    for start, end, entry in found:
        if all(end <= other_start or other_end <= start for other_start, other_end, _ in taken):
            taken.append((start, end, entry))
    return sorted(taken, key=lambda item: item[0])


def metrics_named(text: str) -> list[Metric]:
    """The metrics a text names, longest name first, each once."""
    found: list[Metric] = []
    for _, _, entry in sorted(_names_in(text), key=lambda item: item[0] - item[1]):
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


def metric_in(text: str) -> tuple[Metric | None, tuple[int, int] | None]:
    """The first metric a question names, and its span. Growth and CAGR are operations on a line, not metrics of
    their own here: they are left to the operation reader."""
    found = _names_in(text, generic=False)
    return (found[0][2], (found[0][0], found[0][1])) if found else (None, None)
