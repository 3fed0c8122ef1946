"""Sanity bounds (assistant/sanity.py): margins, turnover, days and liquidity ratios outside what is plausible."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.sanity import implausible


@pytest.mark.parametrize(("name", "value", "one_table", "refused"), [
    ("gross margin", Decimal("-1234.5"), False, True),   # net sales from one table, cost of sales from another
    ("net margin", Decimal("-2681.54"), True, False),     # a biotech with little revenue, both from its statement
    ("net margin", Decimal("-2681.54"), False, True),
    ("operating margin", Decimal("101"), True, True),     # never above 100%
    ("gross margin", Decimal("45.2"), False, False),
    ("inventory turnover", Decimal("-3"), True, True),
    ("inventory turnover", Decimal("0"), True, True),
    ("days sales outstanding", Decimal("-4.8"), True, True),
    ("days payable outstanding", Decimal("95"), False, False),
    ("current ratio", Decimal("63"), True, True),
    ("quick ratio", Decimal("0.9"), False, False),
    ("return on equity", Decimal("175"), False, False),   # Apple's is above 100%
])
def test_bounds(name, value, one_table, refused):
    problem = implausible(name, value, one_table)
    assert (problem is not None) == refused, problem
    if refused and value != 0:
        assert f"{value:,.2f}" in problem
