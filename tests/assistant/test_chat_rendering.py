"""assistant/chat/rendering.py: the presenter's pieces as the chat page's Markdown and HTML, escaped."""

from __future__ import annotations

from decimal import Decimal

from assistant.chat.rendering import (answer_markdown, calculation_markdown, citation_choices, conversation_markdown,
                                      escape_markdown, passage_html)
from assistant.conversation import Turn
from assistant.presenter import NO_CALCULATION
from index.records import Answer, AnswerValue, Citation, Fact, Figure

QUOTE = "Revenue 12,500 10,000"


def citation(n: int = 1, **changes) -> Citation:
    fields = {"n": n, "doc_id": "d", "title": "T", "quote": QUOTE, "start": 0, "end": len(QUOTE)} | changes
    return Citation(**fields)


def test_document_text_is_escaped_for_the_chat():
    text = escape_markdown('<img src=x onerror="alert(1)"> ![t](http://evil/x.png) [link](javascript:alert(1))')
    assert "<img" not in text and "&lt;img" in text
    assert "](" not in text.replace("\\]\\(", "")


def test_unverified_numbers_are_flagged_and_markers_link_to_their_sources():
    answer = Answer(question="q", text="Revenue was 12,500 [1] and margin 99% [unverified] [7].", grounded=False,
                    unsupported_numbers=["99%"], citations=[citation()])
    shown = answer_markdown(answer, turn=4)
    assert shown.startswith("⚠️ **Unverified numbers: 99%.** They are not in the cited passages.")
    assert "**[unverified]**" in shown
    assert "[\\[1\\]](#cite-4-1)" in shown       # a known marker links to its source
    assert "#cite-4-7" not in shown                  # an unknown one does not


def test_the_headline_leads_and_the_sources_close_the_answer():
    answer = Answer(question="q", text="Revenue was 12,500 [1].", value=AnswerValue(number=Decimal(12500), unit="USD",
                                                                                    scale=1000),
                    citations=[citation(title="Northwind <b>10-K</b>", page=3)])
    paragraphs = answer_markdown(answer, turn=0).split("\n\n")
    assert paragraphs[0] == "**$12,500 thousand**"
    assert paragraphs[1] == "Revenue was 12,500 [\\[1\\]](#cite-0-1)."
    assert paragraphs[2] == "<sub>Sources: \\[1\\] Northwind &lt;b&gt;10-K&lt;/b&gt;, p. 3</sub>"


def test_a_document_title_cannot_inject_markup_into_the_answer():
    answer = Answer(question="q", text="See [1].", citations=[citation(title="[x](javascript:alert(1)) <script>")])
    shown = answer_markdown(answer)
    assert "<script>" not in shown and "](javascript" not in shown


def test_the_calculation_lists_each_fact_linked_to_its_source():
    fact = Fact(id="f1", doc_id="d", source="table", statement="income_statement", label="Revenue <b>",
                label_norm="revenue", raw="12,500", value=Decimal(12500), period="FY2023", start=8, end=14)
    figure = Figure(expression="@f1 * 2", value=Decimal(25000), unit="number", display="25,000",
                    derivation="12,500 [Revenue, FY2023] × 2 = 25,000", facts=[fact])
    answer = Answer(question="q", text="Twice revenue is 25,000 [1].", figures=[figure], citations=[citation()])
    lines = calculation_markdown(answer, turn=2).splitlines()
    assert lines[0] == "**25,000** = 12,500 \\[Revenue, FY2023\\] × 2 = 25,000"
    assert lines[1] == "- Revenue &lt;b&gt;, FY2023: 12,500 [\\[1\\]](#cite-2-1)"
    assert calculation_markdown(answer.model_copy(update={"figures": []})) == NO_CALCULATION
    assert calculation_markdown(None) == NO_CALCULATION


def test_source_chips_are_named_by_the_presenter():
    answer = Answer(question="q", text="t", citations=[citation(page=4, section="Item 8"), citation(2, title="U")])
    assert citation_choices(answer) == [("[1] T · p. 4 · Item 8", "1"), ("[2] U", "2")]
    assert citation_choices(None) == []


def test_the_passage_is_shown_with_its_quote_highlighted_and_escaped(seed_store):
    from assistant.answering import Assistant

    answer = Assistant(seed_store).ask("What were G&A fees in H1 2021?")
    shown = passage_html(seed_store, answer, "1")
    marked = shown.split("<mark>")[1].split("</mark>")[0]
    assert marked == answer.citations[0].quote.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert shown.startswith("<div class='passage'><h4>[1] ") and "pdf-link" not in shown  # a text file has no pages
    assert "not in this answer" in passage_html(seed_store, answer, "9")
    assert "Click a source" in passage_html(seed_store, None, None)
    hostile = answer.model_copy(update={"citations": [citation(title="<img src=x onerror=alert(1)>",
                                                               quote="<script>x</script>")]})
    shown = passage_html(seed_store, hostile, "1")
    assert "<img" not in shown and "<script>" not in shown and "&lt;script&gt;" in shown


def test_the_exported_conversation_has_every_turn_its_quotes_and_warnings():
    grounded = Answer(question="a", text="Revenue was 12,500 [1].", citations=[citation(page=2)])
    unverified = Answer(question="b", text="Margin was 99% [unverified].", grounded=False, unsupported_numbers=["99%"])
    text = conversation_markdown([Turn("a", grounded.text, grounded), Turn("b", unverified.text, unverified)])
    assert "**Q:** a" in text and "**A:** Revenue was 12,500 [1]." in text
    assert "- [1] T, page 2: “Revenue 12,500 10,000”" in text
    assert "> Unverified numbers: 99%. They are not in the cited passages." in text
    assert text.index("**Q:** a") < text.index("**Q:** b")
