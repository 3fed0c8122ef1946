"""The BM25 index stays in step with the catalog: after ingest, replace or remove it never returns a passage
that no longer exists, even when another process changed the store."""

import json

from conftest import SEED, run_cli

from index.settings import Settings
from index.ingest import Ingestor
from index.keyword import KeywordIndex
from index.store import open_store


def test_bm25_finds_words_and_line_items(seed_store):
    hits = seed_store.keyword.search(seed_store.catalog, "accumulated deficit", 3)
    passages = seed_store.catalog.passages_by_id([passage_id for passage_id, _ in hits])
    assert "Accumulated deficit (46,570,550" in passages[hits[0][0]].text
    assert all(score > 0 for _, score in hits)


def test_bm25_returns_nothing_for_unknown_words(seed_store):
    assert seed_store.keyword.search(seed_store.catalog, "xylophone quasar", 5) == []


def test_bm25_persists_and_reloads_without_rebuilding(store, tmp_path):
    Ingestor(store, progress=False).ingest([SEED])
    pointer = (store.data_dir / "bm25" / "CURRENT").read_text()
    fresh = KeywordIndex(store.data_dir / "bm25")
    hits = fresh.search(store.catalog, "general and administrative fees", 2)
    assert hits
    assert (store.data_dir / "bm25" / "CURRENT").read_text() == pointer, "loaded, not rebuilt"


def test_bm25_never_returns_removed_passages(store, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("The pangolin initiative cost $2 million in 2023.")
    Ingestor(store, progress=False).ingest([SEED, note])
    note_id = store.catalog.resolve("note").id
    assert store.keyword.search(store.catalog, "pangolin initiative", 5)[0][0].startswith(note_id)
    store.remove("note")
    assert not any(passage_id.startswith(note_id) for passage_id, _ in store.keyword.search(store.catalog, "pangolin initiative", 5))


def test_bm25_follows_changes_made_by_another_process(store, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("The okapi programme cost $2 million in 2023.")
    Ingestor(store, progress=False).ingest([note])
    old_id = store.catalog.resolve("note").id
    assert store.keyword.search(store.catalog, "okapi programme", 5)
    # Another process replaces the file's content; this process's index must notice.
    note.write_text("The narwhal programme cost $3 million in 2024.")
    result = run_cli("ingest", "--json", "--no-progress", str(note), env={"DISCLOSURES_DATA_DIR": str(store.data_dir)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["documents"][0]["status"] == "replaced"
    assert not any(passage_id.startswith(old_id) for passage_id, _ in store.keyword.search(store.catalog, "okapi programme", 5))
    new_id = store.catalog.resolve("note").id
    assert new_id != old_id
    assert store.keyword.search(store.catalog, "narwhal programme", 5)[0][0].startswith(new_id)


def test_bm25_on_an_empty_store(tmp_path):
    store = open_store(Settings(data_dir=tmp_path / "empty"))
    assert store.keyword.search(store.catalog, "revenue", 5) == []
