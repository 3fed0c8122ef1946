"""eval/cli.py: the `eval` command group as the entry point hands it to `disclosures`, run through click's CliRunner
(run and compare are exercised end to end in test_harness.py)."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import click
from click.testing import CliRunner

from assistant.feedback import FeedbackLog
from index.records import Answer
from eval.cli import eval_group


def test_the_entry_point_names_the_group():
    [entry] = [entry for entry in entry_points(group="disclosures.commands") if entry.name == "eval"]
    assert entry.load() is eval_group
    assert set(eval_group.commands) == {"run", "compare", "feedback"}


def _root() -> click.Group:
    """A stand-in for `disclosures`: its --data-dir reaches subcommands as ctx.obj["overrides"]."""

    @click.group()
    @click.option("--data-dir", type=click.Path(path_type=Path), default=None)
    @click.pass_context
    def root(ctx: click.Context, data_dir: Path | None) -> None:
        ctx.ensure_object(dict)
        ctx.obj["overrides"] = {"data_dir": data_dir}

    root.add_command(eval_group)
    return root


def test_feedback_reads_the_data_dir_the_top_level_command_names(tmp_path):
    data = tmp_path / "data"
    log = FeedbackLog(data)
    log.add("What was revenue in 2019?", Answer(question="q", text="The release does not say.", refused=True), "up")
    out = tmp_path / "feedback.jsonl"
    result = CliRunner().invoke(_root(), ["--data-dir", str(data), "eval", "feedback", "--out", str(out)], obj={})
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 feedback records: 1 questions in")
    [question] = [json.loads(line) for line in out.read_text().splitlines()]
    assert question["answer_type"] == "refusal"


def test_no_feedback_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCLOSURES_DATA_DIR", str(tmp_path / "empty"))
    result = CliRunner().invoke(eval_group, ["feedback", "--out", str(tmp_path / "f.jsonl")])
    assert result.exit_code == 1
    assert result.output.strip() == (f"error: no feedback yet: {tmp_path / 'empty' / 'feedback.jsonl'} does not exist "
                                     "(thumbs in the chat page write it)")
