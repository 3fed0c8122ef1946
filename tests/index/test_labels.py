"""index/labels.py: a label as printed, the one normalized form facts store and the vocabulary compares, and the
key the answering code compares labels and questions in."""

from __future__ import annotations

import pytest

from index.labels import clean_label, label_key, normalize_label
from index.synonyms import metric_of_label


@pytest.mark.parametrize(("raw", "clean"), [
    ("  Net   income ", "Net income"),
    ("Revenue |", "Revenue"),
    ("$ Revenue $", "Revenue"),
    ("Total revenues (1)", "Total revenues (1)"),
    ("Cash and\ncash equivalents", "Cash and cash equivalents"),
])
def test_clean_label(raw, clean):
    assert clean_label(raw) == clean


@pytest.mark.parametrize(("raw", "normal"), [
    ("Total Revenues (1)(2)", "total revenues"),
    ("Total revenues (1) (2)", "total revenues"),
    ("Cash and cash equivalents*", "cash and cash equivalents"),
    ("Research & Development", "research and development"),
    ("Less: Treasury stock", "treasury stock"),
    ("Stockholders’ equity:", "stockholders' equity"),
    ("Inventories, net.", "inventories, net"),
    ("  Net   income   attributable to Aptorum Group Limited:", "net income attributable to aptorum group limited"),
    ("Income (loss) from operations", "income (loss) from operations"),
    ("Operating margin (a)", "operating margin"),
])
def test_normalize_label(raw, normal):
    assert normalize_label(raw) == normal


def test_one_normalizer_spells_out_every_ampersand():
    # Before labels had one home, the vocabulary kept "r&d" while stored labels read "r and d": a look-up by
    # "R&D" and the fact it names must meet in the same form.
    assert normalize_label("R&D") == "r and d"
    assert normalize_label("PP & E") == "pp and e"
    assert normalize_label("R&D") == normalize_label("R and D") == normalize_label("r & d")
    assert normalize_label("Research & Development:") == "research and development"
    assert normalize_label("  Total Shareholders’ Equity. ") == "total shareholders' equity"


@pytest.mark.parametrize("label", ["Research & development", "Research and development (1)",
                                   "Less: Research and development", "RESEARCH AND DEVELOPMENT:"])
def test_the_vocabulary_reads_labels_in_the_normalized_form(label):
    assert metric_of_label(label) == "research_and_development"


def test_label_key_spells_ampersands_as_the_normalized_form_does():
    assert label_key("Property, plant & equipment, net") == "property plant and equipment net"
    assert label_key("Property, plant & equipment, net") == label_key("Property, plant and equipment, net")
    assert label_key("What were R&D expenses in 2021?") == "what were r and d expenses in 2021"
    assert label_key("Shareholders’ equity:") == "shareholders equity"


def test_label_key_keeps_the_printed_footnote_marks():
    assert label_key("Other foreign borrowings(1)") == "other foreign borrowings 1"
    assert label_key("Other foreign borrowings(1)") != label_key("Other foreign borrowings")
