"""parse_listing: each portal fixture read with its selectors, the failure rules, and hostile
or oddly encoded pages."""

from __future__ import annotations

import time

import pytest

from syndicator.errors import FeedError, HostileFeed, NotAFeed
from syndicator.ingest.listing.extract import MAX_ITEMS, parse_listing
from syndicator.ingest.listing.page import MAX_NESTING
from syndicator.records import Flag, ParsedFeed
from syndicator.settings_models import ListingSelectors
from tests.helpers.cp1258 import to_cp1258
from tests.helpers.listing_cases import ALL, FETCHED_AT, PORTALS, SHAREPOINT, TZ, Portal, read

URL = "https://ubnd.example.gov.vn/tin-tuc/"
LIST = ListingSelectors(item="li.tin", link="a", date="span", date_format="%d/%m/%Y %H:%M")


def listing(
    body: bytes, selectors: ListingSelectors = LIST, content_type: str | None = None
) -> ParsedFeed:
    return parse_listing(
        body, url=URL, content_type=content_type, fetched_at=FETCHED_AT, tz=TZ, selectors=selectors
    )


def page(items: str, head: str = '<meta charset="utf-8">') -> bytes:
    head += "<title>Tin tức</title>"
    return f"<!DOCTYPE html><html><head>{head}</head><body><ul>{items}</ul></body></html>".encode()


def item(n: int, date: str = "07/12/2026 08:30", href: str | None = None) -> str:
    href = href or f"/tin-tuc/bai-viet-so-{n}.html"
    title = f"Ủy ban nhân dân tỉnh họp phiên thường kỳ tháng 12 bàn nội dung số {n}"
    return f'<li class="tin"><a href="{href}">{title}</a><span>{date}</span></li>'


@pytest.mark.parametrize("portal", ALL, ids=lambda p: p.file)
def test_portal_items(portal: Portal) -> None:
    """Every fixture gives exactly its articles: titles, absolute links, UTC dates, images."""
    feed = read(portal)
    got = [
        (i.title, i.link, i.published.isoformat() if i.published else None, i.image)
        for i in feed.items
    ]
    assert got == [(e.title, e.link, e.published, e.image) for e in portal.items]
    assert feed.title == portal.page_title
    assert feed.link == portal.url
    assert feed.items[0].summary == portal.first_summary
    assert all(i.guid is None and i.flags == {Flag.DATE_ASSUMED_TZ} for i in feed.items)


def test_items_are_normalized_like_feed_items() -> None:
    """A listing item carries a canonical URL (Liferay's redirect gone) and a plain-text body."""
    liferay = next(p for p in ALL if p.file.startswith("liferay"))
    first = read(liferay).items[0]
    assert first.url == first.link.split("?")[0]  # type: ignore[union-attr]
    assert first.content_html == f"<p>{liferay.first_summary}</p>"


def test_featured_article_shown_twice_is_kept_once_with_its_fuller_copy() -> None:
    """WebCenter shows its lead article in a featured box and in the list: one item, the list's
    copy (with picture and summary) kept in the first place."""
    webcenter = next(p for p in ALL if p.file.startswith("webcenter"))
    items = read(webcenter).items
    assert len(items) == len({i.url for i in items}) == 5
    assert items[0].image and items[0].summary.startswith("Thực hiện Luật Ngân sách")


def test_script_text_is_no_item_text() -> None:
    """The link a SharePoint script writes with document.write is not read as an article."""
    feed = read(SHAREPOINT, ListingSelectors(item="a", link="a"))
    assert not any("khong-phai-bai-viet" in (i.link or "") for i in feed.items)


def test_item_selector_matching_nothing_is_selectors_broken() -> None:
    """After a redesign the old selectors match nothing: an error, not an empty success."""
    body = (PORTALS / "sharepoint-redesign.html").read_bytes()
    with pytest.raises(FeedError) as caught:
        listing(body, SHAREPOINT.selectors)
    assert caught.value.reason == "selectors_broken"
    assert "'li.dfwp-item' matches nothing" in caught.value.message


