"""What the evaluation hands over: a run's summary (`summarize`), its report.md with plots (`write_report`), the
comparison of two runs (`compare`), and, for the benchmark scripts, one JSON document on stdout (`emit`).

Every count comes in two readings (eval/scoring.py): strict first (`correct`, `wrong`, `refused`, their rates and
`wrong_figures`), lenient second (`lenient.correct`, `lenient.wrong`, ...). A run written before the strict reading
existed has only the lenient one, under the plain names; `compare` reads it as such.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from pathlib import Path

from assistant.presenter import present
from index.errors import QueryError
from index.records import Answer
from eval.tatqa_official import headline

KS = (1, 3, 5, 10)


def emit(result: dict, out: Path | None) -> None:
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n")


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` 0.95 for p95) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# --- summary ----------------------------------------------------------------------------------------------------


def summarize(records: list[dict]) -> dict:
    summary = _block(records)
    summary["by_answer_type"] = {kind: _block([r for r in records if r.get("answer_type") == kind])
                                 for kind in sorted({r.get("answer_type") for r in records if r.get("answer_type")})}
    tags = sorted({tag for record in records for tag in record.get("tags") or []})
    summary["by_tag"] = {tag: _block([r for r in records if tag in (r.get("tags") or [])]) for tag in tags}
    return summary


def _outcomes(records: list[dict], key: str) -> dict:
    counts = defaultdict(int)
    for record in records:
        counts[record.get(key) or record["outcome"]] += 1
    count = len(records)
    return {"correct": counts["correct"], "wrong": counts["wrong"], "refused": counts["refused"],
            "accuracy": round(counts["correct"] / count, 4), "wrong_rate": round(counts["wrong"] / count, 4),
            "refusal_rate": round(counts["refused"] / count, 4)}


def _block(records: list[dict]) -> dict:
    count = len(records)
    if not count:
        return {"questions": 0}
    answered = [r for r in records if "answer" in r]
    seconds = [r["seconds"] * 1000 for r in records if "seconds" in r]
    numbers = sum(r.get("numbers", 0) for r in answered)
    cited = [r for r in answered if r.get("citations_with_figure") is not None and r.get("citations")]
    with_evidence = [r for r in records if "evidence_rank" in r]
    text = [r for r in records if "em" in r and r.get("answer_type") == "text"]
    scored = [r for r in records if "em" in r]
    tokens = defaultdict(int)
    for record in answered:
        for key, value in (record["answer"].get("tokens") or {}).items():
            tokens[key] += value
    block = {
        "questions": count,
        **_outcomes(records, "outcome"),
        "wrong_figures": sum(1 for r in records if r.get("wrong_figure")),
        "lenient": _outcomes(records, "lenient_outcome"),
        "errors": sum(1 for r in records if "error" in r),
        "faithfulness": {
            "grounded_share": round(sum(r["grounded"] for r in answered) / len(answered), 4) if answered else None,
            "supported_number_share": round(1 - sum(r.get("unsupported", 0) for r in answered) / numbers, 4) if numbers else None,
            "citation_precision": round(sum(r["citations_with_figure"] for r in cited) / sum(r["citations"] for r in cited), 4)
            if cited else None,
        },
    }
    if with_evidence:
        def recall(key: str, k: int) -> float:
            return round(sum(1 for r in with_evidence if r.get(key) and r[key] <= k) / len(with_evidence), 4)
        block["retrieval"] = {
            "questions": len(with_evidence),
            "recall_at": {str(k): recall("retrieval_rank", k) for k in KS},
            "mrr": round(sum(1 / r["retrieval_rank"] for r in with_evidence if r.get("retrieval_rank")) / len(with_evidence), 4),
            # The evidence ranking lists the cited passages first, then the top retrieved ones.
            "cited_or_top5": round(sum(1 for r in with_evidence if r.get("evidence_rank") and "answer" in r
                                       and r["evidence_rank"] <= len(r["answer"]["citations"]) + 5)
                                   / len(with_evidence), 4),
        }
    if text:
        block["text"] = {"questions": len(text), "em": round(statistics.mean(r["em"] for r in text), 4),
                         "f1": round(statistics.mean(r["f1"] for r in text), 4),
                         "gold_in_answer": round(sum(r["gold_in_answer"] for r in text) / len(text), 4)}
    if scored:
        block["em_f1"] = {"questions": len(scored), "em": round(statistics.mean(r["em"] for r in scored), 4),
                          "f1": round(statistics.mean(r["f1"] for r in scored), 4)}
    if seconds:
        block["latency_ms"] = {"p50": round(statistics.median(seconds), 1), "p95": round(percentile(seconds, 0.95), 1),
                               "max": round(max(seconds), 1)}
    if tokens:
        block["llm_tokens"] = dict(tokens)
    return block


# --- report.md --------------------------------------------------------------------------------------------------


def write_report(out: Path, summary: dict, records: list[dict]) -> None:
    plots = _plots(out, summary, records)
    lenient = summary["lenient"]
    lines = [f"# Evaluation: {summary['run']['questions']}", "",
             f"Mode `{summary['run']['mode']}`, backend `{summary['run']['backend']}`, {summary['run']['documents']} "
             f"documents, {summary['questions']} questions.", "",
             *_official(summary.get("official")),
             "Strict reading (eval/scoring.py): a figure at the gold's precision and in its scale, a text's short answer "
             "or key phrases, the gold quotes cited, every number grounded.", "",
             "| Accuracy | Wrong answers | Refused | Wrong figures | Grounded | Numbers supported | Citation precision "
             "| p50 | p95 |",
             "|---|---|---|---|---|---|---|---|---|",
             _row(summary), "",
             f"Lenient reading (1% tolerance, a figure also read without its scale, a text's gold anywhere in the "
             f"answer, no citation or grounding check): accuracy {lenient['accuracy']:.1%}, wrong "
             f"{lenient['wrong_rate']:.1%}, refused {lenient['refusal_rate']:.1%} ({lenient['correct']} correct, "
             f"{lenient['wrong']} wrong, {lenient['refused']} refused).", ""]
    if "retrieval" in summary:
        retrieval = summary["retrieval"]
        lines += ["Retrieval of gold evidence (" + str(retrieval["questions"]) + " questions): "
                  + ", ".join(f"recall@{k} {value:.1%}" for k, value in retrieval["recall_at"].items())
                  + f", MRR {retrieval['mrr']:.3f}, cited or in the top 5: {retrieval['cited_or_top5']:.1%}.", ""]
    if "em_f1" in summary:
        lines += [f"Our own TAT-QA-style exact match and F1 (eval/scoring.py, not TAT-QA's script) over number and "
                  f"text answers ({summary['em_f1']['questions']}): EM {summary['em_f1']['em']:.1%}, "
                  f"F1 {summary['em_f1']['f1']:.1%}.", ""]
    if "text" in summary:
        text = summary["text"]
        lines += [f"Text answers ({text['questions']}): EM {text['em']:.1%}, F1 {text['f1']:.1%}, gold in the answer "
                  f"{text['gold_in_answer']:.1%}.", ""]
    for title, key in (("By answer type", "by_answer_type"), ("By tag", "by_tag")):
        lines += [f"## {title}", "", "| | Questions | Accuracy | Wrong | Refused | Wrong figures | Lenient accuracy |",
                  "|---|---|---|---|---|---|---|"]
        for name, block in summary[key].items():
            lines.append(f"| {name} | {block['questions']} | {block['accuracy']:.1%} | {block['wrong_rate']:.1%} | "
                         f"{block['refusal_rate']:.1%} | {block['wrong_figures']} | {block['lenient']['accuracy']:.1%} |")
        lines.append("")
    lines += ["## Plots", ""] + [f"![{name}]({name})" for name in plots] + [""]
    # Worst first: a figure given and far off, then other wrong answers, then crashes.
    wrong = [r for r in records if r["outcome"] == "wrong"]
    worst = sorted(wrong, key=lambda r: ("error" in r, not r.get("wrong_figure"), r.get("relative_error") is None,
                                         -(r.get("relative_error") or 0)))[:20]
    lines += ["## The 20 worst answers (strict)", "", "| Question | Gold | Answer | Why |", "|---|---|---|---|"]
    for record in worst:
        said = record.get("error") or _said(record["answer"])
        gold = record["gold"]
        lines.append(f"| {_cell(gold['question'])} | {_cell(str(gold.get('answer')))} "
                     f"{gold.get('scale') or ''} {gold.get('unit') or ''} | {_cell(said)} | "
                     f"{_cell(record.get('reason') or '', 100)} |")
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _official(section: dict | None) -> list[str]:
    """TAT-QA's official scores (eval/tatqa_official.py), the headline of a TAT-QA run, with its EM by answer type
    and answer source."""
    if section is None:
        return []
    lines = [f"**{headline(section)}**", ""]
    if "error" in section:
        return lines
    lines += [f"Predictions: {section['predictions']} of {section['questions']} questions (a refusal is no prediction, "
              f"so a miss); a number is compared as its value times its scale word, at two decimals of that scale.", ""]
    sources = sorted({source for row in section["counts"].values() for source in row})
    lines += ["| EM (questions) | " + " | ".join(sources) + " |", "|---" * (len(sources) + 1) + "|"]
    for kind, row in section["em_detail"].items():
        lines.append(f"| {kind} | " + " | ".join(f"{row.get(source, 0):.2f} ({section['counts'][kind].get(source, 0)})"
                                                for source in sources) + " |")
    return lines + [""]


def _said(answer: dict) -> str:
    """An answer as every front end shows it (the presenter's headline, then its text)."""
    shown = present(Answer.from_json(answer))
    return f"{shown.headline}: {shown.body}" if shown.headline else shown.body


def _row(block: dict) -> str:
    faith = block["faithfulness"]
    latency = block.get("latency_ms", {})

    def share(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    return (f"| {block['accuracy']:.1%} | {block['wrong_rate']:.1%} | {block['refusal_rate']:.1%} | "
            f"{block['wrong_figures']} | {share(faith['grounded_share'])} | {share(faith['supported_number_share'])} | "
            f"{share(faith['citation_precision'])} | {latency.get('p50', '—')} ms | {latency.get('p95', '—')} ms |")


def _cell(text: str, width: int = 160) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text[:width] + ("…" if len(text) > width else "")


def _plots(out: Path, summary: dict, records: list[dict]) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    tags = summary["by_tag"] or {"all": summary}
    figure, axes = plt.subplots(figsize=(8, max(2.5, 0.35 * len(tags) + 1)))
    labels = list(tags)
    left = [0.0] * len(labels)
    for key, color in (("correct", "#2e7d32"), ("wrong", "#c62828"), ("refused", "#9e9e9e")):
        values = [tags[name].get(key, 0) for name in labels]
        axes.barh(labels, values, left=left, color=color, label=key)
        left = [a + b for a, b in zip(left, values)]
    axes.set_xlim(0, max(left + [1]) * 1.08)
    axes.set_xlabel("questions")
    axes.legend(loc="lower right")
    axes.set_title("Outcomes by tag (strict)")
    figure.tight_layout()
    figure.savefig(out / "outcomes_by_tag.png", dpi=110)
    plt.close(figure)
    names.append("outcomes_by_tag.png")
    if "retrieval" in summary:
        figure, axes = plt.subplots(figsize=(5, 3.2))
        ks = list(summary["retrieval"]["recall_at"])
        values = [summary["retrieval"]["recall_at"][k] for k in ks]
        axes.plot([int(k) for k in ks], values, marker="o")
        for k, value in zip(ks, values):
            axes.annotate(f"{value:.0%}", (int(k), value), textcoords="offset points", xytext=(0, 6), ha="center")
        axes.set_xticks([int(k) for k in ks])
        axes.set_ylim(0, 1.1)
        axes.set_xlabel("k")
        axes.set_ylabel("recall@k")
        axes.set_title("Retrieval of gold evidence")
        figure.tight_layout()
        figure.savefig(out / "retrieval_recall.png", dpi=110)
        plt.close(figure)
        names.append("retrieval_recall.png")
    seconds = [r["seconds"] * 1000 for r in records if "seconds" in r]
    if seconds:
        figure, axes = plt.subplots(figsize=(5, 3.2))
        axes.hist(seconds, bins=30, color="#1565c0")
        axes.set_xlabel("ms per question")
        axes.set_ylabel("questions")
        axes.set_title("Latency")
        figure.tight_layout()
        figure.savefig(out / "latency.png", dpi=110)
        plt.close(figure)
        names.append("latency.png")
    return names


# --- compare ----------------------------------------------------------------------------------------------------


def load_run(folder: Path) -> tuple[dict[str, dict], dict]:
    """A finished run's records by question id, and its summary."""
    if not (folder / "results.jsonl").is_file() or not (folder / "summary.json").is_file():
        raise QueryError(f"{folder}: not a finished run (results.jsonl and summary.json are missing)")
    results = {}
    for line in (folder / "results.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            results[record["id"]] = record
    return results, json.loads((folder / "summary.json").read_text())


def compare(run_a: Path, run_b: Path) -> dict:
    """Per-question changes between two runs (fixed, broken, changed) and the deltas of the headline rates, in the
    strict reading (`reading` "strict"; "lenient" when a run predates it) and, under `lenient`, in the lenient one."""
    results_a, summary_a = load_run(run_a)
    results_b, summary_b = load_run(run_b)
    strict = all("lenient_outcome" in record for record in [*results_a.values(), *results_b.values()])
    lenient = _changes(results_a, results_b, "lenient_outcome", _lenient(summary_a), _lenient(summary_b))
    headline = _changes(results_a, results_b, "outcome", summary_a, summary_b) if strict else lenient
    return {"reading": "strict" if strict else "lenient", **headline,
            "wrong_figures": {"a": summary_a.get("wrong_figures"), "b": summary_b.get("wrong_figures")},
            "lenient": lenient,
            "only_in_a": sorted(results_a.keys() - results_b.keys()), "only_in_b": sorted(results_b.keys() - results_a.keys())}


def _lenient(summary: dict) -> dict:
    return summary.get("lenient", summary)  # a run from before the strict reading has only the lenient one


def _changes(results_a: dict, results_b: dict, key: str, summary_a: dict, summary_b: dict) -> dict:
    fixed, broken, changed = [], [], []
    for question_id in sorted(results_a.keys() & results_b.keys()):
        before = results_a[question_id].get(key) or results_a[question_id]["outcome"]
        after = results_b[question_id].get(key) or results_b[question_id]["outcome"]
        if before == after:
            continue
        entry = {"id": question_id, "before": before, "after": after}
        (fixed if after == "correct" else broken if before == "correct" else changed).append(entry)
    deltas = {name: round(summary_b[name] - summary_a[name], 4) for name in ("accuracy", "wrong_rate", "refusal_rate")}
    return {"fixed": fixed, "broken": broken, "changed": changed, "deltas": deltas}
