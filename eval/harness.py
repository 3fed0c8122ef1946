"""The evaluation harness: ask a question set with the one Assistant, score it, and write a report.

    disclosures eval run --questions FILE --docs DIR [--docs DIR ...] [--mode shared|per-doc] [--backend B]
                         [--limit N] [--out runs/NAME]
    disclosures eval compare RUN_A RUN_B

`run` ingests the --docs folders into one data dir of its own (`<out>/../.stores/<folder names>-<hash of their
paths>`, reused: an unchanged file is not ingested again), asks every question (in `shared` mode with every
document in one store, as analysts use it; in `per-doc` mode filtered to the question's `doc`), scores each answer
in both readings of eval/scoring.py, and writes into the run folder (eval/report.py):
- results.jsonl: per question, the gold, the full Answer record, the strict `outcome` with its `reason`, the
  `lenient_outcome`, `wrong_figure`, text EM/F1, retrieval ranks, timings;
- summary.json: strict accuracy, wrong-answer and refusal rates and wrong figures, the lenient ones under
  `lenient`, faithfulness, retrieval recall@k and MRR, latency, LLM tokens, all broken down by tag and answer type;
- report.md with PNG plots (outcomes by tag, recall@k, a latency histogram).
For TAT-QA's JSON, the run is also scored by TAT-QA's own script (eval/tatqa_official.py): predictions.json in
the run folder, and its EM, F1 and EM by answer type and source under `official`, the headline for TAT-QA.
A question that crashes is recorded as wrong with its error, and the run goes on. A run that was interrupted
resumes: questions already in results.jsonl are not asked again.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from index.errors import QueryError
from eval.questionset import EvalQuestion, load_question_set
from eval.report import summarize, write_report
from eval.scoring import exact_match, f1, score, short_answer, spans
from eval.tatqa import contexts_in
from eval.tatqa_official import official_scores

RETRIEVAL_DEPTH = 10


def store_dir(out: Path, docs: Path | Sequence[Path]) -> Path:
    """The run's own data dir, named after the --docs folders and a hash of their paths (one folder keeps the name
    it always had, so its store is reused)."""
    folders = [Path(docs).resolve()] if isinstance(docs, (str, Path)) else [Path(folder).resolve() for folder in docs]
    digest = hashlib.sha256("\n".join(str(folder) for folder in folders).encode()).hexdigest()[:10]
    return out.resolve().parent / ".stores" / f"{'+'.join(folder.name for folder in folders)}-{digest}"


def run(questions_file: Path, docs: Path | Sequence[Path] | None, out: Path, mode: str = "shared",
        backend: str | None = None, limit: int | None = None, progress: bool = True, settings=None) -> dict:  # noqa: ANN001
    """Run (or resume) an evaluation of `questions_file` over the documents in `docs` (one folder or several, in
    one store); returns the summary."""
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
    folders = [Path(docs)] if isinstance(docs, (str, Path)) else list(docs or [])
    if not folders:
        folders = [_tatqa_documents(questions_file, out)]
    for folder in folders:
        if not folder.is_dir():
            raise QueryError(f"--docs {folder}: not a folder of documents")
    questions = load_question_set(questions_file)[:limit] if limit else load_question_set(questions_file)
    out.mkdir(parents=True, exist_ok=True)
    settings = (settings or load_settings()).with_overrides(data_dir=store_dir(out, folders))
    store = open_store(settings)
    report = Ingestor(store, progress=progress).ingest(folders)
    documents = store.documents()
    by_name = {}
    for document in documents:
        by_name[document.id] = document
        by_name[Path(document.source_path).stem.lower()] = document
        by_name[Path(document.source_path).name.lower()] = document
    assistant = Assistant(store, backend=backend, settings=settings)
    retriever = HybridRetriever(store=store, k=RETRIEVAL_DEPTH)
    texts = _DocumentTexts(store)
    store.embeddings.embed_query("warm up")  # the model loads once, before the timings start

    results_path = out / "results.jsonl"
    done, stale = {}, 0
    if results_path.is_file():
        for line in results_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                if "lenient_outcome" in record:
                    done[record["id"]] = record
                else:  # scored before the strict reading existed: asked again
                    stale += 1
    (out / "run.json").write_text(json.dumps({
        "questions": str(questions_file), "docs": [str(folder) for folder in folders], "mode": mode,
        "backend": assistant.backend_name, "store": str(settings.store.data_dir), "documents": len(documents),
        "ingest": report.summary()}, indent=2, default=str))
    if stale:  # rewritten with what is kept, so a question asked again is not listed twice
        results_path.write_text("".join(json.dumps(record, default=str) + "\n" for record in done.values()),
                                encoding="utf-8")
    with results_path.open("a", encoding="utf-8") as sink:
        for question in tqdm(questions, desc="eval", unit="q", disable=not progress):
            if question.id in done:
                continue
            record = _ask(question, assistant, retriever, by_name, texts, mode, SearchFilters)
            sink.write(json.dumps(record, default=str) + "\n")
            sink.flush()
            done[question.id] = record
    records = [done[question.id] for question in questions if question.id in done]
    summary = summarize(records)
    summary["run"] = json.loads((out / "run.json").read_text())
    if contexts_in(questions_file) is not None:  # TAT-QA's JSON: also scored by TAT-QA's own script, the headline
        summary["official"] = official_scores(questions_file, records, out)
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    write_report(out, summary, records)
    return summary


def _tatqa_documents(questions_file: Path, out: Path) -> Path:
    """For TAT-QA's JSON, its contexts written as documents next to the run (`<out>/../.docs/`); any other question
    set needs --docs."""
    from eval.tatqa import contexts_in, write_documents

    data = contexts_in(questions_file)
    if data is None:
        raise QueryError("--docs is needed: the folder of the documents the questions ask about "
                         "(only TAT-QA's JSON brings its own)")
    folder = out.resolve().parent / ".docs" / f"tatqa-{hashlib.sha256(str(questions_file.resolve()).encode()).hexdigest()[:10]}"
    write_documents(data, folder)
    return folder


def _ask(question: EvalQuestion, assistant, retriever, by_name: dict, texts: _DocumentTexts, mode: str,
         filters_type) -> dict:  # noqa: ANN001
    gold = question.model_dump(mode="json")
    document = _document(question.doc, by_name)
    filters = None
    base = {"id": question.id, "gold": gold, "tags": question.tags, "answer_type": question.answer_type}
    if mode == "per-doc" and question.doc:  # a question that names no document is asked of them all
        if document is None:
            return {**base, "outcome": "wrong", "lenient_outcome": "wrong", "wrong_figure": False,
                    "error": f"document {question.doc!r} is not in --docs"}
        filters = filters_type(docs=[document.id])
    from assistant.conversation import Conversation

    history = [{"question": turn.question, "answer": turn.answer} for turn in question.history]
    started = time.perf_counter()
    try:
        answer = assistant.ask(question.question, Conversation.from_history(history), filters)
    except Exception as exc:  # noqa: BLE001 - a crash is a failure of this question, not of the run
        return {**base, "outcome": "wrong", "lenient_outcome": "wrong", "wrong_figure": False,
                "error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc(limit=6),
                "seconds": round(time.perf_counter() - started, 4)}
    seconds = time.perf_counter() - started
    text = texts.get(document.id) if question.citations and document is not None else None
    scored = score(question, answer, text, document.id if document is not None else None)
    record = {**base, "answer": answer.to_json(), "outcome": scored.outcome, "reason": scored.reason,
              "lenient_outcome": scored.lenient, "wrong_figure": scored.wrong_figure, "seconds": round(seconds, 4)}
    if question.answer_type == "number":
        # Our own reading of TAT-QA's exact match for a number: the same value, in the gold's scale, at two
        # decimals, and a figure from a table that never says "in thousands" compared as printed. TAT-QA's own
        # script (eval/tatqa_official.py, the headline) wants the scale too, so it counts that figure as a miss.
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


def _document(name: str | None, by_name: dict):  # noqa: ANN202
    """The stored document a question or its evidence names (doc id, file name or file stem)."""
    name = (name or "").lower()
    return by_name.get(name) or by_name.get(Path(name).stem.lower()) if name else None


class _DocumentTexts:
    """Each document's text from the catalog, read once (the citation check of eval/scoring.py needs it)."""

    def __init__(self, store) -> None:  # noqa: ANN001
        self.store, self.texts = store, {}

    def get(self, doc_id: str) -> str:
        if doc_id not in self.texts:
            self.texts[doc_id] = self.store.catalog.document_text(doc_id)
        return self.texts[doc_id]


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
    from index.numbers import numbers_in_text as numbers_in_answer

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
            document = _document(evidence.doc or question.doc, by_name)
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
