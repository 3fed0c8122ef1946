"""The BM25 index stays in step with the catalog: after ingest, replace or remove it never returns a passage
that no longer exists, even when another process changed the store."""

import json

import pytest

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


STATEMENT = ("Acme Corp Annual Report for fiscal 2022\n\nNet income grew in fiscal 2022.\n\n"
             "CONSOLIDATED STATEMENTS OF OPERATIONS\n(In millions)\nYear ended December 31, 2022 2021\n"
             "Net sales 1,000 900\nCost of sales 600 500\nNet income 100 90\n")


@pytest.fixture(scope="module")
def statement_store(tmp_path_factory):
    from conftest import store_of_texts

    return store_of_texts(tmp_path_factory, {"ACME_2022_10K": STATEMENT, "memo": "Net income is a board topic."},
                          "statements")


def test_lines_are_the_statement_passages_printing_the_line_items(statement_store):
    store = statement_store
    acme = store.catalog.resolve("ACME_2022_10K")
    lines = store.keyword.lines(store.catalog, ["net_income"])
    assert [statement for _, statement in lines] == ["income_statement"]
    passage = store.catalog.passages_by_id([lines[0][0]])[lines[0][0]]
    assert passage.doc_id == acme.id and "Net income 100 90" in passage.text
    assert store.keyword.lines(store.catalog, ["net_income"], {store.catalog.resolve("memo").id}) == []
    assert store.keyword.lines(store.catalog, ["inventory"]) == []


def test_places_give_each_passage_its_page_and_statement(statement_store):
    store = statement_store
    table = next(passage for passage in store.catalog.passages_of(store.catalog.resolve("ACME_2022_10K").id)
                 if "Net income 100 90" in passage.text)
    memo = store.catalog.passages_of(store.catalog.resolve("memo").id)[0]
    places = store.keyword.places(store.catalog, [table.id, memo.id, "nope-00001"])
    assert places == {table.id: (None, "income_statement"), memo.id: (None, None)}


def test_an_index_built_in_an_older_format_is_rebuilt(store, tmp_path):
    Ingestor(store, progress=False).ingest([SEED])
    folder = store.data_dir / "bm25" / (store.data_dir / "bm25" / "CURRENT").read_text().strip()
    meta = json.loads((folder / "passages.json").read_text())
    for key in ("format", "pages", "statements", "line_items"):  # what an index of an earlier version lacks
        meta.pop(key)
    (folder / "passages.json").write_text(json.dumps(meta))
    fresh = KeywordIndex(store.data_dir / "bm25")
    assert fresh.search(store.catalog, "accumulated deficit", 2)
    assert fresh.lines(store.catalog, ["net_income"]), "rebuilt with what the facts say of each passage"
