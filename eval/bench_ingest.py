"""Ingest and retrieval benchmark, speed and quality together: `python -m eval.bench_ingest` (or `make bench`).

Ingests the shared corpus (../shared/corpus: filings, bulk and edgar) into a fresh store once per embedding
configuration, each in its own process (so peak RSS is that configuration's own), one after the other in the same
run. For each it reports:
- passages/s end to end (files in, every document searchable) and for the embedding model alone;
- wall time and peak RSS, and the seconds spent building the model (an export or distillation on first use);
- evidence recall@1/5/10 and MRR of the filings gold set's evidence pages, asked with the question alone (shared
  mode, no document given) and with the question's company and period as filters, with search p50/p95;
- `ask` p50/p95 over the same questions (with their earlier turns), in the same store, with the offline backend:
  a first pass fills the caches a long-running page or bot holds, a second is timed (the first is reported too).
PDF text extraction (pypdfium2 alone) is timed once. Prints one JSON document on stdout and a Markdown table with
the command of each row on stderr; `--out FILE` also writes the JSON, `--markdown FILE` the table.

`--configs static` measures one row; every row of one run shares the machine at the same moment, so compare rows
of one run, not across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eval.report import emit, percentile

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_DOCS = [SHARED / "corpus" / "filings", SHARED / "corpus" / "bulk", SHARED / "corpus" / "edgar"]
DEFAULT_QUESTIONS = REPO / "eval" / "questions" / "filings.jsonl"
# The embedding configurations measured, in the order of the table: today's torch fp32 first (the baseline the
# others are compared with), then ONNX Runtime fp32 and int8, then static vectors distilled from the same model.
CONFIGS = ("torch", "onnx", "onnx-int8", "static")


def pdfs_in(folders: list[Path]) -> list[Path]:
    return sorted(path for folder in folders for path in folder.rglob("*.pdf"))


def time_extraction(files: list[Path]) -> dict:
    """pypdfium2 text extraction alone, page by page, as the loader does it."""
    import pypdfium2 as pdfium

    pages = 0
    started = time.perf_counter()
    for path in files:
        pdf = pdfium.PdfDocument(str(path))
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
            pages += 1
        pdf.close()
    seconds = time.perf_counter() - started
    return {"pages": pages, "seconds": round(seconds, 2), "pages_per_second": round(pages / seconds, 1)}


def latencies(values: list[float]) -> dict:
    ordered = sorted(values)
    if not ordered:
        return {}
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(percentile(ordered, 0.95), 1),
            "max_ms": round(ordered[-1], 1)}


def measure_config(config: str, docs: list[Path], questions_file: Path, data_dir: Path) -> dict:
    """One row: ingest `docs` into a fresh store at `data_dir` with embedding backend `config`, then measure
    retrieval and answering over the gold set. Runs in the calling process."""
    from assistant.answering import Assistant
    from eval.bench_retrieval import documents_by_name, measure
    from eval.harness import RETRIEVAL_DEPTH
    from eval.questionset import load_question_set
    from index.ingest import Ingestor
    from index.retrieval import HybridRetriever
    from index.settings import load_settings
    from index.store import open_store

    shutil.rmtree(data_dir, ignore_errors=True)
    settings = load_settings(data_dir=data_dir).with_overrides(embedding_backend=config)
    store = open_store(settings)
    # The model is built (exported, quantized or distilled on first use) and loaded before the clock starts;
    # what that costs is reported on its own.
    started = time.perf_counter()
    store.embeddings.embed_query("warm up")
    model_seconds = time.perf_counter() - started

    started = time.perf_counter()
    report = Ingestor(store, progress=False).ingest(docs)
    wall = time.perf_counter() - started
    summary = report.summary()

    documents = store.documents()
    by_name = documents_by_name(documents)
    questions = [question for question in load_question_set(questions_file) if question.evidence]
    retriever = HybridRetriever(store=store, k=RETRIEVAL_DEPTH)
    for question in questions[:3]:  # the BM25 index and the catalog load before the timings
        retriever.search(question.question, k=RETRIEVAL_DEPTH)
    retrieval = {}
    for mode in ("question_alone", "with_filters"):
        retrieval[mode], _ = measure(retriever, questions, by_name, mode)

    # `ask` as the harness asks in shared mode (the question and its earlier turns, no document given), over every
    # question of the set; once to fill the caches a long-running page or bot holds, then timed.
    assistant = Assistant(store, backend="offline", settings=settings)
    asked = load_question_set(questions_file)
    cold = time_asking(assistant, asked)
    warm = time_asking(assistant, asked)

    return {
        "config": config,
        "embedding_model": store.vectors.model,
        "documents": len(documents),
        "failed": [outcome.error for outcome in report.failed],
        "model_build_seconds": round(model_seconds, 1),
        "ingest": {
            "pages": summary["pages"], "passages": summary["passages"], "embedded": summary["embedded"],
            "wall_seconds": round(wall, 1),
            "passages_per_second": round(summary["passages"] / wall, 1),
            "embedding_passages_per_second": summary["embedded_per_second"],
            "load_pages_per_second": summary["pages_per_second"],
            "fact_parse_seconds": round(report.fact_seconds, 1),
        },
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "retrieval": retrieval,
        "ask": {"questions": len(warm), **latencies(warm), "first_pass": latencies(cold)},
    }


def time_asking(assistant, questions: list) -> list[float]:  # noqa: ANN001 - Assistant, list[EvalQuestion]
    """Milliseconds of `assistant.ask` for each question, with its history as a conversation."""
    from assistant.conversation import Conversation

    timings = []
    for question in questions:
        history = [{"question": turn.question, "answer": turn.answer} for turn in question.history]
        begun = time.perf_counter()
        assistant.ask(question.question, Conversation.from_history(history))
        timings.append((time.perf_counter() - begun) * 1000)
    return timings


def run_child(config: str, docs: list[Path], questions_file: Path, data_dir: Path) -> dict:
    """One row in its own process (its own peak RSS, no model or cache carried over from another row)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_path = Path(handle.name)
    command = [sys.executable, "-m", "eval.bench_ingest", "--child", config, "--data-dir", str(data_dir),
               "--questions", str(questions_file), "--child-result", str(result_path), "--docs", *map(str, docs)]
    print(f"bench_ingest: {config} ...", file=sys.stderr, flush=True)
    completed = subprocess.run(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                               stdout=subprocess.DEVNULL)
    try:
        if completed.returncode != 0:
            return {"config": config, "error": f"the {config} run exited with {completed.returncode}"}
        return json.loads(result_path.read_text())
    finally:
        result_path.unlink(missing_ok=True)


