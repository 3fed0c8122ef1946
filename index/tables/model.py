"""The parsed table: its columns (period end and duration), its rows (label, numbers, the column of each
number, the group headers above it) and what each row counts."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from index.numbers import Number
from index.periods import describe_period
from index.tables.classification import row_kind

# A scale caption read as a row's heading ("(In millions, except per share amounts)") says nothing of the row's kind.
_CAPTION = re.compile(r"^\s*\(?\s*(?:\$|dollars|amounts|in\s+(?:thousands|millions|billions)|\(?in\b)", re.I)


@dataclass
class Column:
    label: str
    period_end: dt.date | None = None
    duration: str | None = None  # instant, 3M, 6M, 9M, FY
    year: int | None = None
    percent: bool = False  # a column of percentages ("% Change"): never summed

    @property
    def period(self) -> str:
        """How an analyst says it: 'June 30, 2021', 'six months ended June 30, 2021', 'fiscal 2022'."""
        return describe_period(self.period_end, self.duration, self.year, fallback=self.label)


@dataclass
class Row:
    label: str
    numbers: list[Number]
    label_start: int | None = None
    group: str | None = None
    groups: list[int] = field(default_factory=list)  # indexes (into table.rows) of the enclosing group headers
    columns: list[int] | None = None  # the column of each number; None while undecided
    certain: bool = True
    reconciled: bool | None = None
    note: str | None = None

    @property
    def is_header(self) -> bool:
        return not self.numbers


@dataclass
class ParsedTable:
    title: str | None
    statement: str
    scale: int
    share_scale: int
    currency: str | None
    columns: list[Column]
    rows: list[Row]
    start: int | None = None
    end: int | None = None
    page: int | None = None
    shape: str = "lines"

    @property
    def data_rows(self) -> list[Row]:
        return [row for row in self.rows if row.numbers]

    def kind_of(self, row: Row) -> str:
        kind = row_kind(row.label, row.numbers)
        if kind == "money" and row.group and len(row.label.split()) <= 4 and not _CAPTION.match(row.group):
            # "Basic" and "Diluted" under "Earnings per share:" or "Shares used in computing earnings per share:"
            # are what their header says they are.
            return row_kind(row.group, [])
        return kind

    def scale_of(self, row: Row) -> int:
        return self.scale_of_kind(self.kind_of(row))

    def scale_of_kind(self, kind: str) -> int:
        if kind == "money":
            return self.scale
        if kind == "shares":
            return self.share_scale
        return 1

    def _column(self, row: Row, position: int) -> Column | None:
        index = row.columns[position] if row.columns is not None else None
        return self.columns[index] if index is not None and index < len(self.columns) else None

    def kind_of_cell(self, row: Row, position: int) -> str:
        """What one cell counts. A '%' or a column of percentages makes it a percent. A row whose amounts come
        first and whose percentages follow ("Orders 19,975 18,451 8 % 7 %", "R&D 6,577 13%" under "(in millions,
        except percentages)"), or whose percentages all stand in columns of percentages ("2019  % of Total  2018
        % of Total"), is a row of amounts with their changes or shares beside them: its cells without a '%' are
        what the label says, not percentages."""
        number = row.numbers[position]
        column = self._column(row, position)
        if number.percent or (column is not None and column.percent):
            return "percent"
        kind = self.kind_of(row)
        if kind != "percent" or row_kind(row.label, []) == "percent":
            return kind
        printed = [(cell, self._column(row, index)) for index, cell in enumerate(row.numbers) if cell.value is not None]
        first_percent = next((index for index, (cell, _) in enumerate(printed) if cell.percent), len(printed))
        # Columns whose header names them percentages ("% of Total"), not ones marked so by their cells.
        beside = all(other is not None and re.search(r"%|percent", other.label, re.I) for cell, other in printed
                     if cell.percent)
        if beside or (first_percent > 0 and all(cell.percent for cell, _ in printed[first_percent:])):
            plain = row_kind(row.label, [])
            if plain == "money" and row.group and len(row.label.split()) <= 4 and not _CAPTION.match(row.group):
                plain = row_kind(row.group, [])
            return plain
        return kind
