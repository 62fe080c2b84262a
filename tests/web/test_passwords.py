"""Passwords on the admin page: an admin sets another user's on /users, anyone changes their
own on /account with the current one. Forged, refused or forbidden forms change nothing; a
change ends the user's other sessions (a session started before it, not one started at it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from syndicator.app import App
from syndicator.services import audit, credentials, users
from tests.helpers.clock import FakeClock

SignIn = Callable[[str], str]
Token = Callable[[httpx.Response], str]
PASSWORD = "mật khẩu đủ dài 2027"  # what tests/web/conftest.py's sign_in gives every user
NEW = "Hoa sen nở giữa đầm 2028"
AN = "Nguyễn Thị An"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        credentials, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def other(client: TestClient) -> Iterator[TestClient]:
    """A second browser on the same site: its own cookies, so its own session."""
    with TestClient(client.app, follow_redirects=False) as browser:
        yield browser


def log_in(browser: TestClient, token_of: Token, name: str, password: str) -> httpx.Response:
    token = token_of(browser.get("/login"))
    return browser.post("/login", data={"name": name, "password": password, "csrf": token})


def signed_in_as(browser: TestClient, token_of: Token, name: str, password: str) -> str:
    """Signs `browser` in; returns its session's form token."""
    assert log_in(browser, token_of, name, password).status_code == 303
    return token_of(browser.get("/account"))


def sent_to_login(answer: httpx.Response) -> bool:
    target = urlsplit(answer.headers.get("location", ""))
    return answer.status_code == 303 and target.path == "/login"


def password_events(app: App) -> list[tuple[str, str, str | None]]:
    rows = reversed(audit.recent_admin_events(app))
    return [(r.actor, r.subject, r.detail) for r in rows if r.action == "user_password"]


def test_admin_reset_ends_the_users_session_and_the_new_password_signs_in(
    app: App,
    client: TestClient,
    other: TestClient,
    sign_in: SignIn,
    form_token: Token,
    clock: FakeClock,
) -> None:
    """After an admin sets An's password, An's open session is sent to the login page (which
    says the session ended); the old password is refused and the new one signs in."""
    users.add_user(app, AN, "editor", PASSWORD, by="test")
    signed_in_as(other, form_token, AN, PASSWORD)
    admin = sign_in("admin")
    page = client.get("/users").text
    assert 'action="/users/password"' in page and "Mật khẩu mới cho Nguyễn Thị An" in page
    clock.advance(seconds=1)
    answer = client.post("/users/password", data={"csrf": admin, "name": AN, "password": NEW})
    assert answer.status_code == 303
    done = client.get(answer.headers["location"]).text
    assert "Đã đổi mật khẩu của Nguyễn Thị An" in done
    ended = other.get("/")
    assert sent_to_login(ended) and parse_qs(urlsplit(ended.headers["location"]).query) == {
        "next": ["/"],
        "expired": ["1"],
    }
    assert log_in(other, form_token, AN, PASSWORD).status_code == 401
    assert log_in(other, form_token, AN, NEW).status_code == 303
    assert other.get("/").status_code == 200
    assert password_events(app) == [("admin-so-khcn", AN, "set by admin")]


def test_a_session_started_at_the_change_stays_one_a_second_before_ends(
    app: App,
    client: TestClient,
    other: TestClient,
    sign_in: SignIn,
    form_token: Token,
    clock: FakeClock,
) -> None:
    """The edge: a session that began one second before the change ends; one that began at
    the very moment of the change stays."""
    users.add_user(app, AN, "editor", PASSWORD, by="test")
    admin = sign_in("admin")
    signed_in_as(other, form_token, AN, PASSWORD)
    clock.advance(seconds=1)
    with TestClient(client.app, follow_redirects=False) as third:
        signed_in_as(third, form_token, AN, PASSWORD)
        answer = client.post("/users/password", data={"csrf": admin, "name": AN, "password": NEW})
        assert answer.status_code == 303
        assert third.get("/").status_code == 200
        clock.advance(seconds=1)
        assert third.get("/").status_code == 200
    assert sent_to_login(other.get("/"))


