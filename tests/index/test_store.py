"""The store against a real `chroma run` server on loopback, and its errors."""

import pytest
from conftest import SEED, ChromaServer, run_cli

from index.errors import ConfigError, StoreError
from index.settings import Settings
from index.ingest import Ingestor
from index.retrieval import HybridRetriever
from index.store import open_store

pytestmark = pytest.mark.server


@pytest.fixture
def server_store(chroma_server, tmp_path, request):
    collection = f"test-{request.node.name[:40].replace('_', '-')}"
    return open_store(Settings(data_dir=tmp_path / "data", chroma_url=chroma_server, collection=collection))


def test_server_mode_ingest_search_replace_remove(server_store, tmp_path):
    report = Ingestor(server_store, progress=False).ingest([SEED])
    [outcome] = report.outcomes
    assert outcome.status == "added"
    assert server_store.vectors.count() == outcome.passages
    assert not (server_store.data_dir / "chroma").exists(), "vectors live on the server, not in the data dir"

    again = Ingestor(server_store, progress=False).ingest([SEED])
    assert again.outcomes[0].status == "unchanged" and server_store.vectors.count() == outcome.passages

    hits = HybridRetriever(store=server_store, k=3).search("research and development expenses six months ended June 30, 2021")
    assert any("Research and development expenses were $5.5 million" in hit.passage.text for hit in hits)

    note = tmp_path / "note.txt"
    note.write_text("First version: revenue of $1 million.")
    Ingestor(server_store, progress=False).ingest([note])
    note.write_text("Second version: revenue of $2 million, up 100%.")
    replaced = Ingestor(server_store, progress=False).ingest([note]).outcomes[0]
    assert replaced.status == "replaced"
    ids = set(server_store.vectors.collection.get(include=[])["ids"])
    expected = {passage.id for document in server_store.documents() for passage in server_store.catalog.passages_of(document.id)}
    assert ids == expected

    server_store.remove(outcome.doc_id)
    server_store.remove("note")
    assert server_store.vectors.count() == 0 and server_store.documents() == []


def test_cli_against_the_server(chroma_server, tmp_path):
    env = {"DISCLOSURES_DATA_DIR": str(tmp_path / "data"), "DISCLOSURES_COLLECTION": "cli-server-test"}
    ingested = run_cli("--chroma-url", chroma_server, "ingest", "--no-progress", str(SEED), env=env)
    assert ingested.returncode == 0, ingested.stderr
    found = run_cli("--chroma-url", chroma_server, "search", "--json", "-k", "2", "accumulated deficit", env=env)
    assert found.returncode == 0, found.stderr
    assert "Accumulated deficit (46,570,550" in found.stdout


def test_unreachable_server_is_a_clear_error(tmp_path):
    store = open_store(Settings(data_dir=tmp_path / "data", chroma_url="http://127.0.0.1:9"))
    with pytest.raises(StoreError, match=r"cannot reach the Chroma server at http://127\.0\.0\.1:9"):
        store.vectors


def test_a_collection_built_with_another_model_is_refused(server_store, tmp_path):
    Ingestor(server_store, progress=False).ingest([SEED])
    from index.vectors import VectorIndex, make_client

    client = make_client(server_store.settings.chroma_url, tmp_path)
    with pytest.raises(ConfigError, match="holds vectors of sentence-transformers/all-MiniLM-L6-v2"):
        VectorIndex(client, server_store.settings.collection, server_store.embeddings, "some-other-model")


def test_a_server_that_goes_away_is_a_one_line_error_and_stored_data_survives(tmp_path):
    server = ChromaServer(tmp_path)
    try:
        store = open_store(Settings(data_dir=tmp_path / "data", chroma_url=server.url, collection="goes-away"))
        Ingestor(store, progress=False).ingest([SEED])
    finally:
        server.stop()
    with pytest.raises(StoreError, match=r"Chroma at http://127\.0\.0\.1:\d+ failed \(\w+\): ") as caught:
        HybridRetriever(store=store).search("accumulated deficit")
    assert "\n" not in str(caught.value)

    note = tmp_path / "note.txt"
    note.write_text("A note about the okapi programme, written while the server is down.")
    with pytest.raises(StoreError):
        Ingestor(store, progress=False).ingest([note])
    assert [document.ticker for document in store.documents()] == ["APM"], "what was stored is still listed"

    # The server comes back on the same data: everything stored is there, and the next run finishes the note.
    again = ChromaServer(tmp_path)
    try:
        store = open_store(Settings(data_dir=tmp_path / "data", chroma_url=again.url, collection="goes-away"))
        hits = HybridRetriever(store=store, k=2).search("accumulated deficit")
        assert "Accumulated deficit (46,570,550" in hits[0].passage.text
        report = Ingestor(store, progress=False).ingest([note])
        assert report.outcomes[0].status == "added" and store.catalog.unfinished() == []
    finally:
        again.stop()
