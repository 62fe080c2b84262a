"""Every form carries the session's token: a POST without it, or with another session's, is
403 and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.services import queue, users
from tests.helpers.posts import feed, make_posts

PASSWORD = "mật khẩu đủ dài 2027"


@pytest.mark.parametrize("sent", [{}, {"csrf": ""}, {"csrf": "not-the-token"}])
@pytest.mark.parametrize("action", ["approve", "reject", "edit"])
def test_a_post_without_the_token_changes_nothing(
    app: App,
    engine: Engine,
    client: TestClient,
    sign_in: Callable[[str], str],
    sent: dict[str, str],
    action: str,
) -> None:
    (post_id,) = make_posts(engine, feed())
    sign_in("admin")
    fields = {"version": "0", "reason": "Trùng tin", "text": "Nội dung mới của bài đăng."}
    answer = client.post(f"/posts/{post_id}/{action}", data={**fields, **sent})
    assert answer.status_code == 403 and "Biểu mẫu đã hết hạn" in answer.text
    shown = queue.show_post(app, post_id)
    assert shown.status == "pending_review" and shown.version == 0
    assert [line.action for line in shown.history] == ["create"]


def test_a_token_from_before_sign_in_is_worth_nothing_after(
    app: App, engine: Engine, client: TestClient
) -> None:
    """Signing in gives the session a new token: a token learnt on the login page cannot act."""
    (post_id,) = make_posts(engine, feed())
    users.add_user(app, "duyet-bai", "approver", PASSWORD)
    page = client.get("/login")
    old = page.text.split('name="csrf" value="')[1].split('"')[0]
    client.post("/login", data={"name": "duyet-bai", "password": PASSWORD, "csrf": old})
    answer = client.post(f"/posts/{post_id}/approve", data={"csrf": old, "version": "0"})
    assert answer.status_code == 403
    assert queue.show_post(app, post_id).status == "pending_review"


def test_login_and_logout_need_the_token(app: App, client: TestClient) -> None:
    users.add_user(app, "duyet-bai", "approver", PASSWORD)
    client.get("/login")
    answer = client.post("/login", data={"name": "duyet-bai", "password": PASSWORD})
    assert answer.status_code == 403
    assert client.get("/").status_code == 303
    assert client.post("/logout").status_code == 403
