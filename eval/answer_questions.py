"""Answer a gold question set with the Assistant and grade it: `python -m eval.answer_questions
[--questions FILE] [--docs DIR] [--also DIR ...] [--data-dir DIR] [--out FILE] [--show-failures]`.

Ingests the documents the questions name (from --docs) into one store, asks every question (a conversation's turns
in order, sharing their state), and reports: answers graded right (eval/grading.py), wrong figures (a figure given
where the gold has another or none: the failure that must not happen), the evidence-page hit rate (a gold page
among the cited passages' pages or the top-5 retrieved passages of the documents the question names) and the
latency of `ask` once the models are loaded (a warm-up embeds one query first). `--also DIR` ingests more
documents into the same store first (the bulk 10-Ks: every question then has to find its own company among 35
filings). Prints one JSON document.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from eval.bench_ingest import SHARED
from eval.report import emit
from eval.questions import SEED_QUESTIONS, load_questions

REPO = Path(__file__).resolve().parents[1]


def default_docs(questions_file: Path) -> Path:
    return REPO / "sample" if questions_file.resolve() == SEED_QUESTIONS.resolve() else SHARED / "corpus" / "filings"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=SEED_QUESTIONS)
    parser.add_argument("--docs", type=Path, default=None, help="Folder holding the documents the questions name.")
    parser.add_argument("--also", type=Path, action="append", default=[],
                        help="Also ingest every document in this folder into the store (repeatable).")
    parser.add_argument("--data-dir", type=Path, default=None, help="Store to use (documents already there are kept).")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--show-failures", action="store_true", help="List each failure with its reason.")
    args = parser.parse_args(argv)

    questions = load_questions(args.questions)
    docs = args.docs or default_docs(args.questions)
    names = sorted({question.document for question in questions})
    missing = [name for name in names if not (docs / name).is_file()]
    if missing:
        print(f"error: {', '.join(missing)} not found in {docs} (pass --docs)", file=sys.stderr)
        return 2

    from assistant.answering import Assistant
    from index.settings import load_settings
    from eval.grading import grade, wrong_figure
    from index.ingest import Ingestor
    from index.records import SearchFilters
    from index.retrieval import HybridRetriever
    from index.store import open_store

    store = open_store(load_settings(data_dir=args.data_dir or Path(tempfile.mkdtemp(prefix="disclosures-eval-"))))
    report = Ingestor(store, progress=False).ingest([docs / name for name in names] + list(args.also))
    if report.failed:
        print("error: " + "; ".join(outcome.error or outcome.path for outcome in report.failed), file=sys.stderr)
        return 1
    by_name = {Path(document.source_path).name: document for document in store.documents()}
    texts = {name: store.catalog.document_text(by_name[name].id) for name in names}
    assistant = Assistant(store)
    retriever = HybridRetriever(store=store, k=5)
    store.embeddings.embed_query("warm up the embedding model")  # the model loads once per process
    from assistant.conversation import Conversation

    results, timings = [], []
    conversation = Conversation()
    for gold in questions:
        if gold.conversation is None or gold.conversation.turn == 1:
            conversation = Conversation()
        started = time.perf_counter()
        answer = assistant.ask(gold.question, conversation)
        timings.append((time.perf_counter() - started) * 1000)
        reason = grade(gold, answer, texts[gold.document])
        evidence = None
        if gold.pages:
            pages = {citation.page for citation in answer.citations if citation.doc_id == by_name[gold.document].id}
            query = assistant.read(gold.question)
            filters = SearchFilters(docs=query.doc_ids) if query.doc_ids else None
            pages |= {hit.passage.page for hit in retriever.search(gold.question, filters=filters)
                      if hit.passage.doc_id == by_name[gold.document].id}
            evidence = bool(pages & set(gold.pages))
        results.append({"id": gold.id, "type": gold.type, "pass": reason is None, "reason": reason,
                        "wrong_figure": wrong_figure(gold, answer), "evidence": evidence})
    with_pages = [result for result in results if result["evidence"] is not None]
    summary = {
        "questions_file": str(args.questions),
        "documents": len(names),
        "documents_in_store": len(store.documents()),
        "questions": len(results),
        "passed": sum(result["pass"] for result in results),
        "pass_rate": round(sum(result["pass"] for result in results) / len(results), 4),
        "wrong_figures": sum(result["wrong_figure"] for result in results),
        "by_type": {kind: f"{sum(r['pass'] for r in results if r['type'] == kind)}/{sum(1 for r in results if r['type'] == kind)}"
                    for kind in sorted({result["type"] for result in results})},
        "evidence_questions": len(with_pages),
        "evidence_hit_rate": round(sum(r["evidence"] for r in with_pages) / len(with_pages), 4) if with_pages else None,
        "ask_ms": {"p50": round(statistics.median(timings), 1), "p95": round(percentile(timings, 0.95), 1),
                   "max": round(max(timings), 1)},
    }
    result = {"summary": summary, "failures": [r for r in results if not r["pass"]] if args.show_failures else None}
    emit(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
