"""The post page draws each channel's post as its platform shows it (templates/_preview.html):
a Fanpage post with its link card, a Zalo OA article with its cover and fields, side by side;
feed text stays text, and the cards carry no inline style or script."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.helpers.posts import feed, make_posts, parsed

TITLE = "<script>alert(1)</script>"
SUMMARY = "<img src=x onerror=alert(1)>"
CARD = re.compile(r'<article class="card (card-\w+)"')


def test_both_channels_are_drawn_side_by_side(
    engine: Engine, client: TestClient, sign_in: Callable[[str], str]
) -> None:
    """From either post, the page shows the Fanpage card and the Zalo article card."""
    facebook, zalo = make_posts(engine, feed(channels=("facebook", "zalo")))
    sign_in("approver")
    for own, other in ((facebook, zalo), (zalo, facebook)):
        page = client.get(f"/posts/{own}").text
        assert sorted(CARD.findall(page)) == ["card-article", "card-message"]
        assert f'href="/posts/{other}"' in page
    page = client.get(f"/posts/{facebook}").text
    assert page.index("card-message") < page.index("card-article")  # its own post first


def test_the_link_card_shows_the_host_title_and_cover(
    engine: Engine, client: TestClient, sign_in: Callable[[str], str]
) -> None:
    (post_id,) = make_posts(engine, feed())
    sign_in("editor")
    page = client.get(f"/posts/{post_id}").text
    assert CARD.findall(page) == ["card-message"]
    assert '<span class="linkcard-host">skhcn.gov.vn</span>' in page
    assert '<span class="linkcard-title">Triển khai chuyển đổi số năm 2027</span>' in page
    assert '<img class="card-cover" src="https://skhcn.gov.vn/a.jpg"' in page
    assert '<span class="card-page">facebook</span>' in page


def test_the_article_card_shows_cover_title_author_and_description(
    engine: Engine, client: TestClient, sign_in: Callable[[str], str]
) -> None:
    _, zalo = make_posts(engine, feed(channels=("facebook", "zalo")))
    sign_in("editor")
    page = client.get(f"/posts/{zalo}").text
    article = page[page.index('class="card card-article"') :]
    assert '<p class="article-title">Triển khai chuyển đổi số năm 2027</p>' in article
    assert '<p class="article-author">Sở KH&amp;CN</p>' in article
    assert article.index("card-cover") < article.index("article-title")


def test_feed_markup_in_the_cards_is_text(
    engine: Engine, client: TestClient, sign_in: Callable[[str], str]
) -> None:
    """A `<script>` title and an `onerror` summary show as text in both cards."""
    item = dataclasses.replace(parsed(TITLE), summary=SUMMARY, content_html=f"<p>{SUMMARY}</p>")
    facebook, zalo = make_posts(engine, feed(channels=("facebook", "zalo")), item)
    sign_in("approver")
    for post_id in (facebook, zalo):
        page = client.get(f"/posts/{post_id}").text
        cards = page[page.index('<div class="previews">') : page.index('id="source-title"')]
        assert '<span class="linkcard-title">&lt;script&gt;alert(1)&lt;/script&gt;</span>' in cards
        assert '<p class="article-title">&lt;script&gt;alert(1)&lt;/script&gt;</p>' in cards
        assert "&lt;img src=x onerror=alert(1)&gt;" in cards
        assert "<script" not in page and "<img src=x" not in page


def test_the_page_has_no_inline_style_or_script(
    engine: Engine, client: TestClient, sign_in: Callable[[str], str]
) -> None:
    facebook, _ = make_posts(engine, feed(channels=("facebook", "zalo")))
    sign_in("editor")
    page = client.get(f"/posts/{facebook}").text
    assert "style=" not in page and "<style" not in page
    assert "<script" not in page and not re.search(r"\son\w+=", page)
