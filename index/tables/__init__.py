"""Financial tables parsed into rows, columns and numbers, from every shape they come in:

- newswire tables flattened into one line (the seed): rows run together, negatives lost their ')';
- PDF text, one row per line: `Net income $ 5,363 $ 4,869 $ 5,058` under `(Millions) 2018 2017 2016`;
- HTML tables, rendered by the loader as `label | value | value` rows;
- 2-D arrays of cells (TAT-QA).

A `ParsedTable` knows its statement kind, scale, columns (period end and duration) and rows; each number keeps
its character span in the document. Rows with fewer numbers than there are columns are left for the
reconciliation (index/reconcile.py) to place. A row's label is cleaned and normalized by index/labels.py.

- model.py: `Column`, `Row`, `ParsedTable`;
- classification.py: what a table is (statement kind, scale) and what a row counts (money, shares, ...);
- columns.py: the columns a header names (period end, duration, percent columns);
- rows.py: the rows of each shape, their columns and their group headers;
- runs.py: statements whose PDF text prints several rows to a line (the page's statement, read whole);
- parsing.py: whole tables, `parse_table` (text of every shape) and `parse_cells` (2-D arrays).
"""
