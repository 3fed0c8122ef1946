"""TAT-QA's official score: the run's answers as the predictions TAT-QA's own script reads, and that script run on
them (../shared/benchmarks/tatqa/official, copied unchanged from the TAT-QA repository).

    prediction(question, answer)                  # [answer, scale] for one Answer, or None for a refusal
    official_scores(gold_path, records, out)      # writes predictions.json, runs tatqa_eval.py, parses what it prints

The script compares `{uid: [answer, scale]}` with the gold: a number as '%.4f' of round(x, 2) times its scale
(thousand, million, billion; percent is 0.01), so 73 "thousand" is 73,000 and 73 "" is 73, and the rounding is at
the scale's two decimals; its scale score counts the scale words that are the gold's. Text is compared span by
span after normalization (EM, and a bag-of-words F1). A question without a prediction is a miss.
Its EM and F1 are the numbers TAT-QA's papers publish, hence the headline for TAT-QA; eval/scoring.py's em/f1
stay as our own reading.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from index.errors import QueryError
from index.records import Answer, Figure
from eval.scoring import short_answer
from eval.tatqa import uid_of

# Beside the repository, as ../shared/benchmarks/tatqa/official (eval/bench_ingest.py's SHARED, which imports the
# report and so cannot be imported here).
OFFICIAL = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "tatqa" / "official"
SCRIPT = "tatqa_eval.py"
SCALE_WORDS = {1_000: "thousand", 1_000_000: "million", 1_000_000_000: "billion"}
# A figure in these units adds or averages amounts, so it is in the scale its facts are printed in; a ratio,
# percentage, per-share amount or number of days is not.
_AMOUNT_UNITS = frozenset({"USD", "shares"})
_GOLD_KEYS = ("uid", "answer", "answer_type", "answer_from", "scale")
TIMEOUT_SECONDS = 600


# --- predictions ------------------------------------------------------------------------------------------------


def prediction(question: str, answer: Answer) -> list | None:
    """The official prediction for one answer: `[number, scale word]` for a headline value, `[short answer, ""]`
    for text, `[[span, ...], ""]` when the answer gives several spans (a list question), None for a refusal or an
    empty answer."""
    if answer.refused:
        return None
    spans = text_spans(question, answer)
    if answer.value is not None and len(spans) <= 1:
        return number_prediction(answer)
    if not spans:
        return None
    return [spans if len(spans) > 1 else spans[0], ""]


def text_spans(question: str, answer: Answer) -> list[str]:
    """The answer's text spans: its short answer (eval/scoring.py), which is the answer's own spans when it gives
    them, one or several; several are predicted as a list, which the script aligns with a multi-span gold."""
    short = short_answer(question, answer)
    return [span.strip() for span in (short if isinstance(short, list) else [short]) if span and span.strip()]


def number_prediction(answer: Answer) -> list[str]:
    """The headline value with TAT-QA's scale word. A percentage is "percent". A value at a named scale keeps it. An
    amount computed in full units from facts that are all printed in one named scale is said in that scale, as the
    table prints it (18,000,000 from "100" and "82" in millions is 18 million)."""
    value = answer.value
    assert value is not None
    if value.unit == "percent":
        return [_plain(value.number * value.scale), "percent"]
    if value.scale in SCALE_WORDS:
        return [_plain(value.number), SCALE_WORDS[value.scale]]
    amount = value.number * value.scale
    printed = _printed_scale(answer) if value.scale == 1 and value.unit in _AMOUNT_UNITS else None
    if printed:
        return [_plain(amount / printed), SCALE_WORDS[printed]]
    return [_plain(amount), ""]


def _printed_scale(answer: Answer) -> int | None:
    """The one named scale every fact of the headline figure is printed in, or None."""
    figure = _headline_figure(answer)
    if figure is None:
        return None
    scales = {fact.scale for fact in figure.facts if fact.value is not None}
    if len(scales) == 1 and (scale := scales.pop()) in SCALE_WORDS:
        return scale
    return None


def _headline_figure(answer: Answer) -> Figure | None:
    """The computed figure the headline value states (an answer may keep other figures as evidence)."""
    assert answer.value is not None
    amount = answer.value.number * answer.value.scale
    matching = [figure for figure in answer.figures if figure.value == amount]
    if not matching:  # the headline may be the figure rounded as the question asked
        decimals = max(0, -amount.as_tuple().exponent)
        matching = [figure for figure in answer.figures
                    if round(figure.value, decimals) == amount and figure.facts]
    return matching[-1] if matching else None


def _plain(number: Decimal) -> str:
    """A number as digits the script parses: no exponent, no commas, no trailing zeros after the point."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- the gold ---------------------------------------------------------------------------------------------------


