"""Question understanding: a question (and what earlier turns asked) -> a typed `Query` (question/query.py).

Pure and deterministic: no model, no store. `question.parse.parse_question` reads, each in its own module:
- companies (question/companies.py): which companies, and so which documents, the question names;
- periods (index/periods.py, and question/periods.py for what a question adds: "year over year", "at the end of
  2020", a document's own end date);
- units (question/units.py): scale, percent, decimals, currency asked for;
- operations (question/operations.py): value, change, pct_change, ratio, sum, average, margin, cagr, compare,
  direction, metric; a definition the question states; whether it wants a figure or a narrative;
- labels (question/labels.py): the line asked about as the question words it;
- the metrics it names, from the one metric catalogue (assistant/metrics.py) and the line-item vocabulary
  (index/synonyms.py).
"""
