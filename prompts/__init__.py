"""Prompt templates as files, loaded by name: `load_prompt("system")` reads prompts/system.md.

Templates use `{name}` placeholders for `str.format`; literal braces are doubled.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def available() -> list[str]:
    return sorted(entry.name.rsplit(".", 1)[0] for entry in resources.files(__package__).iterdir()
                  if entry.name.endswith(".md"))


@lru_cache(maxsize=None)
def load_prompt(name: str) -> str:
    """The text of prompts/NAME.md; a name that is not a prompt file is a ConfigError naming the ones that are."""
    from index.errors import ConfigError

    if not _NAME.match(name) or not resources.files(__package__).joinpath(f"{name}.md").is_file():
        raise ConfigError(f"no prompt named {name!r}; prompts/ has: {', '.join(available())}")
    return resources.files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8").strip() + "\n"
