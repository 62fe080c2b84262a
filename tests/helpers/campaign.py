"""A Quảng Ngãi portal's article stored by ingest, and the tagged posts it files (issue #14)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import Engine
from sqlmodel import col, select

from connectors.facebook.settings import FacebookSettings
from connectors.sandbox.settings import SandboxSettings
from connectors.zalo.settings import ZaloSettings
from storage.models import Item, Post
from storage.session import reading, writing
from storage.states import FetchStatus
from syndicator.ingest.harvest import Harvest, PollOutcome, store_harvest
from syndicator.ingest.normalize.urls import canonical_url
from syndicator.posts.maker import PostMaker
from syndicator.reach_settings import ReachSettings
from syndicator.records import FetchResult, ParsedFeed, ParsedItem
from syndicator.settings_models import (
    ChannelSettings,
    FeedSettings,
    PollingSettings,
    ReviewSettings,
)
from tests.helpers.posts import renderer

T0 = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
FEED_URL = "https://skhcn.quangngai.gov.vn/rss/tin-hoat-dong.rss"
# As the portal's RSS gives it: its own utm_* (ours replace them) and an article parameter.
LINK = (
    "https://skhcn.quangngai.gov.vn/vi/news/tin-hoat-dong/"
    "hoi-nghi-chuyen-doi-so-nam-2026-12345.html?ref=home&utm_source=rss&utm_medium=feed"
)
UNTAGGED = (
    "https://skhcn.quangngai.gov.vn/vi/news/tin-hoat-dong/"
    "hoi-nghi-chuyen-doi-so-nam-2026-12345.html?ref=home"
)
CAMPAIGN = "&utm_medium=social&utm_campaign=skhcn-quangngai"
TAGGED = {
    "fanpage": f"{UNTAGGED}&utm_source=facebook{CAMPAIGN}",
    "oa": f"{UNTAGGED}&utm_source=zalo{CAMPAIGN}",
    "thu": f"{UNTAGGED}&utm_source=sandbox{CAMPAIGN}",
}
TITLE = (
    "Hội nghị triển khai chuyển đổi số năm 2026: Sở Khoa học và Công nghệ tỉnh Quảng Ngãi "
    "bàn giải pháp đưa dịch vụ công trực tuyến toàn trình đến người dân"
)
BODY = (
    "Sáng 2/11, Sở Khoa học và Công nghệ tỉnh Quảng Ngãi tổ chức hội nghị triển khai kế hoạch "
    "chuyển đổi số năm 2026, với sự tham dự của đại diện các sở, ban, ngành và địa phương."
)


def channels(**tag_links: bool) -> dict[str, ChannelSettings]:
    """A Page, an OA and a sandbox; `fanpage=False` etc. turns one channel's tagging off."""
    return {
        "fanpage": FacebookSettings(tag_links=tag_links.get("fanpage", True)),
        "oa": ZaloSettings(tag_links=tag_links.get("oa", True)),
        "thu": SandboxSettings(tag_links=tag_links.get("thu", True)),
    }


def feed(tag_links: bool = True, review: Literal["required", "auto"] = "auto") -> FeedSettings:
    return FeedSettings(
        id="skhcn-quangngai",
        name="Sở Khoa học và Công nghệ tỉnh Quảng Ngãi",
        url=FEED_URL,
        agency="Sở KH&CN Quảng Ngãi",
        review=review,
        channels=["fanpage", "oa", "thu"],
        tag_links=tag_links,
    )


def article(link: str = LINK, guid: str = "tin-12345") -> ParsedItem:
    return ParsedItem(
        guid=guid,
        link=link,
        url=canonical_url(link),
        title=TITLE,
        summary=BODY,
        content_html=f"<p>{BODY}</p>",
        image="https://skhcn.quangngai.gov.vn/uploads/2026/11/hoi-nghi-chuyen-doi-so.jpg",
        published=T0 - timedelta(hours=1),
    )


def maker(
    reach: ReachSettings | None = None, chosen: dict[str, ChannelSettings] | None = None
) -> PostMaker:
    """The PostMaker as the composition root builds it, with `[reach]` at its defaults."""
    reach = ReachSettings() if reach is None else reach
    return PostMaker(renderer(), chosen or channels(), ReviewSettings(), reach)


def poll(
    engine: Engine,
    filer: PostMaker,
    items: list[ParsedItem],
    the_feed: FeedSettings | None = None,
    at: datetime = T0,
) -> PollOutcome:
    """One poll of the portal that stores `items` (all postable) and files their posts."""
    the_feed = the_feed or feed()
    fetched = FetchResult(
        FetchStatus.OK, FEED_URL, body=b"<rss/>", body_hash=f"h-{at:%H%M}", http_status=200
    )
    harvest = Harvest(the_feed, fetched, at, ParsedFeed("Tin hoạt động", None, tuple(items)))
    with writing(engine) as session:
        return store_harvest(session, harvest, PollingSettings(), backfill=10, posts=filer)


def posts_by_channel(engine: Engine) -> dict[str, Post]:
    with reading(engine) as session:
        return {post.channel: post for post in session.exec(select(Post).order_by(col(Post.id)))}


def stored_items(engine: Engine) -> list[Item]:
    with reading(engine) as session:
        return list(session.exec(select(Item).order_by(col(Item.id))))
