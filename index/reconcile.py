"""Reconciliation: the subtotal identities a statement obeys decide which column a row with fewer numbers
than columns belongs to, and flag totals that do not add up.

A total ("Total current assets", "Net loss", a line named like the header above it) is checked against
candidate sets of the rows before it that no earlier total has summed yet: the rows since each enclosing group
header (innermost first), the most recent few rows, and all of them; with the signs as printed, and with
'first minus the rest' (statements that print expenses positive). Rows marked "Less:" are subtracted.
A row whose column is unknown is tried in every position; an identity that holds for exactly one placement
decides it. Where none decides, the row stays uncertain: nothing guesses.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

from index.labels import normalize_label
from index.synonyms import metric_of_label
from index.tables.model import ParsedTable, Row

_TOTAL_PREFIX = re.compile(r"^(?:total|net\b|comprehensive|gross (?:profit|margin)|(?:operating |)(?:income|loss|earnings)\b.*(?:before|from operations)|income \(loss\) from)", re.I)
_COMPUTED_METRICS = {"net_income", "operating_income", "gross_profit", "pretax_income", "cash_from_operations",
                     "cash_from_investing", "cash_from_financing", "total_assets", "total_liabilities", "total_equity",
                     "total_liabilities_and_equity", "current_assets", "current_liabilities", "operating_expenses"}
_MAX_PLACEMENTS = 4096


@dataclass
class Check:
    """One identity that was tested: the total row, the rows it sums, and whether it held."""

    total: int
    components: list[int]
    signs: list[int]
    holds: bool
    placements: int = 0


def reconcile(table: ParsedTable) -> list[Check]:
    count = len(table.columns)
    rows = table.rows
    money = {index for index, row in enumerate(rows) if row.numbers and table.kind_of(row) == "money"}
    tolerance = Decimal(0) if table.scale == 1 else Decimal(1)
    checks: list[Check] = []
    open_items: list[int] = []
    for index, row in enumerate(rows):
        if index not in money:
            continue
        if _is_total(row, rows) and row.columns is not None:
            check = _check_total(table, index, open_items, count, tolerance)
            if check is not None:
                checks.append(check)
                if check.holds:
                    # A difference ("equity = assets - liabilities") holds, but does not make its terms parts of
                    # this total: only a sum consumes its rows.
                    consumed = set(check.components) if all(sign == 1 or rows[item].label.lower().startswith("less")
                                                            for item, sign in zip(check.components, check.signs)) else set()
                    open_items = [item for item in open_items if item not in consumed]
                    for item in check.components:
                        rows[item].reconciled = True if rows[item].columns is not None else rows[item].reconciled
                    row.reconciled = True
                elif normalize_label(row.label).startswith("total"):
                    row.reconciled = False
                    row.note = "does not reconcile with the rows above it"
        open_items.append(index)
    checks.extend(_balance_identities(table, tolerance))
    for row in rows:
        if row.numbers and row.columns is None:
            row.certain = False
            options = ", ".join(column.label for column in table.columns)
            row.note = f"column uncertain: no identity places it among {options}"
    return checks


def _is_total(row: Row, rows: list[Row]) -> bool:
    if re.match(r"^\s*(?:less|add|plus)\b", row.label, re.I):
        return False
    label = normalize_label(row.label)
    if _TOTAL_PREFIX.match(label) or metric_of_label(row.label) in _COMPUTED_METRICS:
        return True
    # A line named like the group header above it is that group's total ("Other comprehensive (loss) income").
    return any(normalize_label(rows[header].label) == label for header in row.groups)


def _candidates(rows: list[Row], total: int, open_items: list[int]) -> list[list[int]]:
    candidates: list[list[int]] = []
    # Every header above the total, nearest first: headers nest in ways the printed text does not show.
    headers = [index for index in range(total - 1, -1, -1) if rows[index].is_header][:10]
    for header in headers:
        items = [item for item in open_items if item > header]
        if items and items not in candidates:
            candidates.append(items)
    for size in range(2, min(5, len(open_items)) + 1):
        items = open_items[-size:]
        if items not in candidates:
            candidates.append(items)
    if open_items and open_items not in candidates:
        candidates.append(list(open_items))
    # A row no identity could place may be a misread (a number inside a wrapped label): try without it too.
    for items in list(candidates):
        known = [item for item in items if rows[item].columns is not None]
        if known and len(known) < len(items) and known not in candidates:
            candidates.append(known)
    return candidates


def _check_total(table: ParsedTable, total: int, open_items: list[int], count: int, tolerance: Decimal) -> Check | None:
    rows = table.rows
    target = _summable(table, _values(rows[total], rows[total].columns, count))
    first_failure: Check | None = None
    for items in _candidates(rows, total, open_items):
        for mode in ("printed", "first-minus-rest"):
            signs = [(-1 if normalize_label(rows[item].label).startswith("less") or rows[item].label.lower().startswith("less") else 1)
                     for item in items]
            if mode == "first-minus-rest":
                if len(items) < 2:
                    continue
                signs = [1] + [-sign for sign in signs[1:]]
            placements = _placements(rows, items, count, target, signs, tolerance)
            if placements is None:
                continue  # too many unknown placements to try
            if placements:
                if len(placements) == 1:
                    for item, columns in placements[0].items():
                        row = rows[item]
                        row.columns = list(columns)
                        row.certain = True
                        row.note = f"column decided by the identity '{rows[total].label}'"
                return Check(total, items, signs, True, len(placements))
            if first_failure is None:
                first_failure = Check(total, items, signs, False)
    return first_failure


def _placements(rows: list[Row], items: list[int], count: int, target: list[Decimal | None], signs: list[int],
                tolerance: Decimal) -> list[dict[int, tuple[int, ...]]] | None:
    unknown = [item for item in items if rows[item].columns is None]
    options = [list(itertools.combinations(range(count), len(rows[item].numbers))) for item in unknown]
    total_options = 1
    for option in options:
        total_options *= max(1, len(option))
    if total_options > _MAX_PLACEMENTS:
        return None
    known_sum = [Decimal(0)] * count
    for item, sign in zip(items, signs):
        if rows[item].columns is not None:
            for column, value in enumerate(_values(rows[item], rows[item].columns, count)):
                known_sum[column] += sign * (value or 0)
    sign_of = dict(zip(items, signs))
    found = []
    for choice in itertools.product(*options) if options else [()]:
        sums = list(known_sum)
        for item, columns in zip(unknown, choice):
            for number, column in zip(rows[item].numbers, columns):
                sums[column] += sign_of[item] * (number.value or 0)
        if all(expected is None or abs(sums[column] - expected) <= tolerance for column, expected in enumerate(target)):
            found.append(dict(zip(unknown, choice)))
    return found


def _values(row: Row, columns: list[int] | None, count: int) -> list[Decimal | None]:
    values: list[Decimal | None] = [None] * count
    if columns is None:
        return values
    for number, column in zip(row.numbers, columns):
        values[column] = number.value if number.value is not None else Decimal(0)
    return values


def _summable(table: ParsedTable, values: list[Decimal | None]) -> list[Decimal | None]:
    """Percentage columns ("% Change") do not add up: leave them out of every identity."""
    return [None if table.columns[index].percent else value for index, value in enumerate(values)]


def _balance_identities(table: ParsedTable, tolerance: Decimal) -> list[Check]:
    """Total assets = total liabilities and equity = total liabilities + total equity, where printed."""
    if table.statement != "balance_sheet":
        return []
    count = len(table.columns)
    by_metric: dict[str, int] = {}
    for index, row in enumerate(table.rows):
        if row.numbers and row.columns is not None:
            metric = metric_of_label(row.label)
            if metric and metric not in by_metric:
                by_metric[metric] = index
    checks = []
    pairs = [("total_assets", ["total_liabilities_and_equity"]), ("total_liabilities_and_equity", ["total_liabilities", "total_equity"])]
    for total_key, part_keys in pairs:
        if total_key in by_metric and all(key in by_metric for key in part_keys):
            total = by_metric[total_key]
            parts = [by_metric[key] for key in part_keys]
            target = _values(table.rows[total], table.rows[total].columns, count)
            sums = [Decimal(0)] * count
            for part in parts:
                for column, value in enumerate(_values(table.rows[part], table.rows[part].columns, count)):
                    sums[column] += value or 0
            holds = all(expected is None or abs(sums[column] - expected) <= tolerance for column, expected in enumerate(target))
            checks.append(Check(total, parts, [1] * len(parts), holds))
            for index in [total, *parts]:
                row = table.rows[index]
                if holds:
                    # The statement's own identity is the last word on its totals.
                    row.reconciled = True
                    if row.note and row.note.startswith("does not reconcile"):
                        row.note = None
                else:
                    row.reconciled = False
                    row.note = f"balance sheet does not balance: {table.rows[total].label} vs " + " + ".join(table.rows[part].label for part in parts)
    return checks


def balance_sheet_reconciles(table: ParsedTable, checks: list[Check]) -> bool | None:
    """Whether a balance sheet adds up: assets equal liabilities and equity, and every checked total held.
    None when it prints neither side's total."""
    if table.statement != "balance_sheet":
        return None
    balance = [check for check in checks if metric_of_label(table.rows[check.total].label) in ("total_assets", "total_liabilities_and_equity")
               and len(check.components) <= 2 and all(metric_of_label(table.rows[item].label) for item in check.components)]
    if not balance:
        return None
    return all(check.holds for check in balance) and not any(row.reconciled is False for row in table.rows)
