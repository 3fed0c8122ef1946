"""The chat web UI (Gradio): `disclosures chat [--host] [--port] [--share off]`.

Every answer comes from the same `Assistant` as the CLI and the Slack bot. The page keeps one conversation per
browser session (`gr.State`), so follow-ups work as in the pipeline and two users never share a history.

Layout: the chat (streamed answers, [n] markers, copy buttons, thumbs up/down) with the sources of the selected
answer as chips under it; "Show the calculation" (derivation and the facts used, each with its source); the
passage viewer (the cited passage with the quote highlighted, the document title, page and section, and a link
to the PDF page); the documents panel (the list, filters, upload); example questions; Markdown export.

Document text is untrusted: everything taken from a document or a question is escaped before it reaches the page
(HTML as text, Markdown links and images inert), and the chat keeps Gradio's HTML sanitizer on as well.
"""


import html
import os
import re
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from a tool that handles filings

from index.errors import DisclosuresError, UploadError  # noqa: E402
from assistant.feedback import FeedbackLog  # noqa: E402
from index.records import Answer  # noqa: E402
from index.settings import Settings  # noqa: E402

EXAMPLES = [
    "How much did R&D grow in the first half of 2021?",
    "What were G&A fees in H1 2021?",
    "What was the net loss for the six months ended June 30, 2021?",
    "Why did legal and professional fees decrease?",
]
UPLOAD_TYPES = {"pdf": (".pdf",), "html": (".html", ".htm"), "txt": (".txt",)}
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


# --- untrusted text -------------------------------------------------------------------------------------------

def escape_markdown(text: str) -> str:
    """Text from a document or a user, safe inside Markdown: HTML shown as text, no links, images or emphasis."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))


def answer_markdown(answer: Answer, turn: int = 0) -> str:
    """An answer as the chat shows it: its text escaped, each [n] a link that opens its passage (see `CITE_JS`),
    and a visible warning when any number is unverified."""
    text = escape_markdown(answer.text).replace(r"\[unverified\]", "**[unverified]**")
    known = {str(c.n) for c in answer.citations}
    text = re.sub(r"\\\[(\d+)\\\]", lambda m: f"[\\[{m.group(1)}\\]](#cite-{turn}-{m.group(1)})"
                  if m.group(1) in known else m.group(0), text)
    if not answer.grounded and answer.unsupported_numbers:
        numbers = ", ".join(escape_markdown(number) for number in answer.unsupported_numbers)
        text = f"⚠️ **Unverified numbers: {numbers}.** They are not in the cited passages.\n\n{text}"
    if answer.citations:
        sources = "; ".join(f"\\[{c.n}\\] {escape_markdown(c.title)}" + (f", p. {c.page}" if c.page else "")
                            for c in answer.citations)
        text += f"\n\n<sub>Sources: {sources}</sub>"
    return text


def citation_choices(answer: Answer | None) -> list[tuple[str, str]]:
    if answer is None:
        return []
    return [(f"[{c.n}] {c.title}" + (f" · p. {c.page}" if c.page else "") + (f" · {c.section}" if c.section else ""),
             str(c.n)) for c in answer.citations]


def calculation_markdown(answer: Answer | None, turn: int = 0) -> str:
    """The answer's figures: each derivation, and the facts it used, each linked to the passage it is printed in."""
    if answer is None or not answer.figures:
        return "No calculation in this answer: its figures are read from the documents as printed."
    parts = []
    for figure in answer.figures:
        parts.append(f"**{escape_markdown(figure.display)}** = {escape_markdown(figure.derivation)}")
        for fact in figure.facts:
            source = next((c.n for c in answer.citations if c.doc_id == fact.doc_id and c.start <= fact.start < c.end),
                          None) or next((c.n for c in answer.citations if c.passage_id == fact.passage_id), None)
            where = f" [\\[{source}\\]](#cite-{turn}-{source})" if source else ""
            parts.append(f"- {escape_markdown(fact.label)}, {escape_markdown(fact.period or '')}: "
                         f"{escape_markdown(fact.raw.strip())}{where}")
    return "\n".join(parts)


