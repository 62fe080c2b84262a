"""Issue #8, as properties: any value for any setting, and any argument to the commands, either
works or ends with one line (exit 2 for settings and usage), never with a traceback.

Hypothesis runs derandomized (the same examples every run, so CI is repeatable) and few
enough of them to take seconds.
"""

from __future__ import annotations

import copy
import json
import math
import os
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from connectors.registry import KINDS
from storage.engine import check_url
from syndicator.cli.commands import cli
from syndicator.config import Settings, load_settings
from syndicator.durations import LONGEST
from syndicator.errors import ConfigError
from syndicator.ops.health import parse_listen
from syndicator.posts.pacing import PacingSettings
from syndicator.settings_models import FeedSettings

EXAMPLES = settings(max_examples=200, deadline=None, derandomize=True)
CLI_EXAMPLES = settings(max_examples=60, deadline=None, derandomize=True)

# A valid settings file, as data; each example spoils one key of it.
BASE: dict[str, Any] = {
    "timezone": "Asia/Ho_Chi_Minh",
    "database": {"url": "sqlite:///var/syndicator.db"},
    "polling": {"interval": "10m", "contact": "it@soyte.gov.vn"},
    "feeds": [
        {
            "id": "soyte",
            "name": "Sở Y tế",
            "url": "https://soyte.quangtri.gov.vn/rss",
            "channels": ["sandbox"],
        }
    ],
    "channels": {"sandbox": {"folder": "var/outbox"}},
    "pacing": {"sandbox": {"quiet_hours": "22:00-06:00"}},
    "web": {"listen": "127.0.0.1:8080"},
}


def key_paths() -> list[tuple[str | int, ...]]:
    """Every key of the settings, and the tables themselves (a string where a table goes)."""
    paths: list[tuple[str | int, ...]] = [("feeds",), ("feeds", 0), ("channels", "sandbox")]
    for name, field in Settings.model_fields.items():
        if name == "base_dir":
            continue
        paths.append((name,))
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths += [(name, key) for key in annotation.model_fields]
    paths += [("feeds", 0, key) for key in FeedSettings.model_fields]
    for kind in KINDS.values():  # each kind's keys, on a channel named after its type
        paths += [("channels", kind.type, key) for key in kind.settings_model.model_fields]
    paths += [("pacing", "sandbox", key) for key in PacingSettings.model_fields]
    return paths


TRICKY = [
    "0s",
    "0.5s",
    "99999999999d",
    "-5m",
    "1e400s",
    "²",
    "٣",
    "10m",
    "",
    " ",
    "x",
    "sandbox",
    "127.0.0.1:²",
    "[::1]:99999",
    "mysql://root:mk@db/syn",
    "postgresql+asyncpg://h/d",
    "https://soyte.gov.vn:99999/rss",
    "http://[::1",
    "Asia/" * 60,
    "../../etc/passwd",
    "Sở Y tế\nkhẩn",
    "x" * 500,
]
text = st.text(st.characters(codec="utf-8"), max_size=20)
scalars = st.one_of(
    text,
    st.sampled_from(TRICKY),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, 1, -1, 65536, 2**31, 2**63, 10**19]),
    st.floats(),
    st.booleans(),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)


