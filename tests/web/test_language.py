"""Vietnamese first; English on `?lang=en` (remembered in a cookie) or by the browser's
Accept-Language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from syndicator.web.language import preferred


def test_vietnamese_by_default(client: TestClient) -> None:
    page = client.get("/login")
    assert '<html lang="vi">' in page.text and "Đăng nhập" in page.text


def test_english_when_asked_and_remembered(client: TestClient) -> None:
    assert "Sign in" in client.get("/login?lang=en").text
    page = client.get("/login")
    assert '<html lang="en">' in page.text and "User name" in page.text
    assert "Đăng nhập" in client.get("/login?lang=vi").text


def test_english_from_the_browser(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in page.text


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("", "vi"),
        ("fr-FR, en;q=0.5", "en"),
        ("en;q=0.4, vi;q=0.9", "vi"),
        ("en;q=0", "vi"),
        ("de, ja", "vi"),
        ("en;q=bad", "vi"),
    ],
)
def test_accept_language_weights(header: str, language: str) -> None:
    assert preferred(header) == language