def command_of(config: str) -> str:
    return f"python -m eval.bench_ingest --configs {config}"


def markdown(rows: list[dict], baseline: str = "torch") -> str:
    """The table of a run: one row per configuration, with its command."""
    base = next((row for row in rows if row.get("config") == baseline and "ingest" in row), None)
    header = ("| configuration | passages/s end to end | × torch | embedding passages/s | wall s | peak RSS MB | "
              "recall@1/5/10, question alone | recall@1/5/10, with filters | search p50/p95 ms | ask p50/p95 ms | "
              "command |")
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for row in rows:
        if "ingest" not in row:
            lines.append(f"| {row['config']} | {row.get('error', 'failed')} |" + " |" * 8 + f" `{command_of(row['config'])}` |")
            continue
        ingest, retrieval = row["ingest"], row["retrieval"]
        ratio = (f"{ingest['passages_per_second'] / base['ingest']['passages_per_second']:.1f}×"
                 if base and base["ingest"]["passages_per_second"] else "")

        def recall(mode: str) -> str:
            at = retrieval[mode]["recall_at"]
            return " / ".join(f"{100 * at[k]:.1f}" for k in ("1", "5", "10"))

        search = retrieval["question_alone"]
        lines.append(
            f"| {row['config']} | {ingest['passages_per_second']} | {ratio} | {ingest['embedding_passages_per_second']} | "
            f"{ingest['wall_seconds']} | {row['peak_rss_mb']} | {recall('question_alone')} | {recall('with_filters')} | "
            f"{search['p50_ms']} / {search['p95_ms']} | {row['ask'].get('p50_ms')} / {row['ask'].get('p95_ms')} | "
            f"`{command_of(row['config'])}` |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, nargs="+", default=DEFAULT_DOCS, help="Folders to ingest.")
    parser.add_argument("--configs", nargs="+", choices=CONFIGS, default=list(CONFIGS),
                        help="Embedding configurations to measure (DISCLOSURES_EMBEDDING_BACKEND values).")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="A gold set with evidence pages.")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="Where the stores are built (one sub-folder per configuration, wiped first); default a temp dir, removed after.")
    parser.add_argument("--out", type=Path, default=None, help="Also write the JSON result here.")
    parser.add_argument("--markdown", type=Path, default=None, help="Also write the Markdown table here.")
    parser.add_argument("--child", choices=CONFIGS, help=argparse.SUPPRESS)
    parser.add_argument("--child-result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    missing = [str(folder) for folder in args.docs if not folder.is_dir()]
    if missing:
        print(f"error: document folder(s) not found: {', '.join(missing)} (the benchmark reads ../shared/corpus)",
              file=sys.stderr)
        return 2
    if not args.questions.is_file():
        print(f"error: --questions {args.questions}: no such file", file=sys.stderr)
        return 2
    if args.child:
        result = measure_config(args.child, list(args.docs), args.questions, args.data_dir)
        args.child_result.write_text(json.dumps(result, default=str))
        return 0

    root = args.data_dir or Path(tempfile.mkdtemp(prefix="disclosures-bench-"))
    files = pdfs_in(list(args.docs))
    extraction = time_extraction(files) if files else None
    rows = [run_child(config, list(args.docs), args.questions, root / config) for config in args.configs]
    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "docs": [str(folder) for folder in args.docs],
        "questions": str(args.questions),
        "pdf_extraction": extraction,
        "configs": rows,
        "table": markdown(rows),
    }
    emit(result, args.out)
    print(result["table"], file=sys.stderr)
    if args.markdown:
        args.markdown.write_text(result["table"] + "\n", encoding="utf-8")
    if args.data_dir is None:
        shutil.rmtree(root, ignore_errors=True)
    return 0 if all("ingest" in row for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
