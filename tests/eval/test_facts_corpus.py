"""The corpus report runs end to end on a small 10-K written here, and on ../shared when it is there."""

import json

import pytest
from conftest import FILINGS, shared_or_skip
from pdfs import make_pdf

from eval.facts_corpus import main

BALANCE_SHEET = [
    "Acme Corp Annual Report",
    "Item 8. Financial Statements and Supplementary Data",
    "CONSOLIDATED BALANCE SHEETS",
    "(In millions)",
    "December 31,",
    "2023 2022",
    "Current assets:",
    "Cash and cash equivalents $ 1,200 $ 1,000",
    "Accounts receivable 300 250",
    "Total current assets 1,500 1,250",
    "Property, plant and equipment, net 2,000 1,900",
    "Total assets $ 3,500 $ 3,150",
    "Current liabilities:",
    "Accounts payable 400 350",
    "Total liabilities 400 350",
    "Stockholders' equity:",
    "Common stock 1,000 1,000",
    "Retained earnings 2,100 1,800",
    "Total stockholders' equity 3,100 2,800",
    "Total liabilities and stockholders' equity $ 3,500 $ 3,150",
]
CASH_FLOWS = [
    "CONSOLIDATED STATEMENTS OF CASH FLOWS",
    "(In millions)",
    "Years ended December 31,",
    "2023 2022 2021",
    "Net income $ 500 $ 400 $ 300",
    "Depreciation 100 90 80",
    "Net cash provided by operating activities 600 490 380",
    "Purchases of property, plant and equipment (200) (150) (100)",
    "Net cash used in investing activities (200) (150) (100)",
    "Repurchases of common stock (200) (300) (100)",
    "Net cash used in financing activities (200) (300) (100)",
    "Increase in cash and cash equivalents $ 200 $ 40 $ 180",
]


def test_report_on_a_small_ten_k(tmp_path, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ACME_2023_10K.pdf").write_bytes(make_pdf([BALANCE_SHEET, CASH_FLOWS]))
    out = tmp_path / "report.json"
    assert main(["--docs", str(docs), "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result == json.loads(capsys.readouterr().out)
    summary = result["summary"]
    assert summary["documents"] == 1
    assert summary["statement_tables"].get("balance_sheet") == 1 and summary["statement_tables"].get("cash_flow") == 1
    assert summary["balance_sheets"] == 1 and summary["balance_sheets_reconciling"] == 1
    assert summary["ten_k_cash_flow_totals_complete"] == ["ACME_2023_10K.pdf"]
    assert summary["table_facts"] == 2 * 11 + 3 * 8  # every printed number, no more
    [document] = result["documents"]
    assert document["cash_flow_totals"]["totals"] == {
        "cash_from_operations": {"2023": "600", "2022": "490", "2021": "380"},
        "cash_from_investing": {"2023": "(200)", "2022": "(150)", "2021": "(100)"},
        "cash_from_financing": {"2023": "(200)", "2022": "(300)", "2021": "(100)"},
    }


def test_a_missing_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["--docs", str(tmp_path / "nowhere")]) == 2
    assert "not found" in capsys.readouterr().err


@pytest.mark.shared
@pytest.mark.slow
def test_report_on_the_shared_filings(tmp_path, capsys):
    shared_or_skip(FILINGS)
    assert main(["--out", str(tmp_path / "report.json")]) == 0
    summary = json.loads((tmp_path / "report.json").read_text())["summary"]
    assert summary["documents"] == 13
    assert summary["balance_sheets_reconciling"] == summary["balance_sheets"] >= 10
    assert len(summary["ten_k_cash_flow_totals_complete"]) == 3
