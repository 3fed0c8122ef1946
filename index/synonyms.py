"""The financial vocabulary of index/synonyms.yaml: metrics and the labels they are printed under, the words
analysts use for them, period phrases, and statement group headers.

Used to expand keyword queries (BM25 only matches words it is given: "R&D" has none a filing spells out),
to map printed row labels to metrics, and to look facts up by what an analyst calls them. Labels are compared
in the one normalized form of index/labels.py (`normalize_label`), the form facts store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from index.labels import normalize_label

DATA_FILE = Path(__file__).with_name("synonyms.yaml")


@dataclass(frozen=True)
class Metric:
    key: str
    labels: tuple[str, ...]
    words: tuple[str, ...]
    only_line_under: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()


@lru_cache(maxsize=1)
def _data() -> dict:
    with open(DATA_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def metrics() -> tuple[Metric, ...]:
    result = []
    for key, entry in _data()["metrics"].items():
        result.append(Metric(key, tuple(entry.get("labels", [])), tuple(entry.get("words", [])),
                             tuple(entry.get("only_line_under", [])),
                             tuple(re.compile(pattern) for pattern in entry.get("patterns", []))))
    return tuple(result)


@lru_cache(maxsize=1)
def _label_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for metric in metrics():
        for label in metric.labels:
            index.setdefault(normalize_label(label), metric.key)
    return index


@lru_cache(maxsize=65536)
def metric_of_label(label: str) -> str | None:
    """The metric a printed row label is, if the vocabulary knows it ('Net sales' -> revenue)."""
    # "Add:" and "Less :" come off too: normalizing alone takes off only "Less:".
    name = normalize_label(re.sub(r"^(?:less|add)\s*:\s*", "", label.strip(), flags=re.I))
    name = re.sub(r"\s*\((?:deficit|net)\)$", "", name)
    if name in _label_index():
        return _label_index()[name]
    for suffix in (", net", " net", " (net)"):
        if name.endswith(suffix) and name[: -len(suffix)] in _label_index():
            return _label_index()[name[: -len(suffix)]]
    for entry in metrics():
        if any(pattern.match(name) for pattern in entry.patterns):
            return entry.key
    return None


def _word_pattern(word: str) -> re.Pattern[str]:
    escaped = re.escape(word.lower()).replace("\\&", r"\s*&\s*").replace("\\ ", r",?\s+").replace("\\-", r"[\s-]?")
    return re.compile(rf"(?<![\w&]){escaped}(?![\w&])", re.I)


@lru_cache(maxsize=1)
def _word_patterns() -> list[tuple[re.Pattern[str], Metric]]:
    patterns = [(_word_pattern(word), metric) for metric in metrics() for word in (*metric.words, *metric.labels)]
    # Longer phrases first, so that "net cash provided by operating activities" wins over "cash".
    return sorted(patterns, key=lambda item: -len(item[0].pattern))


def metrics_in(text: str) -> list[str]:
    """The metrics a question or label names, longest phrase first, each once."""
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for pattern, metric in _word_patterns():
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            if metric.key not in found:
                found.append(metric.key)
    return found


def metric_span(key: str, text: str) -> tuple[int, int] | None:
    """The longest stretch of a text that names a metric (by its words or labels); None when it does not."""
    entry = metric(key)
    spans = [match.span() for word in (*entry.words, *entry.labels) if (match := _word_pattern(word).search(text))]
    return max(spans, key=lambda span: (span[1] - span[0], -span[0]), default=None)


def metric_position(key: str, text: str) -> int:
    """Where a text first names a metric (by its words or labels); len(text) when it does not."""
    entry = metric(key)
    starts = [match.start() for word in (*entry.words, *entry.labels)
              if (match := _word_pattern(word).search(text))]
    return min(starts, default=len(text))


def metrics_in_order(text: str) -> list[str]:
    """The metrics a text names (as `metrics_in`), in the order the text names them."""
    found = metrics_in(text)
    return sorted(found, key=lambda key: (metric_position(key, text), found.index(key)))


def metric(key: str) -> Metric:
    for candidate in metrics():
        if candidate.key == key:
            return candidate
    raise KeyError(key)


@lru_cache(maxsize=1)
def _period_patterns() -> list[tuple[re.Pattern[str], str]]:
    return [(_word_pattern(word), entry["printed"]) for entry in _data()["periods"] for word in entry["words"]]


@lru_cache(maxsize=1)
def group_headers() -> tuple[str, ...]:
    return tuple(_data()["group_headers"])


def expand_query(query: str) -> str:
    """The query plus the printed forms of the metrics and periods it names ('R&D' adds 'research and
    development expenses'; 'first half' adds 'six months ended')."""
    added: list[str] = []
    for key in metrics_in(query):
        entry = metric(key)
        added.extend(entry.labels[:4])
    for pattern, printed in _period_patterns():
        if pattern.search(query) and printed not in added:
            added.append(printed)
    if not added:
        return query
    return query + " " + " ".join(added)
