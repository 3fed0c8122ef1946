"""Figures stated in sentences: "$17.1 million", "1,387,925 ... Class A Ordinary Shares at $2.882 per share",
"10% premium", "up to 6 cohorts". Each becomes a NarrativeFigure with its sentence, a label (what the
sentence says it is) and, where the sentence says, its period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from index.numbers import DIGITS, SCALE_LETTER, SCALE_WORD, scale_of
from index.periods import DATE, DURATION_OF_MONTHS, MONTH_NAME, MONTHS_COUNT, MONTHS_WORDS, YEAR, parse_date
from index.sentences import sentence_spans
from index.synonyms import metric_of_label

_MONEY = re.compile(
    rf"(?P<sign>-)?(?:US\$|\$|USD\s?)\s?(?P<num>{DIGITS})(?:\s?(?P<unit>{SCALE_WORD})\b|(?P<short>{SCALE_LETTER})\b)?"
    r"(?P<per>\s+per\s+(?:diluted\s+|basic\s+)?(?:ordinary\s+|common\s+)?share)?",
    re.I,
)
_PERCENT = re.compile(rf"(?<![\w.$])(?P<num>{DIGITS})\s?(?:%|percent\b)", re.I)
_SHARES = re.compile(
    rf"(?<![\w.$])(?P<num>{DIGITS})\s+(?:of\s+(?:the\s+)?(?:Company['’]s\s+|our\s+))?(?P<label>(?:Class\s+[A-Z]\s+)?(?:ordinary|common)\s+shares|shares(?:\s+of\s+(?:common|ordinary)\s+stock)?)",
    re.I,
)
_COUNT = re.compile(r"(?<![\w.$/°-])(?:up\s+to\s+)?(?P<num>\d{1,3}(?:,\d{3})*)\s+(?:total\s+|additional\s+|new\s+)?(?P<noun>[a-z]{3,}s)\b")
_NOT_COUNTED = {"months", "years", "days", "weeks", "hours", "quarters", "times", "shares", "points", "percent",
                "dollars", "cents", "thousands", "millions", "billions", "units", "items", "minutes", "seconds"}
_VERB = re.compile(r"\s+(?:were|was|is|are|totall?ed|totaling|totalling|amounted\s+to|reached|of|came\s+in\s+at|"
                   r"(?:increased|decreased|rose|fell|grew|declined)\s+(?:to|by)|stood\s+at)\s+(?:approximately\s+|about\s+|nearly\s+|up\s+to\s+|over\s+)?$", re.I)
_LEAD = re.compile(r"^(?:.*\b(?:reported|announced|recorded|had|generated|posted|delivered|recognized|incurred|with|by|from|"
                   r"including|was|were|is|are|there)\s+)?(?:(?:a|an|the|its|our|their|total of|and)\s+)*", re.I)
_PREPOSITIONS = {"to", "of", "in", "on", "for", "and", "as", "at", "from", "by", "with", "over", "than"}
_DURATION = re.compile(rf"(?:for|during|in)\s+the\s+({MONTHS_COUNT})\s+months\s+ended\s+({DATE})", re.I)
_SAME_PERIOD = re.compile(rf"(?:for|in)\s+the\s+same\s+period\s+(?:in|of|last year)\s*({YEAR})?", re.I)
_AS_OF = re.compile(rf"\bas\s+(?:of|at)\s+({DATE})", re.I)
_YEAR_ENDED = re.compile(rf"(?:for|during|in)\s+(?:the\s+)?(?:fiscal\s+)?year\s+ended\s+({DATE})", re.I)
# "$19.9 million as of June 30, 2021", but not "$6.5 billion and $6.8 billion as of May 31, 2023 and 2022, respectively".
_AS_OF_AFTER = re.compile(rf"^\s*,?\s*as\s+(?:of|at)\s+({DATE})(?!,?\s+and\s*(?:$|(?:[A-Z][a-z]+\s+\d{{1,2}},\s+)?\d{{4}}))", re.I)
# A period phrase before or after a label ("Revenue for the six months ended June 30, 2021 was ...", "In 2021 revenues
# were ..."): not part of it.
_PERIOD_PHRASE = (rf"(?:\b(?:for|during|in)\s+the\s+{MONTHS_COUNT}\s+months\s+ended\s+{DATE}|"
                  rf"\b(?:for|during|in)\s+(?:the\s+)?(?:fiscal\s+)?year\s+ended\s+{DATE}|"
                  rf"\bas\s+(?:of|at)\s+{DATE}|\b(?:in|for|during)\s+(?:fiscal\s+(?:year\s+)?)?{YEAR}\b)")
_PERIOD_BEFORE = re.compile(rf"^\s*{_PERIOD_PHRASE},?\s*", re.I)
_PERIOD_AFTER = re.compile(rf",?\s*{_PERIOD_PHRASE},?\s*$", re.I)
# "increased by $1.2 million": the figure is a change, not the line itself.
_CHANGE_VERB = re.compile(r"^\s+(?:(increased|rose|grew)|decreased|fell|declined)\s+by\b", re.I)
_CHANGE = re.compile(r"^(?:increase|decrease) in (.+)$")
# A year where a number of shares could be: "During 2021 shares of common stock were repurchased".
_YEAR_BEFORE_SHARES = re.compile(rf"(?:\b(?:in|during|fiscal|since|through|until|for|by|from|year|FY)|"
                                 rf"{MONTH_NAME}(?:\s+\d{{1,2}})?,?)\s*$", re.I)
_MONTH_BEFORE = re.compile(rf"{MONTH_NAME}\s*$")


@dataclass
class NarrativeFigure:
    kind: str  # money, per_share, percent, shares, count
    raw: str
    value: Decimal
    scale: int
    decimals: int
    start: int
    end: int
    label: str
    sentence: str
    period_end: dt.date | None = None
    duration: str | None = None


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans in text[start:end], one statement per line as well (index/sentences.py)."""
    return sentence_spans(text, start, end, line_breaks=True)


