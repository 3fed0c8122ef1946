"""Embedding-model throughput alone: `python -m eval.bench_embedding`.

Chunks a few shared filings the way ingest does, then times the embedding model on those passages at several
batch sizes and token limits. It tells how much of ingestion time is the model itself. Prints one JSON document.
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
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.files if not path.is_file()]
    if missing:
        print(f"error: file(s) not found: {', '.join(missing)} (the benchmark reads ../shared/corpus)", file=sys.stderr)
        return 2

    from index.settings import Settings
    from index.embedding import get_embeddings

    texts = sample_passages(args.files, args.passages)
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


if __name__ == "__main__":
    raise SystemExit(main())
