"""Scoring one Answer against one EvalQuestion: the outcome (correct, wrong, refused) and, for text, TAT-QA's
exact match and F1.

Numbers (answer_type "number") are compared in units, after normalizing:
- scale: the gold is `answer` × `scale` ("1,577" at "million"), the prediction `value.number` × `value.scale`.
  A prediction with no scale (1) that equals the gold as printed also counts: a table that never states its
  scale (TAT-QA's) cannot tell the reader it is in millions;
- percent against fraction: a gold percentage of 12.5 is matched by 12.5 (percent) and by 0.125 (a ratio);
- sign, for amounts: a prediction of -1,577 against a gold of 1,577 counts when the question asks for an amount
  (capex of 1,577 is printed as (1,577)), not for a change, where the sign is the answer.
A number is correct within `tolerance` relative to the gold (default 1%), or when it equals the gold after
rounding to the gold's printed precision (gold 0.47, prediction 0.4688).

Text answers use TAT-QA's normalization (lower case, no punctuation or articles, numbers as numbers) for exact
match and bag-of-tokens F1 (multi-span answers align spans one to one); a text answer is correct when every gold
span appears, normalized, in the answer text. TAT-QA's gold answers are short spans and the assistant answers in
sentences, so exact match and F1 compare the gold with `short_answer`: the figure as printed for a figure answer,
else the part of the first quoted sentence after the words the question shares with it.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from index.records import Answer
from eval.questionset import EvalQuestion

Outcome = Literal["correct", "wrong", "refused"]
_AMOUNT = re.compile(r"\b(?:amount|spend|spent|paid|pay|capex|capital expenditures?|expenses?|costs?|outflows?|"
                     r"purchases?|repurchases?|dividends?)\b", re.I)
_CHANGE = re.compile(r"\b(?:change|difference|increase|decrease|growth|decline|grow|grew|fell|rose|net)\b", re.I)
_NOT_REPORTED = re.compile(r"\bis not reported\b|\bnot reported \(nil\)", re.I)
_YES = re.compile(r"^\W*(?:yes|true|correct)\b|\b(?:increased|rose|grew|higher|above|exceeded)\b", re.I)
_NO = re.compile(r"^\W*(?:no|false|incorrect)\b|\b(?:decreased|fell|declined|lower|below|did not)\b", re.I)


def outcome(question: EvalQuestion, answer: Answer) -> Outcome:
    """Correct, wrong (answered and not correct) or refused."""
    if question.answer_type == "refusal":
        # Declining, or saying plainly that the line is not reported for that period (a blank cell), is right.
        return "correct" if answer.refused or _NOT_REPORTED.search(answer.text) else "wrong"
    if answer.refused:
        return "refused"
    return "correct" if is_correct(question, answer) else "wrong"


def is_correct(question: EvalQuestion, answer: Answer) -> bool:
    if question.answer_type == "number":
        return number_matches(question, answer)
    if question.answer_type == "boolean":
        said = boolean_in(answer.text)
        return said is not None and said == question.answer
    if question.answer_type == "text":
        text = normalize(answer.text)
        return all(normalize(span) in text for span in spans(question.answer)) or any(
            normalize(alternative) in text for alternative in question.alternatives)
    return answer.refused


def number_matches(question: EvalQuestion, answer: Answer) -> bool:
    if answer.value is None:
        return False
    gold = Decimal(question.answer)
    gold_amount = question.amount
    predicted = answer.value.number
    candidates = [predicted * answer.value.scale]
    if answer.value.scale == 1:
        candidates.append(predicted * (gold_amount / gold) if gold else predicted)  # printed without a scale
    if question.unit == "percent" and answer.value.unit != "percent" and abs(predicted) <= 1 < abs(gold):
        candidates.append(predicted * 100)
    amount = bool(_AMOUNT.search(question.question)) and not _CHANGE.search(question.question)
    decimals = max(0, -Decimal(str(question.answer)).normalize().as_tuple().exponent) \
        if Decimal(question.answer) != Decimal(question.answer).to_integral_value() else 0
    for value in candidates:
        for target in ({gold_amount, -gold_amount} if amount else {gold_amount}):
            if _close(value, target, question.tolerance):
                return True
            scaled_gold = target / (gold_amount / gold) if gold and gold_amount else target
            scaled_value = value / (gold_amount / gold) if gold and gold_amount else value
            if _rounds_to(scaled_value, scaled_gold, decimals):
                return True
    return False


def _close(value: Decimal, target: Decimal, tolerance: Decimal) -> bool:
    if target == 0:
        return value == 0
    return abs(value - target) <= tolerance * abs(target)


def _rounds_to(value: Decimal, target: Decimal, decimals: int) -> bool:
    try:
        return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) == target
    except InvalidOperation:
        return False


def boolean_in(text: str) -> bool | None:
    yes, no = _YES.search(text), _NO.search(text)
    if yes and not no:
        return True
    if no and not yes:
        return False
    if yes and no:
        return yes.start() < no.start()
    return None


# --- TAT-QA's text metrics ------------------------------------------------------------------------------------

_QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how is are was were do does did the a an of in on for to by from and or "
    "with as at its it their company companys s much many".split())


_LEADING = re.compile(r"^(?:[,:;–—-]\s*)?(?:(?:which|that|who)\s+)?(?:(?:is|are|was|were|has\s+been|have\s+been)\s+)?",
                      re.I)


def short_answer(question: str, answer: Answer) -> str:
    """The few words a span metric compares: the figure as printed (a lookup) or computed, else the part of the
    first quoted sentence after the last of the question's words to appear in it for the first time ("On a
    cost-plus type contract, we are paid | our allowable incurred costs plus a profit ..."). Empty for a refusal."""
    if answer.refused:
        return ""
    if answer.value is not None:
        figure = answer.figures[0] if answer.figures else None
        if figure is not None and len(figure.facts) == 1 and figure.facts[0].value is not None:
            return str(figure.facts[0].value)
        return str(answer.value.number)
    if not answer.citations:
        return answer.text
    tokens = answer.citations[0].quote.split()
    asked = {_stem(word) for word in re.findall(r"[\w-]+", question.lower())} - _QUESTION_WORDS
    first: dict[str, int] = {}
    for index, token in enumerate(tokens):
        word = _stem(re.sub(r"[^\w-]", "", token.lower()))
        if word in asked and word not in first:
            first[word] = index
    if not first:
        return " ".join(tokens)
    cut = max(first.values()) + 1
    span = tokens[cut:]
    if all(_stem(re.sub(r"[^\w-]", "", token.lower())) in asked | _QUESTION_WORDS for token in span):
        span = tokens[:min(first.values())]  # nothing new after the question's words: the answer precedes them
    return _LEADING.sub("", " ".join(span)).rstrip(".;,")


