"""The table parser on TAT-QA's tables: `python -m eval.tatqa_tables [--data FILE] [--out FILE]`.

TAT-QA (../shared/benchmarks/tatqa/tatqa_dataset_dev.json) gives each table as a 2-D array of cells. The gold
here is read off the array directly, by a rule independent of the parser: the header rows are the rows above
the first row that has a label in its first cell and a number that is not a year in another; a numeric cell
below them has the value its text prints (parentheses negative, '%' kept as printed), the row label of its
first cell, and the column label made of the header cells above it. A cell is recovered when the parser
returns a fact with the same value, row label and column label. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from eval.bench_ingest import SHARED
from eval.report import emit

DEFAULT_DATA = SHARED / "benchmarks" / "tatqa" / "tatqa_dataset_dev.json"
_YEAR = re.compile(r"^(?:19|20)\d{2}$")


def _squash(text: str) -> str:
    return " ".join(str(text).split())


def gold_value(cell: str) -> Decimal | None:
    text = _squash(cell).replace("$", "").replace(" ", "")
    negative = text.startswith("(") and (text.endswith(")") or text.endswith(")%"))
    text = text.strip("()%").replace(",", "")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return -value if negative else value


def gold_cells(table: list[list[str]]) -> list[tuple[str, str, Decimal]]:
    rows = [[_squash(cell) for cell in row] for row in table]
    header_count = 0
    for index, row in enumerate(rows):
        numbers = [cell for cell in row[1:] if gold_value(cell) is not None and not _YEAR.match(cell.strip("$ "))]
        if row and row[0] and numbers:
            header_count = index
            break
    else:
        return []
    header = rows[:header_count]
    gold = []
    for row in rows[header_count:]:
        if not row or not row[0]:
            continue
        for column in range(1, len(row)):
            value = gold_value(row[column])
            if value is None:
                continue
            label = " ".join(cells[column] for cells in header if column < len(cells) and cells[column]).strip()
            gold.append((row[0], label, value))
    return gold


def parsed_cells(table: list[list[str]]) -> set[tuple[str, str, Decimal]]:
    from index.tables.parsing import parse_cells

    parsed = parse_cells(table)
    if parsed is None:
        return set()
    found = set()
    for row in parsed.rows:
        if row.columns is None:
            continue
        for number, column in zip(row.numbers, row.columns):
            if number.value is not None:
                found.add((_norm(row.label), _norm(parsed.columns[column].label), number.value))
    return found


def _norm(text: str) -> str:
    return _squash(text).lower()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--show-misses", type=int, default=0, help="Print this many missed cells to stderr.")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"error: {args.data} not found (the TAT-QA dev set lives in ../shared/benchmarks/tatqa)", file=sys.stderr)
        return 2
    contexts = json.loads(args.data.read_text())
    total = recovered = value_only = tables = 0
    misses = []
    for context in contexts:
        table = context["table"]["table"]
        gold = gold_cells(table)
        if not gold:
            continue
        tables += 1
        found = parsed_cells(table)
        values = {value for _, _, value in found}
        for label, column, value in gold:
            total += 1
            if (_norm(label), _norm(column), value) in found:
                recovered += 1
            else:
                if len(misses) < args.show_misses:
                    misses.append({"uid": context["table"]["uid"], "label": label, "column": column, "value": str(value)})
            if value in values:
                value_only += 1
    result = {
        "tables": tables,
        "numeric_cells": total,
        "recovered": recovered,
        "recovered_rate": round(recovered / total, 4) if total else None,
        "value_found_rate": round(value_only / total, 4) if total else None,
    }
    for miss in misses:
        print(json.dumps(miss), file=sys.stderr)
    emit(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
