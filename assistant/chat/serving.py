"""Serving the page: the optional login and launching it over a store."""

from __future__ import annotations

from pathlib import Path

from assistant.chat.app import ChatApp
from index.errors import ConfigError
from index.settings import Settings


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
            raise ConfigError("DISCLOSURES_UI_AUTH must be user:password pairs (or a file of them), one per line")
        pairs.append((user, password))
    return pairs


def serve(settings: Settings, host: str | None = None, port: int | None = None, share: bool = False,
          block: bool = True):  # noqa: ANN201
    """Build and launch the page over the settings' store; returns the Blocks (serving until stopped when `block`)."""
    return launch(ChatApp(settings), host=host, port=port, share=share, block=block)


def launch(app: ChatApp, host: str | None = None, port: int | None = None, share: bool = False,
           block: bool = True):  # noqa: ANN201
    """Launch the page over `app`. Only the PDFs of ingested documents and the uploads folder are served as files."""
    from assistant.chat.layout import CITE_JS, CSS, build

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
