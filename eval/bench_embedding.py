"""Embedding-model throughput alone: `python -m eval.bench_embedding [--backends torch onnx onnx-int8 static]`.

Chunks a few shared filings the way ingest does, then times the embedding model on those passages at several
batch sizes and token limits. It tells how much of ingestion time is the model itself. Prints one JSON document.

With `--backends`, it times each embedding backend (DISCLOSURES_EMBEDDING_BACKEND) instead, on the same passages,
through the same `embed_documents` that ingest calls with the same groups of passages, after a warm-up; the
backends take each group in turn, so a change of load on a shared machine falls on all of them alike. Each backend's rate is also given as a ratio to
torch's in the same run, and its vectors are compared with torch's: cosine when they have the same dimension, and
for every backend the share of each passage's 10 nearest passages (in the sample) that torch finds too.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

from eval.bench_ingest import SHARED

DEFAULT_FILES = [SHARED / "corpus" / "bulk" / "EBAY_2019_10K.pdf", SHARED / "corpus" / "filings" / "INTEL_2023Q1_EARNINGS.pdf"]


def sample_passages(files: list[Path], count: int) -> list[str]:
    from index.chunking import Chunker
    from index.loading import load_file
    from index.records import Passage

    texts = []
    for path in files:
        loaded = load_file(path, 10**9)
        for ordinal, draft in enumerate(Chunker().chunk(loaded)):
            header = loaded.text[draft.header_start:draft.header_end] if draft.header_start is not None else None
            passage = Passage(id=str(ordinal), doc_id="d", ordinal=ordinal, kind=draft.kind, page=draft.page,
                              section=draft.section, start=draft.start, end=draft.end,
                              text=loaded.text[draft.start:draft.end], header=header)
            texts.append(passage.embedding_text())
    random.Random(1).shuffle(texts)
    return texts[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=Path, nargs="+", default=DEFAULT_FILES)
    parser.add_argument("--passages", type=int, default=512)
    parser.add_argument("--backends", nargs="+", metavar="BACKEND",
                        help="time these embedding backends (torch, onnx, onnx-int8, static); torch is always included")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the passages with --backends")
    parser.add_argument("--models-dir", type=Path, default=None,
                        help="where the backends' artefacts are cached (default: the data dir's models/)")
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.files if not path.is_file()]
    if missing:
        print(f"error: file(s) not found: {', '.join(missing)} (the benchmark reads ../shared/corpus)", file=sys.stderr)
        return 2

    from index.settings import EMBEDDING_BACKENDS, Settings
    from index.embedding import get_embeddings

    unknown = sorted(set(args.backends or []) - set(EMBEDDING_BACKENDS))
    if unknown:
        print(f"error: unknown backend(s) {', '.join(unknown)}; choose from {', '.join(EMBEDDING_BACKENDS)}", file=sys.stderr)
        return 2
    texts = sample_passages(args.files, args.passages)
    if args.backends:
        result = compare_backends(texts, ["torch", *[name for name in dict.fromkeys(args.backends) if name != "torch"]],
                                  args.models_dir or Settings().store.resolved_models_dir(), max(1, args.rounds))
        print(json.dumps(result, indent=2))
        return 0

    model = get_embeddings(Settings().store.resolved_embedding_model())._client
    tokens = [len(ids) for ids in model.tokenizer(texts)["input_ids"]]
    model.encode(texts[:32])
    runs = []
    default_limit = model.max_seq_length
    for max_tokens in (default_limit, 128):
        model.max_seq_length = max_tokens
        for batch_size in (16, 32):
            started = time.perf_counter()
            model.encode(texts, batch_size=batch_size)
            seconds = time.perf_counter() - started
            runs.append({"max_tokens": max_tokens, "batch_size": batch_size, "passages_per_second": round(len(texts) / seconds, 1)})
    model.max_seq_length = default_limit
    result = {
        "passages": len(texts),
        "mean_characters": round(statistics.mean(len(text) for text in texts)),
        "mean_tokens": round(statistics.mean(tokens), 1),
        "share_over_256_tokens": round(sum(count > 256 for count in tokens) / len(tokens), 3),
        "runs": runs,
    }
    print(json.dumps(result, indent=2))
    return 0


def compare_backends(texts: list[str], backends: list[str], models_dir: Path, rounds: int) -> dict:
    """Rate and agreement with torch of each backend on the same passages (torch first)."""
    import numpy as np

    from index.embedding import get_embeddings
    from index.settings import Settings

    settings = Settings().store
    model = settings.resolved_embedding_model()
    loaded, load_seconds = {}, {}
    for backend in backends:
        started = time.perf_counter()
        loaded[backend] = get_embeddings(model, settings.embedding_device, settings.embedding_batch_size, backend, models_dir)
        loaded[backend].embed_documents(texts[:32])  # warm-up: first-call allocations and lazy initialisation
        load_seconds[backend] = time.perf_counter() - started
    # Ingest hands the model groups of 8 batches; the backends take each group in turn (the first one rotating),
    # so a burst of load from other jobs on a shared machine falls on all of them alike.
    group = settings.embedding_batch_size * 8
    seconds = {backend: [0.0] * rounds for backend in backends}
    parts: dict[str, list] = {backend: [] for backend in backends}
    for round_index in range(rounds):
        for turn, start in enumerate(range(0, len(texts), group)):
            for backend in backends[turn % len(backends):] + backends[:turn % len(backends)]:
                started = time.perf_counter()
                found = loaded[backend].embed_documents(texts[start:start + group])
                seconds[backend][round_index] += time.perf_counter() - started
                if round_index == 0:
                    parts[backend].append(np.asarray(found, dtype=np.float32))
    vectors = {backend: np.concatenate(parts[backend]) for backend in backends}
    reference = vectors["torch"]
    torch_rate = len(texts) * rounds / sum(seconds["torch"])
    rows = []
    for backend in backends:
        rate = len(texts) * rounds / sum(seconds[backend])
        row = {"backend": backend, "dimension": int(vectors[backend].shape[1]),
               # what the backend runs at once (int8 ONNX runs one text at a time; static has no batches)
               "batch_size": getattr(loaded[backend], "batch_size", None) or getattr(loaded[backend], "encode_kwargs", {}).get("batch_size"),
               "load_seconds": round(load_seconds[backend], 2),
               "passages_per_second": round(rate, 1),
               "passages_per_second_rounds": [round(len(texts) / value, 1) for value in seconds[backend]],
               "ratio_to_torch": round(rate / torch_rate, 2),
               "cosine_to_torch_mean": None, "cosine_to_torch_min": None,
               "neighbours_shared_with_torch_at_10": round(shared_neighbours(vectors[backend], reference, 10), 3)}
        if vectors[backend].shape == reference.shape:
            cosine = (vectors[backend] * reference).sum(axis=1)
            row["cosine_to_torch_mean"], row["cosine_to_torch_min"] = round(float(cosine.mean()), 4), round(float(cosine.min()), 4)
        rows.append(row)
    return {"passages": len(texts), "mean_characters": round(statistics.mean(len(text) for text in texts)),
            "rounds": rounds, "batch_size": settings.embedding_batch_size, "group": group, "backends": rows}


def shared_neighbours(vectors, reference, k: int) -> float:  # noqa: ANN001 - numpy arrays
    """Mean share of each passage's k nearest passages (by cosine, itself excluded) that the reference vectors
    also put among its k nearest: what retrieval would see of a change of vectors, whatever their dimension."""
    import numpy as np

    k = min(k, len(vectors) - 1)
    if k < 1:
        return 1.0

    def nearest(matrix):  # noqa: ANN001, ANN202
        similarity = matrix @ matrix.T
        np.fill_diagonal(similarity, -np.inf)
        return np.argsort(-similarity, axis=1, kind="stable")[:, :k]

    mine, theirs = nearest(vectors), nearest(reference)
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(mine.tolist(), theirs.tolist())]))


if __name__ == "__main__":
    raise SystemExit(main())