def test_own_change_keeps_this_session_and_ends_the_other(
    app: App,
    client: TestClient,
    other: TestClient,
    sign_in: SignIn,
    form_token: Token,
    clock: FakeClock,
) -> None:
    """Changing one's own password keeps this browser signed in (a fresh session) and ends the
    session in another browser; the audit names the user as actor and subject."""
    token = sign_in("editor")
    signed_in_as(other, form_token, "editor-so-khcn", PASSWORD)
    page = client.get("/account")
    assert page.status_code == 200 and 'href="/account" aria-current="page"' in page.text
    for label in ("Mật khẩu hiện tại", "Mật khẩu mới", "Nhập lại mật khẩu mới"):
        assert label in page.text
    change = {"current_password": PASSWORD, "new_password": NEW, "new_password_again": NEW}
    clock.advance(seconds=1)
    answer = client.post("/account/password", data={"csrf": token, **change})
    assert answer.status_code == 303 and answer.headers["location"] == "/account?done=1"
    done = client.get(answer.headers["location"])
    assert done.status_code == 200 and "Các phiên đăng nhập khác của bạn đã kết thúc" in done.text
    assert form_token(done) != token  # a fresh session, with a fresh form token
    assert client.get("/").status_code == 200
    assert sent_to_login(other.get("/"))
    assert log_in(other, form_token, "editor-so-khcn", NEW).status_code == 303
    assert password_events(app) == [("editor-so-khcn", "editor-so-khcn", "changed by the user")]


def test_a_wrong_current_password_is_refused_and_changes_nothing(
    app: App, client: TestClient, other: TestClient, sign_in: SignIn, form_token: Token
) -> None:
    """A wrong current password is refused with the reason; the password, the sessions and
    the audit stay as they were."""
    token = sign_in("approver")
    signed_in_as(other, form_token, "approver-so-khcn", PASSWORD)
    change = {"current_password": "sai mật khẩu rồi", "new_password": NEW}
    answer = client.post(
        "/account/password", data={"csrf": token, **change, "new_password_again": NEW}
    )
    assert answer.status_code == 400 and "Mật khẩu hiện tại không đúng." in answer.text
    assert other.get("/").status_code == 200 and client.get("/").status_code == 200
    assert password_events(app) == []
    assert log_in(other, form_token, "approver-so-khcn", NEW).status_code == 401


def test_wrong_current_passwords_count_against_the_login_limit(
    client: TestClient, other: TestClient, sign_in: SignIn, form_token: Token
) -> None:
    """Five wrong current passwords from one address throttle the name there: the sixth change
    and a sign-in with the right password both wait, told for how long."""
    token = sign_in("editor")
    wrong = {"current_password": "sai mật khẩu rồi", "new_password": NEW}
    data = {"csrf": token, **wrong, "new_password_again": NEW}
    for _ in range(5):
        assert client.post("/account/password", data=data).status_code == 400
    right = {**data, "current_password": PASSWORD}
    throttled = client.post("/account/password", data=right)
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "900"
    assert "Vui lòng chờ 15 phút rồi thử lại." in throttled.text
    assert log_in(other, form_token, "editor-so-khcn", PASSWORD).status_code == 429


@pytest.mark.parametrize(("new", "changed"), [("Mật khẩu 12", False), ("Mật khẩu 123", True)])
def test_the_new_password_needs_twelve_letters(
    app: App, client: TestClient, sign_in: SignIn, new: str, changed: bool
) -> None:
    """Eleven letters (Vietnamese ones count once) are refused with the rule; twelve pass."""
    token = sign_in("editor")
    change = {"current_password": PASSWORD, "new_password": new, "new_password_again": new}
    answer = client.post("/account/password", data={"csrf": token, **change})
    assert answer.status_code == (303 if changed else 400)
    assert changed or "Mật khẩu phải có ít nhất 12 ký tự" in answer.text
    assert len(password_events(app)) == int(changed)


def test_the_two_new_passwords_must_match(app: App, client: TestClient, sign_in: SignIn) -> None:
    """Two different new passwords are refused before anything is checked or changed."""
    token = sign_in("editor")
    change = {"current_password": PASSWORD, "new_password": NEW, "new_password_again": NEW + "!"}
    answer = client.post("/account/password", data={"csrf": token, **change})
    assert answer.status_code == 400 and "không khớp" in answer.text
    assert password_events(app) == []


