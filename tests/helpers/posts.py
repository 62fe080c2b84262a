"""Real-looking items and the posts the PostMaker files for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from connectors.facebook.settings import FacebookSettings
from connectors.sandbox.settings import SandboxSettings
from connectors.zalo.settings import ZaloSettings
from storage import items as item_store
from storage import posts as post_store
from storage.models import Post
from storage.session import reading, writing
from storage.states import check_move
from syndicator.ingest.dedup import title_digest
from syndicator.posts.maker import (
    NewItem,
    PostMaker,
)
from syndicator.posts.render import Renderer, RenderSettings
from syndicator.records import ParsedItem
from syndicator.settings_models import ChannelSettings, FeedSettings, ReviewSettings

NOW = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"  # the operator's folder


CHANNELS: dict[str, ChannelSettings] = {
    "facebook": FacebookSettings(),
    "zalo": ZaloSettings(),
    "off": SandboxSettings(enabled=False),
    "sandbox": SandboxSettings(),
}


BODY = "Ủy ban nhân dân tỉnh thông báo kế hoạch triển khai chuyển đổi số năm 2027 tới các sở, ban, ngành."


def renderer(templates: Path = TEMPLATES) -> Renderer:
    return Renderer(templates, RenderSettings(default_image="https://tinh.gov.vn/logo.png"))


def feed(review: str = "required", channels: tuple[str, ...] = ("facebook",)) -> FeedSettings:
    return FeedSettings(
        id="skhcn",
        name="Sở KH&CN",
        url="https://skhcn.gov.vn/rss",
        agency="Sở KH&CN",
        review=review,
        channels=list(channels),
    )  # type: ignore[arg-type]


def parsed(title: str = "Triển khai chuyển đổi số năm 2027", n: int = 1) -> ParsedItem:
    return ParsedItem(
        guid=f"news_{n}",
        link=f"https://skhcn.gov.vn/tin/{n}.html",
        url=f"https://skhcn.gov.vn/tin/{n}.html",
        title=title,
        summary=BODY,
        content_html=f"<p>{BODY}</p>",
        image="https://skhcn.gov.vn/a.jpg",
        published=NOW - timedelta(hours=1),
    )


def make_posts(
    engine: Engine,
    the_feed: FeedSettings,
    item: ParsedItem | None = None,
    templates: Path = TEMPLATES,
) -> list[int]:
    """Store one item as ingest does and let the PostMaker file its posts."""
    item = item or parsed()
    row = {
        "canonical_url": item.url,
        "url_key": "u" + (item.guid or ""),
        "link": item.link,
        "guid": item.guid,
        "title": item.title,
        "title_key": title_digest(item.title),
        "summary": item.summary,
        "content_html": item.content_html,
        "image": item.image,
        "author": None,
        "categories": [],
        "flags": [],
        "published_at": item.published,
        "first_feed_id": the_feed.id,
        "postable": True,
        "created_at": NOW,
    }
    with writing(engine) as session:
        (item_id,) = item_store.insert_items(session, [row])
        item_store.insert_sources(
            session,
            [
                {
                    "item_id": item_id,
                    "feed_id": the_feed.id,
                    "source_key": "k" + (item.guid or ""),
                    "guid": item.guid,
                    "link": item.link,
                    "seen_at": NOW,
                }
            ],
        )
        maker = PostMaker(renderer(templates), CHANNELS, ReviewSettings())
        maker.create(session, the_feed, [NewItem(item_id, item, item.published or NOW)], NOW)
    with reading(engine) as session:
        return [p.id or 0 for p in session.exec(select(Post).where(Post.item_id == item_id))]


def walk(
    session: Session,
    post_id: int,
    path: list[tuple[str, str]],
    at: datetime,
    reason: str | None = None,
    **changes: object,
) -> None:
    """Move a post along `path` ((action, to status) pairs) as the product does: through the
    table of moves, each with its audit event by the publisher (`reason` on the last one);
    then write `changes`."""
    for n, (action, target) in enumerate(path):
        post = post_store.get(session, post_id)
        assert post is not None
        move = check_move(post.status, action, target)
        assert post_store.compare_and_set(session, post_id, post.version, {}, move)
        why = reason if n == len(path) - 1 else None
        post_store.record(session, post_id, at, "publisher", action, move.source, target, why)
    post = post_store.get(session, post_id)
    assert post is not None
    assert post_store.compare_and_set(session, post_id, post.version, dict(changes))
