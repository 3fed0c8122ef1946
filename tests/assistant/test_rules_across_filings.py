"""A change over more years than one filing prints (assistant/rules/figures.py `twin`, assistant/rules/filings.py):
each year is read from the company's own filing of that year, and a later year's column of a forecast table
(obligations due in fiscal 2022) does not make a filing "report" that year. The two 10-Ks are written for these
tests; expected figures are read off them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import store_of_texts

from assistant.answering import Assistant

TEN_K = """UNITED STATES SECURITIES AND EXCHANGE COMMISSION
FORM 10-K
For the fiscal year ended May 31, {year}
Widgetco Corporation
(Exact name of registrant as specified in its charter)

CONSOLIDATED STATEMENTS OF OPERATIONS
(in millions)
Year Ended May 31, {year} {year1} {year2}
Total revenues {r0} {r1} {r2}
Operating income {o0} {o1} {o2}

CONTRACTUAL OBLIGATIONS
(in millions)
Fiscal {f1} Fiscal {f2} Thereafter
Operating leases 1,102 900 2,000
"""


def ten_k(year: int, revenues: tuple[str, str, str], operating: tuple[str, str, str]) -> str:
    return TEN_K.format(year=year, year1=year - 1, year2=year - 2, r0=revenues[0], r1=revenues[1], r2=revenues[2],
                        o0=operating[0], o1=operating[1], o2=operating[2], f1=year + 1, f2=year + 2)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    return Assistant(store_of_texts(tmp_path_factory, {
        "widgetco-2019": ten_k(2019, ("39,506", "39,383", "37,792"), ("13,535", "13,264", "12,710")),
        "widgetco-2022": ten_k(2022, ("42,440", "40,479", "39,068"), ("10,926", "15,213", "13,896"))}, "filings"))


def test_a_cagr_over_two_filings_reads_each_year_from_its_own_filing(assistant):
    answer = assistant.ask("What was the three-year CAGR of Widgetco's total revenues from fiscal 2019 to fiscal 2022?")
    assert not answer.refused, answer.text
    expected = ((Decimal(42_440) / Decimal(39_506)) ** (Decimal(1) / 3) - 1) * 100
    assert abs(answer.value.number - expected) < Decimal("0.0001")
    assert len({citation.doc_id for citation in answer.citations}) == 2  # each year cited from its own 10-K


def test_a_change_over_two_filings(assistant):
    answer = assistant.ask("How much did Widgetco's operating income change from fiscal 2019 to fiscal 2022?")
    assert not answer.refused, answer.text
    assert answer.value.number * answer.value.scale == (10_926 - 13_535) * 1_000_000