def passage_html(store, answer: Answer | None, n: str | None) -> str:  # noqa: ANN001
    """The cited passage with the quote highlighted, escaped; a link to the PDF page when there is one."""
    if answer is None or not n:
        return "<p class='hint'>Click a source to see the passage it quotes.</p>"
    citation = next((c for c in answer.citations if str(c.n) == str(n)), None)
    if citation is None:
        return "<p class='hint'>That source is not in this answer.</p>"
    passage = store.catalog.passages_by_id([citation.passage_id]).get(citation.passage_id) if citation.passage_id else None
    if passage is None:
        body = f"<mark>{html.escape(citation.quote)}</mark>"
    else:
        start = max(0, citation.start - passage.start)
        end = min(len(passage.text), citation.end - passage.start)
        body = (html.escape(passage.text[:start]) + "<mark>" + html.escape(passage.text[start:end]) + "</mark>"
                + html.escape(passage.text[end:]))
    document = store.catalog.document(citation.doc_id)
    where = " · ".join(part for part in (f"page {citation.page}" if citation.page else "",
                                         html.escape(citation.section or "")) if part)
    link = ""
    if document is not None and document.source_path.lower().endswith(".pdf") and Path(document.source_path).exists():
        page = f"#page={citation.page}" if citation.page else ""
        link = (f"<a class='pdf-link' target='_blank' rel='noopener' "
                f"href='/gradio_api/file={html.escape(document.source_path, quote=True)}{page}'>Open the PDF page</a>")
    return (f"<div class='passage'><h4>[{citation.n}] {html.escape(citation.title)}</h4>"
            f"<p class='where'>{where}</p><pre class='passage-text'>{body}</pre>{link}</div>")


# --- uploads --------------------------------------------------------------------------------------------------

def sniff_type(path: Path) -> str | None:
    """What a file is by its content: pdf, html or txt; None for anything else (images, archives, binaries)."""
    with path.open("rb") as handle:  # the first 4 KB decide; a 50 MB PDF is not read whole
        head = handle.read(4096)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1252")
        except UnicodeDecodeError:
            return None
    if re.search(r"<\s*(?:!doctype\s+html|html|body|table|div|p|head)\b", text[:2048], re.I):
        return "html"
    return "txt"