def test_items_without_links_are_selectors_broken() -> None:
    """Items still match but the link selector finds no link in any of them."""
    selectors = SHAREPOINT.selectors.model_copy(update={"link": "a.ms-listlink"})
    with pytest.raises(FeedError) as caught:
        read(SHAREPOINT, selectors)
    assert caught.value.reason == "selectors_broken"
    assert "none of them has a link (link selector 'a.ms-listlink')" in caught.value.message


def test_items_without_titles_are_selectors_broken() -> None:
    """Links found, but neither a title element nor the links hold any text."""
    body = page(
        "".join(
            f'<li class="tin"><a href="/a/{n}.html"><img src="/i/{n}.jpg"></a></li>'
            for n in range(4)
        )
    )
    with pytest.raises(FeedError) as caught:
        listing(body)
    assert caught.value.reason == "selectors_broken"
    assert "none of them has a title" in caught.value.message


def test_one_item_with_link_and_title_is_enough() -> None:
    """Just past the broken case: one good item among title-less ones is read, the rest kept
    with their NO_TITLE flag as feed items would be."""
    bare = "".join(f'<li class="tin"><a href="/a/{n}.html"></a></li>' for n in range(3))
    feed = listing(page(bare + item(9)))
    assert [bool(i.title) for i in feed.items] == [False, False, False, True]
    assert Flag.NO_TITLE in feed.items[0].flags


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"  \r\n ",
        b'{"items": [{"title": "Tin tuc"}]}',
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title></channel></rss>',
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title></feed>',
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3",
    ],
    ids=["empty", "blank", "json", "rss", "atom", "pdf"],
)
def test_what_is_not_html_is_refused(body: bytes) -> None:
    """Empty bodies, JSON, feeds and files are NotAFeed("not_html")."""
    with pytest.raises(NotAFeed) as caught:
        listing(body)
    assert caught.value.reason == "not_html"


def test_rss_document_says_it_is_a_feed() -> None:
    """The refusal of an RSS document says what it is, so the operator switches the type."""
    with pytest.raises(NotAFeed, match="an RSS or Atom feed"):
        listing(b'<?xml version="1.0"?>\n<!-- x --><rss><channel></channel></rss>')


def test_base_href_and_page_url_resolve_links() -> None:
    """Relative links resolve against <base href> when the page has one, else the page URL."""
    based = page(item(1, href="bai-1.html"), head='<base href="https://ubnd.example.gov.vn/a/b/">')
    plain = page(item(1, href="bai-1.html"))
    assert listing(based).items[0].link == "https://ubnd.example.gov.vn/a/b/bai-1.html"
    assert listing(plain).items[0].link == "https://ubnd.example.gov.vn/tin-tuc/bai-1.html"


def test_fragment_and_script_links_are_no_links() -> None:
    """ "#" and javascript: hrefs lead nowhere: the item keeps its title with NO_LINK."""
    feed = listing(page(item(1, href="#") + item(2, href="javascript:void(0)") + item(3)))
    assert [i.link is None for i in feed.items] == [True, True, False]
    assert Flag.NO_LINK in feed.items[0].flags


def test_title_falls_back_to_link_title_attribute() -> None:
    """An image-only link gives its title attribute as the item's title."""
    body = page(
        '<li class="tin"><a href="/a.html" title="Tổ chức lễ ra quân hưởng ứng Tháng hành động '
        'vì bình đẳng giới"><img src="/a.jpg"></a></li>'
    )
    assert listing(body).items[0].title.startswith("Tổ chức lễ ra quân")


