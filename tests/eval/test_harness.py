"""The evaluation harness end to end on the bundled sample: a run, its files (both readings of the scorer), resuming,
a crash recorded as a failure, per-doc mode, several document folders in one store, and comparing two runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from eval.cli import eval_group
from eval.harness import run, store_dir
from eval.report import compare

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample"
SEED_SET = REPO / "eval" / "questions" / "seed.jsonl"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="module")
def first_run(runs, tmp_path_factory):
    from index.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("unused"))
    summary = run(SEED_SET, SAMPLE, runs / "a", limit=12, progress=False, settings=settings)
    return summary, settings


def test_a_run_writes_results_summary_report_and_plots(first_run, runs):
    summary, _ = first_run
    out = runs / "a"
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [record["id"] for record in records] == [f"seed-{n:03d}" for n in range(1, 13)]
    assert summary["questions"] == 12 and summary["correct"] + summary["wrong"] + summary["refused"] == 12
    assert summary["accuracy"] >= 0.9  # the offline backend answers these (tests/assistant/test_answering.py)
    lenient = summary["lenient"]
    assert lenient["correct"] + lenient["wrong"] + lenient["refused"] == 12 and lenient["correct"] >= summary["correct"]
    assert summary["wrong_figures"] == sum(1 for record in records if record["wrong_figure"])
    assert set(summary["by_answer_type"]) <= {"number", "text", "refusal"} and summary["by_tag"]
    assert summary["retrieval"]["questions"] > 0 and 0 <= summary["retrieval"]["mrr"] <= 1
    assert summary["faithfulness"]["grounded_share"] == 1.0
    for record in records:
        assert record["answer"]["backend"] == "offline" and record["outcome"] in ("correct", "wrong", "refused")
        assert record["lenient_outcome"] in ("correct", "wrong", "refused")
        assert (record["reason"] is None) == (record["outcome"] == "correct"), record["id"]
        assert record["gold"]["citations"] and record["gold"]["tolerance"] == "0"  # the gold set's own fields
    report = (out / "report.md").read_text()
    assert "| Accuracy | Wrong answers | Refused | Wrong figures |" in report
    assert "Lenient reading" in report and "![outcomes_by_tag.png](outcomes_by_tag.png)" in report
    assert "## The 20 worst answers (strict)" in report and "EM " in report
    numbers = [record for record in records if record["answer_type"] == "number"]
    assert summary["em_f1"]["questions"] >= len(numbers) > 0
    for record in numbers:
        if record.get("relative_error") == 0:
            assert record["em"] == 1.0, record["id"]
        if record["answer"]["value"] is None:
            assert record["em"] == 0.0 and record["relative_error"] is None, record["id"]
    assert any(record.get("relative_error") == 0 for record in numbers)
    for plot in ("outcomes_by_tag.png", "retrieval_recall.png", "latency.png"):
        assert (out / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((out / "summary.json").read_text())["questions"] == 12


def test_an_interrupted_run_resumes(first_run, runs):
    _, settings = first_run
    out = runs / "resumed"
    shutil.copytree(runs / "a", out)
    lines = (out / "results.jsonl").read_text().splitlines()
    (out / "results.jsonl").write_text("\n".join(lines[:5]) + "\n")
    kept = [json.loads(line)["seconds"] for line in lines[:5]]
    summary = run(SEED_SET, SAMPLE, out, limit=12, progress=False, settings=settings)
    again = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(again) == 12 and [record["seconds"] for record in again[:5]] == kept
    assert summary["questions"] == 12


def test_a_crashing_question_is_a_failure_and_the_run_goes_on(first_run, runs, tmp_path, monkeypatch):
    _, settings = first_run
    from assistant.answering import Assistant

    original = Assistant.ask

    def ask(self, question, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if "R&D" in question:
            raise RuntimeError("boom")
        return original(self, question, *args, **kwargs)

    monkeypatch.setattr(Assistant, "ask", ask)
    questions = tmp_path / "set.jsonl"
    questions.write_text("\n".join(json.dumps(item) for item in [
        {"id": "a", "question": "What was the R&D expense in H1 2021?", "answer": 5508356, "answer_type": "number"},
        {"id": "b", "question": "What was the net loss in H1 2021?", "answer": 17102407, "answer_type": "number"},
        {"id": "c", "question": "What was revenue?", "answer": 1, "answer_type": "number", "doc": "no-such-doc"},
    ]) + "\n")
    summary = run(questions, SAMPLE, runs / "crash", mode="per-doc", progress=False, settings=settings)
    records = {json.loads(line)["id"]: json.loads(line) for line in (runs / "crash" / "results.jsonl").read_text().splitlines()}
    assert records["a"]["outcome"] == "wrong" and "RuntimeError: boom" in records["a"]["error"]
    assert records["c"]["outcome"] == "wrong" and "no-such-doc" in records["c"]["error"]
    assert summary["errors"] == 2 and summary["questions"] == 3
    report = (runs / "crash" / "report.md").read_text()
    worst = report.split("## The 20 worst answers", 1)[1]
    assert worst.index("RuntimeError: boom") > 0  # crashes are listed, after any far-off figures


def test_per_doc_mode_filters_to_the_question_document(first_run, runs, tmp_path):
    _, settings = first_run
    questions = tmp_path / "set.jsonl"
    questions.write_text(json.dumps({"id": "a", "question": "What was the net loss in H1 2021?", "answer": 17102407,
                                     "answer_type": "number", "doc": "aptorum-2021-h1-results"}) + "\n")
    summary = run(questions, SAMPLE, runs / "perdoc", mode="per-doc", progress=False, settings=settings)
    assert summary["correct"] == 1


def test_compare_lists_fixed_and_broken(first_run, runs):
    out = runs / "b"
    shutil.copytree(runs / "a", out)
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    records[0]["outcome"] = "wrong"
    (out / "results.jsonl").write_text("\n".join(json.dumps(record) for record in records) + "\n")
    summary = json.loads((out / "summary.json").read_text())
    summary["accuracy"] -= 1 / 12
    (out / "summary.json").write_text(json.dumps(summary))
    result = compare(runs / "a", out)
    assert [entry["id"] for entry in result["broken"]] == [records[0]["id"]]
    assert compare(out, runs / "a")["fixed"] == [{"id": records[0]["id"], "before": "wrong", "after": "correct"}]
    assert result["deltas"]["accuracy"] == pytest.approx(-1 / 12, abs=1e-3)
    printed = CliRunner().invoke(eval_group, ["compare", str(runs / "a"), str(out)])
    assert printed.exit_code == 0 and "broken: 1" in printed.output and "lenient: fixed 0, broken 0" in printed.output
    as_json = json.loads(CliRunner().invoke(eval_group, ["compare", "--json", str(runs / "a"), str(out)]).output)
    assert as_json["reading"] == "strict" and as_json["lenient"]["broken"] == []


def test_compare_reads_a_run_from_before_the_strict_reading_as_lenient(first_run, runs):
    old = runs / "old"
    shutil.copytree(runs / "a", old)
    records = [json.loads(line) for line in (old / "results.jsonl").read_text().splitlines()]
    for record in records:  # what the harness wrote before: one outcome, the lenient one
        record["outcome"] = record.pop("lenient_outcome")
        del record["reason"], record["wrong_figure"]
    records[1]["outcome"] = "wrong"
    (old / "results.jsonl").write_text("\n".join(json.dumps(record) for record in records) + "\n")
    summary = json.loads((old / "summary.json").read_text())
    summary = {**summary["lenient"], "questions": summary["questions"]}
    (old / "summary.json").write_text(json.dumps(summary))
    result = compare(old, runs / "a")
    assert result["reading"] == "lenient" and result["fixed"] == result["lenient"]["fixed"]
    assert [entry["id"] for entry in result["fixed"]] == [records[1]["id"]]
    printed = CliRunner().invoke(eval_group, ["compare", str(old), str(runs / "a")])
    assert printed.exit_code == 0 and "strict: not available" in printed.output


def test_a_run_scored_before_the_strict_reading_is_asked_again(first_run, runs):
    _, settings = first_run
    out = runs / "rescored"
    shutil.copytree(runs / "a", out)
    lines = (out / "results.jsonl").read_text().splitlines()
    old = json.loads(lines[0])
    del old["lenient_outcome"]
    (out / "results.jsonl").write_text("\n".join([json.dumps(old), *lines[1:]]) + "\n")
    run(SEED_SET, SAMPLE, out, limit=12, progress=False, settings=settings)
    again = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(again) == 12 and sorted(record["id"] for record in again) == [f"seed-{n:03d}" for n in range(1, 13)]
    assert all("lenient_outcome" in record for record in again)


def test_several_document_folders_share_one_store(first_run, runs, tmp_path):
    _, settings = first_run
    first, second = tmp_path / "releases", tmp_path / "notes"
    first.mkdir()
    second.mkdir()
    (first / "aptorum-2021-h1-results.txt").symlink_to(SAMPLE / "aptorum-2021-h1-results.txt")
    (second / "tiny-note.txt").write_text("Tiny Corp note.\n\nTiny Corp had 41 employees at the end of 2023.\n")
    questions = tmp_path / "set.jsonl"
    questions.write_text("\n".join(json.dumps(item) for item in [
        {"id": "a", "question": "What was the net loss in H1 2021?", "answer": 17102407, "answer_type": "number",
         "doc": "aptorum-2021-h1-results"},
        {"id": "b", "question": "How many employees did Tiny Corp have?", "answer": "41 employees",
         "answer_type": "text", "doc": "tiny-note.txt"},
    ]) + "\n")
    out = runs / "two-folders"
    result = CliRunner().invoke(eval_group, ["run", "--questions", str(questions), "--docs", str(first), "--docs",
                                             str(second), "--mode", "per-doc", "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "2 questions:" in result.output and "wrong figures (lenient:" in result.output
    run_info = json.loads((out / "run.json").read_text())
    assert run_info["docs"] == [str(first), str(second)] and run_info["documents"] == 2
    assert Path(run_info["store"]) == store_dir(out, [first, second])
    assert Path(run_info["store"]).name.startswith("releases+notes-")
    assert store_dir(out, first).name.startswith("releases-") and store_dir(out, first) == store_dir(out, [first])
    records = {json.loads(line)["id"]: json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()}
    assert "error" not in records["a"] and "error" not in records["b"]
    assert records["a"]["outcome"] == "correct"


def test_cli_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q", "answer_type": "number"}\n')
    result = CliRunner().invoke(eval_group, ["run", "--questions", str(bad), "--docs", str(SAMPLE),
                                             "--out", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {bad}:1: question 'x': answer: Field required"
    missing = CliRunner().invoke(eval_group, ["compare", str(tmp_path / "nope"), str(tmp_path / "nope2")])
    assert missing.exit_code == 1 and "not a finished run" in missing.output
    no_file = CliRunner().invoke(eval_group, ["run", "--questions", str(tmp_path / "none.jsonl")])
    assert no_file.exit_code == 1 and no_file.output.strip() == f"error: --questions {tmp_path / 'none.jsonl'}: no such file"
    no_docs = CliRunner().invoke(eval_group, ["run", "--questions", str(SEED_SET), "--docs", str(SAMPLE), "--docs",
                                              str(tmp_path / "absent"), "--out", str(tmp_path / "r")])
    assert no_docs.exit_code == 1 and no_docs.output.strip() == f"error: --docs {tmp_path / 'absent'}: not a folder of documents"
