"""The sandbox channel's HTML file opened from disk in a real browser looks like the admin
page's preview of the same post: the same computed styles on every part of the card, its own
policy blocking nothing it needs (no console error) and no request but the cover."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.posts.cards.page import standalone_page
from syndicator.services import queue
from syndicator.services.posts import card
from tests.helpers.browser import DESKTOP, OpenPage, SignIn, Watch
from tests.helpers.posts import feed, make_posts, parsed

pytestmark = pytest.mark.slow

PARTS = (
    ".card",
    ".card-channel",
    ".card-head",
    ".avatar",
    ".card-page",
    ".card-time",
    ".card-body",
    ".linkcard",
    ".linkcard-host",
    ".linkcard-title",
    ".card-cover",
)
PROPERTIES = (
    "background-color",
    "color",
    "font-family",
    "font-size",
    "font-weight",
    "line-height",
    "border-radius",
    "border-top",
    "padding",
    "margin",
    "display",
    "white-space",
    "text-transform",
    "aspect-ratio",
)
STYLES = """([parts, properties]) => Object.fromEntries(parts.map(selector => {
  const style = getComputedStyle(document.querySelector(selector));
  return [selector, Object.fromEntries(properties.map(name => [name, style.getPropertyValue(name)]))];
}))"""


def styles(page: Page) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = page.evaluate(STYLES, [list(PARTS), list(PROPERTIES)])
    return found


def test_the_file_looks_like_the_admin_pages_preview(
    app: App, engine: Engine, signed_in_page: SignIn, open_page: OpenPage, tmp_path: Path, site: str
) -> None:
    """Every part of the card has the admin page's computed style; the cover is fetched."""
    (post_id,) = make_posts(engine, feed(), parsed("Hội nghị tổng kết khoa học và công nghệ 2026"))
    admin = signed_in_page("editor", DESKTOP)
    admin.goto(f"{site}/posts/{post_id}")
    shown = queue.show_post(app, post_id)
    file = tmp_path / f"post-{post_id}.html"
    file.write_text(
        standalone_page(card(post_id, shown.channel, shown.preview, shown.title)), encoding="utf-8"
    )
    page = open_page(DESKTOP)
    watch = Watch().on(page)
    page.goto(file.as_uri())
    assert styles(page) == styles(admin)
    assert styles(page)[".avatar"]["background-color"] == "rgb(24, 119, 242)"  # styled at all
    assert watch.errors == [] and watch.dialogs == []
    assert watch.requests == [file.as_uri(), "https://skhcn.gov.vn/a.jpg"]
