"""The presenter's pieces as the chat page shows them: the answer Markdown in the chat, the source chips, the
calculation Markdown, the passage viewer's HTML and the exported conversation.

Document text is untrusted: everything taken from a document or a question is escaped before it reaches the page
(HTML as text, Markdown links and images inert); the chat keeps Gradio's HTML sanitizer on as well.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path

from assistant.conversation import Turn
from assistant.presenter import NO_CALCULATION, UNVERIFIED_MARK, present, source_label, source_where
from index.records import Answer

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


def escape_markdown(text: str) -> str:
    """Text from a document or a user, safe inside Markdown: HTML shown as text, no links, images or emphasis."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))


def _cite_link(turn: int, n: int | str) -> str:
    """A [n] marker as a link the page's script turns into "show source n of answer `turn`" (see layout.CITE_JS)."""
    return f"[\\[{n}\\]](#cite-{turn}-{n})"


def answer_markdown(answer: Answer, turn: int = 0) -> str:
    """An answer as the chat shows it: the unverified-numbers warning first, the headline figure in bold, the text
    escaped with each known [n] a link that opens its passage and each unverified mark in bold, then the sources."""
    shown = present(answer)
    known = {str(source.n) for source in shown.sources}
    body = escape_markdown(shown.body).replace(escape_markdown(UNVERIFIED_MARK), f"**{UNVERIFIED_MARK}**")
    body = re.sub(r"\\\[(\d+)\\\]", lambda m: _cite_link(turn, m.group(1)) if m.group(1) in known else m.group(0), body)
    parts = []
    if shown.warning:
        parts.append(f"⚠️ **{escape_markdown(shown.warning.title)}** {escape_markdown(shown.warning.detail)}")
    if shown.headline:
        parts.append(f"**{escape_markdown(shown.headline)}**")
    parts.append(body)
    if shown.sources:
        named = "; ".join(f"\\[{source.n}\\] {escape_markdown(source.title)}" + (f", p. {source.page}" if source.page else "")
                          for source in shown.sources)
        parts.append(f"<sub>Sources: {named}</sub>")
    return "\n\n".join(parts)


def citation_choices(answer: Answer | None) -> list[tuple[str, str]]:
    """The source chips: (label, n) per source. Gradio shows a Radio's labels as text, not HTML."""
    if answer is None:
        return []
    return [(source_label(source), str(source.n)) for source in present(answer).sources]


def calculation_markdown(answer: Answer | None, turn: int = 0) -> str:
    """The answer's calculations: each derivation, and the facts it used, each linked to the passage it is printed in."""
    calculations = present(answer).calculations if answer is not None else []
    if not calculations:
        return NO_CALCULATION
    parts = []
    for calculation in calculations:
        parts.append(f"**{escape_markdown(calculation.result)}** = {escape_markdown(calculation.derivation)}")
        for fact in calculation.facts:
            where = f" {_cite_link(turn, fact.source)}" if fact.source else ""
            parts.append(f"- {escape_markdown(fact.label)}, {escape_markdown(fact.period)}: "
                         f"{escape_markdown(fact.printed)}{where}")
    return "\n".join(parts)


def passage_html(store, answer: Answer | None, n: str | None) -> str:  # noqa: ANN001
    """The cited passage with the quote highlighted, escaped; a link to the PDF page when there is one."""
    if answer is None or not n:
        return "<p class='hint'>Click a source to see the passage it quotes.</p>"
    source = present(answer).source(n)
    if source is None:
        return "<p class='hint'>That source is not in this answer.</p>"
    passage = store.catalog.passages_by_id([source.passage_id]).get(source.passage_id) if source.passage_id else None
    if passage is None:
        body = f"<mark>{html.escape(source.quote)}</mark>"
    else:
        start = max(0, source.start - passage.start)
        end = min(len(passage.text), source.end - passage.start)
        body = (html.escape(passage.text[:start]) + "<mark>" + html.escape(passage.text[start:end]) + "</mark>"
                + html.escape(passage.text[end:]))
    document = store.catalog.document(source.doc_id)
    where = " · ".join(part for part in (source_where(source), html.escape(source.section or "")) if part)
    link = ""
    if document is not None and document.source_path.lower().endswith(".pdf") and Path(document.source_path).exists():
        page = f"#page={source.page}" if source.page else ""
        link = (f"<a class='pdf-link' target='_blank' rel='noopener' "
                f"href='/gradio_api/file={html.escape(document.source_path, quote=True)}{page}'>Open the PDF page</a>")
    return (f"<div class='passage'><h4>[{source.n}] {html.escape(source.title)}</h4>"
            f"<p class='where'>{where}</p><pre class='passage-text'>{body}</pre>{link}</div>")


def conversation_markdown(turns: Iterable[Turn]) -> str:
    """A conversation as a Markdown file to download: each question, its answer and the quotes it cites. The file
    is the user's own record, so the text is written as it is (a viewer of the file renders it, not this page)."""
    lines = ["# Disclosure Assistant conversation", ""]
    for turn in turns:
        lines += [f"**Q:** {turn.question}", "", f"**A:** {turn.text}", ""]
        shown = present(turn.answer) if turn.answer is not None else None
        if shown is not None and shown.warning:
            lines += [f"> {shown.warning.text}", ""]
        for source in shown.sources if shown is not None else []:
            page = f", page {source.page}" if source.page else ""
            lines.append(f"- [{source.n}] {source.title}{page}: “{source.quote}”")
        lines.append("")
    return "\n".join(lines)
