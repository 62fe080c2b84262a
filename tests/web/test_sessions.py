"""The session cookie: HttpOnly, SameSite=Lax, Secure over https; it ends 30 minutes after the
last request and 12 hours after sign-in (at exactly either it still holds); a forged one is
nobody's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from syndicator.app import App
from syndicator.web.app import create_app
from syndicator.web.sessions import COOKIE
from tests.helpers.clock import FakeClock


def test_idle_session_ends_just_past_thirty_minutes(
    client: TestClient, clock: FakeClock, sign_in: Callable[[str], str]
) -> None:
    """Exactly 30 minutes after the last request the session holds (and restarts its idle
    time); 30 minutes and a second after the next one, the login page says it ended."""
    sign_in("editor")
    clock.advance(minutes=30)
    assert client.get("/").status_code == 200
    clock.advance(minutes=30, seconds=1)
    expired = client.get("/")
    assert expired.status_code == 303
    assert "Phiên làm việc đã hết hạn" in client.get(expired.headers["location"]).text


def test_session_ends_twelve_hours_after_sign_in_however_busy(
    client: TestClient, clock: FakeClock, sign_in: Callable[[str], str]
) -> None:
    sign_in("editor")
    for _ in range(24):  # a request every 30 minutes: never idle
        clock.advance(minutes=30)
        assert client.get("/").status_code == 200
    clock.advance(seconds=1)
    assert client.get("/").status_code == 303


def test_cookie_flags(client: TestClient) -> None:
    cookie = client.get("/login").headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie


def test_cookie_is_secure_over_https(app: App) -> None:
    with TestClient(create_app(app), base_url="https://testserver") as secure:
        assert "Secure" in secure.get("/login").headers["set-cookie"]


@pytest.mark.parametrize("tamper", [lambda v: v[:-2] + "xx", lambda v: "x" + v, lambda v: ""])
def test_an_altered_cookie_signs_no_one_in(
    client: TestClient, sign_in: Callable[[str], str], tamper: Callable[[str], str]
) -> None:
    sign_in("admin")
    value = client.cookies[COOKIE]
    client.cookies.clear()
    client.cookies.set(COOKIE, tamper(value))
    assert client.get("/").status_code == 303
