"""A post's card as a page of its own (syndicator/posts/cards/page.py), what the sandbox channel
writes: in Vietnamese, feed text inert, and nothing to load but the post's own pictures."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from connectors.base import OutgoingPost
from syndicator.posts.cards import Card, link_host
from syndicator.posts.cards.page import POLICY, outgoing_card, standalone_page

TITLE = "Sở KH&CN tổ chức hội thảo “Chuyển đổi số trong cơ quan nhà nước” năm 2027"
TEXT = (
    "Sáng 01/11, Sở Khoa học và Công nghệ tỉnh Quảng Trị tổ chức hội thảo chuyển đổi số.\n\n"
    "#QuangTri #SoKHCN"
)
LINK = "https://www.skhcn.quangtri.gov.vn/tin-tuc/hoi-thao-chuyen-doi-so-2027.html"
COVER = "https://skhcn.quangtri.gov.vn/uploads/2027/11/hoi-thao.jpg"
MESSAGE = OutgoingPost(post_id=4127, text=TEXT, link=LINK, cover=COVER)


class Resources(HTMLParser):
    """Every address the page names (src, href) and every element it has."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "data", "poster"):
                self.addresses.append((tag, name, value or ""))


def resources(page: str) -> Resources:
    found = Resources()
    found.feed(page)
    return found


def test_the_page_draws_the_fanpage_card_in_vietnamese() -> None:
    """The message card: the channel as a Page, "Vừa xong", the text, and the link card with the
    host, the article's title and its cover."""
    page = standalone_page(outgoing_card(MESSAGE, "sandbox", TITLE))
    assert page.startswith("<!doctype html>") and '<html lang="vi">' in page
    assert '<article class="card card-message" aria-labelledby="card-4127">' in page
    assert "Bài sẽ hiển thị trên sandbox như sau · #4127</h1>" in page
    assert '<span class="card-page">sandbox</span><span class="card-time">Vừa xong</span>' in page
    assert '<p class="card-body text">Sáng 01/11, Sở Khoa học' in page
    assert '<span class="linkcard-host">skhcn.quangtri.gov.vn</span>' in page
    assert f'<span class="linkcard-title">{TITLE.replace("&", "&amp;")}</span>' in page
    assert f'<a class="linkcard" href="{LINK}" rel="noopener noreferrer">' in page
    assert f'<img class="card-cover" src="{COVER}" alt="" loading="lazy">' in page
    assert "<title>Bài đăng #4127 · sandbox</title>" in page


def test_the_stylesheet_is_inline_and_the_policy_loads_nothing_else() -> None:
    """The card's rules are in a <style> element, unescaped; the page's CSP allows only inline
    style and pictures; it has no script, no stylesheet link and no inline style attribute."""
    page = standalone_page(outgoing_card(MESSAGE, "sandbox", TITLE))
    style = page[page.index("<style>") : page.index("</style>")]
    assert ".card-article .card-body p {" in style and "&gt;" not in style
    policy = f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
    assert policy in html.unescape(page)  # its quotes are written &#39;
    assert POLICY.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src https: http:")
    assert "@import" not in page and "url(" not in page
    assert not re.search(r"<script|<link|<iframe|\sstyle=|\son[a-z]+=", page)


def test_the_only_resources_are_the_posts_own_pictures() -> None:
    """The page's only src is the cover; its only href the article's link."""
    found = resources(standalone_page(outgoing_card(MESSAGE, "sandbox", TITLE)))
    assert found.addresses == [("a", "href", LINK), ("img", "src", COVER)]


def test_hostile_feed_text_is_inert() -> None:
    """A `<script>` title, an `onerror` text, a `javascript:` link and cover: shown as text or
    left out, never markup, a handler or a link."""
    hostile = OutgoingPost(
        post_id=7,
        text="<img src=x onerror=alert(1)> Thông báo",
        link="javascript:alert(1)",
        cover="javascript:alert(2)",
    )
    page = standalone_page(outgoing_card(hostile, "sandbox", "<script>alert(1)</script>"))
    assert '<span class="linkcard-title">&lt;script&gt;alert(1)&lt;/script&gt;</span>' in page
    assert "&lt;img src=x onerror=alert(1)&gt; Thông báo" in page
    assert "<script" not in page and "<img src=x" not in page and "javascript:" not in page
    assert '<a class="linkcard">' in page  # the card is drawn, but it is not a link
    assert resources(page).addresses == []


def test_a_post_with_a_title_of_its_own_is_an_article() -> None:
    """A Zalo-like post (title, author, description) gets the article card, escaped."""
    article = OutgoingPost(
        post_id=9, text=TEXT, link=LINK, title=TITLE, author="Sở KH&CN", cover=COVER,
        description="Hội thảo về chuyển đổi số trong cơ quan nhà nước.",
    )  # fmt: skip
    page = standalone_page(outgoing_card(article, "zalo", TITLE))
    assert '<article class="card card-article"' in page
    assert '<p class="article-author">Sở KH&amp;CN</p>' in page
    assert "Vừa xong" not in page


def test_an_article_without_a_cover_says_so_in_vietnamese() -> None:
    card = Card(3, "zalo", TEXT, None, TITLE, article=True, title=TITLE)
    assert '<div class="card-cover card-nocover">Chưa có ảnh bìa</div>' in standalone_page(card)


def test_the_link_host_drops_www_and_survives_a_broken_address() -> None:
    assert link_host(LINK) == "skhcn.quangtri.gov.vn"
    assert link_host("https://[::1") is None and link_host(None) is None
