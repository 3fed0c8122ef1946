"""assistant/presenter.py: what every front end shows of an Answer, from hand-built Answers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.calculator import calculate
from assistant.presenter import NO_CALCULATION, UNVERIFIED_MARK, headline, present, source_label, source_where
from index.records import Answer, AnswerValue, Citation, Fact

DOC = "a1b2c3d4e5f60718"
TABLE = "Research and development expenses (5,508,356) (4,315,033)"
SENTENCE = "Research and development expenses rose to $5.5 million."


def fact(fact_id: str, raw: str, value: str, period: str, start: int, passage: str = f"{DOC}-p0003") -> Fact:
    return Fact(id=fact_id, doc_id=DOC, source="table", statement="income_statement",
                label="Research and development expenses", label_norm="research and development expenses", raw=raw,
                value=Decimal(value), period=period, passage_id=passage, start=start, end=start + len(raw))


FACTS = {
    "current": fact("current", "(5,508,356", "-5508356", "six months ended June 30, 2021", 1040),
    "prior": fact("prior", "(4,315,033)", "-4315033", "six months ended June 30, 2020", 1053),
    # Printed in a passage the answer cites, but outside the quoted span: found by its passage.
    "elsewhere": fact("elsewhere", "5.5 million", "5500000", "H1 2021", 9000, passage=f"{DOC}-p0009"),
}
CITATIONS = [
    Citation(n=1, doc_id=DOC, title="Aptorum earnings release 2021H1", page=4, section="Statements of Operations",
             passage_id=f"{DOC}-p0003", quote=TABLE, start=1000, end=1000 + len(TABLE)),
    Citation(n=2, doc_id=DOC, title="Aptorum earnings release 2021H1", passage_id=f"{DOC}-p0009", quote=SENTENCE,
             start=8990, end=8990 + len(SENTENCE)),
]


def growth_answer(**changes) -> Answer:
    figure = calculate("pct_change(@prior, @current)", resolve=FACTS.get)
    answer = Answer(question="By what percentage did R&D grow?", text="R&D grew 27.66% [1] [2].",
                    citations=CITATIONS, figures=[figure],
                    value=AnswerValue(number=figure.value, unit="percent"))
    return answer.model_copy(update=changes)


def test_a_computed_answer_shows_its_headline_sources_and_calculation():
    shown = present(growth_answer())
    assert shown.headline == "27.66%"  # the calculator's reading of the value, not its 30 digits
    assert shown.body == "R&D grew 27.66% [1] [2]."
    assert [source_label(source) for source in shown.sources] == [
        "[1] Aptorum earnings release 2021H1 · p. 4 · Statements of Operations", "[2] Aptorum earnings release 2021H1"]
    assert [source_where(source) for source in shown.sources] == ["page 4", ""]
    assert shown.source("2").quote == SENTENCE and shown.source(3) is None
    [calculation] = shown.calculations
    assert calculation.result == "27.66%" and calculation.derivation.endswith("= 27.66%")
    assert [(line.printed, line.period, line.source) for line in calculation.facts] == [
        ("(4,315,033)", "six months ended June 30, 2020", 1), ("(5,508,356", "six months ended June 30, 2021", 1)]
    assert shown.warning is None and shown.unverified == [] and not shown.refused


def test_a_fact_outside_every_quote_is_sourced_by_its_passage_and_an_uncited_one_has_none():
    figure = calculate("@elsewhere * 2", resolve=FACTS.get)
    [line] = present(growth_answer(figures=[figure])).calculations[0].facts
    assert line.source == 2
    [line] = present(growth_answer(figures=[figure], citations=CITATIONS[:1])).calculations[0].facts
    assert line.source is None


def test_unverified_numbers_are_one_warning_and_no_headline():
    answer = growth_answer(text=f"R&D grew 27.66% and margin 99% {UNVERIFIED_MARK} [1].", grounded=False,
                           unsupported_numbers=["99%", "12.3 million"])
    shown = present(answer)
    assert shown.unverified == ["99%", "12.3 million"]
    assert shown.warning.title == "Unverified numbers: 99%, 12.3 million."
    assert shown.warning.text == "Unverified numbers: 99%, 12.3 million. They are not in the cited passages."
    assert shown.headline is None  # the value might be the number that failed the check
    assert UNVERIFIED_MARK in shown.body


def test_a_grounded_answer_ignores_stale_unsupported_numbers():
    shown = present(growth_answer(grounded=True, unsupported_numbers=["99%"]))
    assert shown.warning is None and shown.unverified == []


def test_a_refusal_has_no_headline_and_no_calculation():
    refusal = Answer(question="What was revenue in 2019?", refused=True, text="The disclosures do not report it.",
                     value=AnswerValue(number=Decimal(1), unit="USD"))
    shown = present(refusal)
    assert shown.refused and shown.headline is None and shown.calculations == [] and shown.sources == []
    assert NO_CALCULATION.startswith("No calculation")


@pytest.mark.parametrize(("number", "unit", "scale", "expected"), [
    ("5508356", "USD", 1, "$5,508,356"),
    ("-17102407", "USD", 1, "-$17,102,407"),
    ("99803", "USD", 1_000_000, "$99,803 million"),
    ("2.6", "USD", 1_000_000_000, "$2.6 billion"),
    ("0.47", "USD_per_share", 1, "$0.47"),
    ("1.5", "USD_per_share", 1, "$1.50"),
    ("27.65501445759510993311", "percent", 1, "27.66%"),
    ("1.3333333", "ratio", 1, "1.3333"),
    ("45", "days", 1, "45 days"),
    ("29956393", "shares", 1, "29,956,393"),
])
def test_headline_reads_the_value_in_its_unit_and_scale(number, unit, scale, expected):
    answer = Answer(question="q", text="t", value=AnswerValue(number=Decimal(number), unit=unit, scale=scale))
    assert headline(answer) == expected


def test_no_value_no_headline():
    assert headline(Answer(question="Why did fees fall?", text="The disclosures say: “…” [1].")) is None


def test_a_quoted_answer_headlines_its_short_answer_unless_refused():
    quoted = Answer(question="Who is the CEO?", text="The disclosures say: “… said Mr. Ian Huen, Chief Executive "
                    "Officer …” [1]", spans=["Ian Huen"])
    assert headline(quoted) == "Ian Huen"
    assert headline(quoted.model_copy(update={"spans": ["6", "3"]})) == "6; 3"
    assert headline(quoted.model_copy(update={"refused": True})) is None
