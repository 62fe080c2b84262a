"""The sandbox channel's HTML file draws a published post with the admin page's own card
(syndicator/posts/cards/card.html): the same markup as the post page's preview, in Vietnamese,
feed text inert, and the admin page gets the card's stylesheet from /cards/card.css."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.records import ParsedItem
from syndicator.services import queue
from tests.helpers.apps import app_over
from tests.helpers.posts import feed, make_posts, parsed

SETTINGS = """
timezone = "Asia/Ho_Chi_Minh"

[database]
url = "{url}"

[render]
templates = "{templates}"

[channels.sandbox]
folder = "outbox"

[pacing.sandbox]
quiet_hours = ""
min_spacing = "0s"

[[feeds]]
id = "skhcn"
name = "Sở Khoa học và Công nghệ"
url = "https://skhcn.gov.vn/rss"
channels = ["sandbox"]
"""
# Up to 64 characters: tests/helpers/posts.py stores the title itself as its 64-character key.
TITLE = "Sở KH&CN tổ chức hội thảo “Chuyển đổi số” năm 2027"
ARTICLE = re.compile(r"<article .*?</article>", re.DOTALL)
HEADING = re.compile(r"<h(\d) [^>]*>(.*?)</h\1>", re.DOTALL)


@pytest.fixture
def app(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    """An App whose only channel is the sandbox, writing to tmp_path/outbox."""
    monkeypatch.setenv("SYNDICATOR_SECRET_KEY", "k" * 48)
    built = app_over(engine, tmp_path, SETTINGS)
    yield built
    built.close()


def published(app: App, engine: Engine, item: ParsedItem) -> tuple[int, str]:
    """The post of an article, approved and published to the sandbox: its id and HTML file."""
    (post_id,) = make_posts(engine, feed(channels=("sandbox",)), item)
    (approval,) = queue.approve(app, [post_id], "pho-giam-doc")
    assert approval.error is None, approval
    (outcome,) = app.publisher().run_once("sandbox")
    assert outcome.status == "published", outcome
    page = app.settings.resolve_path("outbox") / f"post-{post_id}.html"
    return post_id, page.read_text(encoding="utf-8")


def card_of(page: str) -> tuple[str, str]:
    """The page's one card: its heading's text, and the card without the heading."""
    (card,) = ARTICLE.findall(page)
    heading = HEADING.search(card)
    assert heading is not None
    return heading.group(2), card.replace(heading.group(0), "")


def addresses_in(page: str) -> list[str]:
    return re.findall(r'\s(?:src|href|srcset|action|data|poster)="([^"]*)"', page)


def test_the_file_shows_the_admin_pages_card(
    app: App, engine: Engine, client: TestClient, sign_in: Callable[[str], str]
) -> None:
    """Same card, same words: only the heading differs (the page links the post and names
    its status, the file numbers it)."""
    post_id, file = published(app, engine, parsed(TITLE))
    sign_in("editor")
    admin = client.get(f"/posts/{post_id}").text
    (file_heading, file_card), (admin_heading, admin_card) = card_of(file), card_of(admin)
    assert file_card == admin_card
    assert '<span class="linkcard-title">Sở KH&amp;CN tổ chức hội thảo' in file_card
    assert '<span class="linkcard-host">skhcn.gov.vn</span>' in file_card
    assert '<img class="card-cover" src="https://skhcn.gov.vn/a.jpg"' in file_card
    assert '<span class="card-time">Vừa xong</span>' in file_card
    assert file_heading == f"Bài sẽ hiển thị trên sandbox như sau · #{post_id}"
    assert admin_heading.startswith("Bài sẽ hiển thị trên sandbox như sau · <a href=")
    # Nothing to load but the article's own picture; the only link is the article's.
    assert addresses_in(file) == ["https://skhcn.gov.vn/tin/1.html", "https://skhcn.gov.vn/a.jpg"]


def test_hostile_feed_text_is_inert_in_the_file(app: App, engine: Engine) -> None:
    """A `<script>` title, an `onerror` summary and a `javascript:` link stay text: no script,
    no handler, no link."""
    item = dataclasses.replace(
        parsed("<script>alert(1)</script>"),
        summary="<img src=x onerror=alert(1)>",
        content_html="<p><img src=x onerror=alert(1)></p>",
        link="javascript:alert(1)",
        url="javascript:alert(1)",
    )
    _, file = published(app, engine, item)
    assert "&lt;img src=x onerror=alert(1)&gt;" in file
    assert "<script" not in file and "<img src=x" not in file and "javascript:" not in file
    assert not re.search(r"<[^>]*\s(on[a-z]+|style)=", file)  # no handler in any tag
    assert not re.search(r"<link|<iframe|@import|url\(", file)
    assert addresses_in(file) == []  # no link card without a link: no cover either


def test_the_json_file_is_written_last(app: App, engine: Engine) -> None:
    """Both files are there once published, no partial file is left, and the JSON (its presence
    means done) is not older than the page."""
    post_id, _ = published(app, engine, parsed(TITLE))
    outbox = app.settings.resolve_path("outbox")
    assert sorted(p.name for p in outbox.iterdir()) == [
        f"post-{post_id}.html",
        f"post-{post_id}.json",
    ]
    page, done = outbox / f"post-{post_id}.html", outbox / f"post-{post_id}.json"
    assert done.stat().st_mtime_ns >= page.stat().st_mtime_ns


def test_the_admin_page_serves_the_cards_stylesheet(client: TestClient) -> None:
    """Every page links /cards/card.css, the stylesheet the sandbox's files inline."""
    login = client.get("/login").text
    assert '<link rel="stylesheet" href="/cards/card.css">' in login
    css = client.get("/cards/card.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ".linkcard-title {" in css.text
    assert ".card {" not in client.get("/static/style.css").text  # one copy of the rules
