"""Sanity before answering: a computed metric outside plausible bounds is refused with its inputs shown, since
such a result almost always means inputs read from different tables, bases or scales (a gross margin below
−1,000% from "net sales" in one table and "cost of sales" in another), not a real company's figure.

    problem = implausible("gross margin", Decimal("-1234.5"))   # a sentence, or None

Bounds (../shared/DOMAIN.md "Standard metrics"): a margin (or capex intensity) within ±100%; turnover and days
positive (days under ten years); a current, quick or cash ratio between 0 and 50. Returns, payout and tax rates
are left unbounded: Apple's return on equity is above 100%, and a small pre-tax income gives large tax rates.
"""

from __future__ import annotations

import re
from decimal import Decimal

_BOUNDS: list[tuple[re.Pattern[str], Decimal | None, Decimal | None, str]] = [
    (re.compile(r"margin|intensity", re.I), Decimal(-100), Decimal(100), "a margin lies within ±100%"),
    (re.compile(r"turnover|turns\b", re.I), Decimal(0), None, "a turnover is positive"),
    (re.compile(r"\bdays\b|outstanding|\bdso\b|\bdio\b|\bdpo\b", re.I), Decimal(0), Decimal(3650),
     "days outstanding are positive and under ten years"),
    (re.compile(r"(?:current|quick|cash|acid[\s-]+test)\s+ratio", re.I), Decimal(0), Decimal(50),
     "a liquidity ratio lies between 0 and 50"),
]


def implausible(name: str, value: Decimal, one_table: bool = False) -> str | None:
    """Why `value` cannot be the metric called `name` (a sentence to show with the inputs), or None. A margin
    below −100% is possible for a company with little revenue (a biotech's net margin of −2,681%), so it is
    accepted when every input comes from one statement of one filing (`one_table`); never above 100%."""
    for pattern, low, high, rule in _BOUNDS:
        if not pattern.search(name):
            continue
        if low is not None and value < low and not (one_table and low < 0):
            return f"the result, {value:,.2f}, is outside what is plausible ({rule})"
        if high is not None and value > high:
            return f"the result, {value:,.2f}, is outside what is plausible ({rule})"
        if low == 0 and value == 0 and "turnover" in name.lower():
            return f"the result is zero ({rule})"
    return None
