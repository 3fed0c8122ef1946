"""Ingestion against the real embedded Chroma: idempotency, replace, remove, bad input, a kill mid-ingest."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import FILINGS, SEED, run_cli, shared_or_skip
from pdfs import make_pdf, report_pages

from index.settings import Settings
from index.facts import FACTS_VERSION
from index.ingest import Ingestor
from index.records import DocumentMeta, SearchFilters
from index.retrieval import HybridRetriever
from index.store import open_store


def ingest(store, *paths: Path, overrides: DocumentMeta | None = None):
    return Ingestor(store, overrides=overrides, progress=False).ingest(list(paths))


def chroma_ids(store) -> set[str]:
    return set(store.vectors.collection.get(include=[])["ids"])


def catalog_ids(store) -> set[str]:
    return {passage.id for document in store.documents() for passage in store.catalog.passages_of(document.id)}


def test_ingest_then_reingest_adds_nothing(store):
    first = ingest(store, SEED)
    assert [outcome.status for outcome in first.outcomes] == ["added"]
    passages = first.outcomes[0].passages
    assert passages > 10 and store.vectors.count() == passages
    generation = store.catalog.generation()

    second = ingest(store, SEED)
    assert [outcome.status for outcome in second.outcomes] == ["unchanged"]
    assert second.embedded == 0
    assert store.vectors.count() == passages
    assert store.catalog.generation() == generation
    assert chroma_ids(store) == catalog_ids(store)


def test_facts_of_an_older_extractor_are_re_extracted_without_re_embedding(store):
    """A document ingested before facts existed (facts_version 0, no facts) gets them on the next ingest."""
    import sqlite3

    first = ingest(store, SEED)
    doc_id = first.outcomes[0].doc_id
    facts = store.catalog.facts([doc_id])
    assert facts and store.catalog.facts_version(doc_id) == FACTS_VERSION
    with sqlite3.connect(store.data_dir / "catalog.sqlite3") as db:
        db.execute("DELETE FROM facts")
        db.execute("UPDATE documents SET facts_version = 0")
    assert store.catalog.facts([doc_id]) == []
    generation = store.catalog.generation()

    again = ingest(store, SEED)
    assert [outcome.status for outcome in again.outcomes] == ["updated"] and again.embedded == 0
    assert again.outcomes[0].facts == len(facts)
    assert store.catalog.facts([doc_id]) == facts
    assert store.catalog.facts_version(doc_id) == FACTS_VERSION and store.catalog.generation() > generation
    passage_ids = {passage.id for passage in store.catalog.passages_of(doc_id)}
    assert {fact.passage_id for fact in facts} <= passage_ids
    assert [outcome.status for outcome in ingest(store, SEED).outcomes] == ["unchanged"]


def test_passage_text_is_the_document_text_at_its_span(store):
    ingest(store, SEED)
    [document] = store.documents()
    text = store.catalog.document_text(document.id)
    for passage in store.catalog.passages_of(document.id):
        assert passage.text == text[passage.start:passage.end]
        if passage.header is not None:
            assert passage.header == text[passage.header_start:passage.header_end]


def test_document_metadata_and_id(store):
    report = ingest(store, SEED)
    [document] = store.documents()
    assert document.id == report.outcomes[0].doc_id
    assert len(document.id) == 16 and document.content_hash.startswith(document.id)
    assert (document.company, document.ticker, document.form, document.period) == ("Aptorum Group Limited", "APM", "earnings release", "2021H1")
    assert document.source_path == str(SEED.resolve())
    assert document.passage_count == report.outcomes[0].passages


def test_changed_file_replaces_its_passages_and_leaves_no_orphans(store, tmp_path):
    path = tmp_path / "ACME_2023_10K.pdf"
    path.write_bytes(make_pdf(report_pages("Acme", 3, seed_word="oldword")))
    first = ingest(store, path).outcomes[0]
    path.write_bytes(make_pdf(report_pages("Acme", 4, seed_word="newword")))
    second = ingest(store, path).outcomes[0]

    assert second.status == "replaced" and second.doc_id != first.doc_id
    assert [document.id for document in store.documents()] == [second.doc_id]
    assert chroma_ids(store) == catalog_ids(store)
    assert all(passage_id.startswith(second.doc_id) for passage_id in chroma_ids(store))
    # Pages 1-3 share most of their words with the old version, but their text changed (the seed word), so
    # every passage is embedded again; nothing of the old version is searchable.
    retriever = HybridRetriever(store=store, k=10)
    assert not any("oldword" in hit.passage.text for hit in retriever.search("oldword0 oldword1"))
    assert any("newword3" in hit.passage.text for hit in retriever.search("newword3"))


def test_unchanged_passages_of_a_replaced_file_reuse_their_vectors(store, tmp_path):
    path = tmp_path / "notes.txt"
    paragraphs = [f"Paragraph {index} says the segment earned {index * 11} million in fiscal 2023. " * 8 for index in range(6)]
    path.write_text("\n\n".join(paragraphs))
    first = ingest(store, path).outcomes[0]
    path.write_text("\n\n".join(paragraphs[:5] + ["A new closing paragraph about dividends paid to shareholders."]))
    second = ingest(store, path).outcomes[0]
    assert second.status == "replaced"
    assert 0 < second.embedded < second.passages <= first.passages


def test_metadata_from_a_new_sidecar_updates_without_reembedding(store, tmp_path):
    path = tmp_path / "release.txt"
    path.write_text(SEED.read_text())
    ingest(store, path)
    (tmp_path / "release.meta.yaml").write_text("company: Aptorum Holdings\nperiod: 2021H1\n")
    outcome = ingest(store, path).outcomes[0]
    assert outcome.status == "updated" and outcome.embedded == 0
    assert store.documents()[0].company == "Aptorum Holdings"


def test_flags_override_inferred_metadata(store, tmp_path):
    path = tmp_path / "memo.txt"
    path.write_text("Quarterly memo. Revenue rose to $4 million in the quarter on stronger demand.")
    ingest(store, path, overrides=DocumentMeta(company="Memo Co", form="8-K", period="2024Q1"))
    document = store.documents()[0]
    assert (document.company, document.form, document.period) == ("Memo Co", "8-K", "2024Q1")


def test_remove_deletes_everywhere(store):
    report = ingest(store, SEED)
    doc_id = report.outcomes[0].doc_id
    removed = store.remove(doc_id[:8])
    assert removed.id == doc_id
    assert store.documents() == []
    assert store.vectors.count() == 0
    assert store.catalog.passage_count() == 0
    assert HybridRetriever(store=store).search("research and development expenses") == []


def test_bad_files_fail_one_by_one_and_the_batch_goes_on(store, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "fake.pdf").write_bytes(b"\x00\x01binary" * 100)
    data = make_pdf(report_pages("Acme", 2))
    (folder / "cut.pdf").write_bytes(data[: len(data) // 2])
    (folder / "blank.html").write_text("<html><body><script>1</script></body></html>")
    (folder / "good.txt").write_text("Good company reported revenue of $10 million for fiscal 2023.")
    report = ingest(store, folder, tmp_path / "missing-folder")

    errors = sorted(outcome.error for outcome in report.failed)
    assert len(errors) == 5
    assert all("\n" not in error for error in errors)
    assert any(re.search(r"blank\.html: HTML file has no visible text", error) for error in errors)
    assert any(re.search(r"cut\.pdf: truncated PDF", error) for error in errors)
    assert any(re.search(r"empty\.txt: empty file", error) for error in errors)
    assert any(re.search(r"fake\.pdf: not a PDF", error) for error in errors)
    assert any(re.search(r"missing-folder: no such file or folder", error) for error in errors)
    assert [document.title for document in store.documents()] == ["good"]


def test_a_failed_replacement_keeps_the_stored_version(store, tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("Original report: revenue of $10 million.")
    ingest(store, path)
    before = store.documents()
    path.write_bytes(b"")
    report = ingest(store, path)
    assert report.failed and store.documents() == before
    assert HybridRetriever(store=store).search("original report revenue")[0].passage.text.startswith("Original report")


def test_second_writer_is_refused_while_one_is_writing(store):
    from index.errors import StoreError

    with store.writing():
        with pytest.raises(StoreError, match="another ingest or remove is writing"):
            with store.writing():
                pass


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_mid_ingest_leaves_no_half_document_and_the_next_run_finishes_it(tmp_path):
    """kill -9 while passages are being written: search never sees the document; the next run completes it."""
    data_dir = tmp_path / "data"
    path = tmp_path / "BIGCO_2023_10K.pdf"
    path.write_bytes(make_pdf(report_pages("Bigco", 60, words_per_page=260, seed_word="quokka")))
    env = {"DISCLOSURES_DATA_DIR": str(data_dir), "DISCLOSURES_EMBEDDING_BATCH_SIZE": "2"}
    executable = Path(sys.executable).parent / "disclosures"
    process = subprocess.Popen([str(executable), "ingest", str(path)], env={**os.environ, **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    progress = bytearray()

    def read_progress():
        while chunk := process.stderr.read1(4096):
            progress.extend(chunk)

    reader = threading.Thread(target=read_progress, daemon=True)
    reader.start()
    try:
        def passages_written():
            counts = [int(match) for match in re.findall(rb"passages=(\d+)", bytes(progress))]
            return max(counts, default=0) >= 32

        # The progress bar reports passages as their groups (8 batches of 2 here) reach Chroma.
        _wait_for(passages_written, 300, "two batches of passages to be written")
        assert process.poll() is None, "the ingest finished before it could be killed; make the document bigger"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        reader.join(timeout=5)

    store = open_store(Settings(data_dir=data_dir))
    [(doc_id, status)] = store.catalog.unfinished()
    assert status == "writing"
    written = store.vectors.ids_of(doc_id)
    assert written, "some passages reached Chroma before the kill"
    assert store.documents() == []
    assert HybridRetriever(store=store, k=5).search("quokka3 Bigco annual report") == []

    finished = run_cli("ingest", "--json", str(path), env=env)
    assert finished.returncode == 0, finished.stderr
    store = open_store(Settings(data_dir=data_dir))
    [document] = store.documents()
    assert document.id == doc_id and store.catalog.unfinished() == []
    assert set(store.vectors.ids_of(doc_id)) == {passage.id for passage in store.catalog.passages_of(doc_id)}
    outcome = json.loads(finished.stdout)["documents"][0]
    assert outcome["status"] == "added"
    assert outcome["embedded"] <= outcome["passages"] - len(written), "vectors written before the kill are reused"
    hits = HybridRetriever(store=store, k=3).search("quokka3")
    assert hits and "quokka3" in hits[0].passage.text


def test_unfinished_document_of_another_file_is_dropped_by_the_next_run(store, tmp_path):
    ingest(store, SEED)
    orphan_doc = store.documents()[0].model_copy(update={"id": "deadbeefdeadbeef", "source_path": str(tmp_path / "gone.txt")})
    store.catalog.begin(orphan_doc, store.fingerprint)
    other = tmp_path / "other.txt"
    other.write_text("Another document about dividends declared in 2022.")
    report = ingest(store, other)
    assert "deadbeefdeadbeef" in report.recovered
    assert store.catalog.unfinished() == []


@pytest.mark.slow
def test_ingest_all_shared_filings_then_a_second_run_adds_nothing(tmp_path):
    """The issue's acceptance check, through the real CLI. Slow: it embeds about 5,000 passages."""
    shared_or_skip()
    env = {"DISCLOSURES_DATA_DIR": str(tmp_path / "data")}
    first = run_cli("ingest", "--json", "--no-progress", str(FILINGS), env=env, timeout=3600)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)["summary"]
    assert summary["added"] == 13 and summary["failed"] == 0
    second = run_cli("ingest", "--json", "--no-progress", str(FILINGS), env=env, timeout=600)
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)["summary"]
    assert again["unchanged"] == 13 and again["added"] == 0 and again["passages"] == 0 and again["embedded"] == 0
    store = open_store(Settings(data_dir=tmp_path / "data"))
    assert chroma_ids(store) == catalog_ids(store)
    for document in store.documents():
        text = store.catalog.document_text(document.id)
        for passage in store.catalog.passages_of(document.id):
            assert passage.text == text[passage.start:passage.end]
    hits = HybridRetriever(store=store, k=5).search("eBay revenue first quarter 2023", filters=SearchFilters(company="EBAY"))
    assert hits and all(hit.document.company == "eBay Inc." for hit in hits)