@pytest.mark.parametrize("length", [11, 12])
def test_admin_form_applies_the_rules_at_the_edge(
    app: App, client: TestClient, sign_in: SignIn, length: int
) -> None:
    """The admin's form refuses 11 characters (409, the reason shown) and takes 12."""
    users.add_user(app, AN, "editor", PASSWORD, by="test")
    token = sign_in("admin")
    new = "Sen hồng 2028 đẹp"[:length]
    answer = client.post("/users/password", data={"csrf": token, "name": AN, "password": new})
    assert answer.status_code == (303 if length == 12 else 409)
    assert len(password_events(app)) == (1 if length == 12 else 0)


def test_a_disabled_users_password_is_refused(
    app: App, client: TestClient, sign_in: SignIn
) -> None:
    """Disabled users get no password form, and a forged one is refused with the reason."""
    users.add_user(app, AN, "editor", PASSWORD, by="test")
    token = sign_in("admin")
    users.disable_user(app, AN, by="test")
    row = client.get("/users").text.split(f"{AN}</strong>")[1].split("</li>")[0]
    assert "đã vô hiệu hóa" in row and 'action="/users/password"' not in row
    answer = client.post("/users/password", data={"csrf": token, "name": AN, "password": NEW})
    assert answer.status_code == 409 and "đã bị khóa" in answer.text
    assert password_events(app) == []


@pytest.mark.parametrize("role", ["editor", "approver"])
def test_only_admins_set_other_users_passwords(
    app: App, client: TestClient, sign_in: SignIn, form_token: Token, role: str
) -> None:
    """Editors and approvers get 403 from the admin form, and the password stays."""
    users.add_user(app, AN, "editor", PASSWORD, by="test")
    token = sign_in(role)
    answer = client.post("/users/password", data={"csrf": token, "name": AN, "password": NEW})
    assert answer.status_code == 403
    assert password_events(app) == []
    with TestClient(client.app, follow_redirects=False) as browser:
        assert log_in(browser, form_token, AN, PASSWORD).status_code == 303


@pytest.mark.parametrize("sent", [{}, {"csrf": "not-the-token"}])
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/users/password", {"name": AN, "password": NEW}),
        (
            "/account/password",
            {"current_password": PASSWORD, "new_password": NEW, "new_password_again": NEW},
        ),
    ],
)
def test_password_forms_need_the_token(
    app: App,
    client: TestClient,
    sign_in: SignIn,
    path: str,
    data: dict[str, str],
    sent: dict[str, str],
) -> None:
    """Without this session's form token both forms are refused and nothing changes."""
    users.add_user(app, AN, "editor", PASSWORD, by="test")
    sign_in("admin")
    answer = client.post(path, data={**data, **sent})
    assert answer.status_code == 403 and "Biểu mẫu đã hết hạn" in answer.text
    assert password_events(app) == [] and client.get("/").status_code == 200


def test_account_page_for_every_role_in_both_languages(client: TestClient, sign_in: SignIn) -> None:
    """Every page links to /account; its controls are labelled, in Vietnamese first and in
    English on request; the users page sends the admin there for their own password."""
    sign_in("admin")
    assert 'href="/account"' in client.get("/").text
    mine = client.get("/users").text
    own_row = mine.split("admin-so-khcn</strong>")[1].split("</li>")[0]
    assert 'href="/account"' in own_row and 'action="/users/password"' not in own_row
    vietnamese = client.get("/account").text
    assert "Tài khoản của tôi" in vietnamese and "Đổi mật khẩu" in vietnamese
    for control in ("current-password", "new-password", "new-password-again"):
        assert f'<label for="{control}">' in vietnamese and f'id="{control}"' in vietnamese
    english = client.get("/account?lang=en").text
    assert "My account" in english and "Current password" in english
    assert "New password again" in english


def test_strangers_are_sent_to_login_from_account(client: TestClient) -> None:
    """Nobody signed in: /account sends to the login page."""
    assert sent_to_login(client.get("/account"))
