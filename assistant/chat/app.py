"""`ChatApp`: what the chat page does (asking, documents, uploads, export, feedback), kept apart from its layout so
tests and `gradio_client` see the same functions. `ChatSession`: what one browser session holds."""

from __future__ import annotations

import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.chat.rendering import answer_markdown, conversation_markdown, escape_markdown
from assistant.chat.uploads import check_uploads
from assistant.conversation import Conversation, Turn
from assistant.feedback import FeedbackLog
from index.companies import company_matches
from index.errors import DisclosuresError, UploadError
from index.records import Answer, SearchFilters
from index.settings import Settings


@dataclass
class ChatSession:
    """One browser session (the page keeps it in `gr.State`). `conversation` is what the Assistant reads follow-ups
    through, and keeps only its last turns; `turns` is every turn the chat shows, in order, so an answer the
    conversation has let go can still be selected, rated and exported (the chat's answer i is `turns[i]`)."""

    conversation: Conversation = field(default_factory=Conversation)
    turns: list[Turn] = field(default_factory=list)
    rated: int | None = None  # the turn a comment is about: the last one rated, else the last one
    id: str = ""  # named when the conversation is first exported (gr.State copies the session per browser)

    def answer(self, index: int | None) -> Answer | None:
        return self.turns[index].answer if index is not None and 0 <= index < len(self.turns) else None


class ChatApp:
    """The page's behaviour over one store; one Assistant per backend, shared by every session."""

    def __init__(self, settings: Settings, store=None):  # noqa: ANN001
        from index.store import open_store

        self.settings = settings
        self.store = store or open_store(settings)
        self.feedback = FeedbackLog(settings.store.data_dir)
        self.uploads = Path(settings.store.data_dir) / "uploads"
        self._assistants: dict[str, object] = {}
        self._lock = threading.Lock()
        self.exports = Path(tempfile.mkdtemp(prefix="disclosures-export-"))

    # assistants: one per backend, shared by sessions (each session passes its own conversation)
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

    def filters(self, docs: list[str] | None, companies: list[str] | None) -> SearchFilters | None:
        docs = list(docs or [])
        for company in companies or []:
            docs += [d.id for d in self.store.documents() if company_matches(d, company)]
        return SearchFilters(docs=sorted(set(docs))) if docs else None

    # asking
    def ask(self, question: str, session: ChatSession, docs: list[str] | None = None,
            companies: list[str] | None = None, backend: str | None = None) -> Iterator[tuple[str, Answer | None]]:
        """Stream (text so far, None) pieces, then (final markdown, Answer): the next turn of the session's
        conversation, which the session then shows as its last turn."""
        question = (question or "").strip()
        if not question:
            raise DisclosuresError("Type a question first.")
        shown = ""
        answer: Answer | None = None
        for piece in self.assistant(backend).stream(question, session.conversation, self.filters(docs, companies)):
            if isinstance(piece, Answer):
                answer = piece
            else:
                shown += piece
                yield escape_markdown(shown), None
        assert answer is not None
        last = session.conversation.turns[-1] if session.conversation.turns else None
        session.turns.append(last if last is not None and last.answer is answer else Turn(question, answer.text, answer))
        yield answer_markdown(answer, len(session.turns) - 1), answer

    def export_markdown(self, session: ChatSession) -> Path:
        session.id = session.id or uuid.uuid4().hex[:12]
        path = self.exports / f"conversation-{session.id}.md"
        path.write_text(conversation_markdown(session.turns), encoding="utf-8")
        return path

    # feedback
    def rate(self, session: ChatSession, index: int, rating: str | None) -> bool:
        """Thumbs up or down on the session's answer `index`, with the questions asked before it."""
        if session.answer(index) is None:
            return False
        turn = session.turns[index]
        self.feedback.add(turn.question, turn.answer, rating, history=[t.question for t in session.turns[:index]])
        session.rated = index
        return True

    def comment(self, session: ChatSession, text: str) -> bool:
        """A comment on the answer last rated (else the last answer)."""
        text = (text or "").strip()
        if not session.turns or not text:
            return False
        index = session.rated if session.answer(session.rated) is not None else len(session.turns) - 1
        turn = session.turns[index]
        self.feedback.add(turn.question, turn.answer, None, comment=text,
                          history=[t.question for t in session.turns[:index]])
        return True

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
