"""`disclosures reindex`: the stored passages re-embedded with the configured model, without the files, resumably."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import SEED, run_cli
from pdfs import make_pdf, report_pages

from index.vectors import BUNDLED_MODEL_LABEL

STATIC = f"{BUNDLED_MODEL_LABEL}+static"
# The stores are built with static vectors (the default) and re-embedded with torch: slow enough to kill mid-way.
TORCH = {"DISCLOSURES_EMBEDDING_BACKEND": "torch"}


@pytest.fixture(scope="module")
def static_store(tmp_path_factory):
    """A store of the seed and a 12-page report, built with the default static vectors (the source of every
    reindex here)."""
    root = tmp_path_factory.mktemp("reindex")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    (corpus / "ACME_2022_10K.pdf").write_bytes(make_pdf(report_pages("Acme", 12)))
    data_dir = root / "static"
    done = run_cli("--data-dir", str(data_dir), "ingest", "--no-progress", str(corpus))
    assert done.returncode == 0, done.stderr
    return data_dir, corpus


def copy_store(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


def stored_vectors(data_dir: Path) -> tuple[str, dict[str, np.ndarray]]:
    """The collection's label and its vectors by passage id, read by a fresh Chroma client."""
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient
    from chromadb.config import Settings as ChromaSettings

    SharedSystemClient.clear_system_cache()  # a client of this path opened earlier in this process would be stale
    client = chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    names = sorted(collection.name for collection in client.list_collections())
    assert names == ["passages"], f"only the live collection is left, not {names}"
    collection = client.get_collection("passages")
    found = collection.get(include=["embeddings"])
    return collection.metadata["embedding_model"], {item: np.asarray(vector) for item, vector in zip(found["ids"], found["embeddings"])}


def catalog_rows(data_dir: Path) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(data_dir / "catalog.sqlite3") as db:
        return db.execute("SELECT id, fingerprint FROM documents ORDER BY id").fetchall()


def test_reindex_re_embeds_every_passage_with_the_configured_model_and_the_store_takes_it(static_store, tmp_path):
    source, corpus = static_store
    data_dir = copy_store(source, tmp_path / "data")
    label, before = stored_vectors(data_dir)
    assert label == STATIC and len(next(iter(before.values()))) == 256
    refused = run_cli("--data-dir", str(data_dir), "search", "net loss", env=TORCH)
    assert refused.returncode == 1 and "disclosures reindex" in refused.stderr, "a torch reader is refused"

    done = run_cli("--data-dir", str(data_dir), "reindex", "--json", "--no-progress", env=TORCH)
    assert done.returncode == 0, done.stderr
    import json

    report = json.loads(done.stdout)
    assert report["model"] == BUNDLED_MODEL_LABEL and report["previous_model"] == STATIC
    label, after = stored_vectors(data_dir)
    assert label == BUNDLED_MODEL_LABEL and set(after) == set(before) and report["passages"] == len(after)
    assert report["embedded"] > 0 and report["resumed"] == 0
    assert {len(vector) for vector in after.values()} == {384}

    # The vectors are the model's own for the stored texts.
    from index.settings import Settings
    from index.store import Store

    store = Store(Settings(data_dir=data_dir, embedding_backend="torch").store)
    passages = {passage.id: passage for doc_id in store.catalog.complete_ids() for passage in store.catalog.passages_of(doc_id)}
    sample = sorted(passages)[:5]
    fresh = store.embeddings.embed_documents([passages[item].embedding_text() for item in sample])
    for item, vector in zip(sample, fresh):
        assert np.allclose(after[item], vector, atol=1e-5)

    # The fingerprints follow, so ingest finds every document unchanged, and search works with the new vectors.
    assert {fingerprint for _, fingerprint in catalog_rows(data_dir)} == {store.fingerprint}
    again = run_cli("--data-dir", str(data_dir), "ingest", "--no-progress", "--json", str(corpus), env=TORCH)
    assert again.returncode == 0 and json.loads(again.stdout)["summary"]["unchanged"] == 2
    found = run_cli("--data-dir", str(data_dir), "search", "--json", "research and development expenses", env=TORCH)
    assert found.returncode == 0 and json.loads(found.stdout)["hits"]


def test_a_killed_reindex_resumes_and_gives_the_same_vectors_as_a_clean_run(static_store, tmp_path):
    source, _ = static_store
    clean_dir = copy_store(source, tmp_path / "clean")
    killed_dir = copy_store(source, tmp_path / "killed")
    assert run_cli("--data-dir", str(clean_dir), "reindex", "--no-progress", env=TORCH).returncode == 0
    _, clean = stored_vectors(clean_dir)

    # Small batches (8 passages per write), so the kill lands between two of them.
    env = {**os.environ, **TORCH, "DISCLOSURES_EMBEDDING_BATCH_SIZE": "1"}
    command = [str(Path(sys.executable).parent / "disclosures"), "--data-dir", str(killed_dir), "reindex"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, env=env)
    progress = re.compile(rb"(\d+)/(\d+)")
    seen = b""
    deadline = time.monotonic() + 120
    done = total = 0
    while time.monotonic() < deadline:
        chunk = os.read(process.stderr.fileno(), 256)
        if not chunk:
            break
        seen += chunk
        counts = [(int(a), int(b)) for a, b in progress.findall(seen)]
        if counts and counts[-1][0] > 0:
            done, total = counts[-1]
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    assert 0 < done < total, f"killed mid-way ({done}/{total}); stderr: {seen[-300:]!r}"

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(killed_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    assert {collection.name for collection in client.list_collections()} == {"passages", "passages-reindex"}
    assert client.get_collection("passages").metadata["embedding_model"] == STATIC, "the live vectors are untouched"
    kept = client.get_collection("passages-reindex").count()
    assert 0 < kept < total
    del client

    resumed = run_cli("--data-dir", str(killed_dir), "reindex", "--json", "--no-progress", env=TORCH)
    assert resumed.returncode == 0, resumed.stderr
    import json

    report = json.loads(resumed.stdout)
    assert report["resumed"] == kept and report["embedded"] == total - kept and report["passages"] == total
    label, vectors = stored_vectors(killed_dir)
    assert label == BUNDLED_MODEL_LABEL and set(vectors) == set(clean)
    for item, vector in clean.items():
        assert np.allclose(vectors[item], vector, atol=1e-5), item
    assert catalog_rows(killed_dir) == catalog_rows(clean_dir)


def test_reindex_of_an_empty_store_says_so(tmp_path):
    done = run_cli("--data-dir", str(tmp_path / "empty"), "reindex", "--no-progress")
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: no documents in {tmp_path / 'empty'}; ingest some first: disclosures ingest PATH"
