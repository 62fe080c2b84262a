"""What only admins do: resume a paused channel and manage users. Others get 403 and nothing
changes; the last admin is never removed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from storage import publishing as publish_store
from storage.session import reading, writing
from syndicator.app import App
from syndicator.services import users

SignIn = Callable[[str], str]
PASSWORD = "mật khẩu đủ dài 2027"


def pause_facebook(app: App) -> None:
    now = app.clock.now()
    with writing(app.migrated_engine()) as session:
        publish_store.set_pause(
            session, "facebook", now + timedelta(hours=1), "<b>rate</b> limited", now
        )


def paused(app: App) -> bool:
    with reading(app.migrated_engine()) as session:
        return publish_store.pause_of(session, "facebook") is not None


def test_channels_page_shows_the_pause_and_admin_resumes(
    app: App, client: TestClient, sign_in: SignIn
) -> None:
    pause_facebook(app)
    token = sign_in("admin")
    page = client.get("/channels").text
    assert "Tạm dừng" in page and "&lt;b&gt;rate&lt;/b&gt; limited" in page
    assert 'action="/channels/facebook/resume"' in page
    answer = client.post("/channels/facebook/resume", data={"csrf": token})
    assert answer.status_code == 303 and not paused(app)
    assert "Kênh facebook đã được mở lại" in client.get(answer.headers["location"]).text
    again = client.post("/channels/facebook/resume", data={"csrf": token})
    assert again.status_code == 409 and "not paused" in again.text


def test_any_user_has_the_tokens_checked_again_now(
    app: App, client: TestClient, sign_in: SignIn
) -> None:
    """The page shows when the platforms were asked; "check now" asks them again (a form with
    its token: without it nothing is asked)."""
    token = sign_in("editor")
    first = client.get("/channels").text
    asked = app.kept["tokens.checked"][0]
    assert 'action="/channels/check"' in first and "kiểm tra lúc" in first
    app.clock.advance(minutes=1)  # type: ignore[attr-defined]
    client.get("/channels")
    assert app.kept["tokens.checked"][0] == asked  # the same check, a minute on
    assert client.post("/channels/check", data={}).status_code == 403
    assert app.kept["tokens.checked"][0] == asked
    answer = client.post("/channels/check", data={"csrf": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/channels"
    assert app.kept["tokens.checked"][0] == app.clock.now()


@pytest.mark.parametrize("role", ["editor", "approver"])
def test_only_admins_resume(app: App, client: TestClient, sign_in: SignIn, role: str) -> None:
    pause_facebook(app)
    token = sign_in(role)
    page = client.get("/channels").text
    assert "Tạm dừng" in page and "/resume" not in page
    assert client.post("/channels/facebook/resume", data={"csrf": token}).status_code == 403
    assert paused(app)


def test_admin_adds_changes_and_disables_users(
    app: App, client: TestClient, sign_in: SignIn
) -> None:
    token = sign_in("admin")
    added = client.post(
        "/users",
        data={"csrf": token, "name": "Nguyễn Thị An", "role": "editor", "password": PASSWORD},
    )
    assert added.status_code == 303
    assert "Đã thêm người dùng Nguyễn Thị An." in client.get(added.headers["location"]).text
    client.post("/users/role", data={"csrf": token, "name": "Nguyễn Thị An", "role": "approver"})
    client.post("/users/disable", data={"csrf": token, "name": "Nguyễn Thị An"})
    (an,) = [user for user in users.list_users(app) if user.name == "Nguyễn Thị An"]
    assert an.role == "approver" and an.disabled_at is not None


def test_a_bad_user_is_refused_with_the_reason(client: TestClient, sign_in: SignIn) -> None:
    token = sign_in("admin")
    short = client.post(
        "/users", data={"csrf": token, "name": "an", "role": "editor", "password": "ngắn"}
    )
    assert short.status_code == 409 and "12" in short.text and 'value="an"' in short.text


def test_the_last_admin_cannot_be_removed(app: App, client: TestClient, sign_in: SignIn) -> None:
    token = sign_in("admin")
    for path, data in (("/users/role", {"role": "editor"}), ("/users/disable", {})):
        answer = client.post(path, data={"csrf": token, "name": "admin-so-khcn", **data})
        assert answer.status_code == 409 and "ít nhất một quản trị viên" in answer.text
    (admin,) = users.list_users(app)
    assert admin.role == "admin" and admin.disabled_at is None


@pytest.mark.parametrize("role", ["editor", "approver"])
def test_only_admins_manage_users(app: App, client: TestClient, sign_in: SignIn, role: str) -> None:
    token = sign_in(role)
    name = f"{role}-so-khcn"
    attempts = [
        ("/users", {"name": "ke-la", "role": "admin", "password": PASSWORD}),
        ("/users/role", {"name": name, "role": "admin"}),
        ("/users/disable", {"name": name}),
    ]
    for path, data in attempts:
        assert client.post(path, data={"csrf": token, **data}).status_code == 403, path
    (user,) = users.list_users(app)
    assert (user.name, user.role, user.disabled_at) == (name, role, None)


@pytest.mark.parametrize("sent", [{}, {"csrf": "not-the-token"}])
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/queue/bulk", {"action": "reject", "reason": "x", "post": "1:0"}),
        ("/channels/facebook/resume", {}),
        ("/users", {"name": "ke-la", "role": "admin", "password": PASSWORD}),
        ("/users/role", {"name": "admin-so-khcn", "role": "editor"}),
        ("/users/disable", {"name": "admin-so-khcn"}),
    ],
)
def test_every_new_form_needs_the_token(
    app: App,
    client: TestClient,
    sign_in: SignIn,
    path: str,
    data: dict[str, str],
    sent: dict[str, str],
) -> None:
    pause_facebook(app)
    users.add_user(app, "quan-tri-2", "admin", PASSWORD)
    sign_in("admin")
    answer = client.post(path, data={**data, **sent})
    assert answer.status_code == 403 and "Biểu mẫu đã hết hạn" in answer.text
    assert paused(app)
    assert [(u.name, u.role, u.disabled_at) for u in users.list_users(app)] == [
        ("admin-so-khcn", "admin", None),
        ("quan-tri-2", "admin", None),
    ]


def test_forms_on_the_new_pages_carry_the_token(
    app: App, client: TestClient, sign_in: SignIn
) -> None:
    pause_facebook(app)
    token = sign_in("admin")
    for path in ("/channels", "/users"):
        page = client.get(path).text
        assert page.count('method="post"') == page.count(f'name="csrf" value="{token}"')
