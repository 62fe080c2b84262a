"""Issue #8: a wrong settings file, database or argument ends with one line and exit 2, never
a traceback (click's test runner, in process; one run of the real console entry point)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine
from sqlalchemy.exc import DataError

from storage import posts as post_store
from storage.session import reading
from syndicator.cli.commands import cli
from syndicator.cli.params import MAX_ROW_ID
from tests.helpers.paths import ROOT

ROOT = ROOT
PASSWORD = "mk-Bi3t-2026"
SETTINGS = (
    '[channels.sandbox]\nfolder = "var/outbox"\n'
    '[[feeds]]\nid = "soyte"\nname = "Sở Y tế"\nurl = "https://soyte.gov.vn/rss"\n'
    'channels = ["sandbox"]\n'
)


def settings_file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(extra + SETTINGS, encoding="utf-8")
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def one_line(result: Result, exit_code: int = 2) -> str:
    """The single stderr line of a failed command, after checking nothing escaped."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_config_naming_a_folder(tmp_path: Path) -> None:
    line = one_line(run("--config", tmp_path, "feeds", "list"))
    assert line == (
        f"configuration error: {tmp_path}: is a folder; pass the settings file itself, "
        f"e.g. --config {tmp_path / 'settings.toml'}"
    )


def test_settings_saved_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes('[polling]\ncontact = "Phòng CNTT – it@soyte.gov.vn"\n'.encode("cp1252"))
    line = one_line(run("--config", path, "queue", "list"))
    assert line == (
        f"configuration error: {path}: not UTF-8 (line 2, column 14, byte 23: 0xf2); "
        "save it as UTF-8"
    )


@pytest.mark.parametrize(
    "command", [("feeds", "list"), ("queue", "list"), ("db", "upgrade"), ("run", "--once")]
)
def test_unreachable_postgresql(tmp_path: Path, command: tuple[str, ...]) -> None:
    """Nothing listens on 127.0.0.1:1: one line naming the address, the password hidden."""
    url = f"postgresql+psycopg://syndicator:{PASSWORD}@127.0.0.1:1/syndicator"
    config = settings_file(tmp_path, f'[database]\nurl = "{url}"\n')
    line = one_line(run("--config", config, *command))
    assert line.startswith(
        "configuration error: database.url: cannot connect to "
        "postgresql+psycopg://syndicator:***@127.0.0.1:1/syndicator (connection failed: "
    )
    assert "Connection refused" in line
    assert line.endswith("; check the address and that the database server is running")
    assert PASSWORD not in line


def test_unsupported_database_url(tmp_path: Path) -> None:
    config = settings_file(tmp_path, f'[database]\nurl = "mysql://root:{PASSWORD}@db/syn"\n')
    line = one_line(run("--config", config, "queue", "list"))
    assert line == (
        f"configuration error: {config}: database.url: mysql://root:***@db/syn: mysql+mysqldb is "
        "not supported; write sqlite:///var/syndicator.db or "
        "postgresql+psycopg://user@host/dbname"
    )


def test_sqlite_file_whose_folder_cannot_be_made(tmp_path: Path) -> None:
    """database.url under a path that is a file: one line, not a FileExistsError traceback."""
    (tmp_path / "var").write_text("not a folder")
    config = settings_file(tmp_path, '[database]\nurl = "sqlite:///var/db/syndicator.db"\n')
    line = one_line(run("--config", config, "queue", "list"))
    assert line.startswith("configuration error: database.url: sqlite:///")
    assert "cannot create the folder" in line


@pytest.mark.parametrize(
    "target",
    ["²", "٣", "0", str(MAX_ROW_ID + 1), "99999999999999999999999", "sở-y-tế", "http://[::1"],
)
def test_repost_refuses_what_is_neither_id_nor_url(tmp_path: Path, target: str) -> None:
    """ITEM_ID|URL: ASCII digits in the id range, or an http(s) address; else exit 2."""
    result = run("--config", settings_file(tmp_path), "repost", target)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[-1].startswith("Error: Invalid value for 'ITEM_ID|URL': ")


@pytest.mark.parametrize(
    ("target", "shown"),
    [(str(MAX_ROW_ID), str(MAX_ROW_ID)), ("https://soyte.gov.vn/tin/1.html", "'https://soyte")],
)
def test_repost_looks_up_a_valid_id_or_url(tmp_path: Path, target: str, shown: str) -> None:
    """At the edge of the range the id is looked up: not found is exit 1, the job's failure."""
    result = run("--config", settings_file(tmp_path), "repost", target)
    assert one_line(result, exit_code=1).startswith(f"Error: no stored article matches {shown}")


@pytest.mark.parametrize("command", [("queue", "show"), ("queue", "approve"), ("queue", "edit")])
def test_post_id_past_the_range_is_a_usage_error(tmp_path: Path, command: tuple[str, ...]) -> None:
    config = settings_file(tmp_path)
    past = run("--config", config, *command, str(MAX_ROW_ID + 1))
    assert past.exit_code == 2 and "is not in the range 1<=x<=2147483647" in past.stderr
    unicode_digit = run("--config", config, *command, "²")
    assert unicode_digit.exit_code == 2 and "'²' is not a valid integer" in unicode_digit.stderr


def test_largest_post_id_is_looked_up_on_both_databases(engine: Engine) -> None:
    """MAX_ROW_ID is the largest id PostgreSQL's INTEGER holds: one more fails the query."""
    with reading(engine) as session:
        assert post_store.get(session, MAX_ROW_ID) is None
    if engine.dialect.name == "postgresql":
        with pytest.raises(DataError, match="out of range"), reading(engine) as session:
            post_store.get(session, MAX_ROW_ID + 1)


def test_console_entry_point_prints_one_line(tmp_path: Path) -> None:
    """The real program (python main.py) gives the same one line and exit code 2."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--config", str(tmp_path), "feeds", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"configuration error: {tmp_path}: is a folder; pass the settings file itself, "
        f"e.g. --config {tmp_path / 'settings.toml'}"
    ]
