"""The page: Gradio Blocks over a `ChatApp`, with its CSS and JavaScript.

Layout: the chat (streamed answers, [n] markers, copy buttons, thumbs up/down) with the sources of the selected
answer as chips under it; "Show the calculation" (derivation and the facts used, each with its source); the
passage viewer (the cited passage with the quote highlighted, the document title, page and section, and a link to
the PDF page); the documents panel (the list, filters, upload); example questions; Markdown export.
"""

# No `from __future__ import annotations` here: Gradio passes event data (gr.SelectData, gr.LikeData) to the
# handlers whose parameter is annotated with the class itself, not with its name as a string.
import re

from assistant.chat.app import ChatApp, ChatSession
from assistant.chat.rendering import calculation_markdown, citation_choices, escape_markdown, passage_html
from index.errors import DisclosuresError

EXAMPLES = [
    "How much did R&D grow in the first half of 2021?",
    "What were G&A fees in H1 2021?",
    "What was the net loss for the six months ended June 30, 2021?",
    "Why did legal and professional fees decrease?",
]

# A click on an [n] marker in the chat clicks an off-screen button whose event sends which answer and source it was
# (read back from window by the event's own `js`); the server then shows that answer's sources, the passage open.
CITE_JS = """
() => {
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[href^='#cite-']");
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    window.__disclosuresCite = link.getAttribute("href").slice(6) + ":" + Date.now();
    const go = document.querySelector("#cite-go");
    if (go) go.click();
  }, true);
}
"""

CSS = """
#passage mark { background: #ffe066; padding: 0 2px; }
#passage .passage-text { white-space: pre-wrap; font-size: 0.9em; max-height: 420px; overflow-y: auto; }
#passage .where { color: #555; margin: 0; }
.hint { color: #777; }
#cite-target, #cite-go { position: absolute !important; left: -10000px !important; width: 1px; height: 1px;
                         overflow: hidden; }
"""


def _turn_of(index) -> int:  # noqa: ANN001 - Gradio gives a message's index as an int or [row, column]
    """The session turn of a chat message: messages alternate question, answer."""
    return (index if isinstance(index, int) else index[0]) // 2


