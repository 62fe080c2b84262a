"""article_facts reads an article page's Open Graph and meta tags; fill_from_article adds only
what the listing left empty."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from syndicator.ingest.listing.article import ArticleFacts, article_facts, fill_from_article
from syndicator.records import Flag
from tests.helpers.listing_cases import FETCHED_AT, NUKEVIET, PORTALS, SHAREPOINT, TZ, read

NV_ARTICLE = (
    "https://dongson.example.gov.vn/vi/news/tin-hoat-dong/huyen-dong-son-ra-mat-mo-hinh-dan-van"
    "-kheo-trong-xay-dung-nong-thon-moi-kieu-mau-1839.html"
)
SP_ARTICLE = "https://stnmt.example.gov.vn/Pages/lay-y-kien-du-thao-bang-gia-dat-2027-2031.aspx"


def facts(file: str, url: str) -> ArticleFacts:
    body = (PORTALS / file).read_bytes()
    return article_facts(body, url=url, content_type="text/html", tz=TZ)


def test_open_graph_tags() -> None:
    """og:description (spaces collapsed) over meta description, og:image made absolute,
    article:published_time in UTC."""
    found = facts("article-nukeviet.html", NV_ARTICLE)
    assert found.description == (
        "Mô hình huy động người dân hiến đất, góp công làm đường giao thông nội đồng và chỉnh"
        " trang khu dân cư theo tiêu chí nông thôn mới kiểu mẫu; đến nay đã có 312 hộ hiến hơn"
        " 9.000 m² đất."
    )
    assert found.image == "https://dongson.example.gov.vn/assets/news/2026_12/dan-van-kheo.jpg"
    assert found.published == datetime(2026, 12, 6, 8, 45, tzinfo=UTC)
    assert found.date_flags == frozenset()


def test_meta_description_and_secure_image() -> None:
    """Without og:description the meta description serves; og:image:secure_url too."""
    found = facts("article-sharepoint.html", SP_ARTICLE)
    assert found.description is not None
    assert found.description.startswith("Sở Tài nguyên và Môi trường đăng tải toàn văn dự thảo")
    assert found.image == (
        "https://stnmt.example.gov.vn/PublishingImages/2026/12/bang-gia-dat-du-thao.jpg"
    )
    assert found.published is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b'{"og:image": "x"}',
        b"<html><head><meta property='og:image' content='javascript:alert(1)'>"
        b"<meta property='article:published_time' content='h\xc3\xb4m qua'></head></html>",
        b"<div>" * 100_000,
    ],
    ids=["empty", "binary", "json", "bad-values", "deep"],
)
def test_junk_gives_empty_facts(body: bytes) -> None:
    """Whatever comes back from an article URL, no exception: empty facts."""
    assert article_facts(body, url=SP_ARTICLE, content_type=None, tz=TZ) == ArticleFacts()


def test_naive_article_date_is_local_and_clamped_with_fetch_time() -> None:
    """A zone-less published_time is read in the feed zone and flagged; given the fetch time,
    a date more than a day ahead is clamped as feed dates are."""
    head = "<html><head><meta property='article:published_time' content='{}'></head></html>"
    naive = head.format("2026-12-07 08:30").encode()
    found = article_facts(naive, url=SP_ARTICLE, content_type=None, tz=TZ)
    assert found.published == datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
    assert found.date_flags == {Flag.DATE_ASSUMED_TZ}
    future = head.format("2027-01-01T00:00:00+07:00").encode()
    clamped = article_facts(future, url=SP_ARTICLE, content_type=None, tz=TZ, fetched_at=FETCHED_AT)
    assert clamped.published == FETCHED_AT
    assert clamped.date_flags == {Flag.DATE_CLAMPED}


def test_fill_adds_only_what_the_listing_lacked() -> None:
    """SharePoint's item without a picture takes the article's; its summary and date stay."""
    item = read(SHAREPOINT).items[4]
    assert item.image is None
    filled = fill_from_article(item, facts("article-sharepoint.html", SP_ARTICLE))
    assert filled.image == (
        "https://stnmt.example.gov.vn/PublishingImages/2026/12/bang-gia-dat-du-thao.jpg"
    )
    assert filled.summary == item.summary and filled.published == item.published
    assert filled.flags == item.flags


def test_fill_summary_and_date_when_missing() -> None:
    """A bare item takes the description (also as its body) and the date, losing DATE_MISSING."""
    item = dataclasses.replace(
        read(NUKEVIET).items[1],
        summary="",
        content_html="",
        image=None,
        published=None,
        flags=frozenset({Flag.DATE_MISSING}),
    )
    article = facts("article-nukeviet.html", NV_ARTICLE)
    filled = fill_from_article(item, article)
    assert filled.summary == article.description
    assert filled.content_html == f"<p>{article.description}</p>"
    assert filled.image == article.image
    assert filled.published == datetime(2026, 12, 6, 8, 45, tzinfo=UTC)
    assert filled.flags == frozenset()


def test_fill_never_replaces_a_listing_date() -> None:
    """An item with its own date keeps it, even when the article says otherwise."""
    item = read(NUKEVIET).items[0]
    assert item.published is not None
    other = ArticleFacts(published=item.published - timedelta(days=3))
    assert fill_from_article(item, other) is item


def test_filled_description_is_cleaned_like_feed_text() -> None:
    """A description typed in TCVN3 is converted, and the item says so."""
    body = (
        "<html><head><meta name='description' content='Th«ng b¸o kÕt qu¶ tuyÓn dông'></head></html>"
    )
    found = article_facts(body.encode("latin-1"), url=SP_ARTICLE, content_type=None, tz=TZ)
    assert found.description == "Thông báo kết quả tuyển dụng"
    item = dataclasses.replace(read(NUKEVIET).items[0], summary="", content_html="")
    assert Flag.LEGACY_ENCODING in fill_from_article(item, found).flags
