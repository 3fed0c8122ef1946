"""Retrieval benchmark over an existing store: `python -m eval.bench_retrieval --data-dir STORE`.

For every question of a gold set that has evidence, runs the hybrid retriever as the harness does (the question's
text, RETRIEVAL_DEPTH hits) and finds the rank of the first gold evidence with the harness's own `_first_match`.
Nothing is ingested and nothing is answered, so a run over the 35 shared PDFs takes seconds, not an eval run.

Reported, for each way of asking:
- `question_alone`: no filters, as the harness asks in shared mode (the analyst names no document);
- `with_filters`: the question's company and period as filters (those of the document the question is about);
- `document`: filtered to that document, as the harness asks in per-doc mode (an upper bound).
each with recall@1/3/5/10, MRR and search p50/p95/max in ms (the query embedding included). Prints one JSON
document; `--out FILE` also writes it; `--details` adds each question's ranks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from eval.harness import RETRIEVAL_DEPTH, _document, _first_match
from eval.report import KS, emit, percentile

REPO = Path(__file__).resolve().parents[1]
DEFAULT_QUESTIONS = REPO / "eval" / "questions" / "filings.jsonl"
MODES = ("question_alone", "with_filters", "document")


def documents_by_name(documents: list) -> dict:  # noqa: ANN001 - list[Document]
    """Each document under its id, file stem and file name (lower case), as the harness names them."""
    by_name = {}
    for document in documents:
        by_name[document.id] = document
        by_name[Path(document.source_path).stem.lower()] = document
        by_name[Path(document.source_path).name.lower()] = document
    return by_name


def filters_for(mode: str, question, by_name: dict):  # noqa: ANN001, ANN201 - EvalQuestion -> SearchFilters | None
    """The filters a mode searches with: none, the question's document's company and period, or that document.
    None when the mode needs a document the question does not name (it is then asked without filters)."""
    from index.records import SearchFilters

    if mode == "question_alone":
        return None
    document = _document(question.doc, by_name)
    if document is None:
        return None
    if mode == "document":
        return SearchFilters(docs=[document.id])
    return SearchFilters(company=document.company or document.ticker, period=document.period)


def measure(retriever, questions: list, by_name: dict, mode: str, depth: int = RETRIEVAL_DEPTH) -> tuple[dict, dict]:  # noqa: ANN001
    """(summary, {question id: rank or None}) of one mode over the questions."""
    ranks: dict[str, int | None] = {}
    timings: list[float] = []
    for question in questions:
        filters = filters_for(mode, question, by_name)
        started = time.perf_counter()
        hits = retriever.search(question.question, k=depth, filters=filters)
        timings.append((time.perf_counter() - started) * 1000)
        ranks[question.id] = _first_match(question, [(hit.passage.doc_id, hit.passage.page, hit.passage.text)
                                                     for hit in hits], by_name)
    return summarize(list(ranks.values()), timings), ranks


def summarize(ranks: list[int | None], timings: list[float]) -> dict:
    """recall@k and MRR as eval/report.py computes them for a run, with the search latencies."""
    count = len(ranks)
    if not count:
        return {"questions": 0}
    ordered = sorted(timings)
    return {
        "questions": count,
        "recall_at": {str(k): round(sum(1 for rank in ranks if rank and rank <= k) / count, 4) for k in KS},
        "mrr": round(sum(1 / rank for rank in ranks if rank) / count, 4),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(percentile(ordered, 0.95), 1),
        "max_ms": round(ordered[-1], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="A store built by `disclosures ingest` or an eval run.")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="A gold set with evidence pages.")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES), help="Ways of asking to measure.")
    parser.add_argument("--details", action="store_true", help="Also list each question's rank in every mode.")
    parser.add_argument("--out", type=Path, default=None, help="Also write the JSON result here.")
    args = parser.parse_args(argv)

    if not (args.data_dir / "catalog.sqlite3").is_file():
        print(f"error: {args.data_dir} is not a store (no catalog.sqlite3); ingest first or name an eval run's store",
              file=sys.stderr)
        return 2
    if not args.questions.is_file():
        print(f"error: --questions {args.questions}: no such file", file=sys.stderr)
        return 2

    from eval.questionset import load_question_set
    from index.retrieval import HybridRetriever
    from index.settings import load_settings
    from index.store import open_store

    store = open_store(load_settings(data_dir=args.data_dir))
    documents = store.documents()
    by_name = documents_by_name(documents)
    questions = [question for question in load_question_set(args.questions) if question.evidence]
    retriever = HybridRetriever(store=store, k=RETRIEVAL_DEPTH)
    # The model, the BM25 index and the catalog load once, before the timings start.
    for question in questions[:3]:
        retriever.search(question.question, k=RETRIEVAL_DEPTH)

    result: dict = {"store": str(args.data_dir), "questions_file": str(args.questions), "documents": len(documents),
                    "passages": store.catalog.passage_count(), "questions": len(questions), "depth": RETRIEVAL_DEPTH}
    details: dict[str, dict] = {question.id: {} for question in questions}
    for mode in args.modes:
        result[mode], ranks = measure(retriever, questions, by_name, mode)
        for question_id, rank in ranks.items():
            details[question_id][mode] = rank
    if args.details:
        result["ranks"] = details
    emit(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