def toml_value(value: Any) -> str:
    """Inline TOML for a value (the standard library reads TOML but does not write it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        # JSON escapes are TOML escapes; TOML also wants DEL escaped.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    pairs = (f"{toml_value(str(key))} = {toml_value(item)}" for key, item in value.items())
    return "{" + ", ".join(pairs) + "}"


def document(data: dict[str, Any]) -> str:
    return "".join(f"{toml_value(key)} = {toml_value(value)}\n" for key, value in data.items())


def spoil(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    table: Any = data
    for part in path[:-1]:
        table = table.setdefault(part, {}) if isinstance(table, dict) else table[part]
    table[path[-1]] = value
    return data


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def load_or_one_line(path: Path) -> Settings | None:
    """The settings, or None after checking the refusal is one line about this file."""
    try:
        return load_settings(path)
    except ConfigError as error:
        message = str(error)
        assert "\n" not in message and "\r" not in message
        assert message.startswith(f"{path}: ") or message.startswith("SYNDICATOR_")
        return None


def assert_usable(loaded: Settings) -> None:
    """What loads can be used: nothing that start-up accepted fails later."""
    durations = [
        value
        for section in (loaded.polling, loaded.publishing, loaded.daemon, loaded.alerts)
        for value in section.__dict__.values()
        if isinstance(value, timedelta)
    ]
    durations += [feed.interval for feed in loaded.feeds if feed.interval is not None]
    durations += [pacing.min_spacing for pacing in loaded.pacing.values()]
    assert all(timedelta(0) <= value <= LONGEST for value in durations)
    intervals = [loaded.polling.interval, *(feed.interval for feed in loaded.feeds)]
    assert all(value is None or value >= timedelta(minutes=1) for value in intervals)
    assert loaded.polling.timeout >= timedelta(seconds=1)
    assert int(loaded.daemon.tick.total_seconds()) >= 1  # the scheduler's whole seconds
    parse_listen(loaded.web.listen)
    check_url(loaded.database_url())
    ZoneInfo(loaded.timezone)
    for feed in loaded.feeds:
        assert all(name in loaded.channels for name in feed.channels)
        assert len(set(feed.channels)) == len(feed.channels)


@EXAMPLES
@given(path=st.sampled_from(key_paths()), value=values)
def test_any_value_for_any_key(folder: Path, path: tuple[str | int, ...], value: Any) -> None:
    """A random TOML value in place of any key: it loads and is usable, or one line."""
    file = folder / "settings.toml"
    file.write_text(document(spoil(path, value)), encoding="utf-8")
    loaded = load_or_one_line(file)
    if loaded is not None:
        assert_usable(loaded)


def environment_names() -> list[str]:
    return [
        "SYNDICATOR_" + "__".join(str(part) for part in path).upper()
        for path in key_paths()
        if not any(isinstance(part, int) for part in path)
    ]


@EXAMPLES
@given(name=st.sampled_from(environment_names()), value=st.one_of(text, st.sampled_from(TRICKY)))
def test_any_environment_override(folder: Path, name: str, value: str) -> None:
    """SYNDICATOR_<SECTION>__<KEY> set to any text: usable settings, or one line."""
    file = folder / "settings.toml"
    file.write_text(document(BASE), encoding="utf-8")
    if "\x00" in value:
        return  # the environment cannot hold a NUL
    with mock.patch.dict(os.environ, {name: value}):
        loaded = load_or_one_line(file)
    if loaded is not None:
        assert_usable(loaded)


# Arguments the commands take from a person at a terminal (no NUL: argv cannot hold one).
argument = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20),
    st.sampled_from(
        [
            *("²", "٣", "0", "-1", "1", "2147483647", "2147483648", "9" * 30, "9" * 5000, " 7 "),
            *("1e3", "https://soyte.gov.vn/tin/1.html", "http://[::1", "sandbox", "soyte", "-h"),
        ]
    ),
    st.integers(-(10**20), 10**20).map(str),
)
# feeds check fetches: only text that is no URL at all, so no example can reach a network.
not_a_url = st.text(st.characters(codec="utf-8", exclude_characters="\x00:/"))
commands = st.one_of(
    st.tuples(st.just("repost"), argument),
    st.tuples(st.just("queue"), st.just("show"), argument),
    st.tuples(st.just("queue"), st.just("approve"), argument, argument),
    st.tuples(st.just("queue"), st.just("reject"), argument, st.just("--reason"), argument),
    st.tuples(st.just("queue"), st.just("list"), st.just("--channel"), argument),
    st.tuples(st.just("publish"), st.just("--dry-run"), st.just("--channel"), argument),
    st.tuples(st.just("poll"), st.just("--feed"), argument),
    st.tuples(st.just("feeds"), st.just("check"), not_a_url),
)


@pytest.fixture(scope="module")
def config(folder: Path) -> Path:
    """Settings for the CLI examples: a sandbox channel, and a feed nothing can reach."""
    data = copy.deepcopy(BASE)
    data["feeds"][0]["url"] = "http://127.0.0.1:1/rss"  # loopback is not allowed: never polled
    data["polling"]["parse_processes"] = 0  # nothing to parse: no worker process to start
    path = folder / "cli.toml"
    path.write_text(document(data), encoding="utf-8")
    assert CliRunner().invoke(cli, ["--config", str(path), "db", "upgrade"]).exit_code == 0
    return path


@CLI_EXAMPLES
@given(args=commands)
def test_any_command_argument(config: Path, args: tuple[str, ...]) -> None:
    """A command with random arguments: exit 0, 1 (the job failed) or 2 (usage), no traceback."""
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        last = result.stderr.splitlines()[-1]
        assert last.startswith(("Error: ", "configuration error: ")), result.stderr
