"""infer_selectors finds each portal's news list (not its menus, boxes of files or "most read"
lists) and proposes selectors that read the same items as the hand-written ones."""

from __future__ import annotations

import pytest

from syndicator.ingest.listing.infer import infer_selectors
from syndicator.settings_models import ListingSelectors
from tests.helpers.listing_cases import ALL, PORTALS, SHAREPOINT, Portal, read


def infer(portal: Portal) -> ListingSelectors | None:
    return infer_selectors(portal.body(), url=portal.url, content_type="text/html")


@pytest.mark.parametrize("portal", ALL, ids=lambda p: p.file)
def test_inferred_selectors_read_the_same_items(portal: Portal) -> None:
    """Titles, links, dates, pictures and summaries equal the hand-written selectors' items."""
    selectors = infer(portal)
    assert selectors is not None
    assert read(portal, selectors).items == read(portal).items


@pytest.mark.parametrize("portal", ALL, ids=lambda p: p.file)
def test_inference_finds_every_field(portal: Portal) -> None:
    """Each fixture's items have a date (with a day-first format), a picture and a summary."""
    selectors = infer(portal)
    assert selectors is not None
    assert selectors.date and selectors.date_format and selectors.date_format.startswith("%d")
    assert selectors.image and selectors.summary


def test_expected_selectors() -> None:
    """Short selectors: the repeated element's class, qualified only where a featured box
    reuses it (WebCenter); the heading when a heading holds the title (NukeViet)."""
    by_file = {p.file: infer(p) for p in ALL}
    assert by_file["sharepoint-tin-tuc.html"] == ListingSelectors(
        item="li.dfwp-item",
        link="div.link-item a",
        date="span.ngay-dang",
        date_format="%d/%m/%Y",
        image="img.image",
        summary="div.description",
    )
    webcenter = by_file["webcenter-tin-tuc.html"]
    assert webcenter is not None
    assert webcenter.item == "div.danh-sach-tin > div.list-news-item"
    assert webcenter.date_format == "%d/%m/%Y %H:%M"
    nukeviet = by_file["nukeviet-news.html"]
    assert nukeviet is not None and (nukeviet.item, nukeviet.title) == ("div.news_column", "h3")
    liferay = by_file["liferay-tin-tuc.html"]
    assert liferay is not None and liferay.date_format == "%d-%m-%Y"


def test_redesigned_page_gets_new_selectors() -> None:
    """After the redesign, inference proposes selectors for the cards, dated by <time>."""
    body = (PORTALS / "sharepoint-redesign.html").read_bytes()
    selectors = infer_selectors(body, url="https://stnmt.example.gov.vn/tin-tuc", content_type=None)
    assert selectors is not None
    assert (selectors.item, selectors.date, selectors.date_format) == (
        "article.card",
        "time.card__date",
        None,
    )


def test_most_read_box_alone_is_chosen_when_it_is_the_only_list() -> None:
    """Without the news list, the plain "most read" list still makes a listing; the PDF box
    and the footer never do."""
    body = SHAREPOINT.body()
    start, end = (
        body.index(b'<ul class="dfwp-column'),
        body.index(b"</ul>", body.index(b"dfwp-column")),
    )
    selectors = infer_selectors(
        body[:start] + body[end + 5 :], url=SHAREPOINT.url, content_type=None
    )
    assert selectors is not None
    assert "xemnhieu" in selectors.item


def item(n: int) -> str:
    return f'<li><a href="/tin/{n}.html">Tin hoạt động của Ủy ban nhân dân xã số {n}</a></li>'


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("<ul>" + "".join(item(n) for n in range(2)) + "</ul>", False),
        ("<ul>" + "".join(item(n) for n in range(3)) + "</ul>", True),
        (
            '<nav><ul><li><a href="/a">Trang chủ</a></li><li><a href="/b">Giới thiệu</a></li>'
            '<li><a href="/c">Liên hệ</a></li></ul></nav>',
            False,
        ),
        ("<ul>" + "".join(item(n).replace(".html", ".pdf") for n in range(5)) + "</ul>", False),
        (
            "<ul>"
            + "".join(item(n).replace("/tin/", "https://other.example.com/") for n in range(5))
            + "</ul>",
            False,
        ),
    ],
    ids=["two-items", "three-items", "menu", "files", "other-site"],
)
def test_what_counts_as_a_list(body: str, found: bool) -> None:
    """Three like items with headlines to the same site are a list; two, a menu, files or
    links elsewhere are not."""
    page = f"<html><head><title>x</title></head><body>{body}</body></html>".encode()
    selectors = infer_selectors(page, url="https://xa.example.gov.vn/", content_type=None)
    assert (selectors is not None) == found


def test_junk_gives_none() -> None:
    """Not HTML, or hostile: no selectors, no exception."""
    for body in (b"", b'{"a": 1}', b"<div>" * 100_000):
        assert infer_selectors(body, url="https://xa.example.gov.vn/", content_type=None) is None


def test_deterministic() -> None:
    """The same page gives the same selectors every time."""
    assert len({infer(p) for p in ALL for _ in range(3)}) == len(ALL)


def test_page_furniture_loses_to_a_shorter_news_list() -> None:
    """A long footer list of headline-length links loses to a news list half its size."""
    news = "".join(item(n) for n in range(3))
    footer = "".join(
        f'<li><a href="/trang/{n}.html">Hướng dẫn sử dụng dịch vụ công trực tuyến mục {n}</a></li>'
        for n in range(6)
    )
    body = f'<html><body><ul class="tin-moi">{news}</ul><footer><ul class="links">{footer}</ul></footer></body></html>'
    selectors = infer_selectors(body.encode(), url="https://xa.example.gov.vn/", content_type=None)
    assert selectors is not None and selectors.item == "ul.tin-moi > li"
