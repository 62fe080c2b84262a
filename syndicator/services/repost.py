"""Posting an article again: find its item by id or address, make a new post per channel,
each linked to the channel's last post of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session

from storage import posts as post_store
from storage.models import Item
from storage.session import writing
from syndicator.config import Settings
from syndicator.errors import ConfigError, SyndicatorError
from syndicator.ingest.dedup import digest
from syndicator.ingest.normalize.urls import canonical_url
from syndicator.posts.maker import APPROVED, stored_item
from syndicator.services.names import require_known
from syndicator.settings_models import FeedSettings

if TYPE_CHECKING:
    from syndicator.app import App


class NothingToRepost(SyndicatorError):
    """No stored article has that id or address."""


class NoChannel(SyndicatorError):
    """The article goes to no channel: it was never posted and its feed names none."""


@dataclass(frozen=True)
class Reposted:
    post_id: int
    channel: str
    status: str  # approved, or pending_review (asked to wait, or its template failed)

    @property
    def approved(self) -> bool:
        return self.status == APPROVED


def repost(
    app: App, target: int | str, actor: str, channel: str | None = None, approve: bool = False
) -> list[Reposted]:
    """A new post of the article `target` (an item id or its address) on `channel`, or on every
    channel it was posted to (else its feed's channels). NothingToRepost, UnknownName,
    NoChannel."""
    settings, now = app.settings, app.clock.now()
    require_known("channel", channel, settings.channels)
    with writing(app.migrated_engine()) as session:
        item = find_item(session, target)
        if item is None:
            raise NothingToRepost(f"no stored article matches {target!r}")
        feed = _feed(settings, item.first_feed_id)
        channels = [channel] if channel else _channels(session, item, feed)
        for name in channels:
            require_known("channel", name, settings.channels)
        maker = app.post_maker()
        made = [
            maker.repost(session, feed, stored_item(item), name, actor, approve, now)
            for name in channels
        ]
        statuses = [post_store.get(session, post_id) for post_id in made]
    return [
        Reposted(post_id, name, post.status if post else "")
        for post_id, name, post in zip(made, channels, statuses, strict=True)
    ]


def find_item(session: Session, target: int | str) -> Item | None:
    """The stored article with this id, or with this address (compared in canonical form)."""
    if isinstance(target, int):
        return post_store.item_by(session, target, None)
    return post_store.item_by(session, None, digest(canonical_url(target)))


def _channels(session: Session, item: Item, feed: FeedSettings) -> list[str]:
    channels = post_store.channels_of(session, item.id or 0) or list(feed.channels)
    if not channels:
        raise NoChannel(
            f"article {item.id} was never posted and its feed {feed.id} names no channel; "
            "choose one with --channel"
        )
    return channels


def _feed(settings: Settings, feed_id: str) -> FeedSettings:
    try:
        return settings.feed(feed_id)
    except ConfigError:
        # The feed was removed from the settings since; the article is still ours to repost.
        return FeedSettings(id=feed_id, name=feed_id, url="https://removed.invalid/")
