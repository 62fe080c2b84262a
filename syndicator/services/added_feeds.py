"""Portals an admin adds on the web page (issue #13): saved in the database beside the feeds of
settings.toml (syndicator/feed_list.py), checked as a `[[feeds]]` table and against the
settings before they are; removed the same way. Each is an admin event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from storage import stored_feeds as store
from storage.admin_events import record_admin_event
from storage.session import reading, writing
from storage.states import AdminAction
from syndicator.errors import SyndicatorError
from syndicator.feed_list import first_error, stored_feed
from syndicator.settings_models import FeedSettings

if TYPE_CHECKING:
    from syndicator.app import App

log = structlog.get_logger("syndicator.services.added_feeds")


class FeedRefused(SyndicatorError):
    """The feed cannot be saved; the message says why, naming the field."""


@dataclass(frozen=True)
class AddedFeed:
    """A portal added on the admin page: its feed, and who added it when."""

    feed: FeedSettings
    created_by: str


def check_new_feed(app: App, table: dict[str, Any]) -> FeedSettings:
    """`table` as a feed that may join the settings (FeedRefused naming the first problem)."""
    try:
        feed = FeedSettings.model_validate(table)
    except ValidationError as error:
        raise FeedRefused(first_error(error)) from None
    problem = app.settings.joining_problem(feed)
    if problem:
        raise FeedRefused(problem)
    return feed


def add_feed(app: App, table: dict[str, Any], by: str) -> FeedSettings:
    """Save a new portal's feed (FeedRefused when it is invalid or its id is taken); the
    daemon polls it at its next tick."""
    feed = check_new_feed(app, table)
    stored = feed.model_dump(mode="json", exclude={"id"}, exclude_defaults=True)
    try:
        with writing(app.migrated_engine()) as session:
            if any(row.id == feed.id for row in store.stored_feeds(session)):
                raise FeedRefused(f"the id {feed.id!r} is already a portal added here")
            store.add_stored_feed(session, feed.id, stored, by, app.clock.now())
            record_admin_event(
                session, app.clock.now(), by, AdminAction.FEED_ADD, feed.id, feed.url
            )
    except IntegrityError:  # another admin saved the same id at the same moment
        raise FeedRefused(f"the id {feed.id!r} is already a portal added here") from None
    log.info("feed.added", feed=feed.id, url=feed.url, type=feed.type, by=by)
    return feed


def added_feeds(app: App) -> list[AddedFeed]:
    """Every portal added on the admin page, valid or not any more (the settings may have
    changed since), oldest first; the invalid ones are not polled (feed_list.py)."""
    with reading(app.migrated_engine()) as session:
        rows = [(row.id, row.settings, row.created_by) for row in store.stored_feeds(session)]
    found = []
    for feed_id, table, by in rows:
        try:
            found.append(AddedFeed(stored_feed(feed_id, table), by))
        except ValidationError:
            log.warning("feed.stored_invalid", feed=feed_id)
    return found


def remove_feed(app: App, feed_id: str, by: str) -> None:
    """Remove a portal added on the admin page (its items and posts stay); FeedRefused for one
    that is not such a portal (a feed of the settings file is the operator's to remove)."""
    with writing(app.migrated_engine()) as session:
        if not store.remove_stored_feed(session, feed_id):
            raise FeedRefused(f"{feed_id!r} is not a portal added on this page")
        record_admin_event(session, app.clock.now(), by, AdminAction.FEED_REMOVE, feed_id)
    log.info("feed.removed", feed=feed_id, by=by)


@dataclass(frozen=True)
class FeedChoices:
    """What the settings let a new portal name: the report's categories (id, name; none
    listed means a free category) and the channels, in the file's order."""

    categories: tuple[tuple[str, str], ...]
    channels: tuple[str, ...]


def feed_choices(app: App) -> FeedChoices:
    categories = tuple((category.id, category.name) for category in app.settings.report.categories)
    return FeedChoices(categories, tuple(app.settings.channels))