def test_image_sources_in_order() -> None:
    """src, then data-src / data-original, then the first srcset URL; all absolute."""
    images = [
        '<img src="/a.jpg" data-src="/b.jpg">',
        '<img data-original="/c.jpg">',
        '<img srcset="/d-480.jpg 480w, /d-960.jpg 960w">',
        '<img src="data:image/gif;base64,R0lGOD" data-src="/e.jpg">',
    ]
    body = page("".join(item(n).replace("</li>", f"{img}</li>") for n, img in enumerate(images)))
    feed = listing(body, LIST.model_copy(update={"image": "img"}))
    assert [i.image for i in feed.items] == [
        "https://ubnd.example.gov.vn/a.jpg",
        "https://ubnd.example.gov.vn/c.jpg",
        "https://ubnd.example.gov.vn/d-480.jpg",
        "https://ubnd.example.gov.vn/e.jpg",
    ]


def test_at_most_200_items_are_read() -> None:
    """A page with more matches than MAX_ITEMS gives the first MAX_ITEMS."""
    assert len(listing(page("".join(item(n) for n in range(MAX_ITEMS)))).items) == MAX_ITEMS
    assert len(listing(page("".join(item(n) for n in range(MAX_ITEMS + 1)))).items) == MAX_ITEMS


def test_windows_1258_page() -> None:
    """A page declared windows-1258 (decomposed tone marks) gives NFC titles."""
    title = "Hội nghị triển khai nhiệm vụ phát triển kinh tế năm 2027"
    body = page(f'<li class="tin"><a href="/a.html">{title}</a></li>', head="").decode()
    encoded = b"".join(to_cp1258(c) for c in body)
    assert b"\xd2" in encoded  # "ể" really is "ê" + a combining hook byte
    assert listing(encoded, content_type="text/html; charset=windows-1258").items[0].title == title
    meta = encoded.replace(
        b"<head>",
        b'<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258">',
    )
    assert listing(meta).items[0].title == title


def test_undeclared_latin1_page_with_tcvn3_text_is_converted() -> None:
    """Old pages typed in .Vn fonts and served without a charset: TCVN3 text repaired."""
    tcvn3 = "Th«ng b¸o kÕt qu¶ tuyÓn dông c«ng chøc n¨m 2026"
    body = f'<html><body><ul><li class="tin"><a href="/a.html">{tcvn3}</a></li></ul></body></html>'
    feed = listing(body.encode("latin-1"))
    assert feed.items[0].title == "Thông báo kết quả tuyển dụng công chức năm 2026"
    assert Flag.LEGACY_ENCODING in feed.items[0].flags


def test_utf8_page_with_a_stray_byte_is_still_utf8() -> None:
    """One bad byte in an undeclared UTF-8 page does not turn it into mojibake."""
    body = page(item(1), head="").replace(b"</ul>", b"\xff</ul>")
    assert listing(body).items[0].title.startswith("Ủy ban nhân dân tỉnh")


def test_deeply_nested_page_is_refused_quickly() -> None:
    """200,000 unclosed <div>s (minutes of parser time) are refused as hostile at once;
    MAX_NESTING levels are still read."""
    hostile = page("<div>" * 200_000 + item(1))
    started = time.monotonic()
    with pytest.raises(HostileFeed) as caught:
        listing(hostile)
    assert caught.value.reason == "hostile_html"
    assert time.monotonic() - started < 5
    assert listing(page("<div>" * (MAX_NESTING - 5) + item(1))).items
    with pytest.raises(HostileFeed):
        listing(page("<div>" * (MAX_NESTING + 1) + item(1)))


def test_hostile_page_with_huge_attributes_and_scripts() -> None:
    """Megabyte attributes, endless scripts and thousands of items: read, capped, in time."""
    junk = "x" * 1_000_000
    items = "".join(
        item(n).replace("<a ", f'<a data-x="{junk if n == 0 else ""}" ')
        + "<script>while(true){document.write('<li class=tin>')}</script>"
        for n in range(3000)
    )
    started = time.monotonic()
    feed = listing(page(items))
    assert len(feed.items) == MAX_ITEMS
    assert time.monotonic() - started < 5
