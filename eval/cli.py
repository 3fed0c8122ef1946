"""`disclosures eval ...`: the harness's commands (run, compare, feedback), registered through the entry point group
`disclosures.commands` (pyproject.toml), so the CLI itself never imports eval.

Under `disclosures`, the group reads the top-level `--data-dir`/`--chroma-url` from the context; on its own (click's
CliRunner on `eval_group`) it reads the settings from the environment.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from index.errors import DisclosuresError
from index.settings import Settings, load_settings


class _EvalGroup(click.Group):
    """A project error is one line on stderr and exit status 1, never a traceback (also when run on its own)."""

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        try:
            return super().invoke(ctx)
        except DisclosuresError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


def _settings(ctx: click.Context) -> Settings:
    root = ctx.find_root()
    overrides = root.obj.get("overrides", {}) if isinstance(root.obj, dict) else {}
    return load_settings(**overrides)


def _rates(block: dict) -> str:
    return f"{block['accuracy']:.1%} correct, {block['wrong_rate']:.1%} wrong, {block['refusal_rate']:.1%} refused"


@click.group("eval", cls=_EvalGroup)
def eval_group() -> None:
    """Measure the assistant on a question set (eval/harness.py)."""


@eval_group.command("run")
@click.option("--questions", "questions_file", required=True, type=click.Path(path_type=Path),
              help="Question set: JSONL, YAML, or TAT-QA's JSON.")
@click.option("--docs", multiple=True, type=click.Path(path_type=Path),
              help="Folder of the documents asked about; repeat it to put several folders in one store "
                   "(TAT-QA's JSON brings its own).")
@click.option("--mode", type=click.Choice(["shared", "per-doc"]), default="shared", show_default=True,
              help="shared: every document in one store; per-doc: each question filtered to its `doc`.")
@click.option("--backend", default=None, metavar="offline|PROVIDER:MODEL", help="Answering backend (default: settings).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N questions.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Run folder (default: runs/<set>-<mode>).")
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
@click.pass_context
def eval_run(ctx: click.Context, questions_file: Path, docs: tuple[Path, ...], mode: str, backend: str | None,
             limit: int | None, out: Path | None, no_progress: bool) -> None:
    """Ask every question, score the answers, write results.jsonl, summary.json, report.md and plots."""
    from eval.harness import run

    out = out or Path("runs") / f"{questions_file.stem}-{mode}"
    summary = run(questions_file, list(docs) or None, out, mode=mode, backend=backend, limit=limit,
                  progress=not no_progress, settings=_settings(ctx))
    click.echo(f"{summary['questions']} questions: {_rates(summary)}, {summary['wrong_figures']} wrong figures "
               f"(lenient: {_rates(summary['lenient'])}); report in {out / 'report.md'}")
    if "official" in summary:
        from eval.tatqa_official import headline

        click.echo(headline(summary["official"]))
        if "em_f1" in summary:
            ours = summary["em_f1"]
            click.echo(f"our own EM/F1 (eval/scoring.py): EM {ours['em']:.1%}, F1 {ours['f1']:.1%}")


@eval_group.command("feedback")
@click.option("--out", type=click.Path(path_type=Path), default=Path("eval/questions/feedback.jsonl"), show_default=True,
              help="Question set to write; answers that need a person's gold go beside it (*.needs-gold.jsonl).")
@click.pass_context
def eval_feedback(ctx: click.Context, out: Path) -> None:
    """Turn the chat page's and the Slack bot's feedback into a question set."""
    from eval.from_feedback import convert

    source = _settings(ctx).store.data_dir / "feedback.jsonl"
    if not source.exists():
        click.echo(f"error: no feedback yet: {source} does not exist (thumbs in the chat page write it)", err=True)
        sys.exit(1)
    counts = convert(source, out)
    click.echo(f"{counts['records']} feedback records: {counts['gold']} questions in {counts['out']}, "
               f"{counts['needs_gold']} needing a gold answer in {counts['needs_gold_out']}")


@eval_group.command("compare")
@click.argument("run_a", type=click.Path(path_type=Path))
@click.argument("run_b", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
def eval_compare(run_a: Path, run_b: Path, as_json: bool) -> None:
    """Per-question changes from RUN_A to RUN_B (fixed, broken, changed) and metric deltas: strict first, then
    lenient."""
    from eval.report import compare

    result = compare(run_a, run_b)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return
    if result["reading"] != "strict":
        click.echo("strict: not available (a run predates the strict reading); lenient:")
    for name in ("fixed", "broken", "changed"):
        click.echo(f"{name}: {len(result[name])}")
        for entry in result[name]:
            click.echo(f"  {entry['id']}: {entry['before']} -> {entry['after']}")
    click.echo("deltas: " + ", ".join(f"{key} {value:+.1%}" for key, value in result["deltas"].items()))
    figures = result["wrong_figures"]
    if figures["a"] is not None and figures["b"] is not None:
        click.echo(f"wrong figures: {figures['a']} -> {figures['b']}")
    if result["reading"] == "strict":
        lenient = result["lenient"]
        click.echo(f"lenient: fixed {len(lenient['fixed'])}, broken {len(lenient['broken'])}, changed "
                   f"{len(lenient['changed'])}; deltas: "
                   + ", ".join(f"{key} {value:+.1%}" for key, value in lenient["deltas"].items()))
