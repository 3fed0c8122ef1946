"""assistant/cli/figures.py: facts and calc, run in-process with click's runner."""

import json

import pytest
from click.testing import CliRunner
from conftest import SEED

from assistant.cli import cli


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
