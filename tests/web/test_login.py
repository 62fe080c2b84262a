"""Signing in and out: strangers are sent to the login page; wrong answers and the rate limit
are answered politely, in Vietnamese."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.services import users
from tests.helpers.posts import feed, make_posts

PASSWORD = "mật khẩu đủ dài 2027"
Token = Callable[[httpx.Response], str]


@pytest.mark.parametrize("path", ["/", "/posts/1", "/?status=approved"])
def test_anonymous_users_are_sent_to_login(client: TestClient, path: str) -> None:
    """Every page but the login page sends a stranger to it, remembering where they were going."""
    answer = client.get(path)
    assert answer.status_code == 303
    target = urlsplit(answer.headers["location"])
    assert target.path == "/login" and parse_qs(target.query)["next"] == [path]


def test_wrong_password_is_refused_and_the_right_one_opens_the_queue(
    app: App, client: TestClient, engine: Engine, form_token: Token
) -> None:
    """A wrong password is 401 with one message for name and password; the right one leads to
    the page the user asked for."""
    users.add_user(app, "Nguyễn Thị An", "editor", PASSWORD)
    (post_id,) = make_posts(engine, feed())
    token = form_token(client.get(f"/login?next=/posts/{post_id}"))
    login = {"name": "nguyễn thị an", "csrf": token, "next": f"/posts/{post_id}"}
    wrong = client.post("/login", data={**login, "password": "không phải mật khẩu"})
    assert wrong.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu." in wrong.text
    assert client.get("/").status_code == 303  # still nobody signed in
    right = client.post("/login", data={**login, "password": PASSWORD})
    assert right.status_code == 303 and right.headers["location"] == f"/posts/{post_id}"
    page = client.get(f"/posts/{post_id}")
    assert page.status_code == 200 and "Nguyễn Thị An" in page.text


def test_throttled_logins_are_told_how_long_to_wait(
    app: App, client: TestClient, form_token: Token
) -> None:
    """After five failures from one address the sixth try is 429 with the minutes to wait and a
    Retry-After, even with the right password."""
    users.add_user(app, "bien-tap", "editor", PASSWORD)
    token = form_token(client.get("/login"))
    for _ in range(5):
        data = {"name": "bien-tap", "password": "sai mật khẩu rồi", "csrf": token}
        assert client.post("/login", data=data).status_code == 401
    answer = client.post("/login", data={"name": "bien-tap", "password": PASSWORD, "csrf": token})
    assert answer.status_code == 429
    assert "Vui lòng chờ 15 phút rồi thử lại." in answer.text
    assert answer.headers["retry-after"] == "900"


def test_logout_ends_the_session(client: TestClient, sign_in: Callable[[str], str]) -> None:
    token = sign_in("editor")
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={"csrf": token}).headers["location"] == "/login"
    assert client.get("/").status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_login_never_sends_the_user_to_another_site(
    app: App, client: TestClient, form_token: Token, target: str
) -> None:
    users.add_user(app, "bien-tap", "editor", PASSWORD)
    token = form_token(client.get("/login"))
    data = {"name": "bien-tap", "password": PASSWORD, "csrf": token, "next": target}
    assert client.post("/login", data=data).headers["location"] == "/"
