"""assistant/cli/documents.py: ingest, docs, remove and search, run in-process with click's runner."""

import json

from conftest import SEED



def test_ingest_json_then_docs_and_search(invoke):
    ingested = invoke("ingest", "--json", "--no-progress", str(SEED))
    assert ingested.exit_code == 0, ingested.output
    report = json.loads(ingested.stdout)
    assert report["summary"]["added"] == 1 and report["summary"]["failed"] == 0
    [outcome] = report["documents"]
    assert outcome["status"] == "added" and outcome["passages"] > 10

    listed = json.loads(invoke("docs", "--json").stdout)
    [document] = listed["documents"]
    assert document["id"] == outcome["doc_id"] and document["passage_count"] == outcome["passages"]
    assert {"title", "company", "ticker", "form", "period", "period_end", "filing_date", "source_path", "page_count"} <= set(document)

    found = invoke("search", "--json", "-k", "3", "research and development expenses six months ended June 30, 2021")
    assert found.exit_code == 0, found.output
    payload = json.loads(found.stdout)
    assert payload["query"].startswith("research") and len(payload["hits"]) == 3
    hit = payload["hits"][0]
    assert set(hit) == {"passage", "document", "score", "dense_rank", "keyword_rank"}
    assert {"id", "doc_id", "page", "section", "start", "end", "text", "kind"} <= set(hit["passage"])
    kinds = {hit["passage"]["kind"] for hit in payload["hits"]}
    assert kinds == {"text", "table"}, "the narrative paragraph and the income statement"


def test_human_output(invoke):
    invoke("ingest", "--no-progress", str(SEED))
    listed = invoke("docs")
    assert "Aptorum Group Limited" in listed.stdout and "earnings release" in listed.stdout
    found = invoke("search", "accumulated deficit")
    flat = " ".join(found.stdout.split())  # the output is wrapped at 100 columns
    assert "[1]" in flat and "Accumulated deficit (46,570,550" in flat and "chars" in flat


def test_interactive_search_prompt(invoke):
    invoke("ingest", "--no-progress", str(SEED))
    session = invoke("search", input="accumulated deficit\n\nquit\n")
    assert session.exit_code == 0
    flat = " ".join(session.stdout.split())
    assert flat.count("search>") == 3 and "Accumulated deficit (46,570,550" in flat


def test_bad_files_print_one_line_each_and_exit_non_zero(invoke, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "fake.pdf").write_bytes(b"not really a pdf at all" * 10)
    result = invoke("ingest", "--no-progress", str(tmp_path / "empty.txt"), str(tmp_path / "fake.pdf"), str(SEED))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert errors[0].endswith("empty.txt: empty file (0 bytes)")
    assert "fake.pdf: not a PDF" in errors[1]
    assert "added" in result.stdout, "the good file in the batch is still ingested"


def test_ingest_flags_override_metadata(invoke, tmp_path):
    memo = tmp_path / "memo.txt"
    memo.write_text("Memo: revenue rose in the quarter.")
    invoke("ingest", "--no-progress", "--company", "Memo Co", "--form", "10q", "--period", "Q1 2024", str(memo))
    [document] = json.loads(invoke("docs", "--json").stdout)["documents"]
    assert (document["company"], document["form"], document["period"]) == ("Memo Co", "10-Q", "2024Q1")


def test_search_on_an_empty_store_says_what_to_do(invoke):
    result = invoke("search", "revenue")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: no documents in") and "disclosures ingest PATH" in result.stderr


def test_remove(invoke):
    doc_id = json.loads(invoke("ingest", "--json", "--no-progress", str(SEED)).stdout)["documents"][0]["doc_id"]
    removed = invoke("remove", "--json", doc_id)
    assert json.loads(removed.stdout)["removed"]["id"] == doc_id
    assert json.loads(invoke("docs", "--json").stdout)["documents"] == []
    missing = invoke("remove", doc_id)
    assert missing.exit_code == 1 and f"error: no document '{doc_id}'" in missing.stderr


def test_search_filters_by_document(invoke, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("Accumulated deficit of another company was $9 million.")
    invoke("ingest", "--no-progress", str(SEED), str(other))
    found = json.loads(invoke("search", "--json", "--doc", "other", "accumulated deficit").stdout)
    assert {hit["document"]["title"] for hit in found["hits"]} == {"other"}
    found = json.loads(invoke("search", "--json", "--company", "APM", "-k", "2", "accumulated deficit").stdout)
    assert {hit["document"]["ticker"] for hit in found["hits"]} == {"APM"}
