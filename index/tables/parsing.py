"""Whole tables: `parse_table` (a table's text in any shape, with document offsets) and `parse_cells` (a 2-D
array of cell texts, TAT-QA)."""

from __future__ import annotations

import re

from index.labels import clean_label
from index.numbers import YEAR, Number, is_year, parse_number
from index.tables.classification import statement_kind, table_scale
from index.tables.columns import column_from_label, header_periods, mark_percent_columns, parse_columns, spanning_cells
from index.tables.model import ParsedTable, Row
from index.tables.rows import (
    assign_columns,
    attach_groups,
    column_count,
    merge_wrapped_rows,
    rows_from_flat,
    rows_from_lines,
)
from index.tables.runs import rows_from_runs, run_count


def parse_table(text: str, header_end: int, offset: int = 0, shape: str = "lines", title: str | None = None,
                page: int | None = None, inherited_header: str | None = None) -> ParsedTable | None:
    """A table from its text (title and headers up to `header_end`, then rows); offsets are document offsets.
    `inherited_header` is the header of the table this one continues (a statement broken across pages)."""
    header = text[:header_end]
    body = text[header_end:]
    statement = statement_kind(title or header[:400])
    if statement == "other" and title is None:
        statement = statement_kind(header)
    if shape == "flat":
        rows = rows_from_flat(body, offset + header_end)
    elif shape == "runs":
        rows = rows_from_runs(body, offset + header_end, run_count(body))
    else:
        rows = rows_from_lines(body, offset + header_end, html=shape == "html")
    if (heading := _year_header_row(rows)) is not None:
        # The column header printed as a row ("USDm  2019  2018", "($ in millions)  2019  2018" under "June 30,"):
        # it is the header's last line, not figures.
        header_end = rows[heading].numbers[-1].end - offset
        header, rows = text[:header_end], rows[heading + 1:]
    count = column_count(rows)
    if count == 0:
        return None
    if shape == "lines":
        rows = merge_wrapped_rows(rows, count, text, offset)
    assign_columns(rows, count)
    attach_groups(rows)
    header = (inherited_header + "\n" + header) if inherited_header and not header_periods(header) else header
    if statement == "other" and inherited_header:
        statement = statement_kind(inherited_header)
    scale, share_scale = table_scale(header + "\n" + " ".join(row.label for row in rows[:3]))
    currency = "USD" if ("$" in text or re.search(r"dollars|usd", header, re.I)) else None
    header_cells = None
    if shape == "html":
        last = [line for line in header.split("\n") if line.strip()]
        header_cells = [cell.strip() for cell in last[-1].split(" | ")][-count:] if last else None
    if statement != "other" and _is_contents(rows):
        statement = "other"
    columns = parse_columns(header, count, statement, header_cells)
    if statement in ("income_statement", "balance_sheet", "cash_flow") and \
            len({column.year for column in columns if column.year is not None}) >= 4:
        statement = "other"  # a five-year table is selected data; a statement prints three years at most
    mark_percent_columns(rows, columns)
    return ParsedTable(title=title, statement=statement, scale=scale, share_scale=share_scale, currency=currency,
                       columns=columns, rows=rows, start=offset, end=offset + len(text), page=page, shape=shape)


def _year_header_row(rows: list[Row]) -> int | None:
    """The index of the row that prints the column header's years, when the body starts with one: a label (a
    unit, "($ in millions)", a caption) and two or more bare years, none a figure (no '$', '%', sign or
    separator), close together as the periods of a table are ("2019 2018 2017", "2018 2019", "2020 ... 2024").
    Only the first row with numbers can be one: a row of years further down is data."""
    first = next((index for index, row in enumerate(rows) if row.numbers), None)
    if first is None:
        return None
    numbers = rows[first].numbers
    if len(numbers) < 2 or not all(number.value is not None and YEAR.match(number.raw) and not number.dollar
                                   and not number.percent and not number.negative for number in numbers):
        return None
    years = [int(number.raw) for number in numbers]
    if max(years) - min(years) > len(years) + 1:
        return None  # "1999  2004": far-apart values, not the periods of one table
    return first


def _is_contents(rows: list[Row]) -> bool:
    """A table of contents ("Condensed Consolidated Statements of Operations 4", "Notes to ... 9") lists statements
    with page numbers; it is not itself one."""
    labelled = [row for row in rows if row.numbers]
    named = [row for row in labelled if statement_kind(row.label) != "other" or row.label.lower().startswith("notes to")]
    return len(named) >= 2 and len(named) >= len(labelled) / 2


def parse_cells(cells: list[list[str]], title: str | None = None) -> ParsedTable | None:
    """A table from a 2-D array of cell texts (TAT-QA): header rows on top, labels in the first column."""
    grid = [[" ".join(str(cell).split()) for cell in row] for row in cells]
    if not grid:
        return None
    width = max(len(row) for row in grid)
    grid = [row + [""] * (width - len(row)) for row in grid]

    def is_data_row(row: list[str]) -> bool:
        """A label in the first cell and a number that is not a year in another: the body starts here."""
        numbers = [parse_number(cell) for cell in row[1:] if cell]
        return bool(row[0]) and any(number is not None and number.value is not None and not is_year(number.raw.strip("$ "))
                                    for number in numbers)

    first_data = next((index for index, row in enumerate(grid) if is_data_row(row)), len(grid))
    header_rows = grid[:first_data]
    body = grid[len(header_rows):]
    rows: list[Row] = []
    for row in body:
        numbers = []
        for column, cell in enumerate(row[1:], start=1):
            number = parse_number(cell) if cell else None
            if number is not None:
                numbers.append(Number(number.raw, number.value, number.negative, number.percent, number.dollar, column, column))
        rows.append(Row(label=clean_label(row[0]), numbers=numbers))
    data_columns = sorted({number.start for row in rows for number in row.numbers})
    if not data_columns:
        return None
    for row in rows:
        if row.numbers:
            row.columns = [data_columns.index(number.start) for number in row.numbers]
    attach_groups(rows)
    header_text = "\n".join(" ".join(cell for cell in row if cell) for row in header_rows)
    statement = statement_kind((title or "") + " " + header_text + " " + " ".join(row.label for row in rows[:40]))
    labels = [" ".join(header_row[column] for header_row in header_rows if header_row[column]).strip() for column in data_columns]
    # A header cell spanning several columns sits in the first of them ("Year Ended December 31," over "2019",
    # "2018"): the dates and durations of the columns under it are read with it, their labels stay as printed.
    spanned = [spanning_cells(header_row) for header_row in header_rows]
    contexts = [" ".join(header_row[column] for header_row in spanned if header_row[column]).strip() for column in data_columns]
    columns = [column_from_label(label, statement, context) for label, context in zip(labels, contexts)]
    mark_percent_columns(rows, columns)
    scale, share_scale = table_scale(header_text)
    currency = "USD" if any("$" in cell for row in grid for cell in row) else None
    return ParsedTable(title=title, statement=statement, scale=scale, share_scale=share_scale, currency=currency,
                       columns=columns, rows=rows, shape="cells")
