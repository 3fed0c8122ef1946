"""The layering of ../shared/GUIDE.md: imports run downward only.

    bottom (index/errors.py, index/settings.py, index/records.py: what every layer shares)
    <- index (documents, passages, facts, search) and prompts/
    <- answering (assistant/: question understanding, backends, calculator, guard, citations, the Assistant)
    <- front ends (assistant/cli, assistant/chat, assistant/slackbot.py, assistant/feedback.py)
    <- eval

Every import counts, at the top of a module or inside a function, and so does `importlib.import_module("...")`
with a literal name. The CLI reaches eval's commands only through the entry point group `disclosures.commands`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("index", "prompts", "assistant", "eval")
BOTTOM = frozenset({"index.errors", "index.settings", "index.records"})
FRONT_ENDS = ("assistant.cli", "assistant.chat", "assistant.slackbot", "assistant.feedback")
LAYERS = {0: "bottom", 1: "index", 2: "answering", 3: "front ends", 4: "eval"}


def layer(module: str) -> int | None:
    """The layer of a project module (None for the standard library and third-party packages)."""
    root = module.split(".")[0]
    if root not in PACKAGES:
        return None
    if module in BOTTOM:
        return 0
    if root in ("index", "prompts"):
        return 1
    if root == "assistant":
        return 3 if module.startswith(FRONT_ENDS) else 2
    return 4


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import in a module's source, nested ones included."""
    package = module if module.count(".") == 0 else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # "from index import settings" imports the module index.settings
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names if f"{name}.{alias.name}" in BOTTOM]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return found


def violations(root: Path) -> list[str]:
    """Every import of a module from a layer above the importing module's, as "file:line: a imports b (layers)"."""
    problems = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            module = module_name(path, root)
            own = layer(module)
            for line, imported in imports_of(path.read_text(encoding="utf-8"), module):
                other = layer(imported)
                if other is None or own is None:
                    continue
                if other > own or (own == 0 and other != 0):
                    problems.append(f"{path.relative_to(root)}:{line}: {module} ({LAYERS[own]}) imports {imported} "
                                    f"({LAYERS[other]})")
    return problems


def test_imports_run_downward_only():
    assert violations(REPO) == []


def test_the_cli_never_imports_eval():
    for path in sorted((REPO / "assistant").rglob("*.py")):
        for line, imported in imports_of(path.read_text(encoding="utf-8"), module_name(path, REPO)):
            assert not imported.startswith("eval"), f"{path.relative_to(REPO)}:{line} imports {imported}"


def test_eval_commands_are_registered_as_an_entry_point():
    from importlib.metadata import entry_points

    [command] = [point for point in entry_points(group="disclosures.commands") if point.name == "eval"]
    assert command.value.startswith("eval.")


@pytest.mark.parametrize(("where", "source", "expected"), [
    ("index/loading.py", "from assistant.answering import Assistant\n", "index.loading (index) imports assistant.answering"),
    ("index/catalog.py", "def f():\n    import assistant.cli\n", "index.catalog (index) imports assistant.cli"),
    ("index/records.py", "from index.facts import Fact\n", "index.records (bottom) imports index.facts (index)"),
    ("assistant/cli/__init__.py", "from eval.harness import run\n", "assistant.cli (front ends) imports eval.harness"),
    ("assistant/rules/lines.py", "from assistant.chat import app\n", "assistant.rules.lines (answering) imports assistant.chat"),
    ("assistant/guard.py", "import importlib\nimportlib.import_module('eval.cli')\n", "assistant.guard (answering) imports eval.cli"),
    ("prompts/__init__.py", "from .. import assistant\nfrom assistant.llm import x\n", "prompts (index) imports assistant.llm"),
])
def test_a_wrong_way_import_is_reported(tmp_path, where, source, expected):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    path = tmp_path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    [problem] = violations(tmp_path)
    assert expected in problem and problem.startswith(where)


def test_downward_imports_are_allowed(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "eval" / "harness.py").write_text("from assistant.answering import Assistant\nfrom index.store import x\n")
    (tmp_path / "assistant" / "slackbot.py").write_text("from assistant.presenter import present\nimport slack_bolt\n")
    (tmp_path / "index" / "store.py").write_text("from index.settings import Settings\nfrom index.catalog import C\n")
    (tmp_path / "index" / "settings.py").write_text("from index.errors import ConfigError\nimport pydantic\n")
    assert violations(tmp_path) == []