def safe_name(name: str) -> str:
    """A file name with no directory, no leading dots, letters, digits, dot, dash and underscore only."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip("._") or "upload"
    stem, dot, suffix = base.rpartition(".")
    return (stem[:100] + dot + suffix[:8]) if dot else base[:100]


def check_uploads(paths: list[Path], names: list[str], settings: Settings) -> list[tuple[Path, str]]:
    """(temporary file, safe name) for each upload, or UploadError naming the first problem."""
    if len(paths) > settings.chat.max_files:
        raise UploadError(f"{len(paths)} files at once; the limit is {settings.chat.max_files}")
    checked = []
    for path, name in zip(paths, names):
        size = path.stat().st_size
        if size > settings.store.max_file_mb * 1_000_000:
            raise UploadError(f"{name}: {size / 1e6:.1f} MB is over the {settings.store.max_file_mb:g} MB limit")
        if size == 0:
            raise UploadError(f"{name}: the file is empty")
        kind = sniff_type(path)
        suffix = Path(name).suffix.lower()
        if kind is None:
            raise UploadError(f"{name}: not a PDF, HTML or text file (checked by content)")
        if suffix not in UPLOAD_TYPES[kind] and not (kind == "txt" and suffix in UPLOAD_TYPES["html"]):
            raise UploadError(f"{name}: the content is {kind.upper()} but the name ends in {suffix or 'nothing'}")
        checked.append((path, safe_name(name)))
    return checked


# --- the app --------------------------------------------------------------------------------------------------

class ChatApp:
    """The page's behaviour, kept apart from its layout so tests and `gradio_client` see the same functions."""

    def __init__(self, settings: Settings, store=None):  # noqa: ANN001
        from index.store import open_store

        self.settings = settings
        self.store = store or open_store(settings)
        self.feedback = FeedbackLog(settings.store.data_dir)
        self.uploads = Path(settings.store.data_dir) / "uploads"
        self._assistants: dict[str, object] = {}
        self._lock = threading.Lock()
        self.exports = Path(tempfile.mkdtemp(prefix="disclosures-export-"))

    # assistants: one per backend, shared by sessions (history is passed per call)
    def backends(self) -> list[str]:
        names = ["offline"]
        if self.settings.answering.backend != "offline":
            names.append(self.settings.answering.backend)
        return names

    def assistant(self, backend: str | None = None):  # noqa: ANN201
        from assistant.answering import Assistant

        name = backend if backend in self.backends() else self.settings.answering.backend
        with self._lock:
            if name not in self._assistants:
                self._assistants[name] = Assistant(self.store, backend=name, settings=self.settings)
            return self._assistants[name]

    # documents
    def documents_table(self) -> list[list[object]]:
        return [[d.company or "", d.form or "", d.period or "", d.passage_count, d.title, d.id]
                for d in sorted(self.store.documents(), key=lambda d: (d.company or "", d.period or "", d.title))]

    def document_choices(self) -> list[tuple[str, str]]:
        return [(f"{d.title} ({d.id[:8]})", d.id) for d in self.store.documents()]

    def company_choices(self) -> list[str]:
        return sorted({d.company for d in self.store.documents() if d.company})

    def filters(self, docs: list[str] | None, companies: list[str] | None):  # noqa: ANN201
        from index.records import SearchFilters

        docs = list(docs or [])
        for company in companies or []:
            docs += [d.id for d in self.store.documents() if d.company == company]
        return SearchFilters(docs=sorted(set(docs))) if docs else None

    # asking
    def ask(self, question: str, session: dict, docs: list[str] | None = None, companies: list[str] | None = None,
            backend: str | None = None) -> Iterator[tuple[str, Answer | None]]:
        """Stream (text so far, None) pieces, then (final markdown, Answer). Records the turn in `session`."""
        question = (question or "").strip()
        if not question:
            raise DisclosuresError("Type a question first.")
        history = [(turn["question"], turn["answer"]["text"]) for turn in session.get("turns", [])]
        shown = ""
        answer: Answer | None = None
        from assistant.conversation import Conversation

        for piece in self.assistant(backend).stream(question, Conversation.from_history(history), self.filters(docs, companies)):
            if isinstance(piece, Answer):
                answer = piece
            else:
                shown += piece
                yield escape_markdown(shown), None
        assert answer is not None
        session.setdefault("turns", []).append({"question": question, "answer": answer.to_json()})
        yield answer_markdown(answer, len(session["turns"]) - 1), answer

    def export_markdown(self, session: dict) -> Path:
        lines = ["# Disclosure Assistant conversation", ""]
        for turn in session.get("turns", []):
            answer = turn["answer"]
            lines += [f"**Q:** {turn['question']}", "", f"**A:** {answer['text']}", ""]
            for citation in answer.get("citations", []):
                page = f", page {citation['page']}" if citation.get("page") else ""
                lines.append(f"- [{citation['n']}] {citation['title']}{page}: “{citation['quote']}”")
            lines.append("")
        path = self.exports / f"conversation-{session.setdefault('id', uuid.uuid4().hex[:12])}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        return path

    # uploads
    def add_documents(self, files: list, progress=None) -> str:  # noqa: ANN001
        """Check, copy into `<data dir>/uploads/` and ingest; a file that fails leaves the store as it was."""
        from index.ingest import Ingestor

        if not files:
            raise UploadError("choose one or more PDF, HTML or TXT files first")
        paths = [Path(getattr(item, "name", item)) for item in files]
        names = [getattr(item, "orig_name", None) or path.name for path, item in zip(paths, files)]
        checked = check_uploads(paths, names, self.settings)
        self.uploads.mkdir(parents=True, exist_ok=True)
        messages = []
        for index, (path, name) in enumerate(checked):
            if progress is not None:
                progress((index, len(checked)), desc=f"Ingesting {name}")
            target = self.uploads / name
            if target.exists() and target.read_bytes() != path.read_bytes():
                target = self.uploads / f"{target.stem}-{uuid.uuid4().hex[:6]}{target.suffix}"
            created = not target.exists()
            shutil.copyfile(path, target)
            report = Ingestor(self.store, progress=False).ingest([target])
            if report.failed:
                if created:
                    target.unlink(missing_ok=True)
                messages.append(f"✗ {name}: {report.failed[0].error}")
            else:
                outcome = report.outcomes[-1]
                messages.append(f"✓ {name}: {outcome.status}, {outcome.passages or 0} passages")
        if progress is not None:
            progress((len(checked), len(checked)), desc="Done")
        return "\n".join(messages)


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


