"""The fact parser on real filings: `python -m eval.facts_corpus [--docs DIR] [--out FILE]`.

For each PDF in ../shared/corpus/filings (by default): the statement tables found, by kind; the facts; how
many columns got a period; whether each balance sheet reconciles (assets = liabilities + equity, and every
checked total holds); and, for the 10-Ks, whether the cash flow statement yields the operating, investing and
financing totals for every year it shows. Prints one JSON document. Runs without embedding anything.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from eval.bench_ingest import SHARED
from eval.report import emit

DEFAULT_DOCS = SHARED / "corpus" / "filings"
CASH_FLOW_TOTALS = ("cash_from_operations", "cash_from_investing", "cash_from_financing")


def analyse(path: Path) -> dict:
    from index.ingest import read_facts
    from index.metadata import infer_meta

    loaded, report = read_facts(path)
    meta = infer_meta(path, loaded.text, loaded.title)
    table_facts = [fact for fact in report.facts if fact.source == "table"]
    result = {
        "document": path.name,
        "form": meta.form,
        "pages": loaded.page_count,
        "tables_parsed": len(report.tables),
        "statement_tables": dict(report.statement_tables()),
        "facts": len(report.facts),
        "table_facts": len(table_facts),
        "narrative_facts": len(report.facts) - len(table_facts),
        "table_facts_with_period": sum(1 for fact in table_facts if fact.period_end is not None),
        "uncertain_column": sum(1 for fact in table_facts if not fact.column_certain),
        "flagged": sum(1 for fact in table_facts if fact.reconciled is False),
        "linked_narrative": sum(1 for fact in report.facts if fact.source == "text" and fact.linked_fact),
        "balance_sheets": report.balance_sheets(),
        "parse_seconds": round(report.seconds, 3),
    }
    if meta.form == "10-K":
        result["cash_flow_totals"] = cash_flow_totals(report)
    return result


def cash_flow_totals(report) -> dict:  # noqa: ANN001
    """For the cash flow statement: the operating, investing and financing totals of each year it shows."""
    years = {column.year for table in report.tables if table.statement == "cash_flow"
             for column in table.columns if column.year}
    found: dict[str, dict[str, str]] = {key: {} for key in CASH_FLOW_TOTALS}
    for fact in report.facts:
        if fact.metric in found and fact.statement == "cash_flow" and fact.period_end is not None:
            found[fact.metric].setdefault(str(fact.period_end.year), fact.raw)
    complete = bool(years) and all({str(year) for year in years} <= set(values) for values in found.values())
    return {"years": sorted(str(year) for year in years), "totals": found, "complete": complete}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.docs.is_dir():
        print(f"error: {args.docs} not found (the report reads ../shared/corpus/filings)", file=sys.stderr)
        return 2
    documents = [analyse(path) for path in sorted(args.docs.glob("*.pdf"))]
    balance = [value for document in documents for value in document["balance_sheets"] if value is not None]
    kinds: Counter = Counter()
    for document in documents:
        kinds.update(document["statement_tables"])
    summary = {
        "documents": len(documents),
        "tables_parsed": sum(document["tables_parsed"] for document in documents),
        "statement_tables": dict(kinds),
        "facts": sum(document["facts"] for document in documents),
        "table_facts": sum(document["table_facts"] for document in documents),
        "narrative_facts": sum(document["narrative_facts"] for document in documents),
        "balance_sheets": len(balance),
        "balance_sheets_reconciling": sum(balance),
        "balance_sheet_reconcile_rate": round(sum(balance) / len(balance), 3) if balance else None,
        "ten_k_cash_flow_totals_complete": [document["document"] for document in documents
                                            if document.get("cash_flow_totals", {}).get("complete")],
        "parse_seconds": round(sum(document["parse_seconds"] for document in documents), 2),
    }
    result = {"summary": summary, "documents": documents}
    emit(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
