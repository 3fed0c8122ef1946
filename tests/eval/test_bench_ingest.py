"""The ingestion benchmark runs end to end on a small corpus and reports every number the README quotes."""

import json

from conftest import SEED
from pdfs import make_pdf, report_pages

from eval.bench_ingest import main, markdown

QUESTIONS = [
    {"id": "s1", "question": "What were Aptorum's research and development expenses in the first half of 2021?",
     "answer": "-5508356", "answer_type": "number", "doc": "seed.txt",
     "evidence": [{"doc": "seed.txt", "text": "Research and development expenses"}]},
    {"id": "s2", "question": "What was Acme's revenue in fiscal 2022?", "answer": "1", "answer_type": "number",
     "doc": "ACME_2022_10K.pdf", "evidence": [{"doc": "ACME_2022_10K.pdf", "page": 2}]},
]


def test_benchmark_measures_each_configuration_in_its_own_process(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ACME_2022_10K.pdf").write_bytes(make_pdf(report_pages("Acme", 4)))
    (corpus / "seed.txt").write_text(SEED.read_text())
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(question) + "\n" for question in QUESTIONS))
    out, table = tmp_path / "result.json", tmp_path / "table.md"
    assert main(["--docs", str(corpus), "--configs", "torch", "static", "--questions", str(questions),
                 "--out", str(out), "--markdown", str(table), "--data-dir", str(tmp_path / "stores")]) == 0
    result = json.loads(out.read_text())
    printed = capsys.readouterr()
    assert json.loads(printed.out) == result and result["table"] in printed.err
    assert table.read_text() == result["table"] + "\n"
    assert result["pdf_extraction"]["pages"] == 4 and result["pdf_extraction"]["pages_per_second"] > 0
    rows = {row["config"]: row for row in result["configs"]}
    assert list(rows) == ["torch", "static"]
    assert rows["torch"]["embedding_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert rows["static"]["embedding_model"] == "sentence-transformers/all-MiniLM-L6-v2+static"
    for row in rows.values():
        assert row["documents"] == 2 and row["failed"] == []
        ingest = row["ingest"]
        assert ingest["passages"] > 0 and ingest["passages"] == ingest["embedded"]
        assert ingest["passages_per_second"] > 0 and ingest["embedding_passages_per_second"] > 0
        for mode in ("question_alone", "with_filters"):
            retrieval = row["retrieval"][mode]
            assert retrieval["questions"] == 2 and set(retrieval["recall_at"]) == {"1", "3", "5", "10"}
            assert 0 < retrieval["p50_ms"] <= retrieval["p95_ms"] <= retrieval["max_ms"]
        assert row["ask"]["questions"] == 2 and 0 < row["ask"]["p50_ms"] <= row["ask"]["p95_ms"]
        assert row["peak_rss_mb"] > 100
    assert (tmp_path / "stores" / "static" / "catalog.sqlite3").is_file(), "each configuration has its own store"
    lines = result["table"].splitlines()
    assert len(lines) == 4 and lines[2].startswith("| torch |") and lines[3].startswith("| static |")
    assert "`python -m eval.bench_ingest --configs static`" in lines[3] and "| 1.0× |" in lines[2]


def test_a_configuration_that_fails_is_a_row_that_says_so():
    table = markdown([{"config": "onnx", "error": "the onnx run exited with 1"}])
    assert table.splitlines()[2].startswith("| onnx | the onnx run exited with 1 |")
    assert table.splitlines()[2].endswith("`python -m eval.bench_ingest --configs onnx` |")
    assert table.splitlines()[2].count("|") == table.splitlines()[0].count("|")


def test_missing_corpus_is_a_clear_error(tmp_path, capsys):
    assert main(["--docs", str(tmp_path / "nowhere")]) == 2
    assert "document folder(s) not found" in capsys.readouterr().err


def test_embedding_benchmark_runs_on_a_small_file(tmp_path, capsys):
    from eval.bench_embedding import main as embedding_main

    pdf = tmp_path / "ACME_2022_10K.pdf"
    pdf.write_bytes(make_pdf(report_pages("Acme", 3)))
    assert embedding_main(["--files", str(pdf), "--passages", "8"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["passages"] > 0 and result["mean_tokens"] > 0
    assert {(run["max_tokens"], run["batch_size"]) for run in result["runs"]} == {(256, 16), (256, 32), (128, 16), (128, 32)}
    assert all(run["passages_per_second"] > 0 for run in result["runs"])
