"""`syndicator users passwd NAME`: an admin's new password for a user, from standard input or
a prompt; refusals exit 1 with the reason and change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result

from syndicator.app import build_app
from syndicator.cli import users as users_cli
from syndicator.cli.commands import cli
from syndicator.services import audit, credentials, sign_in
from syndicator.services.sign_in import LoginRefused

OLD = "mật khẩu đủ dài 2026"
NEW = "Hoa sen nở giữa đầm 2027"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        credentials, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "s.db"}"\n', encoding="utf-8")
    result = run(path, "users", "add", "Nguyễn Thị An", "--role", "editor", input=OLD + "\n")
    assert result.exit_code == 0, result.output
    return path


def run(config: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], input=input)


def signs_in(config: Path, password: str) -> bool:
    app = build_app(config)
    try:
        sign_in.authenticate(app, "nguyễn thị an", password, "127.0.0.1")
    except LoginRefused:
        return False
    finally:
        app.close()
    return True


def password_events(config: Path) -> list[tuple[str, str, str | None]]:
    app = build_app(config)
    try:
        rows = audit.recent_admin_events(app)
    finally:
        app.close()
    return [(r.actor, r.subject, r.detail) for r in rows if r.action == "user_password"]


def test_passwd_reads_the_new_password_from_standard_input(config: Path) -> None:
    """Off a terminal the first line of standard input is the new password: it signs in, the
    old one no longer does, the shell is the actor, and nothing printed shows either."""
    result = run(config, "users", "passwd", "NGUYỄN THỊ AN", input=NEW + "\nrest\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == "password set for Nguyễn Thị An; their sessions have ended\n"
    assert NEW not in result.output and OLD not in result.output
    assert signs_in(config, NEW) and not signs_in(config, OLD)
    assert password_events(config) == [("shell", "Nguyễn Thị An", "set by admin")]


def test_passwd_prompts_twice_on_a_terminal(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the new password is asked twice, hidden."""
    monkeypatch.setattr(users_cli, "_interactive", lambda: True)
    result = run(config, "users", "passwd", "Nguyễn Thị An", input=f"{NEW}\n{NEW}\n")
    assert result.exit_code == 0, result.output
    assert "New password" in result.output and "Repeat for confirmation" in result.output
    assert NEW not in result.output and signs_in(config, NEW)


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("Nguyễn Thị An", "Mật khẩu 12", "at least 12"),
        ("Nguyễn Thị An", "", "at least 12"),
        ("Nguyễn Thị An", "nguyễn thị an", "must not be the name"),
        ("Trần Văn Bình", NEW, "no user “Trần Văn Bình”"),
    ],
)
def test_passwd_refuses_with_one_line(config: Path, name: str, password: str, message: str) -> None:
    """A refused password or an unknown user exits 1 with the reason; the old password still
    signs in and no event is written."""
    result = run(config, "users", "passwd", name, input=password + "\n")
    assert result.exit_code == 1 and message in result.output
    assert not password or password not in result.output
    assert signs_in(config, OLD) and password_events(config) == []
