"""TAT-QA's official score (eval/tatqa_official.py): answers as the script's `[answer, scale]` predictions, the gold
file checked and restricted, and the script itself run by the harness on a slice of the dev set, its EM compared
with the same script run by hand on the same predictions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from click.testing import CliRunner
from conftest import SHARED, shared_or_skip

from index.errors import QueryError
from index.records import Answer, AnswerValue, Citation, Fact, Figure
from eval.cli import eval_group
from eval.scoring import short_answer
from eval.tatqa_official import (OFFICIAL, SCRIPT, gold_subset, headline, load_gold, official_scores, parse_output,
                                 prediction, run_script)

TATQA = SHARED / "benchmarks" / "tatqa" / "tatqa_dataset_dev.json"


def _fact(fid: str, value: str, scale: int = 1) -> Fact:
    return Fact(id=fid, doc_id="d", source="table", statement="other", label="Sales", label_norm="sales", raw=value,
                value=Decimal(value), scale=scale, start=0, end=len(value))


def _computed(amount: str, unit: str, facts: list[Fact], figure_unit: str = "number") -> Answer:
    figure = Figure(expression="@a - @b", value=Decimal(amount), unit=figure_unit, display=amount, derivation="a - b",
                    facts=facts)
    return Answer(question="q", text=f"It changed by {amount}.", figures=[figure],
                  value=AnswerValue(number=Decimal(amount), unit=unit))


def test_a_value_at_a_named_scale_keeps_its_scale_word():
    answer = Answer(question="q", text="Sales were $1,496.5 million.",
                    value=AnswerValue(number=Decimal("1496.5"), unit="USD", scale=1_000_000))
    assert prediction("What were sales in 2019?", answer) == ["1496.5", "million"]
    billions = Answer(question="q", text="$2.5 billion", value=AnswerValue(number=Decimal("2.5"), unit="USD",
                                                                           scale=1_000_000_000))
    assert prediction("q", billions) == ["2.5", "billion"]


def test_a_percentage_is_percent_and_a_ratio_has_no_scale():
    change = Answer(question="q", text="14.07%", value=AnswerValue(number=Decimal("14.0655105973"), unit="percent"))
    assert prediction("What was the percentage change?", change) == ["14.0655105973", "percent"]
    ratio = Answer(question="q", text="0.25", value=AnswerValue(number=Decimal("0.250"), unit="ratio"))
    assert prediction("q", ratio) == ["0.25", ""]  # the script also reads a bare 0.25 as 25 percent


def test_a_figure_computed_in_full_units_from_facts_in_thousands_is_said_in_thousands():
    answer = _computed("73000", "USD", [_fact("a", "592", 1000), _fact("b", "519", 1000)])
    assert prediction("What was the change?", answer) == ["73", "thousand"]
    millions = _computed("-21700000", "USD", [_fact("a", "1073.3", 1_000_000), _fact("b", "1095.0", 1_000_000)])
    assert prediction("q", millions) == ["-21.7", "million"]


def test_a_figure_from_facts_in_several_scales_or_none_stays_in_full_units():
    mixed = _computed("73000", "USD", [_fact("a", "592", 1000), _fact("b", "519000")])
    assert prediction("q", mixed) == ["73000", ""]
    unscaled = _computed("73", "USD", [_fact("a", "592"), _fact("b", "519")])
    assert prediction("q", unscaled) == ["73", ""]
    # A ratio of two amounts in thousands is not in thousands.
    ratio = _computed("1.14", "ratio", [_fact("a", "592", 1000), _fact("b", "519", 1000)])
    assert prediction("q", ratio) == ["1.14", ""]


def test_a_text_answer_is_its_short_answer_a_list_its_spans_and_a_refusal_no_prediction():
    quote = "We estimate fair value using the Black-Scholes model."
    answer = Answer(question="q", text=f"{quote} [1]", citations=[
        Citation(n=1, doc_id="d", title="d", quote=quote, start=0, end=len(quote))])
    question = "How does the company estimate fair value?"
    assert prediction(question, answer) == [short_answer(question, answer), ""]
    assert prediction(question, answer)[0]
    listed = Answer(question="q", text="Fixed price and cost-plus contracts.", spans=["Fixed price", "cost-plus"])
    assert prediction("Which contract types?", listed) == [["Fixed price", "cost-plus"], ""]
    refusal = Answer(question="q", text="The document does not say.", refused=True)
    assert prediction(question, refusal) is None


GOLD = [{"table": {"uid": "t1", "table": [["", "2019"]]}, "paragraphs": [], "questions": [
    {"uid": "u1", "question": "Change?", "answer": 73, "answer_type": "arithmetic", "answer_from": "table",
     "scale": "thousand"},
    {"uid": "u2", "question": "Share?", "answer": 14.07, "answer_type": "arithmetic", "answer_from": "table",
     "scale": "percent"},
    {"uid": "u3", "question": "How?", "answer": ["Black-Scholes model"], "answer_type": "span", "answer_from": "text",
     "scale": ""}]},
    {"table": {"uid": "t2", "table": [["", "2019"]]}, "paragraphs": [], "questions": [
        {"uid": "u4", "question": "Which?", "answer": ["a", "b"], "answer_type": "multi-span", "answer_from": "table",
         "scale": ""}]}]


def test_the_gold_is_checked_and_restricted_to_the_questions_asked(tmp_path):
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(GOLD))
    assert load_gold(path) == GOLD
    subset = gold_subset(GOLD, {"u1", "u3"})
    assert [[q["uid"] for q in context["questions"]] for context in subset] == [["u1", "u3"]]
    without = tmp_path / "test-set.json"
    without.write_text(json.dumps([{**GOLD[0], "questions": [{"uid": "u1", "question": "Change?"}]}]))
    with pytest.raises(QueryError, match=r"not TAT-QA's gold format: .*no answer, answer_type, answer_from, scale"):
        load_gold(without)
    other = tmp_path / "seed.json"
    other.write_text(json.dumps([{"id": "q1", "question": "?"}]))
    with pytest.raises(QueryError, match="not TAT-QA's gold format") as error:
        load_gold(other)
    assert "\n" not in str(error.value)


def _record(uid: str, question: str, answer: Answer) -> dict:
    return {"id": f"tatqa-{uid}", "gold": {"question": question}, "answer": answer.to_json()}


def test_an_absent_script_is_one_line_in_the_section_never_a_zero(tmp_path):
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps(GOLD))
    answer = Answer(question="q", text="14.07%", value=AnswerValue(number=Decimal("14.07"), unit="percent"))
    section = official_scores(gold, [_record("u2", "Share?", answer)], tmp_path / "run", script_dir=tmp_path)
    assert "em" not in section and section["error"].startswith("TAT-QA's official script is absent")
    assert headline(section).startswith("TAT-QA official script: not scored: ")
    assert json.loads((tmp_path / "run" / "predictions.json").read_text()) == {"u2": ["14.07", "percent"]}
    assert section["subset"]  # one question of four asked: scored against that one only
    not_gold = tmp_path / "seed.json"
    not_gold.write_text("[]")
    assert official_scores(not_gold, [], tmp_path / "run")["error"].startswith(f"{not_gold}: not TAT-QA's gold")


def test_the_script_scores_the_predictions_in_their_scales(tmp_path):
    """The script itself on the mappings above: the figure in thousands, the percentage and the list of spans (in
    any order) match their gold; a refusal and a figure read without its scale do not."""
    shared_or_skip(OFFICIAL / SCRIPT)
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps(GOLD))
    in_thousands = _computed("73000", "USD", [_fact("a", "592", 1000), _fact("b", "519", 1000)])
    share = Answer(question="q", text="14.07%", value=AnswerValue(number=Decimal("14.0655"), unit="percent"))
    refused = Answer(question="q", text="No.", refused=True)
    listed = Answer(question="q", text="b and a", spans=["b", "a"])
    records = [_record("u1", "Change?", in_thousands), _record("u2", "Share?", share), _record("u3", "How?", refused),
               _record("u4", "Which?", listed)]
    section = official_scores(gold, records, tmp_path / "run")
    assert section["em"] == 75.0 and section["f1"] == 75.0 and section["subset"] is None
    assert section["em_detail"]["arithmetic"]["table"] == 100.0 and section["counts"]["arithmetic"]["table"] == 2
    assert section["em_detail"]["span"]["text"] == 0.0 and section["em_detail"]["multi-span"]["table"] == 100.0
    assert section["scale"] == 75.0  # the three predicted scale words are the gold's (u4's is "")
    unscaled = _computed("73", "USD", [_fact("a", "592"), _fact("b", "519")])
    section = official_scores(gold, [_record("u1", "Change?", unscaled)], tmp_path / "run")
    assert section["em"] == 0.0 and section["scale"] == 0.0  # 73 from a table that states no scale is not 73,000


def test_a_failing_script_is_one_line(tmp_path):
    broken = tmp_path / "official"
    broken.mkdir()
    (broken / SCRIPT).write_text("import sys\nsys.exit('no numpy here')\n")
    (tmp_path / "p.json").write_text("{}")
    with pytest.raises(QueryError, match=r"^TAT-QA's official script failed \(exit 1\): no numpy here$"):
        run_script(tmp_path / "gold.json", tmp_path / "p.json", broken)
    with pytest.raises(QueryError, match="printed no 'Exact-match accuracy' line"):
        parse_output("Traceback ...\n")


def _by_hand(gold, predictions) -> dict:  # noqa: ANN001
    """tatqa_eval.py run as its README says, and its printed overall scores."""
    done = subprocess.run([sys.executable, SCRIPT, "--gold_path", str(gold), "--pred_path", str(predictions)],
                          cwd=OFFICIAL, capture_output=True, text=True, check=True)
    return {key: float(re.search(rf"^{name} ([\d.]+)$", done.stdout, re.M).group(1))
            for key, name in (("em", "Exact-match accuracy"), ("f1", "F1 score"), ("scale", "Scale score"))}


def test_the_harness_reports_what_the_script_prints_on_a_slice_of_the_dev_set(tmp_path):
    contexts = json.loads(shared_or_skip(TATQA).read_text())
    shared_or_skip(OFFICIAL / SCRIPT)
    slice_, count = [], 0
    for context in contexts:  # whole contexts up to 24 questions; the run asks the first 20 (--limit)
        if count + len(context["questions"]) > 24:
            break
        slice_.append(context)
        count += len(context["questions"])
    path = tmp_path / "tatqa-slice.json"
    path.write_text(json.dumps(slice_))
    out = tmp_path / "runs" / "slice"
    result = CliRunner().invoke(eval_group, ["run", "--questions", str(path), "--mode", "per-doc", "--limit", "20",
                                             "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    official = summary["official"]
    assert "error" not in official, official
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    asked = [record["id"].removeprefix("tatqa-") for record in records]
    assert len(asked) == 20 < count and official["questions"] == 20
    subset = json.loads((out / "gold-subset.json").read_text())
    assert [question["uid"] for context in subset for question in context["questions"]] == asked
    predictions = json.loads((out / "predictions.json").read_text())
    refused = {record["id"].removeprefix("tatqa-") for record in records if record["answer"]["refused"]}
    valued = {record["id"].removeprefix("tatqa-") for record in records if record["answer"]["value"]}
    assert valued - refused <= set(predictions) <= set(asked) - refused
    assert official["predictions"] == len(predictions) > 0
    by_hand = _by_hand(out / "gold-subset.json", out / "predictions.json")
    assert (official["em"], official["f1"], official["scale"]) == (by_hand["em"], by_hand["f1"], by_hand["scale"])
    assert sum(sum(row.values()) for row in official["counts"].values()) == 20
    # Against the whole slice, the questions not asked would count as misses: hence the restricted gold.
    assert _by_hand(path, out / "predictions.json")["em"] == pytest.approx(official["em"] * 20 / count, abs=0.01)
    assert f"TAT-QA official script: EM {official['em']:.2f}, F1 {official['f1']:.2f}" in result.output
    assert "our own EM/F1" in result.output
    report = (out / "report.md").read_text()
    assert f"**TAT-QA official script: EM {official['em']:.2f}" in report and "| EM (questions) |" in report
    assert "Our own TAT-QA-style exact match" in report