def test_facts_are_stored_replaced_and_removed_with_their_document(store, tmp_path):
    path = tmp_path / "release.txt"
    path.write_text(SEED.read_text())
    first = ingest(store, path).outcomes[0]
    assert first.facts > 100 and store.catalog.fact_count(first.doc_id) == first.facts == store.catalog.fact_count()
    rnd = [fact for fact in store.catalog.facts([first.doc_id]) if fact.label == "Research and development expenses"]
    assert {fact.raw for fact in rnd} >= {"(5,508,356", "$5.5 million"}

    # The company restates R&D: the new version's facts replace the old ones in the same run.
    path.write_text(SEED.read_text().replace("(5,508,356", "(5,508,357"))
    second = ingest(store, path).outcomes[0]
    assert second.status == "replaced"
    assert store.catalog.fact_count(first.doc_id) == 0 and store.catalog.fact_count() == second.facts
    values = {fact.raw for fact in store.catalog.facts([second.doc_id]) if fact.label == "Research and development expenses"}
    assert "(5,508,357" in values and "(5,508,356" not in values
    total = next(fact for fact in store.catalog.facts([second.doc_id]) if fact.label == "Total operating expenses")
    assert total.reconciled is False and "does not reconcile" in total.note, "the items no longer add up to it"

    store.remove(second.doc_id)
    assert store.catalog.fact_count() == 0
