"""The first start: the one-time link creates the first admin, signs them in, and works once."""

from __future__ import annotations

from collections.abc import Callable

import httpx2 as httpx
from fastapi.testclient import TestClient

from syndicator.app import App
from syndicator.services import sign_in, users
from tests.helpers.clock import FakeClock

PASSWORD = "mật khẩu đủ dài 2027"
Token = Callable[[httpx.Response], str]


def test_the_link_creates_the_first_admin_once(
    app: App, client: TestClient, form_token: Token
) -> None:
    link = sign_in.first_admin_link(app)
    assert link
    page = client.get(f"/setup/{link}")
    assert page.status_code == 200 and "Tạo quản trị viên đầu tiên" in page.text
    data = {"name": "quan-tri", "password": PASSWORD, "password_again": PASSWORD}
    created = client.post(f"/setup/{link}", data={**data, "csrf": form_token(page)})
    assert created.status_code == 303 and created.headers["location"] == "/"
    assert "quan-tri (Quản trị viên)" in client.get("/").text  # signed in as the new admin
    again = client.get(f"/setup/{link}")
    assert again.status_code == 410
    second = client.post(f"/setup/{link}", data={**data, "name": "ke-khac", "csrf": "x"})
    assert second.status_code == 403
    token = form_token(client.get("/"))
    second = client.post(f"/setup/{link}", data={**data, "name": "ke-khac", "csrf": token})
    assert second.status_code == 410
    assert [user.name for user in users.list_users(app)] == ["quan-tri"]


def test_a_wrong_or_expired_link_creates_no_one(
    app: App, client: TestClient, clock: FakeClock, form_token: Token
) -> None:
    link = sign_in.first_admin_link(app)
    assert client.get("/setup/not-the-token").status_code == 410
    clock.advance(hours=1)
    assert client.get(f"/setup/{link}").status_code == 410
    token = form_token(client.get("/login"))
    data = {"name": "quan-tri", "password": PASSWORD, "password_again": PASSWORD, "csrf": token}
    refused = client.post(f"/setup/{link}", data=data)
    assert refused.status_code == 400 and "hết hạn" in refused.text
    assert not users.has_users(app)


def test_passwords_that_differ_are_asked_again(
    app: App, client: TestClient, form_token: Token
) -> None:
    link = sign_in.first_admin_link(app)
    token = form_token(client.get(f"/setup/{link}"))
    data = {"name": "quan-tri", "password": PASSWORD, "password_again": "khác hẳn", "csrf": token}
    answer = client.post(f"/setup/{link}", data=data)
    assert answer.status_code == 400 and "Hai mật khẩu không khớp." in answer.text
    assert not users.has_users(app)
