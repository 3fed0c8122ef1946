"""The ingestion benchmark runs end to end on a small corpus and reports every number the README quotes."""

import json

from conftest import SEED
from pdfs import make_pdf, report_pages

from eval.bench_ingest import benchmark_queries, main


def test_benchmark_reports_rates_and_latencies(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ACME_2022_10K.pdf").write_bytes(make_pdf(report_pages("Acme", 4)))
    (corpus / "seed.txt").write_text(SEED.read_text())
    out = tmp_path / "result.json"
    assert main(["--docs", str(corpus), "--queries", "12", "--out", str(out), "--data-dir", str(tmp_path / "data")]) == 0
    result = json.loads(out.read_text())
    assert result == json.loads(capsys.readouterr().out)
    assert result["documents"] == 2 and result["failed"] == []
    assert result["pdf_extraction"]["pages"] == 4 and result["pdf_extraction"]["pages_per_second"] > 0
    ingest = result["ingest"]
    assert ingest["passages"] > 0 and ingest["passages_per_second"] > 0 and ingest["embedding_passages_per_second"] > 0
    assert ingest["facts"] > 100, "the seed's two statements alone hold over a hundred figures"
    assert ingest["fact_parse_seconds"] > 0 and 0 < ingest["fact_parse_share_of_ingest"] < 1
    assert result["retrieval"]["queries"] == 12
    assert 0 < result["retrieval"]["p50_ms"] <= result["retrieval"]["p95_ms"] <= result["retrieval"]["max_ms"]
    assert result["peak_rss_mb"] > 100


def test_missing_corpus_is_a_clear_error(tmp_path, capsys):
    assert main(["--docs", str(tmp_path / "nowhere")]) == 2
    assert "document folder(s) not found" in capsys.readouterr().err


def test_queries_are_deterministic_and_distinct():
    queries = benchmark_queries(200)
    assert len(queries) == 200 and len(set(queries)) == 200
    assert queries == benchmark_queries(200)


def test_embedding_benchmark_runs_on_a_small_file(tmp_path, capsys):
    from eval.bench_embedding import main as embedding_main

    pdf = tmp_path / "ACME_2022_10K.pdf"
    pdf.write_bytes(make_pdf(report_pages("Acme", 3)))
    assert embedding_main(["--files", str(pdf), "--passages", "8"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["passages"] > 0 and result["mean_tokens"] > 0
    assert {(run["max_tokens"], run["batch_size"]) for run in result["runs"]} == {(256, 16), (256, 32), (128, 16), (128, 32)}
    assert all(run["passages_per_second"] > 0 for run in result["runs"])
