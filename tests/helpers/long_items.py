"""Real-length Liferay articles and the harvests that carry them."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from syndicator.ingest.harvest import Harvest
from syndicator.records import FetchResult, ParsedFeed, ParsedItem
from syndicator.settings_models import FeedSettings, PollingSettings

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


POLLING = PollingSettings()


# 102 characters; its normalized key is longer than the 64 a VARCHAR(64) holds.
LONG_TITLE = (
    "Sở Xây dựng thông báo lịch tiếp công dân định kỳ tháng 12 năm 2026 "
    "của Giám đốc Sở và các Phó Giám đốc"
)


SLUG = quote(
    "sở-xây-dựng-thông-báo-lịch-tiếp-công-dân-định-kỳ-tháng-12-năm-2026"
    "-của-giám-đốc-sở-và-các-phó-giám-đốc"
)


def liferay_link(host: str, article: int) -> str:
    """A Liferay portal's article link: ~400 characters, the Vietnamese slug percent-encoded."""
    return (
        f"https://{host}/vi/tin-tuc-su-kien/-/asset_publisher/L2aeDzHfpQxs/content/{SLUG}-{article}"
        "?redirect=%2Fvi%2Ftin-tuc-su-kien&inheritRedirect=true"
    )


def long_article(host: str, article: int, published: datetime = T0) -> ParsedItem:
    link = liferay_link(host, article)
    return ParsedItem(
        guid=link,  # Liferay's guid is the article's link
        link=link,
        url=link,
        title=LONG_TITLE,
        summary="Sở Xây dựng thông báo lịch tiếp công dân định kỳ tháng 12 năm 2026.",
        content_html="<p>Sở Xây dựng thông báo lịch tiếp công dân định kỳ tháng 12 năm 2026.</p>",
        image=f"https://{host}/documents/20182/0/{SLUG}.jpg",
        published=published,
    )


def harvest(feed_id: str, items: list[ParsedItem], at: datetime = T0) -> Harvest:
    url = f"https://{feed_id}.gov.vn/rss"
    feed = FeedSettings(id=feed_id, name=feed_id, url=url)
    fetched = FetchResult("ok", url, body=b"<rss/>", body_hash="0" * 64, http_status=200)
    return Harvest(feed, fetched, at, ParsedFeed("Feed", None, tuple(items)))
