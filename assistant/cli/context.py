"""What every command shares: the settings and store the global options select, JSON output and a one-line exit."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import click

from index.errors import DisclosuresError
from index.settings import Settings, load_settings


def emit_json(payload: object) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def settings_of(ctx: click.Context) -> Settings:
    """The settings, with the global options (`--data-dir`, `--chroma-url`) over the environment."""
    return load_settings(**ctx.find_root().obj["overrides"])


def store_of(ctx: click.Context):  # noqa: ANN201 - index.store.Store, imported lazily (it loads Chroma)
    from index.store import open_store

    return open_store(settings_of(ctx))


def prompt_loop(prompt: str, handle: Callable[[str], None], empty_ends: bool) -> None:
    """Lines typed at `prompt` until 'quit', 'exit', ':q' or the end of input (an empty line too when `empty_ends`),
    each given to `handle`; a project error is one line on stderr, and the loop goes on."""
    while True:
        try:
            line = input(prompt).strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if line.lower() in ("quit", "exit", ":q") or (not line and empty_ends):
            return
        if not line:
            continue
        try:
            handle(line)
        except DisclosuresError as exc:
            click.echo(f"error: {exc}", err=True)
