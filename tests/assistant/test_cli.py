"""assistant/cli/__init__.py: the `disclosures` group: its errors, the installed command, and the command groups
other layers register through the `disclosures.commands` entry points (the CLI never imports them by name)."""

import json
import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint

import pytest
from conftest import REPO, run_cli

from assistant.cli import ENTRY_POINT_GROUP, cli


def test_a_bad_setting_is_a_one_line_error(invoke, monkeypatch):
    monkeypatch.setenv("DISCLOSURES_CHUNK_SIZE", "tiny")
    result = invoke("docs")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: invalid setting DISCLOSURES_CHUNK_SIZE")
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_installed_command_runs(tmp_path):
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("ingest", "search", "docs", "remove", "facts", "calc", "ask", "chat", "slack"):
        assert command in result.stdout
    empty = run_cli("docs", "--json", env={"DISCLOSURES_DATA_DIR": str(tmp_path / "fresh")})
    assert empty.returncode == 0 and json.loads(empty.stdout) == {"documents": []}


PLUGIN = '''
import click

from assistant.cli import settings_of


@click.group()
def hello_group():
    """Say hello."""


@hello_group.command()
@click.pass_context
def greet(ctx):
    click.echo(f"hello from {settings_of(ctx).store.data_dir.name}")
'''


@pytest.fixture
def registered(tmp_path, monkeypatch):
    """Entry points as an installed package would register them: one good group, one that cannot be imported,
    one that is not a command, and one that takes a built-in command's name."""
    (tmp_path / "disclosures_hello_plugin.py").write_text(textwrap.dedent(PLUGIN))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "disclosures_hello_plugin", raising=False)  # an earlier test's import
    entries = [EntryPoint("hello", "disclosures_hello_plugin:hello_group", ENTRY_POINT_GROUP),
               EntryPoint("broken", "disclosures_no_such_module:group", ENTRY_POINT_GROUP),
               EntryPoint("notacommand", "disclosures_hello_plugin:click", ENTRY_POINT_GROUP),
               EntryPoint("docs", "disclosures_hello_plugin:hello_group", ENTRY_POINT_GROUP)]
    monkeypatch.setattr("assistant.cli.entry_points",
                        lambda group: [entry for entry in entries if entry.group == group])
    monkeypatch.setattr(cli, "_registered", None)  # load them afresh; restored after the test


def test_registered_command_groups_join_the_cli_and_a_broken_one_is_one_line(registered, invoke):
    listed = invoke("--help")
    assert listed.exit_code == 0
    commands = listed.stdout.split("Commands:")[1]
    assert "hello" in commands and "Say hello." in commands
    assert "broken" not in commands and "notacommand" not in commands
    warnings = listed.stderr.strip().splitlines()
    assert len(warnings) == 3, warnings
    assert any("'broken'" in line and "did not load" in line and "disclosures_no_such_module" in line for line in warnings)
    assert any("'notacommand'" in line and "not a click command" in line for line in warnings)
    assert any("'docs'" in line and "name is taken" in line for line in warnings)

    greeted = invoke("hello", "greet")  # the group sees the global options, as a built-in command does
    assert greeted.exit_code == 0 and greeted.stdout.strip() == "hello from data"
    listed = invoke("docs", "--json")  # a built-in command is never replaced
    assert listed.exit_code == 0 and json.loads(listed.stdout) == {"documents": []}
    missing = invoke("nosuchcommand")
    assert missing.exit_code != 0 and "No such command" in missing.stderr


def test_a_built_in_command_loads_no_registered_group(registered, invoke):
    result = invoke("docs", "--json")
    assert result.exit_code == 0 and result.stderr == ""  # the broken group was never imported
    assert "disclosures_hello_plugin" not in sys.modules


def test_the_cli_does_not_import_eval():
    """Layers import downward: `disclosures docs` runs without any eval module (eval adds `disclosures eval`)."""
    script = ("import sys\nfrom click.testing import CliRunner\nfrom assistant.cli import cli\n"
              "result = CliRunner().invoke(cli, ['docs', '--json'], obj={})\nassert result.exit_code == 0, result.output\n"
              "print(sorted(name for name in sys.modules if name == 'eval' or name.startswith('eval.')))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    sources = "\n".join(path.read_text() for path in (REPO / "assistant" / "cli").glob("*.py"))
    assert "import eval" not in sources and "from eval" not in sources
