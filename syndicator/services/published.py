"""What was published: the posts on each channel, newest first, with the platform's link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from storage import posts as post_store
from storage.session import reading

if TYPE_CHECKING:
    from syndicator.app import App


@dataclass(frozen=True)
class PublishedRow:
    id: int
    channel: str
    feed: str
    title: str
    published_at: datetime | None
    remote_url: str | None  # the post on the Page or the OA article, as the platform gave it
    source_url: str | None


def published_posts(app: App, limit: int = 50, before_id: int | None = None) -> list[PublishedRow]:
    """Published posts, the latest published first; with `before_id` (the last post of the
    page before), the next page."""
    with reading(app.migrated_engine()) as session:
        rows = post_store.published_newest(session, limit, before_id)
    return [
        PublishedRow(
            id=post.id or 0,
            channel=post.channel,
            feed=post.feed_id,
            title=item.title,
            published_at=post.published_at,
            remote_url=post.remote_url,
            source_url=item.link,
        )
        for post, item in rows
    ]