def figures_in(text: str, start: int, end: int, default_end: dt.date | None = None,
               default_duration: str | None = None) -> list[NarrativeFigure]:
    """Every figure in the sentences of text[start:end], with labels and periods. The document's own period
    (`default_end`, `default_duration`) is what "the current period" and "the same period in 2020" refer to."""
    found: list[NarrativeFigure] = []
    for sentence_start, sentence_end in sentences(text, start, end):
        sentence = text[sentence_start:sentence_end]
        figures = _figures_of_sentence(sentence)
        previous: NarrativeFigure | None = None
        done: list[NarrativeFigure] = []
        for figure in figures:
            figure.start += sentence_start
            figure.end += sentence_start
            figure.sentence = sentence.strip()
            _period(figure, sentence, sentence_start, previous, default_end, default_duration)
            if not figure.label:
                figure.label = _inherited_label(text, figure, done)
            previous = figure
            done.append(figure)
            if figure.label:
                found.append(figure)
    return found


def _inherited_label(text: str, figure: NarrativeFigure, earlier: list[NarrativeFigure]) -> str:
    """The label of the last figure of the same kind: "... compared to $7.0 million for the same period in 2020".
    After a change ("increased by $1.2 million[, or 28%,] to $5.5 million") the figure is the line itself."""
    same = [other for other in earlier if other.kind == figure.kind]
    if not same:
        return ""
    last = same[-1]
    between = text[last.end:figure.start]
    if last is not earlier[-1] and not re.fullmatch(r",?\s*or\s+[\d.]+\s?(?:%|percent),?\s*(?:to|from)\s+", between, re.I):
        return ""
    change = _CHANGE.match(last.label)
    if change and re.search(r"\b(?:to|from)\s+$", between):
        return change.group(1)
    return last.label


def _figures_of_sentence(sentence: str) -> list[NarrativeFigure]:
    figures: list[NarrativeFigure] = []
    taken: list[tuple[int, int]] = []

    def free(span: tuple[int, int]) -> bool:
        return not any(start < span[1] and span[0] < end for start, end in taken)

    for match in _MONEY.finditer(sentence):
        unit = (match.group("unit") or match.group("short") or "").lower()
        value = Decimal(match.group("num").replace(",", ""))
        if match.group("sign"):
            value = -value
        kind = "per_share" if match.group("per") else "money"
        end = match.end("num") if kind == "money" and not unit else match.end()
        if unit:
            end = match.end("unit") if match.group("unit") else match.end("short")
        label = "price per share" if kind == "per_share" else _label_before(sentence, match.start(), figures)
        figures.append(NarrativeFigure(kind, sentence[match.start():end], value, scale_of(unit),
                                       _decimals(match.group("num")), match.start(), end, label, sentence))
        taken.append((match.start(), end))
    for match in _SHARES.finditer(sentence):
        if not free(match.span("num")) or (re.fullmatch(YEAR, match.group("num"))
                                           and (match.start() == 0 or _YEAR_BEFORE_SHARES.search(sentence[:match.start()]))):
            continue
        figures.append(NarrativeFigure("shares", match.group("num"), Decimal(match.group("num").replace(",", "")), 1, 0,
                                       match.start("num"), match.end("num"), " ".join(match.group("label").split()), sentence))
        taken.append(match.span("num"))
    for match in _PERCENT.finditer(sentence):
        if not free(match.span()):
            continue
        after = re.match(r"\s+([a-z][a-z-]+(?:\s+[a-z][a-z-]+)?)", sentence[match.end():])
        words = after.group(1).split() if after else []
        while words and words[-1] in _PREPOSITIONS:
            words.pop()
        label = " ".join(words) if words and words[0] not in _PREPOSITIONS else ""
        label = label or _label_before(sentence, match.start(), figures)
        figures.append(NarrativeFigure("percent", match.group(0), Decimal(match.group("num").replace(",", "")), 1,
                                       _decimals(match.group("num")), match.start(), match.end(), label, sentence))
        taken.append(match.span())
    for match in _COUNT.finditer(sentence):
        if not free(match.span("num")) or match.group("noun").lower() in _NOT_COUNTED or _in_date(sentence, match.start("num")):
            continue
        figures.append(NarrativeFigure("count", match.group("num"), Decimal(match.group("num").replace(",", "")), 1, 0,
                                       match.start("num"), match.end("num"), match.group("noun").lower(), sentence))
        taken.append(match.span("num"))
    figures.sort(key=lambda figure: figure.start)
    return figures


