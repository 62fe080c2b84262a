"""`syndicator audit`: the admin actions newest first, one line each in the settings' timezone
or one JSON object each, filtered by actor, action and age (`--since` at its edge)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result

import syndicator.app
from storage.admin_events import record_admin_event
from storage.session import writing
from syndicator.app import App, build_app
from syndicator.cli.commands import cli
from syndicator.services import credentials, users
from tests.helpers.clock import FakeClock

PASSWORD = "mật khẩu đủ dài 2026"
NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
ADMIN = "Quản trị"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        credentials, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The commands' clock, fixed at NOW (build_app's default clock is the system's)."""
    fixed = FakeClock(NOW)
    monkeypatch.setattr(syndicator.app, "SystemClock", lambda: fixed)
    return fixed


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(
        f'timezone = "Asia/Ho_Chi_Minh"\n[database]\nurl = "sqlite:///{tmp_path / "s.db"}"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def app(config: Path, clock: FakeClock) -> Iterator[App]:
    built = build_app(config, clock)
    yield built
    built.close()


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "audit", *args])


def three_actions(app: App, clock: FakeClock) -> None:
    """An hour ago the shell added the admin; then the admin added An, a minute apart."""
    clock.current = NOW - timedelta(hours=1)
    users.add_user(app, ADMIN, "admin", PASSWORD)
    clock.current = NOW - timedelta(minutes=2)
    users.add_user(app, "Nguyễn Thị An", "editor", PASSWORD, by=ADMIN)
    clock.current = NOW - timedelta(minutes=1)
    users.set_role(app, "Nguyễn Thị An", "approver", by=ADMIN)
    clock.current = NOW


def test_text_one_line_per_action_newest_first_in_local_time(
    app: App, clock: FakeClock, config: Path
) -> None:
    three_actions(app, clock)
    result = run(config)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "2026-11-02 09:59 +07  user_role  Nguyễn Thị An  by Quản trị  (editor -> approver)",
        "2026-11-02 09:58 +07  user_add  Nguyễn Thị An  by Quản trị  (editor)",
        "2026-11-02 09:00 +07  user_add  Quản trị  by shell  (admin)",
    ]


def test_json_one_object_per_action_in_utc(app: App, clock: FakeClock, config: Path) -> None:
    three_actions(app, clock)
    result = run(config, "--json", "--limit", "1")
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    assert json.loads(line) == {
        "id": 3,
        "at": "2026-11-02T02:59:00+00:00",
        "actor": ADMIN,
        "action": "user_role",
        "subject": "Nguyễn Thị An",
        "detail": "editor -> approver",
    }


def test_nothing_to_show_says_so(app: App, config: Path) -> None:
    assert run(config).stdout == "no admin actions\n"
    assert run(config, "--json").stdout == ""


def test_filters_by_actor_as_names_are_matched_and_by_action(
    app: App, clock: FakeClock, config: Path
) -> None:
    three_actions(app, clock)
    by_admin = run(config, "--actor", "quản  TRỊ", "--json").stdout.splitlines()
    assert [json.loads(line)["action"] for line in by_admin] == ["user_role", "user_add"]
    added = run(config, "--action", "user_add", "--actor", "shell").stdout.splitlines()
    assert added == ["2026-11-02 09:00 +07  user_add  Quản trị  by shell  (admin)"]


def test_since_keeps_an_action_exactly_that_old_and_drops_one_a_second_older(
    app: App, config: Path
) -> None:
    with writing(app.migrated_engine()) as session:
        for age, subject in ((3601, "cũ hơn một giây"), (3600, "đúng một giờ")):
            at = NOW - timedelta(seconds=age)
            record_admin_event(session, at, ADMIN, "user_disable", subject)
    shown = run(config, "--since", "1h").stdout
    assert "đúng một giờ" in shown and "cũ hơn một giây" not in shown
    assert "cũ hơn một giây" in run(config, "--since", "3601s").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "một giờ"), "is not a duration"),
        (("--since", "-1h"), "is not a duration"),
        (("--action", "user_delete"), "'user_add'"),
        (("--limit", "0"), "0 is not in the range"),
    ],
)
def test_bad_options_are_usage_errors(
    app: App, config: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(config, *args)
    assert result.exit_code == 2 and message in result.output, result.output