def build(app: ChatApp):  # noqa: ANN201, C901 - one closure per event, sharing the components
    """The Gradio Blocks page for `app`."""
    import gradio as gr

    with gr.Blocks(title="Disclosure Assistant") as page:
        session = gr.State(ChatSession())  # copied for each browser session
        selected = gr.State(None)  # the turn whose sources and calculation are shown
        gr.Markdown("## Disclosure Assistant\nAnswers from the ingested disclosures, with every figure cited or "
                    "computed from cited figures. Numbers that are not are marked **[unverified]**.")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(elem_id="chat", height=480, buttons=["copy", "copy_all"],
                                  feedback_options=("Like", "Dislike"), sanitize_html=True, allow_tags=False)
                with gr.Row():
                    question = gr.Textbox(elem_id="question", show_label=False, scale=5,
                                          placeholder="Ask about the disclosures, e.g. How much did R&D grow in H1 2021?")
                    ask = gr.Button("Ask", elem_id="ask", variant="primary", scale=1)
                gr.Examples(EXAMPLES, inputs=question, label="Examples (bundled sample)")
                sources = gr.Radio(choices=[], label="Sources of the answer (click one to see the passage)",
                                   elem_id="sources", interactive=True)
                with gr.Accordion("Show the calculation", open=False, elem_id="calculation"):
                    calculation = gr.Markdown(elem_id="calculation-body")
                with gr.Row():
                    comment = gr.Textbox(label="Comment on the last answer (optional)", elem_id="comment", scale=4)
                    send_comment = gr.Button("Send comment", elem_id="send-comment", scale=1)
                with gr.Row():
                    export = gr.DownloadButton("Export conversation (Markdown)", elem_id="export")
                    backend = gr.Dropdown(app.backends(), value=app.settings.answering.backend, label="Backend",
                                          visible=len(app.backends()) > 1, elem_id="backend")
                status = gr.Markdown(elem_id="status")
                cite_target = gr.Textbox(elem_id="cite-target", show_label=False, container=False)
                cite_go = gr.Button("Show source", elem_id="cite-go")
            with gr.Column(scale=2):
                viewer = gr.HTML(passage_html(app.store, None, None), elem_id="passage")
                with gr.Accordion("Documents", open=True):
                    documents = gr.Dataframe(app.documents_table(), elem_id="documents", interactive=False,
                                             headers=["Company", "Form", "Period", "Passages", "Title", "Id"])
                    filter_companies = gr.Dropdown(app.company_choices(), multiselect=True, label="Only these companies",
                                                   elem_id="filter-companies")
                    filter_docs = gr.Dropdown(app.document_choices(), multiselect=True, label="Only these documents",
                                              elem_id="filter-docs")
                    upload = gr.File(file_count="multiple", label="Add PDF, HTML or TXT files", elem_id="upload",
                                     file_types=[".pdf", ".html", ".htm", ".txt"])
                    add = gr.Button("Add documents", elem_id="add")
                    upload_status = gr.Markdown(elem_id="upload-status")

        def shown(state: ChatSession, turn: int, n: str | None = None) -> tuple:
            """What the side shows for one answer: (selected turn, source chips, calculation, passage)."""
            answer = state.answer(turn)
            return (turn, gr.update(choices=citation_choices(answer), value=n), calculation_markdown(answer, turn),
                    passage_html(app.store, answer, n))

        unchanged = (gr.update(), gr.update(), gr.update(), gr.update())

        def on_ask(text, history, state, docs, companies, chosen):  # noqa: ANN001, ANN202
            history = list(history or [])
            text = (text or "").strip()
            if not text:
                yield history, state, *unchanged, "Type a question first.", ""
                return
            history += [{"role": "user", "content": escape_markdown(text)}, {"role": "assistant", "content": "…"}]
            yield history, state, *unchanged, "", ""
            try:
                for markdown, answer in app.ask(text, state, docs, companies, chosen):
                    history[-1] = {"role": "assistant", "content": markdown}
                    side = unchanged if answer is None else shown(state, len(state.turns) - 1)
                    yield history, state, *side, "", ""
            except DisclosuresError as exc:
                history[-1] = {"role": "assistant", "content": f"Sorry: {escape_markdown(str(exc))}"}
                yield history, state, *unchanged, "", ""

        outputs = [chat, session, selected, sources, calculation, viewer, status, question]
        inputs = [question, chat, session, filter_docs, filter_companies, backend]

        def exported(state):  # noqa: ANN001, ANN202
            """The export button always holds the conversation so far."""
            return str(app.export_markdown(state)) if state.turns else None

        for trigger in (ask.click, question.submit):
            trigger(on_ask, inputs, outputs).then(exported, [session], export)

        def on_source(n, turn, state):  # noqa: ANN001, ANN202
            return passage_html(app.store, state.answer(turn), n)

        sources.change(on_source, [sources, selected, session], viewer)

        def on_select(state, event: gr.SelectData):  # noqa: ANN202
            """Clicking an answer in the chat makes it the one whose sources and calculation are shown."""
            turn = _turn_of(event.index)
            return shown(state, turn) if state.answer(turn) is not None else unchanged

        chat.select(on_select, [session], [selected, sources, calculation, viewer])

        def on_cite(target, state):  # noqa: ANN001, ANN202
            """A marker clicked in the chat: "TURN-N:time"."""
            match = re.fullmatch(r"(\d+)-(\d+):\d+", target or "")
            if not match or state.answer(int(match.group(1))) is None:
                return unchanged
            return shown(state, int(match.group(1)), match.group(2))

        cite_go.click(on_cite, [cite_target, session], [selected, sources, calculation, viewer],
                      js="(target, state) => [window.__disclosuresCite || '', state]")

        def on_like(state, event: gr.LikeData):  # noqa: ANN202
            rating = "up" if event.liked is True else "down" if event.liked is False else None
            return "Thanks: feedback saved." if app.rate(state, _turn_of(event.index), rating) else ""

        chat.like(on_like, [session], status)

        def on_comment(text, state):  # noqa: ANN001, ANN202
            if not app.comment(state, text):
                return "Ask a question and write a comment first.", text
            return "Thanks: comment saved.", ""

        send_comment.click(on_comment, [comment, session], [status, comment])

        def on_add(files, progress=gr.Progress()):  # noqa: ANN001, ANN202, B008
            try:
                message = app.add_documents(files or [], progress=progress)
            except DisclosuresError as exc:
                message = f"✗ {exc}"
            return (escape_markdown(message).replace("\n", "  \n"), app.documents_table(),
                    gr.update(choices=app.document_choices()), gr.update(choices=app.company_choices()), None)

        add.click(on_add, [upload], [upload_status, documents, filter_docs, filter_companies, upload],
                  api_name="add_documents")

        def refresh():  # noqa: ANN202
            """A page opened later sees the documents added since the server started."""
            return (app.documents_table(), gr.update(choices=app.document_choices()),
                    gr.update(choices=app.company_choices()))

        page.load(refresh, None, [documents, filter_docs, filter_companies])

        def api_ask(text: str, docs: list[str] | None = None) -> dict:
            """One question, no history: the Answer record as JSON (for gradio_client)."""
            answer = None
            for _, answer in app.ask(text, ChatSession(), docs):
                pass
            return answer.to_json() if answer is not None else {}

        gr.api(api_ask, api_name="ask")

        def api_documents() -> list[dict]:
            """The ingested documents (company, form, period, passages, id)."""
            return [d.to_json() for d in app.store.documents()]

        gr.api(api_documents, api_name="documents")
    return page
