"""A start loads only what its command needs: `--version` and `--help` import no subcommand and
none of the heavy libraries. Checked by what a fresh process has in sys.modules, not by time."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from syndicator.cli.commands import COMMANDS, cli, load_command
from tests.helpers.paths import ROOT

HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "pydantic",
    "pydantic_settings",
    "requests",
    "feedparser",
    "structlog",
    "jinja2",
    "apscheduler",
    "cryptography",
    "syndicator.app",
    "syndicator.config",
)

# Runs the command line as the console script does, then reports the heavy modules loaded.
PROBE = """
import json, sys
from syndicator.cli import main
sys.argv = ["syndicator", *{args!r}]
try:
    main()
except SystemExit:
    pass
heavy = {heavy!r}
print(json.dumps(sorted(name for name in heavy if name in sys.modules)), file=sys.stderr)
"""


def heavy_modules_after(*args: str) -> list[str]:
    code = PROBE.format(args=list(args), heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(done.stderr.splitlines()[-1])
    return loaded


def test_importing_the_commands_loads_no_heavy_library() -> None:
    """`import syndicator.cli.commands` leaves the database stack, HTTP, parsing and settings
    libraries unloaded."""
    code = (
        "import json, sys\nimport syndicator.cli.commands\n"
        f"print(json.dumps(sorted(n for n in {HEAVY!r} if n in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_load_no_heavy_library(option: str) -> None:
    """`syndicator --version` and `syndicator --help` run without importing any subcommand's
    libraries."""
    assert heavy_modules_after(option) == []


def test_the_package_entry_imports_nothing_heavy() -> None:
    """Parser worker processes re-import the entry module: `import syndicator.cli` loads
    neither click's commands nor any library of the product."""
    code = "import json, sys\nimport syndicator.cli\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert not loaded & {*HEAVY, "click", "syndicator.cli.commands"}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_table_matches_the_command_it_loads(name: str) -> None:
    """Each table entry loads a command of that name whose own short help is the one `--help`
    shows from the table."""
    command = load_command(name)
    assert command.name == name
    assert command.get_short_help_str(limit=1000) == COMMANDS[name].help


def test_help_lists_every_command_with_its_short_help() -> None:
    """The listing built from the table is the one click would build from the commands."""
    runner_help = cli.get_help(click.Context(cli, info_name="syndicator"))
    listed = runner_help.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed] == sorted(COMMANDS)
    for line in listed:
        name, text = line.split(maxsplit=1)
        assert COMMANDS[name].help.startswith(text.removesuffix("..."))


def test_an_unknown_command_is_a_usage_error() -> None:
    """A name not in the table is click's usage error (exit 2), as before."""
    result = CliRunner().invoke(cli, ["no-such-command"])
    assert result.exit_code == 2
    assert "No such command 'no-such-command'" in result.output
