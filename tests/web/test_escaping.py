"""Feed text is inert: markup in a title or summary shows as text on the queue and post pages;
every response carries the security headers, and the pages load no inline script."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.helpers.posts import feed, make_posts, parsed

TITLE = "<script>alert(1)</script>"
SUMMARY = "<img src=x onerror=alert(1)>"
HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}


def test_markup_from_the_feed_is_shown_as_text(
    engine: Engine, client: TestClient, sign_in: Callable[[str], str]
) -> None:
    item = dataclasses.replace(parsed(TITLE), summary=SUMMARY, content_html=f"<p>{SUMMARY}</p>")
    facebook, zalo = make_posts(engine, feed(channels=("facebook", "zalo")), item)
    sign_in("approver")
    listing = client.get("/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    for post_id in (facebook, zalo):
        page = client.get(f"/posts/{post_id}").text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
    for page in (listing, client.get(f"/posts/{facebook}").text, client.get(f"/posts/{zalo}").text):
        # The preview's own <img> is the feed's https cover; the feed's markup stays text.
        assert "<script" not in page and "<img src=x" not in page
        assert "onerror=alert(1)>" not in page


def test_a_javascript_link_from_the_feed_is_not_a_link(
    engine: Engine, client: TestClient, sign_in: Callable[[str], str]
) -> None:
    item = dataclasses.replace(parsed(), link="javascript:alert(1)")
    (post_id,) = make_posts(engine, feed(), item)
    sign_in("editor")
    page = client.get(f"/posts/{post_id}").text
    assert 'href="javascript:' not in page


@pytest.mark.parametrize("path", ["/login", "/", "/static/style.css", "/no-such-page"])
def test_every_response_has_the_security_headers(client: TestClient, path: str) -> None:
    answer = client.get(path)
    for name, value in HEADERS.items():
        assert answer.headers[name] == value, (path, name)


def test_pages_have_no_inline_script_or_style(
    engine: Engine, client: TestClient, sign_in: Callable[[str], str]
) -> None:
    """What the CSP would block must not be needed: no <script>, no style= or on...= attribute."""
    (post_id,) = make_posts(engine, feed())
    sign_in("admin")
    for path in ("/login", "/", f"/posts/{post_id}"):
        page = client.get(path).text
        assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", page), path
