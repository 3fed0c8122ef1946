"""Preparing files (load, chunk, facts) in a second process while ingest writes: the same store as one process."""

import shutil

import numpy as np
import pytest
from conftest import SEED
from pdfs import make_pdf, report_pages

import index.ingest as ingest_module
from index.errors import CorruptFileError, IngestError
from index.ingest import Ingestor
from index.preparation import PrepareOptions, prepare
from index.settings import Settings
from index.store import Store


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copy(SEED, folder / SEED.name)
    (folder / "ACME_2022_10K.pdf").write_bytes(make_pdf(report_pages("Acme", 6)))
    (folder / "GLOBEX_2023_10K.pdf").write_bytes(make_pdf(report_pages("Globex", 3, seed_word="okapi")))
    (folder / "INITECH_2021_10K.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    return folder


class CountingPool(ingest_module.ProcessPoolExecutor):
    submitted = 0

    def submit(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        type(self).submitted += 1
        return super().submit(*args, **kwargs)


def snapshot(store: Store) -> dict:
    catalog = store.catalog
    documents = {document.id: document.model_dump(exclude={"ingested_at"}) for document in catalog.documents()}
    passages = {passage.id: passage.model_dump() for doc_id in documents for passage in catalog.passages_of(doc_id)}
    facts = {fact.id: fact.model_dump() for fact in catalog.facts(list(documents))}
    found = store.vectors.collection.get(include=["embeddings"])
    vectors = dict(zip(found["ids"], np.asarray(found["embeddings"])))
    return {"documents": documents, "passages": passages, "facts": facts, "vectors": vectors}


def test_files_prepared_in_a_second_process_give_the_same_store_as_one_process(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "ProcessPoolExecutor", CountingPool)
    ahead = Store(Settings(data_dir=tmp_path / "ahead").store)
    report = Ingestor(ahead, progress=False).ingest([corpus])
    assert CountingPool.submitted == 4, "every file was prepared in the second process"

    monkeypatch.setattr(ingest_module, "PREPARE_AHEAD_MIN_FILES", 100)
    alone = Store(Settings(data_dir=tmp_path / "alone").store)
    single = Ingestor(alone, progress=False).ingest([corpus])
    assert CountingPool.submitted == 4, "below the threshold, nothing goes to the second process"

    assert [(o.path, o.status, o.passages, o.facts, o.error) for o in report.outcomes] == \
        [(o.path, o.status, o.passages, o.facts, o.error) for o in single.outcomes]
    failed = report.failed
    assert len(failed) == 1 and failed[0].error.startswith(str(corpus / "INITECH_2021_10K.pdf") + ": ")
    assert report.fact_seconds > 0 and report.load_seconds > 0

    a, b = snapshot(ahead), snapshot(alone)
    assert a["documents"] == b["documents"] and len(a["documents"]) == 3
    assert a["passages"] == b["passages"] and a["facts"] == b["facts"] and len(a["facts"]) > 100
    assert set(a["vectors"]) == set(b["vectors"]) == set(a["passages"])
    assert all(np.allclose(a["vectors"][item], b["vectors"][item], atol=1e-5) for item in a["vectors"])

    # A second run finds every document current: the files are loaded, not parsed again.
    again = Ingestor(ahead, progress=False).ingest([corpus])
    assert [outcome.status for outcome in again.outcomes if outcome.status != "failed"] == ["unchanged"] * 3
    assert again.fact_seconds == 0


def test_a_current_document_is_loaded_but_not_parsed(corpus):
    options = PrepareOptions(max_bytes=10**8, chunk_size=1000, chunk_overlap=100)
    fresh = prepare(corpus / SEED.name, options)
    assert fresh.passages and fresh.facts and fresh.fact_seconds > 0
    known = prepare(corpus / SEED.name, options, current=frozenset({fresh.doc_id}))
    assert known.doc_id == fresh.doc_id and known.passages is None and known.facts is None
    assert known.loaded.text == fresh.loaded.text


def test_an_ingest_error_crosses_processes_intact(corpus):
    import pickle

    error = CorruptFileError(corpus / "INITECH_2021_10K.pdf", "not a readable PDF")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is CorruptFileError and isinstance(copy, IngestError)
    assert str(copy) == str(error) and copy.path == error.path and copy.reason == error.reason


def test_boilerplate_passages_are_marked_when_prepared(corpus):
    prepared = prepare(corpus / SEED.name, PrepareOptions(max_bytes=10**8, chunk_size=1000, chunk_overlap=100))
    marked = [passage for passage in prepared.passages if passage.boilerplate]
    assert marked and {passage.boilerplate for passage in marked} == {"forward-looking"}
    assert all(passage.section == "Disclaimer and Forward-Looking Statements" for passage in marked)
    assert not any(passage.boilerplate for passage in prepared.passages if "research and development" in passage.text.lower())


def _children(pid: int) -> list[int]:
    from pathlib import Path

    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    from pathlib import Path

    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def test_the_preparing_process_exits_when_a_killed_ingest_leaves_it(tmp_path):
    """kill -9 of an ingest must not leave its preparing process waiting forever."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    folder = tmp_path / "many"
    folder.mkdir()
    for index in range(8):
        (folder / f"CO{index}_2022_10K.pdf").write_bytes(make_pdf(report_pages(f"Co{index}", 40)))
    command = [str(Path(sys.executable).parent / "disclosures"), "--data-dir", str(tmp_path / "data"), "ingest",
               "--no-progress", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and not workers and process.poll() is None:
        time.sleep(0.2)
        workers = [pid for pid in _children(process.pid)
                   if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert workers, "the ingest started a preparing process"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers), "the preparing process outlived the ingest"