def build(app: ChatApp):  # noqa: ANN201
    """The Gradio Blocks page for `app`."""
    import gradio as gr

    with gr.Blocks(title="Disclosure Assistant") as page:
        session = gr.State({})
        last = gr.State(None)  # the selected answer, as JSON
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

        def on_ask(text, history, state, docs, companies, chosen):  # noqa: ANN001, ANN202
            history = list(history or [])
            text = (text or "").strip()
            if not text:
                yield history, state, gr.update(), gr.update(), gr.update(), gr.update(), "Type a question first.", ""
                return
            history += [{"role": "user", "content": escape_markdown(text)}, {"role": "assistant", "content": "…"}]
            yield history, state, gr.update(), gr.update(), gr.update(), gr.update(), "", ""
            try:
                for shown, answer in app.ask(text, state, docs, companies, chosen):
                    history[-1] = {"role": "assistant", "content": shown}
                    if answer is None:
                        yield history, state, gr.update(), gr.update(), gr.update(), gr.update(), "", ""
                    else:
                        yield (history, state, answer.to_json(), gr.update(choices=citation_choices(answer), value=None),
                               calculation_markdown(answer, len(state["turns"]) - 1), passage_html(app.store, answer, None),
                               "", "")
            except DisclosuresError as exc:
                history[-1] = {"role": "assistant", "content": f"Sorry: {escape_markdown(str(exc))}"}
                yield history, state, gr.update(), gr.update(), gr.update(), gr.update(), "", ""

        outputs = [chat, session, last, sources, calculation, viewer, status, question]
        inputs = [question, chat, session, filter_docs, filter_companies, backend]

        def exported(state):  # noqa: ANN001, ANN202
            """The export button always holds the conversation so far."""
            return str(app.export_markdown(state)) if state.get("turns") else None

        for trigger in (ask.click, question.submit):
            trigger(on_ask, inputs, outputs).then(exported, [session], export)

        def on_source(n, answer_json):  # noqa: ANN001, ANN202
            answer = Answer.from_json(answer_json) if answer_json else None
            return passage_html(app.store, answer, n)

        sources.change(on_source, [sources, last], viewer)

        def on_select(state, event: gr.SelectData):  # noqa: ANN202
            """Clicking an answer in the chat makes it the one whose sources and calculation are shown."""
            turns = state.get("turns", [])
            index = event.index if isinstance(event.index, int) else event.index[0]
            turn = index // 2
            if not (0 <= turn < len(turns)):
                return gr.update(), gr.update(), gr.update(), gr.update()
            answer = Answer.from_json(turns[turn]["answer"])
            return (turns[turn]["answer"], gr.update(choices=citation_choices(answer), value=None),
                    calculation_markdown(answer, turn), passage_html(app.store, answer, None))

        chat.select(on_select, [session], [last, sources, calculation, viewer])

        def on_cite(target, state):  # noqa: ANN001, ANN202
            """A marker clicked in the chat: "TURN-N:time"."""
            match = re.fullmatch(r"(\d+)-(\d+):\d+", target or "")
            turns = state.get("turns", [])
            if not match or int(match.group(1)) >= len(turns):
                return gr.update(), gr.update(), gr.update(), gr.update()
            answer_json = turns[int(match.group(1))]["answer"]
            answer = Answer.from_json(answer_json)
            return (answer_json, gr.update(choices=citation_choices(answer), value=match.group(2)),
                    calculation_markdown(answer, int(match.group(1))), passage_html(app.store, answer, match.group(2)))

        cite_go.click(on_cite, [cite_target, session], [last, sources, calculation, viewer],
                      js="(target, state) => [window.__disclosuresCite || '', state]")

        def on_like(state, event: gr.LikeData):  # noqa: ANN202
            turns = state.get("turns", [])
            index = event.index if isinstance(event.index, int) else event.index[0]
            turn = turns[index // 2] if 0 <= index // 2 < len(turns) else None
            if turn is None:
                return ""
            rating = "up" if event.liked is True else "down" if event.liked is False else None
            app.feedback.add(turn["question"], turn["answer"], rating,
                             history=[t["question"] for t in turns[:index // 2]])
            state["rated"] = index // 2
            return "Thanks: feedback saved."

        chat.like(on_like, [session], status)

        def on_comment(text, state):  # noqa: ANN001, ANN202
            turns = state.get("turns", [])
            if not turns or not (text or "").strip():
                return "Ask a question and write a comment first.", text
            turn = turns[state.get("rated", len(turns) - 1)]
            app.feedback.add(turn["question"], turn["answer"], None, comment=text.strip())
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
            for _, answer in app.ask(text, {}, docs):
                pass
            return answer.to_json() if answer is not None else {}

        gr.api(api_ask, api_name="ask")
        def api_documents() -> list[dict]:
            """The ingested documents (company, form, period, passages, id)."""
            return [d.to_json() for d in app.store.documents()]

        gr.api(api_documents, api_name="documents")
    return page


def auth_pairs(spec: str | None) -> list[tuple[str, str]] | None:
    """`user:pass[,user2:pass2]`, or a file of `user:pass` lines; None when no login is configured."""
    if not spec:
        return None
    path = Path(spec)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else spec.split(",")
    pairs = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user or not password:
            from index.errors import ConfigError

            raise ConfigError("DISCLOSURES_UI_AUTH must be user:password pairs (or a file of them), one per line")
        pairs.append((user, password))
    return pairs


def serve(settings: Settings, host: str | None = None, port: int | None = None, share: bool = False,
          block: bool = True):  # noqa: ANN201
    """Build and launch the page over the settings' store; returns the Blocks (serving until stopped when `block`)."""
    return launch(ChatApp(settings), host=host, port=port, share=share, block=block)


def launch(app: ChatApp, host: str | None = None, port: int | None = None, share: bool = False,
           block: bool = True):  # noqa: ANN201
    settings = app.settings
    page = build(app)
    page.queue(default_concurrency_limit=settings.chat.concurrency)
    allowed = sorted({str(Path(d.source_path).resolve()) for d in app.store.documents()
                      if d.source_path.lower().endswith(".pdf")} | {str(app.uploads)})
    auth = settings.chat.auth.get_secret_value() if settings.chat.auth else None
    page.launch(server_name=host or settings.chat.host, server_port=port or settings.chat.port, share=share,
                auth=auth_pairs(auth), allowed_paths=allowed, max_file_size=f"{settings.store.max_file_mb:g}mb",
                prevent_thread_lock=not block, quiet=False, css=CSS, js=CITE_JS, show_error=False)
    return page
