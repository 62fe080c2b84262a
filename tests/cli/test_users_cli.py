"""`syndicator users add` with the password from standard input or from a prompt, and
`syndicator users list`, in text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result

from syndicator.app import build_app
from syndicator.cli import users as users_cli
from syndicator.cli.commands import cli
from syndicator.services import api_tokens, credentials, sign_in, users

PASSWORD = "mật khẩu đủ dài 2026"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        credentials, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "s.db"}"\n', encoding="utf-8")
    return path


def run(config: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], input=input)


def listed(config: Path) -> list[dict[str, object]]:
    result = run(config, "users", "list", "--json")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_add_reads_the_password_from_standard_input(config: Path) -> None:
    """Off a terminal, the first line of standard input is the password; the user can sign in
    with it, and nothing printed shows it."""
    result = run(
        config, "users", "add", "Nguyễn An", "--role", "approver", input=PASSWORD + "\nrest\n"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "added Nguyễn An (approver)\n" and PASSWORD not in result.output
    (user,) = listed(config)
    assert (user["name"], user["role"], user["disabled"]) == ("Nguyễn An", "approver", False)
    app = build_app(config)
    try:
        assert sign_in.authenticate(app, "nguyễn an", PASSWORD, "127.0.0.1").role == "approver"
    finally:
        app.close()


def test_add_prompts_twice_on_a_terminal(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the password is asked twice, hidden, and asked again when they differ."""
    monkeypatch.setattr(users_cli, "_interactive", lambda: True)
    typed = f"{PASSWORD}\nkhác hẳn rồi 2026\n{PASSWORD}\n{PASSWORD}\n"
    result = run(config, "users", "add", "an", "--role", "admin", input=typed)
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 2 and "Repeat for confirmation" in result.output
    assert "do not match" in result.output and PASSWORD not in result.output
    assert [user["role"] for user in listed(config)] == ["admin"]


@pytest.mark.parametrize(
    ("args", "password", "code", "message"),
    [
        (("an", "--role", "editor"), "ngắn", 1, "at least 12"),
        (("an", "--role", "editor"), "", 1, "at least 12"),
        (("an", "--role", "owner"), PASSWORD, 2, "Invalid value for '--role'"),
        (("<b>", "--role", "editor"), PASSWORD, 1, "letters, digits"),
    ],
)
def test_add_refuses_with_one_line(
    config: Path, args: tuple[str, ...], password: str, code: int, message: str
) -> None:
    """A bad password, role or name exits non-zero with the reason and adds nobody."""
    result = run(config, "users", "add", *args, input=password + "\n")
    assert result.exit_code == code and message in result.output
    assert listed(config) == []


def test_a_taken_name_is_refused(config: Path) -> None:
    """Adding a name twice (in another case) fails with exit 1."""
    assert run(config, "users", "add", "an", "--role", "editor", input=PASSWORD).exit_code == 0
    again = run(config, "users", "add", "AN", "--role", "admin", input=PASSWORD)
    assert again.exit_code == 1 and "is taken" in again.output


def test_list_in_text(config: Path) -> None:
    """The text list says how to add the first user, then shows each user with role and last
    login."""
    empty = run(config, "users", "list")
    assert empty.exit_code == 0 and "users add NAME --role admin" in empty.stdout
    run(config, "users", "add", "an", "--role", "editor", input=PASSWORD)
    shown = run(config, "users", "list").stdout
    assert "an  editor  last login: never" in shown


def token_rows(config: Path, name: str) -> list[dict[str, object]]:
    result = run(config, "users", "token", "list", name, "--json")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_token_create_prints_the_token_once(config: Path) -> None:
    """The token alone on stdout (for `$(...)`), a note on stderr; it authorizes its user, and
    neither the list nor the log shows it again."""
    run(config, "users", "add", "an", "--role", "approver", input=PASSWORD)
    made = run(config, "users", "token", "create", "AN", "--name", "sao lưu hằng đêm")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert made.stdout == token + "\n" and token.startswith("synd_")
    assert "shown once" in made.stderr and token not in made.stderr
    app = build_app(config)
    try:
        user = api_tokens.user_for_api_token(app, token)
        assert user is not None and (user.name, user.role) == ("an", "approver")
    finally:
        app.close()
    (row,) = token_rows(config, "an")
    assert (row["id"], row["user"], row["name"], row["revoked_at"]) == (
        1,
        "an",
        "sao lưu hằng đêm",
        None,
    )
    shown = run(config, "users", "token", "list", "an")
    assert "   1  sao lưu hằng đêm  created: " in shown.stdout and "last used: " in shown.stdout
    assert token not in shown.output and token[5:] not in json.dumps(row)


def test_token_revoke_ends_the_token(config: Path) -> None:
    """After `revoke` the token authorizes nothing and the list says when it was revoked; a
    second revoke, or an unknown id, exits 1 with the reason."""
    run(config, "users", "add", "an", "--role", "editor", input=PASSWORD)
    token = run(config, "users", "token", "create", "an", "--name", "ci").stdout.strip()
    revoked = run(config, "users", "token", "revoke", "1")
    assert revoked.exit_code == 0 and revoked.stdout == "revoked API token 1 (ci) of an\n"
    assert "[revoked " in run(config, "users", "token", "list", "an").stdout
    assert token_rows(config, "an")[0]["revoked_at"] is not None
    app = build_app(config)
    try:
        assert api_tokens.user_for_api_token(app, token) is None
    finally:
        app.close()
    again = run(config, "users", "token", "revoke", "1")
    assert again.exit_code == 1 and "revoked already" in again.output
    unknown = run(config, "users", "token", "revoke", "7")
    assert unknown.exit_code == 1 and "no API token 7" in unknown.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "binh", "--name", "ci"), "no user “binh”"),
        (("create", "an", "--name", "  "), "1 to 100 printable"),
        (("create", "an", "--name", "x" * 101), "1 to 100 printable"),
        (("create", "an"), "Missing option '--name'"),
        (("list", "binh"), "no user “binh”"),
        (("revoke", "một"), "is not a valid integer"),
    ],
)
def test_token_commands_refuse_with_one_line(
    config: Path, args: tuple[str, ...], message: str
) -> None:
    run(config, "users", "add", "an", "--role", "editor", input=PASSWORD)
    result = run(config, "users", "token", *args)
    assert result.exit_code in (1, 2) and message in result.output
    assert token_rows(config, "an") == []


def test_a_disabled_user_gets_no_token(config: Path) -> None:
    """Disabling a user ends their tokens, and no new one is made for them."""
    run(config, "users", "add", "an", "--role", "editor", input=PASSWORD)
    token = run(config, "users", "token", "create", "an", "--name", "ci").stdout.strip()
    app = build_app(config)
    try:
        users.disable_user(app, "an", by="test")
        assert api_tokens.user_for_api_token(app, token) is None
    finally:
        app.close()
    refused = run(config, "users", "token", "create", "an", "--name", "ci 2")
    assert refused.exit_code == 1 and "is disabled" in refused.output
    assert run(config, "users", "token", "list", "an").stdout.count("created: ") == 1


def test_token_list_without_tokens_says_how_to_make_one(config: Path) -> None:
    run(config, "users", "add", "an", "--role", "editor", input=PASSWORD)
    shown = run(config, "users", "token", "list", "an")
    assert shown.exit_code == 0
    assert (
        shown.stdout == "no API tokens; `syndicator users token create an --name LABEL` makes one\n"
    )
