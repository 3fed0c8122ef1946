"""What a table is and what its rows count: the statement (from the title and headers), the scale of its money
and share figures ('(in millions, except per share data)'), and each row's kind (money, per share, shares,
percent, count)."""

from __future__ import annotations

import re

from index.numbers import Number, scale_of

STATEMENTS = ("balance_sheet", "income_statement", "cash_flow", "comprehensive_income", "equity", "segment", "other")

_SCALE = re.compile(r"(?:in|\()\s*(?:u\.s\.\s*)?(?:\$|dollars|usd|us\$)?\s*(thousands?|millions?|billions?)\b|\((thousands|millions|billions)\)"
                    r"|\$\s*(?:in\s+)?(thousands|millions|billions)", re.I)
# A currency with its unit, as a column header prints it: "£m", "€m", "$M", "US$'000", "$ MILLION", "RMB'Million",
# "USDm", "(S$ million)".
_CURRENCY_SCALE = re.compile(
    r"(?<![\w$£€¥])(?:US|A|S|HK|NZ|C|NT|R)?[$£€¥]\s?['’]?\s?(000|m|mn|bn|millions?|thousands?|billions?)\b(?![,.]?\d)"
    r"|\b(?:RMB|USD|EUR|GBP|CHF|SEK|DKK|NOK|JPY|HKD|SGD|AUD|CAD|INR|ZAR)\s?['’]?\s?(000|m|mn|bn|millions?|thousands?|billions?)\b(?![,.]?\d)",
    re.I)
_UNIT_SCALES = {"000": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000}
_SHARE_SCALE = re.compile(r"shares?[^.;)]{0,60}?(?:in|reflected in)\s+(thousands|millions)|(thousands|millions) of shares", re.I)
_PER_SHARE = re.compile(r"per\s+(?:basic\s+|diluted\s+)?(?:common\s+|ordinary\s+|class\s+\w\s+)?(?:share|unit)|\beps\b|earnings\s+per|dividends?\s+declared\s+per", re.I)
_SHARES = re.compile(r"\bshares\b", re.I)
_SHARE_COUNT = re.compile(r"weighted|outstanding|shares used|number of shares|shares issued|shares repurchased|basic|diluted", re.I)
_SHARES_USED = re.compile(r"^(?:(?:basic|diluted)\s+)?(?:weighted[\s-]+average\s+(?:number\s+of\s+)?(?:[\w'’-]+\s+){0,3}?shares"
                          r"|shares\s+used|number\s+of\s+shares)\b", re.I)
_COUNT = re.compile(r"^(?:number of|employees|headcount|stores|restaurants|locations)\b", re.I)


def statement_kind(text: str) -> str:
    """The statement a table is, from its title and headers."""
    lowered = " ".join(text.lower().split())
    # Selected financial data ("Consolidated Statement of Income Data", five years) repeats the statements, rounded
    # or restated: it is not one of them.
    if re.search(r"selected (?:consolidated )?financial data|(?:statements? of (?:income|operations)|balance sheets?|"
                 r"cash flows?) data\b", lowered):
        return "other"
    if re.search(r"balance sheets?(?! location)|statements? of financial (?:position|condition)|financial position", lowered):
        return "balance_sheet"
    if re.search(r"cash flows?", lowered) and re.search(r"statements?|consolidated|condensed", lowered):
        return "cash_flow"
    if re.search(r"statements? of (?:consolidated )?(?:operations|income|earnings|loss)|income statements?|statements? of operations", lowered):
        return "income_statement"
    if re.search(r"comprehensive \(?(?:income|loss)", lowered) and re.search(r"statements?", lowered):
        return "comprehensive_income"
    if re.search(r"(?:stockholders|shareholders)['’]? (?:equity|deficit)|changes in equity|statements? of equity", lowered):
        return "equity"
    if re.search(r"\bsegments?\b", lowered):
        return "segment"
    return "other"


def table_scale(text: str) -> tuple[int, int]:
    """(money scale, share scale) from '(in millions, except per share data)' and the like; 1 when unstated."""
    money = 1
    for match in _SCALE.finditer(text):
        word = next(group for group in match.groups() if group)
        before = text[max(0, match.start() - 40):match.start()].lower()
        if "share" in before and "except" not in before and "dollar" not in before:
            continue  # "shares in thousands" is the share scale
        money = scale_of(word)
        break
    bound_to_currency = False
    if money == 1 and (match := _CURRENCY_SCALE.search(text)):
        word = (match.group(1) or match.group(2)).lower()
        money = _UNIT_SCALES.get(word) or scale_of(word if word.endswith("s") else word + "s")
        bound_to_currency = True  # "£m" scales pounds, not the share counts beside them
    share = 1
    if match := _SHARE_SCALE.search(text):
        share = scale_of(match.group(1) or match.group(2))
    elif match := re.search(r"dollars\s+and\s+shares\s+in\s+(thousands|millions|billions)", text, re.I):
        share = scale_of(match.group(1))
    elif money != 1 and not bound_to_currency and not _shares_excepted(text) and not re.search(r"(?:\$|dollars)\s*(?:are\s+)?in\s+(?:thousands|millions|billions)", text, re.I):
        # "(In millions, except per share amounts)": share counts are in millions too (3M's 588.5); a separate
        # statement for shares, "except share and per share data", or a scale bound to dollars ("Dollars in
        # millions", "$ in millions") leaves them as printed.
        share = money
    return money, share


def _shares_excepted(text: str) -> bool:
    for clause in re.findall(r"except\b([^)\n]*)", text, re.I):
        rest = re.sub(r"per[\s-]+(?:basic\s+|diluted\s+|common\s+)*share", " ", clause, flags=re.I)
        if re.search(r"\bshares?\b", rest, re.I):
            return True
    return False


def row_kind(label: str, numbers: list[Number]) -> str:
    # A rate is a percentage ("Discount rate", "Effective tax rate (%)", "Rate of compensation increase"); a line
    # about something a rate names is not ("Interest rate swaps", "Effect of exchange rate changes on cash").
    if any(number.percent for number in numbers) or re.search(r"(?:\(%\)|%$|\bpercent(?:age)?\b|\bmargin %|\brates?(?:\s*$|\s+of\b|\s*[(:,–-]))", label, re.I):
        return "percent"
    if _SHARES_USED.search(label) and "$" not in label:
        return "shares"  # "Shares used in computing diluted net income per share" counts shares
    if _PER_SHARE.search(label):
        return "per_share"
    if _SHARES.search(label) and _SHARE_COUNT.search(label) and "$" not in label:
        return "shares"
    if _COUNT.search(label):
        return "count"
    return "money"
