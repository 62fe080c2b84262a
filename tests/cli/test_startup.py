"""A start loads only what its command needs: `--version` and `--help` import no subcommand and
none of the heavy libraries; `queue list` neither the template engine nor, on SQLite, the
PostgreSQL dialect. Checked by what a fresh process has in sys.modules, not by time."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from storage import migrate
from storage.engine import make_engine
from syndicator.cli.commands import COMMANDS, cli, load_command
from syndicator.cli.context import Context
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

# What `queue list` lists without: posts are already rendered (no template engine, no
# rendering module), and a SQLite database needs no PostgreSQL dialect.
NOT_FOR_A_LISTING = ("jinja2", "syndicator.posts.render", "sqlalchemy.dialects.postgresql")

# Runs the command line as the console script does, then reports which of `names` it loaded
# and the state it left the garbage collector in.
PROBE = """
import gc, json, sys
from syndicator.cli import main
sys.argv = ["syndicator", *{args!r}]
try:
    main()
except SystemExit:
    pass
names = {names!r}
print(json.dumps({{
    "loaded": sorted(name for name in names if name in sys.modules),
    "collector_on": gc.isenabled(),
    "frozen": gc.get_freeze_count(),
}}), file=sys.stderr)
"""


def probe(*args: str, names: tuple[str, ...] = HEAVY) -> dict[str, object]:
    code = PROBE.format(args=list(args), names=names)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    state: dict[str, object] = json.loads(done.stderr.splitlines()[-1])
    return state


def heavy_modules_after(*args: str) -> list[str]:
    loaded = probe(*args)["loaded"]
    assert isinstance(loaded, list)
    return loaded


def migrated_sqlite_settings(tmp_path: Path) -> Path:
    """A settings file naming an empty SQLite database already at the newest schema."""
    url = f"sqlite:///{tmp_path / 'syndicator.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    config = tmp_path / "settings.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return config


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


def test_queue_list_loads_no_template_engine_nor_postgresql_dialect(tmp_path: Path) -> None:
    """`queue list` on a migrated SQLite database imports neither Jinja2 and the rendering
    module (its posts are already rendered) nor SQLAlchemy's PostgreSQL dialect."""
    config = migrated_sqlite_settings(tmp_path)
    state = probe("--config", str(config), "queue", "list", names=NOT_FOR_A_LISTING)
    assert state["loaded"] == []


def test_a_command_runs_with_the_collector_on_and_the_start_frozen(tmp_path: Path) -> None:
    """The console entry turns the garbage collector off for the start only: once the command
    has its App, what the start made is frozen and the collector runs again."""
    config = migrated_sqlite_settings(tmp_path)
    state = probe("--config", str(config), "queue", "list", names=())
    assert state["collector_on"] is True
    assert isinstance(state["frozen"], int) and state["frozen"] > 0


def test_building_the_app_in_process_leaves_the_collector_alone(tmp_path: Path) -> None:
    """Where the collector is on (tests, a host that imports the CLI), building the App neither
    freezes objects nor changes the collector."""
    config = migrated_sqlite_settings(tmp_path)
    frozen = gc.get_freeze_count()
    context = Context(str(config))
    try:
        context.app()
    finally:
        context.close()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
