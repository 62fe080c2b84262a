"""The admin web app in-process (FastAPI's TestClient) over an App on the test database (SQLite
or PostgreSQL), with a settable clock; fixtures to sign in as a role and read a form's token."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.services import users
from syndicator.web.app import create_app
from tests.helpers.apps import app_over
from tests.helpers.clock import FakeClock

PASSWORD = "mật khẩu đủ dài 2027"

SETTINGS = """
timezone = "Asia/Ho_Chi_Minh"

[database]
url = "{url}"

[render]
templates = "{templates}"

[channels.facebook]
page_id = "1234567890"

[channels.zalo]
app_id = "123"
enabled = false  # no secret here: the queue only needs its type

[[feeds]]
id = "skhcn"
name = "Sở Khoa học và Công nghệ"
url = "https://skhcn.gov.vn/rss"
channels = ["facebook", "zalo"]
"""

FORM_TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def app(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    monkeypatch.setenv("SYNDICATOR_SECRET_KEY", "k" * 48)
    built = app_over(engine, tmp_path, SETTINGS)
    yield built
    built.close()


@pytest.fixture
def clock(app: App) -> FakeClock:
    assert isinstance(app.clock, FakeClock)
    return app.clock


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app), follow_redirects=False) as test_client:
        yield test_client


def token_in(page: httpx.Response) -> str:
    found = FORM_TOKEN.search(page.text)
    assert found, page.text
    return found.group(1)


@pytest.fixture
def form_token() -> Callable[[httpx.Response], str]:
    """The form token a page carries."""
    return token_in


@pytest.fixture
def sign_in(app: App, client: TestClient) -> Callable[[str], str]:
    """Adds a user of `role` (named after it) and signs the client in; returns the session's
    form token."""

    def sign_in_as(role: str) -> str:
        name = f"{role}-so-khcn"
        users.add_user(app, name, role, PASSWORD, by="test")
        token = token_in(client.get("/login"))
        answer = client.post(
            "/login", data={"name": name, "password": PASSWORD, "csrf": token, "next": "/"}
        )
        assert answer.status_code == 303, answer.text
        return token_in(client.get("/"))

    return sign_in_as
