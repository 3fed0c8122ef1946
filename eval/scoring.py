"""Scoring one Answer against one EvalQuestion, in two readings: strict (the outcome) and lenient (a secondary
column, the harness's reading before the strict one existed, kept so runs stay comparable over time).

Strict (`outcome`, `score(...).outcome`): correct, wrong (answered and not correct) or refused.
- A number is correct when its value in units (`value.number` × `value.scale`) equals the gold amount in units
  (`answer` × `scale`) after rounding to the gold's printed precision (gold 23.47 takes 23.4688), or lies within
  the question's explicit relative `tolerance`. A figure the assistant gives without a scale counts only when that
  is unambiguous: 1,577 is not 1,577 million. A fraction (unit "ratio") answers a percentage (0.125 is 12.5%).
- A text answer with `match` "span" (TAT-QA's) is correct when its short answer (`short_answer`) matches the gold
  or one of its `alternatives`: exact match after TAT-QA's normalization, or F1 >= 0.8; a gold that is one amount
  ("$85.1 million", "36%") is read as a number gold is, against the answer's figure (a percentage only by a
  percentage). With `match` "phrases"
  (the project's narrative, compare and direction questions) the answer's text must contain every phrase of
  `answer` and, when `alternatives` are given, one of them (case-insensitive).
- A boolean is the yes or no the text says first; a refusal question wants the answer to decline, or to say that
  the line is not reported (a blank cell).
- Then, for every kind: each of the question's `citations` must be cited (an answer citation whose quote contains
  it, or whose span in the document overlaps it: `cited`), and the answer must be grounded (no unsupported
  numbers).

Lenient (`lenient_outcome`): numbers within `tolerance` (default 1%) or at the gold's precision, also read as
printed without a scale (TAT-QA's tables never state one) and, for an amount, with either sign; text correct when
every gold span appears (normalized) in the answer's text, or any alternative does (phrases: every phrase, or
one alternative when there are none); no citation or grounding requirement.

`wrong_figure`: the failure that must not happen, a figure given where the gold has another figure (strictly read)
or none.

TAT-QA's exact match and F1 (`exact_match`, `f1`) compare `short_answer` with the gold: the assistant answers in
sentences, TAT-QA's gold answers are short spans.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from index.numbers import scale_of
from index.records import Answer
from eval.questionset import EvalQuestion

Outcome = Literal["correct", "wrong", "refused"]
DEFAULT_TOLERANCE = Decimal("0.01")  # the lenient reading's, for a question that gives none
SPAN_F1 = 0.8
_AMOUNT = re.compile(r"\b(?:amount|spend|spent|paid|pay|capex|capital expenditures?|expenses?|costs?|outflows?|"
                     r"purchases?|repurchases?|dividends?)\b", re.I)
_CHANGE = re.compile(r"\b(?:change|difference|increase|decrease|growth|decline|grow|grew|fell|rose|net)\b", re.I)
# A span gold that is one amount: "$85.1 million", "(2.3)%", "36%", "4,411".
_AMOUNT_SPAN = re.compile(r"(?P<minus>[-−(])?\s*\$?\s*(?P<number>\d[\d,]*(?:\.\d+)?)\s*\)?\s*"
                          r"(?P<unit>%|percent|thousand|million|billion|)\s*\)?", re.I)
_NOT_REPORTED = re.compile(r"\bis not reported\b|\bnot reported \(nil\)", re.I)
_YES = re.compile(r"^\W*(?:yes|true|correct)\b|\b(?:increased|rose|grew|higher|above|exceeded)\b", re.I)
_NO = re.compile(r"^\W*(?:no|false|incorrect)\b|\b(?:decreased|fell|declined|lower|below|did not)\b", re.I)


@dataclass(frozen=True)
class Score:
    outcome: Outcome  # strict
    lenient: Outcome
    wrong_figure: bool
    reason: str | None  # why the strict reading did not find it correct; None when it did


def score(question: EvalQuestion, answer: Answer, text: str | None = None, doc_id: str | None = None) -> Score:
    """Both readings of one answer. `text` is the text of the question's document (id `doc_id`), which a citation
    check needs when the answer quotes more or less than the gold quote; without it only the quotes are compared."""
    reason = strict_failure(question, answer, text, doc_id)
    if question.answer_type != "refusal" and answer.refused:
        strict: Outcome = "refused"
    else:
        strict = "correct" if reason is None else "wrong"
    return Score(strict, lenient_outcome(question, answer), wrong_figure(question, answer), reason)


def outcome(question: EvalQuestion, answer: Answer, text: str | None = None, doc_id: str | None = None) -> Outcome:
    """The strict outcome: correct, wrong (answered and not correct) or refused."""
    return score(question, answer, text, doc_id).outcome


def strict_failure(question: EvalQuestion, answer: Answer, text: str | None = None,
                   doc_id: str | None = None) -> str | None:
    """None when the answer is strictly correct, else a one-line reason."""
    kind, said = question.answer_type, _clip(answer.text)
    if kind == "refusal":
        if not (answer.refused or _NOT_REPORTED.search(answer.text)):
            return f"should decline or say not reported: {said}"
    elif answer.refused:
        return f"refused: {said}"
    elif kind == "number":
        if answer.value is None:
            return f"no figure: {said}"
        if not strict_number_matches(question, answer):
            return (f"figure {answer.value.number * answer.value.scale} is not {question.amount} "
                    f"(at the gold's precision): {said}")
    elif kind == "boolean":
        if boolean_in(answer.text) != question.answer:
            return f"does not say {'yes' if question.answer else 'no'}: {said}"
    elif question.match == "phrases":
        lowered = answer.text.lower()
        missing = [phrase for phrase in spans(question.answer) if phrase.lower() not in lowered]
        if missing:
            return f"text lacks {missing}: {said}"
        if question.alternatives and not any(phrase.lower() in lowered for phrase in question.alternatives):
            return f"text has none of {question.alternatives}: {said}"
    else:
        short = short_answer(question.question, answer)
        if not any(exact_match(short, gold) or f1(short, gold) >= SPAN_F1 or _same_amount(gold, answer)
                   for gold in [question.answer, *question.alternatives]):
            return f"short answer {short!r} does not match {question.answer!r}"
    for quote in question.citations:
        if not cited(quote, answer, text, doc_id):
            return f"gold citation not cited: {quote[:60]!r}"
    if not answer.grounded:
        return f"unsupported numbers {answer.unsupported_numbers}"
    return None


def strict_number_matches(question: EvalQuestion, answer: Answer) -> bool:
    if answer.value is None:
        return False
    value = answer.value.number * answer.value.scale
    candidates = [value]
    if question.unit == "percent" and answer.value.unit == "ratio":
        candidates.append(value * 100)
    gold, multiplier = Decimal(question.answer), scale_of(question.scale)
    decimals = max(0, -gold.as_tuple().exponent)  # as printed: "26.20" wants two decimals
    for candidate in candidates:
        if question.tolerance is not None and _close(candidate, question.amount, question.tolerance):
            return True
        if _rounds_to(candidate / multiplier, gold, decimals):
            return True
    return False


def wrong_figure(question: EvalQuestion, answer: Answer) -> bool:
    """A figure given where the gold has another figure (strictly read) or none."""
    if answer.refused or answer.value is None:
        return False
    if question.answer_type == "refusal":
        return True
    if question.answer_type == "number":
        return not strict_number_matches(question, answer)
    return False


def cited(quote: str, answer: Answer, text: str | None = None, doc_id: str | None = None) -> bool:
    """A gold quote lies within one of the answer's quotes, or overlaps one's span in the document `text`."""
    if any(quote in citation.quote for citation in answer.citations):
        return True
    if text is None:
        return False
    at = text.find(quote)
    while at >= 0:
        if any(citation.start < at + len(quote) and at < citation.end
               and (doc_id is None or citation.doc_id == doc_id) for citation in answer.citations):
            return True
        at = text.find(quote, at + 1)
    return False


def _clip(text: str, width: int = 120) -> str:
    text = " ".join(text.split())
    return repr(text[:width] + ("…" if len(text) > width else ""))


# --- lenient --------------------------------------------------------------------------------------------------


def lenient_outcome(question: EvalQuestion, answer: Answer) -> Outcome:
    """The lenient reading: correct, wrong or refused (see the module docstring)."""
    if question.answer_type == "refusal":
        # Declining, or saying plainly that the line is not reported for that period (a blank cell), is right.
        return "correct" if answer.refused or _NOT_REPORTED.search(answer.text) else "wrong"
    if answer.refused:
        return "refused"
    return "correct" if lenient_correct(question, answer) else "wrong"


def lenient_correct(question: EvalQuestion, answer: Answer) -> bool:
    if question.answer_type == "number":
        return number_matches(question, answer)
    if question.answer_type == "boolean":
        said = boolean_in(answer.text)
        return said is not None and said == question.answer
    if question.answer_type == "text":
        text = normalize(answer.text)
        wanted = spans(question.answer)
        if question.match == "phrases" and not wanted:
            return any(normalize(alternative) in text for alternative in question.alternatives)
        if question.match == "phrases":
            return all(normalize(span) in text for span in wanted)
        return all(normalize(span) in text for span in wanted) or any(
            normalize(alternative) in text for alternative in question.alternatives)
    return answer.refused


def number_matches(question: EvalQuestion, answer: Answer) -> bool:
    """The lenient number rule."""
    if answer.value is None:
        return False
    tolerance = DEFAULT_TOLERANCE if question.tolerance is None else question.tolerance
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
            if _close(value, target, tolerance):
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


def _same_amount(gold: object, answer: Answer) -> bool:
    """Whether a span gold that is one amount ("$85.1 million", "36%") is the answer's figure at the gold's
    precision, read as a number gold is: 85,123 thousand is $85.1 million, 36.03% is 36%."""
    match = _AMOUNT_SPAN.fullmatch(gold.strip()) if isinstance(gold, str) else None
    if match is None or answer.value is None:
        return False
    percent = match.group("unit").lower() in ("%", "percent")
    if percent != (answer.value.unit == "percent"):
        return False
    printed = Decimal(match.group("number").replace(",", "")) * (-1 if match.group("minus") else 1)
    scale = 1 if percent else scale_of(match.group("unit"))
    return _rounds_to(answer.value.number * answer.value.scale / scale, printed, max(0, -printed.as_tuple().exponent))


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


def short_answer(question: str, answer: Answer) -> str | list[str]:
    """The few words a span metric compares: the answer's own `spans` when it gives them (one string, or a list
    for several items), else the figure as printed (a lookup) or computed, else the part of the first quoted
    sentence after the last of the question's words to appear in it for the first time ("On a cost-plus type
    contract, we are paid | our allowable incurred costs plus a profit ..."). Empty for a refusal."""
    if answer.refused:
        return ""
    if answer.spans:
        return answer.spans[0] if len(answer.spans) == 1 else list(answer.spans)
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
