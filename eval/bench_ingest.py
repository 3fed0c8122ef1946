"""Ingestion and retrieval benchmark: `python -m eval.bench_ingest` (or `make bench`).

Ingests ../shared/corpus/filings and ../shared/corpus/bulk into a fresh data dir, then times hybrid
retrieval at that size. Prints one JSON document; `--out FILE` also writes it.

Reported: PDF text extraction pages/s (pypdfium2 alone, then with our normalization), end-to-end ingestion
passages/s, embedding passages/s, wall time, peak RSS, and retrieval p50/p95 over N queries.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from eval.report import emit, percentile

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_DOCS = [SHARED / "corpus" / "filings", SHARED / "corpus" / "bulk"]

COMPANIES = ["Apple", "eBay", "Oracle", "Intel", "McDonald's", "Salesforce"]
METRICS = [
    "total net sales revenue", "net income", "research and development expenses", "capital expenditures",
    "cash provided by operating activities", "total assets", "long-term debt", "share repurchases",
    "gross margin", "income tax provision effective tax rate", "diluted earnings per share",
    "cybersecurity risk factors", "segment operating income", "dividends paid", "goodwill impairment",
    "stock-based compensation expense", "foreign currency exchange risk", "inventory", "deferred revenue",
]
YEARS = ["2016", "2018", "2020", "2022", "2023"]


def benchmark_queries(count: int) -> list[str]:
    combos = itertools.product(METRICS, COMPANIES, YEARS)
    queries = [f"{company} {metric} fiscal {year}" for metric, company, year in combos]
    step = max(1, len(queries) // count)
    return queries[::step][:count]


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, nargs="+", default=DEFAULT_DOCS, help="Folders to ingest.")
    parser.add_argument("--data-dir", type=Path, default=None, help="Data dir to use (wiped first); default a temp dir.")
    parser.add_argument("--queries", type=int, default=200, help="Retrieval queries to time.")
    parser.add_argument("--out", type=Path, default=None, help="Also write the JSON result here.")
    parser.add_argument("--retrieval-only", action="store_true",
                        help="Keep the store already in --data-dir and time retrieval only.")
    args = parser.parse_args(argv)

    missing = [str(folder) for folder in args.docs if not folder.is_dir()]
    if missing:
        print(f"error: document folder(s) not found: {', '.join(missing)} (the benchmark reads ../shared/corpus)", file=sys.stderr)
        return 2

    from index.settings import load_settings
    from index.ingest import Ingestor
    from index.records import SearchFilters
    from index.retrieval import HybridRetriever
    from index.store import open_store

    if args.retrieval_only and args.data_dir is None:
        print("error: --retrieval-only needs --data-dir (a store built by an earlier run)", file=sys.stderr)
        return 2
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="disclosures-bench-"))
    if not args.retrieval_only:
        shutil.rmtree(data_dir, ignore_errors=True)
    settings = load_settings(data_dir=data_dir)
    store = open_store(settings)
    extraction = ingest = None
    failed: list[str] = []
    if not args.retrieval_only:
        files = pdfs_in(args.docs)
        extraction = time_extraction(files) if files else None
        started = time.perf_counter()
        report = Ingestor(store, progress=True).ingest(list(args.docs))
        wall = time.perf_counter() - started
        summary = report.summary()
        failed = [outcome.error for outcome in report.failed]
        ingest = {
            "pages": summary["pages"],
            "passages": summary["passages"],
            "embedded": summary["embedded"],
            "wall_seconds": round(wall, 1),
            "load_pages_per_second": summary["pages_per_second"],
            "passages_per_second": round(summary["passages"] / wall, 1),
            "embedding_passages_per_second": summary["embedded_per_second"],
            # The fact parser (tables, reconciliation, narrative, links) inside the same run.
            "facts": summary["facts"],
            "fact_parse_seconds": round(report.fact_seconds, 3),
            "fact_parse_share_of_ingest": round(report.fact_seconds / wall, 4) if wall else None,
        }

    retriever = HybridRetriever(store=store, k=settings.store.search_k)
    queries = benchmark_queries(args.queries)
    for query in queries[:5]:
        retriever.search(query)
    timings = []
    for query in queries:
        begun = time.perf_counter()
        retriever.search(query)
        timings.append((time.perf_counter() - begun) * 1000)
    filtered_timings = []
    for query, company in zip(queries[: len(queries) // 2], itertools.cycle(COMPANIES)):
        begun = time.perf_counter()
        retriever.search(query, filters=SearchFilters(company=company))
        filtered_timings.append((time.perf_counter() - begun) * 1000)
    document_timings = []
    for query, document in zip(queries[len(queries) // 2:], itertools.cycle(store.documents())):
        begun = time.perf_counter()
        retriever.search(query, filters=SearchFilters(docs=[document.id]))
        document_timings.append((time.perf_counter() - begun) * 1000)

    def percentiles(values: list[float]) -> dict:
        ordered = sorted(values)
        return {
            "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(percentile(ordered, 0.95), 1),
            "max_ms": round(ordered[-1], 1),
        }

    result = {
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "settings": {"chunk_size": settings.store.chunk_size, "embedding_batch_size": settings.store.embedding_batch_size,
                     "embedding_model": store.vectors.model},
        "documents": len(store.documents()),
        "passages": store.catalog.passage_count(),
        "failed": failed,
        "pdf_extraction": extraction,
        "ingest": ingest,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "retrieval": {"queries": len(timings), **percentiles(timings)},
        "retrieval_filtered_by_company": {"queries": len(filtered_timings), **percentiles(filtered_timings)},
        "retrieval_filtered_by_document": {"queries": len(document_timings), **percentiles(document_timings)},
        "data_dir": str(data_dir),
    }
    emit(result, args.out)
    if args.data_dir is None:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