def _stem(word: str) -> str:
    word = re.sub(r"['’]s$", "", word)
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word



def spans(answer: object) -> list[str]:
    if isinstance(answer, list):
        return [str(item) for item in answer]
    return [] if answer is None else [str(answer)]


def normalize(text: str) -> str:
    """TAT-QA's answer normalization: lower case, numbers as numbers, no punctuation, no articles, single spaces."""
    tokens = []
    for token in re.split(r"\s+|(?<=[a-z])-(?=[a-z])", str(text).lower()):
        number = _number(token)
        if number is not None:
            tokens.append(number)
            continue
        token = re.sub(r"[^\w]", "", token)
        if token and token not in ("a", "an", "the"):
            tokens.append(token)
    return " ".join(tokens)


def _number(token: str) -> str | None:
    cleaned = re.sub(r"[^0-9%]+$", "", re.sub(r"^[^0-9.\-]+", "", token)).replace(",", "").rstrip("%")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", cleaned):
        return None
    return str(round(float(cleaned), 2))


def exact_match(predicted: str | list[str], gold: object) -> float:
    return float(sorted(normalize(span) for span in spans(predicted)) == sorted(normalize(span) for span in spans(gold)))


def f1(predicted: str | list[str], gold: object) -> float:
    """Bag-of-tokens F1; with several gold spans, each predicted span is aligned with one gold span (greedily,
    best pair first) and the F1s averaged over the larger count, as TAT-QA's metric does."""
    predicted_spans = [normalize(span).split() for span in spans(predicted)]
    gold_spans = [normalize(span).split() for span in spans(gold)]
    if not predicted_spans or not gold_spans:
        return float(predicted_spans == gold_spans)
    scores = sorted(((_token_f1(p, g), i, j) for i, p in enumerate(predicted_spans) for j, g in enumerate(gold_spans)),
                    reverse=True)
    used_p, used_g, total = set(), set(), 0.0
    for score, i, j in scores:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        total += score
    return round(total / max(len(predicted_spans), len(gold_spans)), 4)


def _token_f1(predicted: list[str], gold: list[str]) -> float:
    common = Counter(predicted) & Counter(gold)
    same = sum(common.values())
    if not same:
        return 0.0
    precision, recall = same / len(predicted), same / len(gold)
    return 2 * precision * recall / (precision + recall)