def load_gold(path: Path) -> list[dict]:
    """TAT-QA's JSON with gold answers: a list of contexts whose questions each have uid, answer, answer_type,
    answer_from and scale; else a QueryError in one line."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QueryError(f"{path}: not TAT-QA's gold JSON ({type(exc).__name__})") from None
    if not (isinstance(data, list) and data
            and all(isinstance(context, dict) and isinstance(context.get("questions"), list) for context in data)):
        raise QueryError(f"{path}: not TAT-QA's gold format (a list of contexts, each with a 'questions' list)")
    for number, context in enumerate(data, start=1):
        for question in context["questions"]:
            missing = [key for key in _GOLD_KEYS if not isinstance(question, dict) or key not in question]
            if missing:
                raise QueryError(f"{path}: not TAT-QA's gold format: a question of context {number} has no "
                                 f"{', '.join(missing)} (a set without gold answers cannot be scored)")
    return data


def gold_subset(contexts: list[dict], uids: set[str]) -> list[dict]:
    """The contexts restricted to the questions with these uids, in their order; contexts left empty are dropped."""
    subset = []
    for context in contexts:
        questions = [question for question in context["questions"] if question["uid"] in uids]
        if questions:
            subset.append({**context, "questions": questions})
    return subset


# --- the script -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficialScores:
    """What tatqa_eval.py prints: EM, F1 and scale score in percent (as printed, two decimals), and its pivot
    tables by answer type x answer source: EM and F1 (in percent) and the number of questions."""

    em: float
    f1: float
    scale: float
    em_detail: dict[str, dict[str, float]]
    f1_detail: dict[str, dict[str, float]]
    counts: dict[str, dict[str, int]]

    def to_json(self) -> dict:
        return {"em": self.em, "f1": self.f1, "scale": self.scale, "em_detail": self.em_detail,
                "f1_detail": self.f1_detail, "counts": self.counts}


def script_folder(gold_path: str | Path) -> Path:
    """The official script's folder: beside the gold file (as in ../shared/benchmarks/tatqa), else ../shared's."""
    beside = Path(gold_path).resolve().parent / "official"
    return beside if (beside / SCRIPT).is_file() else OFFICIAL


def run_script(gold_path: Path, predictions_path: Path, script_dir: Path = OFFICIAL) -> str:
    """tatqa_eval.py on these files, in its own folder; what it prints. A QueryError in one line when the script
    is absent or fails."""
    if not (script_dir / SCRIPT).is_file():
        raise QueryError(f"TAT-QA's official script is absent: no {script_dir / SCRIPT}")
    try:
        done = subprocess.run([sys.executable, SCRIPT, "--gold_path", str(Path(gold_path).resolve()),
                               "--pred_path", str(Path(predictions_path).resolve())],
                              cwd=script_dir, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise QueryError(f"TAT-QA's official script took more than {TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise QueryError(f"TAT-QA's official script failed (exit {done.returncode}): {last}")
    return done.stdout


def parse_output(stdout: str) -> OfficialScores:
    """The overall scores and the three pivot tables from what tatqa_eval.py prints."""
    overall = {}
    for name, key in (("Exact-match accuracy", "em"), ("F1 score", "f1"), ("Scale score", "scale")):
        match = re.search(rf"^{name} (-?[\d.]+|nan)$", stdout, re.M)
        if not match:
            raise QueryError(f"TAT-QA's official script printed no '{name}' line")
        overall[key] = float(match.group(1))
    counts = {kind: {source: int(count) for source, count in row.items()}
              for kind, row in _pivot(stdout, "raw detail").items()}
    return OfficialScores(em_detail=_percent(_pivot(stdout, "em detail")),
                          f1_detail=_percent(_pivot(stdout, "f1 detail")), counts=counts, **overall)


def _pivot(stdout: str, title: str) -> dict[str, dict[str, float]]:
    """A pandas pivot table as printed: a header with the value name, an `answer_from` line naming the columns, an
    `answer_type` line, then one row per answer type."""
    lines = stdout.split(f"---- {title} ---", 1)[1].splitlines() if f"---- {title} ---" in stdout else []
    columns: list[str] = []
    table: dict[str, dict[str, float]] = {}
    for line in lines[1:]:
        if line.startswith("----"):
            break
        words = line.split()
        if not words:
            continue
        if words[0] == "answer_from":
            columns = words[1:]
        elif columns and words[0] != "answer_type" and len(words) == len(columns) + 1:
            table[words[0]] = dict(zip(columns, (float(word) for word in words[1:])))
    if not table:
        raise QueryError(f"TAT-QA's official script printed no '{title}' table")
    return table


def _percent(table: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {kind: {source: round(value * 100, 2) for source, value in row.items()} for kind, row in table.items()}


# --- a run ------------------------------------------------------------------------------------------------------


def official_scores(gold_path: Path, records: list[dict], out: Path, script_dir: Path | None = None) -> dict:
    """The run's `official` section: its records' predictions written to OUT/predictions.json and scored by the
    script against GOLD_PATH, restricted to the questions asked when they are fewer than the gold's (--limit; the
    restricted copy is OUT/gold-subset.json, named by `subset`). Never raises for the script or the gold: what
    went wrong is the section's one-line `error`, never a silent zero."""
    try:
        contexts = load_gold(gold_path)
    except QueryError as exc:
        return {"error": str(exc)}
    predictions = {}
    for record in records:
        if "answer" not in record:  # crashed or not asked in its document: no prediction, a miss
            continue
        said = prediction(record["gold"]["question"], Answer.from_json(record["answer"]))
        if said is not None:
            predictions[uid_of(record["id"])] = said
    out.mkdir(parents=True, exist_ok=True)
    predictions_path = out / "predictions.json"
    predictions_path.write_text(json.dumps(predictions, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    asked = {uid_of(record["id"]) for record in records}
    total = sum(len(context["questions"]) for context in contexts)
    section = {"gold": str(gold_path), "questions": total, "predictions": len(predictions),
               "predictions_file": str(predictions_path), "subset": None}
    if len(asked) < total:  # --limit: the questions not asked are not the assistant's misses
        contexts = gold_subset(contexts, asked)
        gold_path = out / "gold-subset.json"
        gold_path.write_text(json.dumps(contexts, ensure_ascii=False) + "\n", encoding="utf-8")
        section.update(subset=str(gold_path), questions=sum(len(context["questions"]) for context in contexts))
    try:
        scores = parse_output(run_script(gold_path, predictions_path, script_dir or script_folder(section["gold"])))
    except QueryError as exc:
        return {**section, "error": str(exc)}
    return {**section, **scores.to_json()}


def headline(section: dict) -> str:
    """One line for the CLI and the report."""
    if "error" in section:
        return f"TAT-QA official script: not scored: {section['error']}"
    subset = (f" (against the {section['questions']} questions asked only, {section['subset']})"
              if section.get("subset") else "")
    return (f"TAT-QA official script: EM {section['em']:.2f}, F1 {section['f1']:.2f}, scale {section['scale']:.2f}"
            f"{subset}")
