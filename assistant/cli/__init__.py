"""The `disclosures` command: a thin layer over the library. Every command takes --json.

The commands live by group: documents.py (ingest, docs, remove, reindex, search), figures.py (facts, calc), asking.py (ask
and the terminal chat), servers.py (chat, slack). Layers above the front ends add their own command groups through
the entry point group `disclosures.commands` (eval's `disclosures eval ...`); the CLI never imports them by name.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import click

from assistant.cli.asking import ask
from assistant.cli.context import emit_json, fail, settings_of, store_of
from assistant.cli.documents import docs, ingest, reindex, remove, search
from assistant.cli.figures import calc, facts
from assistant.cli.servers import chat, slack
from index.errors import DisclosuresError

ENTRY_POINT_GROUP = "disclosures.commands"


class _Group(click.Group):
    """Turns project errors into one line on stderr and a non-zero exit, never a traceback; adds the command groups
    registered under `disclosures.commands`, loaded the first time a command is not found or all are listed."""

    _registered: dict[str, click.Command] | None = None

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        try:
            return super().invoke(ctx)
        except DisclosuresError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail("interrupted", 130)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self.registered().get(name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.registered()})

    def registered(self) -> dict[str, click.Command]:
        """The command groups of the entry points; one that fails to load is one line on stderr, and the rest of
        the CLI works without it. Kept apart from `commands`, so a built-in command is never replaced."""
        if self._registered is None:
            loaded: dict[str, click.Command] = {}
            for entry in entry_points(group=ENTRY_POINT_GROUP):
                if entry.name in self.commands or entry.name in loaded:
                    click.echo(f"warning: command {entry.name!r} from {entry.value} is ignored: the name is taken",
                               err=True)
                    continue
                try:
                    command = entry.load()
                except Exception as exc:  # noqa: BLE001 - any import error of a plugin must leave the CLI usable
                    reason = (str(exc).strip().splitlines() or [""])[0]
                    click.echo(f"warning: command {entry.name!r} ({entry.value}) did not load: "
                               f"{type(exc).__name__}: {reason}", err=True)
                    continue
                if not isinstance(command, click.Command):
                    click.echo(f"warning: command {entry.name!r} ({entry.value}) is not a click command", err=True)
                    continue
                loaded[entry.name] = command
            self._registered = loaded
        return self._registered


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where the store lives (default: $DISCLOSURES_DATA_DIR or ~/.local/share/disclosures).")
@click.option("--chroma-url", default=None, help="Use a Chroma server (`chroma run`) instead of the embedded store.")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, chroma_url: str | None) -> None:
    """Disclosure Assistant: ingest company disclosures and search them."""
    ctx.ensure_object(dict)
    ctx.obj["overrides"] = {"data_dir": data_dir, "chroma_url": chroma_url}


for _command in (ingest, search, docs, remove, reindex, facts, calc, ask, chat, slack):
    cli.add_command(_command)


def main() -> None:
    cli(obj={})


__all__ = ["cli", "main", "emit_json", "fail", "settings_of", "store_of"]