def _label_before(sentence: str, position: int, earlier: list[NarrativeFigure]) -> str:
    """What the sentence says a figure is: the noun phrase before 'was', 'were', 'of', 'totalled' ..."""
    head = sentence[:position]
    verb = _VERB.search(head)
    if not verb:
        return ""
    region_start = max([figure.end for figure in earlier if figure.end <= verb.start()], default=0)
    region = _PERIOD_AFTER.sub("", _PERIOD_BEFORE.sub("", head[region_start:verb.start()]))
    region = re.split(r"[,;:]\s+(?!net\b)|\s+(?:while|whereas|but)\s+", region)[-1]
    region = re.sub(r"^\s*(?:million|billion|thousand)\b", "", region)
    region = _known_line(region, _LEAD.sub("", region.strip()))
    region = re.sub(r"^(?:as of|as at)\s+\S+\s+\d{1,2},?\s+\d{4},?\s*", "", region, flags=re.I)
    shorter = re.split(r"\s+for\s+(?:an?\s+|the\s+)?", region)[-1]
    if len(shorter.split()) >= 2:
        region = shorter
    words = region.split()
    if not words or len(words) > 12 or re.search(r"\d{2,}", region):
        return ""
    label = " ".join(words).strip(" ,")
    if all(word.lower() in _PREPOSITIONS for word in label.split()):
        return ""  # "..., respectively, and as of May 31, 2022 were $1.1 billion"
    if change := _CHANGE_VERB.match(verb.group(0)):
        return f"{'increase' if change.group(1) else 'decrease'} in {label}"
    return label


def _known_line(region: str, label: str) -> str:
    """The longest line the vocabulary knows at the end of the region, where cutting the lead-in ('... by', '... from')
    would cut into it: "Net cash provided by operating activities", "Income from operations"."""
    words = region.split()[-12:]
    for first in range(len(words) - len(label.split())):
        if metric_of_label(candidate := " ".join(words[first:])):
            return candidate
    return label


def _period(figure: NarrativeFigure, sentence: str, offset: int, previous: NarrativeFigure | None,
            default_end: dt.date | None, default_duration: str | None) -> None:
    local_end = figure.end - offset
    tail = sentence[local_end:local_end + 140]
    cut = re.search(r"\$\s?\d|\bcompared\b", tail)
    tail = tail[: cut.start()] if cut else tail
    if match := _DURATION.search(tail):
        figure.duration = DURATION_OF_MONTHS[MONTHS_WORDS[match.group(1).lower()]]
        figure.period_end = parse_date(match.group(2))
        return
    if match := _YEAR_ENDED.search(tail):
        figure.duration, figure.period_end = "FY", parse_date(match.group(1))
        return
    if match := _AS_OF_AFTER.match(tail):
        figure.duration, figure.period_end = "instant", parse_date(match.group(1))
        return
    if match := _SAME_PERIOD.search(tail):
        anchor_end = previous.period_end if previous is not None and previous.period_end else default_end
        anchor_duration = previous.duration if previous is not None and previous.period_end else default_duration
        if anchor_end is not None:
            year = int(match.group(1)) if match.group(1) else anchor_end.year - 1
            figure.duration = anchor_duration
            try:
                figure.period_end = anchor_end.replace(year=year)
            except ValueError:
                figure.period_end = None
        return
    if re.search(r"\b(?:current|this)\s+(?:period|quarter|year)\b", sentence, re.I) and default_end is not None:
        figure.duration, figure.period_end = default_duration, default_end
    head = sentence[: figure.start - offset]
    if match := _AS_OF.search(head):
        figure.duration, figure.period_end = "instant", parse_date(match.group(1))
    elif match := _DURATION.search(head):
        figure.duration = DURATION_OF_MONTHS[MONTHS_WORDS[match.group(1).lower()]]
        figure.period_end = parse_date(match.group(2))


def _decimals(number: str) -> int:
    return len(number.split(".")[1]) if "." in number else 0


def _in_date(sentence: str, position: int) -> bool:
    before = sentence[max(0, position - 12):position]
    return bool(_MONTH_BEFORE.search(before))
