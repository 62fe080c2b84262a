"""`syndicator serve`: prints the one-time first-admin link while no user exists, then serves
the page on web.listen (uvicorn replaced here: no socket is opened)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from syndicator.app import App
from syndicator.cli.commands import cli
from syndicator.ops import web_server
from syndicator.services import sign_in, users


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    calls: dict[str, Any] = {}
    monkeypatch.setattr(
        web_server, "serve_here", lambda site, web: calls.update(site=site, web=web)
    )
    return calls


def test_serve_prints_the_first_admin_link_once_no_user_exists(
    app: App, tmp_path: Path, served: dict[str, Any]
) -> None:
    config = str(tmp_path / "settings.toml")
    done = CliRunner().invoke(cli, ["--config", config, "serve"])
    assert done.exit_code == 0, done.output
    assert "http://127.0.0.1:8080/setup/" in done.output
    assert served["web"].listen == "127.0.0.1:8080"
    token = done.output.split("/setup/")[1].split()[0]
    assert sign_in.setup_link_valid(app, token)
    users.add_user(app, "quan-tri", "admin", "mật khẩu đủ dài 2027")
    again = CliRunner().invoke(cli, ["--config", config, "serve"])
    assert again.exit_code == 0 and "/setup/" not in again.output
