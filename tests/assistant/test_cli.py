"""The `disclosures` command, run in-process with click's runner (and as a real process where it matters)."""

import json

import pytest
from click.testing import CliRunner
from conftest import SEED, run_cli

from assistant.cli import cli


@pytest.fixture
def invoke(tmp_path):
    runner = CliRunner()
    data_dir = str(tmp_path / "data")

    def run(*args: str, input: str | None = None):
        return runner.invoke(cli, ["--data-dir", data_dir, *args], input=input, obj={})

    return run


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


def test_a_bad_setting_is_a_one_line_error(invoke, monkeypatch):
    monkeypatch.setenv("DISCLOSURES_CHUNK_SIZE", "tiny")
    result = invoke("docs")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: invalid setting DISCLOSURES_CHUNK_SIZE")
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_installed_command_runs(tmp_path):
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("ingest", "search", "docs", "remove", "facts", "calc"):
        assert command in result.stdout
    empty = run_cli("docs", "--json", env={"DISCLOSURES_DATA_DIR": str(tmp_path / "fresh")})
    assert empty.returncode == 0 and json.loads(empty.stdout) == {"documents": []}


# --- facts and calc -----------------------------------------------------------------------------------------

# label query, period, statement, the value as printed in the release (sign applied), kind
SPOT_CHECKS = [
    ("Cash", "June 30, 2021", "balance_sheet", "19935888", "money"),
    ("Digital currencies", "December 31, 2020", "balance_sheet", "1539", "money"),
    ("Investments in derivatives", "December 31, 2020", "balance_sheet", "4289", "money"),
    ("Amounts due from related parties", "June 30, 2021", "balance_sheet", "113858", "money"),
    ("Marketable securities", "December 31, 2020", "balance_sheet", "28384944", "money"),
    ("Total current assets", "June 30, 2021", "balance_sheet", "21918114", "money"),
    ("PP&E", "June 30, 2021", "balance_sheet", "4148449", "money"),
    ("Total liabilities", "December 31, 2020", "balance_sheet", "6079023", "money"),
    ("Accumulated deficit", "June 30, 2021", "balance_sheet", "-46570550", "money"),
    ("Non-controlling interests", "December 31, 2020", "balance_sheet", "-3681858", "money"),
    ("Total equity", "December 31, 2020", "balance_sheet", "38152293", "money"),
    ("revenue", "H1 2021", "income_statement", "637784", "money"),
    ("R&D", "H1 2021", "income_statement", "-5508356", "money"),
    ("R&D", "H1 2020", "income_statement", "-4315033", "money"),
    ("Gain on use of digital currencies", "H1 2021", "income_statement", "4918", "money"),
    ("Gain on non-marketable investment", "H1 2020", "income_statement", "1635939", "money"),
    ("(Loss) gain on investments in marketable securities", "H1 2020", "income_statement", "192134", "money"),
    ("Total other (loss) income, net", "H1 2021", "income_statement", "-7608094", "money"),
    ("Net loss per share", "H1 2021", "income_statement", "-0.47", "per_share"),
    ("Weighted-average shares outstanding", "H1 2020", "income_statement", "29956393", "shares"),
    ("Comprehensive loss", "H1 2020", "income_statement", "-6957144", "money"),
]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    runner = CliRunner()
    data_dir = str(tmp_path_factory.mktemp("cli-facts") / "data")

    def run(*args: str):
        return runner.invoke(cli, ["--data-dir", data_dir, *args], obj={})

    report = json.loads(run("ingest", "--json", "--no-progress", str(SEED)).stdout)
    return run, report["documents"][0]["doc_id"]


@pytest.mark.parametrize(("label", "period", "statement", "value", "kind"), SPOT_CHECKS)
def test_facts_json_spot_checks_on_the_seed(seeded, label, period, statement, value, kind):
    run, doc_id = seeded
    result = run("facts", doc_id, "--label", label, "--period", period, "--statement", statement, "--json")
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)["facts"]
    # A line printed twice (Net loss opens the comprehensive-income part too) may come back twice, same value.
    assert {fact["value"] for fact in facts} == {value}, facts
    fact = facts[0]
    assert fact["kind"] == kind and fact["column_certain"] and fact["scale"] == 1
    assert fact["passage_id"].startswith(doc_id) and fact["end"] > fact["start"]
    assert fact["raw"].lstrip("($").replace(",", "") == value.lstrip("-")


def test_facts_human_output_and_filters(seeded):
    run, doc_id = seeded
    listed = run("facts", doc_id, "--label", "R&D")
    lines = listed.stdout.splitlines()
    assert len(lines) == 4 and all("Research and development expenses" in line for line in lines)
    assert sum("linked" in line for line in lines) == 4 and sum("$5.5 million" in line for line in lines) == 1
    by_company = json.loads(run("facts", "--company", "aptorum", "--label", "capex", "--json").stdout)
    assert by_company["facts"] == [] and len(by_company["documents"]) == 1
    assert run("facts", doc_id, "--label", "xylophone").stdout.strip() == "no facts match"


def test_facts_errors_are_one_line(seeded):
    run, _ = seeded
    for args, message in (
        (("facts",), "error: name a document"),
        (("facts", "nope"), "error: no document 'nope'"),
        (("facts", "--company", "Apple"), "error: no document of company 'Apple'"),
    ):
        result = run(*args)
        assert result.exit_code == 1 and result.stderr.startswith(message) and len(result.stderr.strip().splitlines()) == 1


def test_calc_json_gives_the_value_and_its_derivation(invoke):
    result = invoke("calc", "--json", "pct_change(6988314, 17102407)")
    assert result.exit_code == 0, result.output
    figure = json.loads(result.stdout)
    assert figure["display"] == "144.73%" and figure["unit"] == "percent"
    assert figure["derivation"] == "(17,102,407 − 6,988,314) ÷ 6,988,314 = 144.73%"
    assert invoke("calc", "sum(1,577, 2,310) / 2").stdout.strip().endswith("= 1,943.5")


def test_calc_with_fact_references_carries_their_provenance(seeded):
    run, doc_id = seeded
    facts = json.loads(run("facts", doc_id, "--label", "R&D", "--statement", "income_statement", "--json").stdout)["facts"]
    current, prior = (next(fact for fact in facts if fact["period_end"].startswith(year)) for year in ("2021", "2020"))
    figure = json.loads(run("calc", "--json", f"pct_change(@{prior['id']}, @{current['id']})").stdout)
    assert figure["display"] == "27.66%"
    assert [fact["id"] for fact in figure["facts"]] == [prior["id"], current["id"]]
    missing = run("calc", "@nope-f00001 * 2")
    assert missing.exit_code == 1 and "nope-f00001" in missing.stderr


@pytest.mark.parametrize("expression", ["9**9**9", "__import__('os').system('true')", "(" * 5000 + "1" + ")" * 5000,
                                        "1/0", "1" * 3000, "foo(1)"])
def test_calc_refuses_bad_input_in_one_line(invoke, expression):
    result = invoke("calc", expression)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
