"""The evaluation harness: ask a question set with the one Assistant, score it, and write a report.

    disclosures eval run --questions FILE --docs DIR [--mode shared|per-doc] [--backend B] [--limit N] [--out runs/NAME]
    disclosures eval compare RUN_A RUN_B

`run` ingests DIR into a data dir of its own (`<out>/../.stores/<name of DIR>-<hash of its path>`, reused: an
unchanged file is not ingested again), asks every question (in `shared` mode with every document in one store, as
analysts use it; in `per-doc` mode filtered to the question's `doc`), and writes into the run folder:
- results.jsonl: per question, the gold, the full Answer record, the outcome, text EM/F1, retrieval ranks, timings;
- summary.json: accuracy, wrong-answer and refusal rates, faithfulness, retrieval recall@k and MRR, latency,
  LLM tokens, all broken down by tag and answer type;
- report.md with PNG plots (outcomes by tag, recall@k, a latency histogram).
A question that crashes is recorded as wrong with its error, and the run goes on. A run that was interrupted
resumes: questions already in results.jsonl are not asked again.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import time
import traceback
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from index.errors import QueryError
from eval.questionset import EvalQuestion, load_question_set
from eval.scoring import exact_match, f1, outcome, short_answer, spans

KS = (1, 3, 5, 10)
RETRIEVAL_DEPTH = 10


def store_dir(out: Path, docs: Path) -> Path:
    resolved = docs.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:10]
    return out.resolve().parent / ".stores" / f"{resolved.name}-{digest}"


def run(questions_file: Path, docs: Path | None, out: Path, mode: str = "shared", backend: str | None = None,
        limit: int | None = None, progress: bool = True, settings=None) -> dict:  # noqa: ANN001
    """Run (or resume) an evaluation; returns the summary."""
    from tqdm import tqdm

    from assistant.answering import Assistant
    from index.settings import load_settings
    from index.ingest import Ingestor
    from index.records import SearchFilters
    from index.retrieval import HybridRetriever
    from index.store import open_store

    if mode not in ("shared", "per-doc"):
        raise QueryError(f"--mode must be shared or per-doc, not {mode!r}")
    if not Path(questions_file).is_file():
        raise QueryError(f"--questions {questions_file}: no such file")
    if docs is None:
        docs = _tatqa_documents(questions_file, out)
    if not docs.is_dir():
        raise QueryError(f"--docs {docs}: not a folder of documents")
    questions = load_question_set(questions_file)[:limit] if limit else load_question_set(questions_file)
    out.mkdir(parents=True, exist_ok=True)
    settings = (settings or load_settings()).with_overrides(data_dir=store_dir(out, docs))
    store = open_store(settings)
    report = Ingestor(store, progress=progress).ingest([docs])
    documents = store.documents()
    by_name = {}
    for document in documents:
        by_name[document.id] = document
        by_name[Path(document.source_path).stem.lower()] = document
        by_name[Path(document.source_path).name.lower()] = document
    assistant = Assistant(store, backend=backend, settings=settings)
    retriever = HybridRetriever(store=store, k=RETRIEVAL_DEPTH)
    store.embeddings.embed_query("warm up")  # the model loads once, before the timings start

    results_path = out / "results.jsonl"
    done = {}
    if results_path.is_file():
        for line in results_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                done[record["id"]] = record
    (out / "run.json").write_text(json.dumps({
        "questions": str(questions_file), "docs": str(docs), "mode": mode, "backend": assistant.backend_name,
        "store": str(settings.store.data_dir), "documents": len(documents), "ingest": report.summary()}, indent=2, default=str))
    with results_path.open("a", encoding="utf-8") as sink:
        for question in tqdm(questions, desc="eval", unit="q", disable=not progress):
            if question.id in done:
                continue
            record = _ask(question, assistant, retriever, by_name, mode, SearchFilters)
            sink.write(json.dumps(record, default=str) + "\n")
            sink.flush()
            done[question.id] = record
    records = [done[question.id] for question in questions if question.id in done]
    summary = summarize(records)
    summary["run"] = json.loads((out / "run.json").read_text())
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    write_report(out, summary, records)
    return summary


def _tatqa_documents(questions_file: Path, out: Path) -> Path:
    """For TAT-QA's JSON, its contexts written as documents next to the run (`<out>/../.docs/`); any other question
    set needs --docs."""
    from eval.tatqa import write_documents

    try:
        data = json.loads(questions_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if not (isinstance(data, list) and data and all(isinstance(item, dict) and "table" in item for item in data)):
        raise QueryError("--docs is needed: the folder of the documents the questions ask about "
                         "(only TAT-QA's JSON brings its own)")
    folder = out.resolve().parent / ".docs" / f"tatqa-{hashlib.sha256(str(questions_file.resolve()).encode()).hexdigest()[:10]}"
    write_documents(data, folder)
    return folder


def _ask(question: EvalQuestion, assistant, retriever, by_name: dict, mode: str, filters_type) -> dict:  # noqa: ANN001
    gold = question.model_dump(mode="json")
    document = by_name.get((question.doc or "").lower()) or by_name.get(Path(question.doc or "").stem.lower())
    filters = None
    if mode == "per-doc" and question.doc:  # a question that names no document is asked of them all
        if document is None:
            return {"id": question.id, "gold": gold, "outcome": "wrong", "error": f"document {question.doc!r} is not in --docs",
                    "tags": question.tags, "answer_type": question.answer_type}
        filters = filters_type(docs=[document.id])
    from assistant.conversation import Conversation

    history = [{"question": turn.question, "answer": turn.answer} for turn in question.history]
    started = time.perf_counter()
    try:
        answer = assistant.ask(question.question, Conversation.from_history(history), filters)
    except Exception as exc:  # noqa: BLE001 - a crash is a failure of this question, not of the run
        return {"id": question.id, "gold": gold, "outcome": "wrong", "tags": question.tags,
                "answer_type": question.answer_type, "error": f"{type(exc).__name__}: {exc}",
                "trace": traceback.format_exc(limit=6), "seconds": round(time.perf_counter() - started, 4)}
    seconds = time.perf_counter() - started
    record = {"id": question.id, "gold": gold, "answer": answer.to_json(), "outcome": outcome(question, answer),
              "tags": question.tags, "answer_type": question.answer_type, "seconds": round(seconds, 4)}
    if question.answer_type == "number":
        # TAT-QA's exact match for a number: the same value, in the gold's scale, at two decimals. (TAT-QA's own
        # script also asks for the scale as a separate prediction; a figure here carries one only when the
        # document states it, so a figure from a table that never says "in thousands" is compared as printed.)
        record["em"] = record["f1"] = float(_same_number(question, answer))
        record["relative_error"] = _relative_error(question, answer)
    if question.answer_type == "text":
        record["short_answer"] = short = short_answer(question.question, answer)
        record["em"] = exact_match(short, question.answer)
        record["f1"] = f1(short, question.answer)
        record["gold_in_answer"] = all(span.lower() in answer.text.lower() for span in spans(question.answer))
    record.update(_faithfulness(answer))
    if question.evidence:
        hits = retriever.search(question.question, k=RETRIEVAL_DEPTH, filters=filters)
        cited = [(citation.doc_id, citation.page, citation.quote) for citation in answer.citations]
        ranked = cited + [(hit.passage.doc_id, hit.passage.page, hit.passage.text) for hit in hits]
        record["evidence_rank"] = _first_match(question, ranked, by_name)
        record["retrieval_rank"] = _first_match(question, [(hit.passage.doc_id, hit.passage.page, hit.passage.text)
                                                            for hit in hits], by_name)
    return record


def _same_number(question: EvalQuestion, answer) -> bool:  # noqa: ANN001
    from decimal import Decimal

    if answer.value is None or answer.refused:
        return False
    multiplier = question.amount / question.answer if question.answer else Decimal(1)
    candidates = [answer.value.number * answer.value.scale / (multiplier or 1)]
    if answer.value.scale == 1:  # a table that states no scale: the figure as printed is in the gold's scale
        candidates.append(answer.value.number)
    return any(round(predicted, 2) == round(Decimal(question.answer), 2) for predicted in candidates)


def _relative_error(question: EvalQuestion, answer) -> float | None:  # noqa: ANN001
    if answer.value is None or answer.refused or not question.amount:
        return None
    return float(abs(answer.value.number * answer.value.scale - question.amount) / abs(question.amount))


def _faithfulness(answer) -> dict:  # noqa: ANN001
    from assistant.guard import numbers_in_answer

    clean = answer.text.replace(" [unverified]", "")
    figures = numbers_in_answer(clean)
    cited_with_figure = 0
    for citation in answer.citations:
        quoted = {number.value.copy_abs() for number in numbers_in_answer(citation.quote)}
        if any(number.value.copy_abs() in quoted for number in figures):
            cited_with_figure += 1
    return {"grounded": answer.grounded, "numbers": len(figures), "unsupported": len(answer.unsupported_numbers),
            "citations": len(answer.citations), "citations_with_figure": cited_with_figure if figures else None}


def _first_match(question: EvalQuestion, ranked: Sequence[tuple[str, int | None, str]], by_name: dict) -> int | None:
    """The 1-based rank of the first passage that is gold evidence: same document and page, or, for evidence given
    as text, a passage holding most of its words."""
    for rank, (doc_id, page, text) in enumerate(ranked, start=1):
        for evidence in question.evidence:
            name = (evidence.doc or question.doc or "").lower()
            document = by_name.get(name) or by_name.get(Path(name).stem.lower())
            if document is not None and document.id != doc_id:
                continue
            if evidence.page is not None:
                if page == evidence.page:
                    return rank
                continue
            if evidence.text and _overlaps(evidence.text, text):
                return rank
    return None


def _overlaps(gold: str, passage: str) -> bool:
    words = re.findall(r"\w+", gold.lower())
    if not words:
        return False
    have = set(re.findall(r"\w+", passage.lower()))
    return sum(word in have for word in words) / len(words) >= 0.8


# --- summary ----------------------------------------------------------------------------------------------------


def summarize(records: list[dict]) -> dict:
    summary = _block(records)
    summary["by_answer_type"] = {kind: _block([r for r in records if r.get("answer_type") == kind])
                                 for kind in sorted({r.get("answer_type") for r in records if r.get("answer_type")})}
    tags = sorted({tag for record in records for tag in record.get("tags") or []})
    summary["by_tag"] = {tag: _block([r for r in records if tag in (r.get("tags") or [])]) for tag in tags}
    return summary


def _block(records: list[dict]) -> dict:
    count = len(records)
    if not count:
        return {"questions": 0}
    outcomes = defaultdict(int)
    for record in records:
        outcomes[record["outcome"]] += 1
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
        "correct": outcomes["correct"], "wrong": outcomes["wrong"], "refused": outcomes["refused"],
        "accuracy": round(outcomes["correct"] / count, 4),
        "wrong_rate": round(outcomes["wrong"] / count, 4),
        "refusal_rate": round(outcomes["refused"] / count, 4),
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
        block["latency_ms"] = {"p50": round(statistics.median(seconds), 1), "p95": round(_percentile(seconds, 0.95), 1),
                               "max": round(max(seconds), 1)}
    if tokens:
        block["llm_tokens"] = dict(tokens)
    return block


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# --- report -----------------------------------------------------------------------------------------------------


def write_report(out: Path, summary: dict, records: list[dict]) -> None:
    plots = _plots(out, summary, records)
    lines = [f"# Evaluation: {summary['run']['questions']}", "",
             f"Mode `{summary['run']['mode']}`, backend `{summary['run']['backend']}`, {summary['run']['documents']} "
             f"documents, {summary['questions']} questions.", "",
             "| Accuracy | Wrong answers | Refused | Grounded | Numbers supported | Citation precision | p50 | p95 |",
             "|---|---|---|---|---|---|---|---|",
             _row(summary), ""]
    if "retrieval" in summary:
        retrieval = summary["retrieval"]
        lines += ["Retrieval of gold evidence (" + str(retrieval["questions"]) + " questions): "
                  + ", ".join(f"recall@{k} {value:.1%}" for k, value in retrieval["recall_at"].items())
                  + f", MRR {retrieval['mrr']:.3f}, cited or in the top 5: {retrieval['cited_or_top5']:.1%}.", ""]
    if "em_f1" in summary:
        lines += [f"TAT-QA-style exact match and F1 over number and text answers ({summary['em_f1']['questions']}): "
                  f"EM {summary['em_f1']['em']:.1%}, F1 {summary['em_f1']['f1']:.1%}.", ""]
    if "text" in summary:
        text = summary["text"]
        lines += [f"Text answers ({text['questions']}): EM {text['em']:.1%}, F1 {text['f1']:.1%}, gold in the answer "
                  f"{text['gold_in_answer']:.1%}.", ""]
    for title, key in (("By answer type", "by_answer_type"), ("By tag", "by_tag")):
        lines += [f"## {title}", "", "| | Questions | Accuracy | Wrong | Refused |", "|---|---|---|---|---|"]
        for name, block in summary[key].items():
            lines.append(f"| {name} | {block['questions']} | {block['accuracy']:.1%} | {block['wrong_rate']:.1%} | "
                         f"{block['refusal_rate']:.1%} |")
        lines.append("")
    lines += ["## Plots", ""] + [f"![{name}]({name})" for name in plots] + [""]
    # Worst first: a figure given and far off, then other wrong answers, then crashes.
    wrong = [r for r in records if r["outcome"] == "wrong"]
    worst = sorted(wrong, key=lambda r: ("error" in r, r.get("relative_error") is None, -(r.get("relative_error") or 0)))[:20]
    lines += ["## The 20 worst answers", "", "| Question | Gold | Answer |", "|---|---|---|"]
    for record in worst:
        said = record.get("error") or (record.get("answer") or {}).get("text", "")
        gold = record["gold"]
        lines.append(f"| {_cell(gold['question'])} | {_cell(str(gold.get('answer')))} "
                     f"{gold.get('scale') or ''} {gold.get('unit') or ''} | {_cell(said)} |")
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _row(block: dict) -> str:
    faith = block["faithfulness"]
    latency = block.get("latency_ms", {})

    def share(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    return (f"| {block['accuracy']:.1%} | {block['wrong_rate']:.1%} | {block['refusal_rate']:.1%} | "
            f"{share(faith['grounded_share'])} | {share(faith['supported_number_share'])} | "
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
    axes.set_title("Outcomes by tag")
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


def compare(run_a: Path, run_b: Path) -> dict:
    """Per-question changes between two runs (fixed, broken, changed) and the deltas of the headline metrics."""
    def load(folder: Path) -> tuple[dict, dict]:
        if not (folder / "results.jsonl").is_file() or not (folder / "summary.json").is_file():
            raise QueryError(f"{folder}: not a finished run (results.jsonl and summary.json are missing)")
        results = {}
        for line in (folder / "results.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                results[record["id"]] = record
        return results, json.loads((folder / "summary.json").read_text())

    results_a, summary_a = load(run_a)
    results_b, summary_b = load(run_b)
    fixed, broken, changed = [], [], []
    for question_id in results_a.keys() & results_b.keys():
        before, after = results_a[question_id]["outcome"], results_b[question_id]["outcome"]
        if before == after:
            continue
        entry = {"id": question_id, "before": before, "after": after}
        if after == "correct":
            fixed.append(entry)
        elif before == "correct":
            broken.append(entry)
        else:
            changed.append(entry)
    deltas = {key: round(summary_b[key] - summary_a[key], 4) for key in ("accuracy", "wrong_rate", "refusal_rate")}
    return {"fixed": sorted(fixed, key=lambda e: e["id"]), "broken": sorted(broken, key=lambda e: e["id"]),
            "changed": sorted(changed, key=lambda e: e["id"]), "deltas": deltas,
            "only_in_a": sorted(results_a.keys() - results_b.keys()), "only_in_b": sorted(results_b.keys() - results_a.keys())}
