"""The feed report (`feeds list`, the admin page's feed table) and a dry run of one URL
(`feeds check`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from storage import feeds as feed_store
from storage.feeds import FeedActivity
from storage.models import FeedState
from storage.session import reading
from syndicator.errors import FeedError, SyndicatorError
from syndicator.ingest.dedup import Candidate, candidates
from syndicator.records import FetchRequest
from syndicator.services.schemas import documented
from syndicator.settings_models import FeedSettings

if TYPE_CHECKING:
    from syndicator.app import App


@documented
@dataclass(frozen=True)
class FeedRow:
    """One feed's state: last success, last error, failures, next poll, recent items."""

    feed: str
    name: str
    url: str
    enabled: bool
    last_success: datetime | None
    last_error: str | None
    error_reason: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    next_poll: datetime | None
    items_7d: int
    items_30d: int
    newest_item: datetime | None
    broken: bool


@dataclass(frozen=True)
class CheckedItem:
    """One item of a feed as polling would store it."""

    guid: str | None
    url: str | None
    title: str
    summary: str
    image: str | None
    published: datetime | None
    categories: tuple[str, ...]
    dedup_key: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class FeedCheck:
    title: str
    problem: str | None  # what the parser had to salvage
    items: tuple[CheckedItem, ...]


class CheckFailed(SyndicatorError):
    """The URL could not be fetched or parsed as a feed; the message names the reason."""


def feed_report(app: App) -> list[FeedRow]:
    """Every feed's state: the settings file's in their order, then those added on the admin
    page."""
    now = app.clock.now()
    feeds = app.feeds()
    ids = [feed.id for feed in feeds]
    with reading(app.migrated_engine()) as session:
        states = feed_store.load_states(session, ids)
        activity = feed_store.activity(
            session, ids, now - timedelta(days=7), now - timedelta(days=30)
        )
    return [_row(f, states.get(f.id), activity.get(f.id)) for f in feeds]


def _row(feed: FeedSettings, state: FeedState | None, seen: FeedActivity | None) -> FeedRow:
    return FeedRow(
        feed=feed.id,
        name=feed.name,
        url=feed.url,
        enabled=feed.enabled,
        last_success=state.last_success_at if state else None,
        last_error=state.last_error if state else None,
        error_reason=state.error_reason if state else None,
        last_error_at=state.last_error_at if state else None,
        consecutive_failures=state.consecutive_failures if state else 0,
        next_poll=state.next_poll_at if state else None,
        items_7d=seen.items_7d if seen else 0,
        items_30d=seen.items_30d if seen else 0,
        newest_item=seen.newest_published_at if seen else None,
        broken=bool(state and state.broken),
    )


def check_feed(app: App, target: str) -> FeedCheck:
    """Fetch, read and normalize one feed without storing anything (CheckFailed): `target` is
    a feed's id (read as its `type` says: a feed, or a listing page with its selectors) or a
    URL (read as a feed)."""
    from syndicator.ingest.parse import parse_feed  # the only service that parses in-process
    from syndicator.ingest.sources import dry_run_sources

    feed = _feed_to_check(app, target)
    url = feed.url
    source = dry_run_sources(app.fetcher, app.robots, parse_feed).of(feed)
    refused = source.refusal(url)
    if refused is not None:
        raise CheckFailed(f"{url}: {refused.reason}: {refused.message}")
    fetched = app.fetcher.fetch(FetchRequest(url))
    if fetched.status == "error":
        raise CheckFailed(f"{url}: {fetched.error_reason}: {fetched.error}")
    now = app.clock.now()
    try:
        parsed = source.read(fetched, feed, now, ZoneInfo(feed.timezone or app.settings.timezone))
    except FeedError as error:
        raise CheckFailed(f"{url}: {error.reason}: {error.message}") from None
    items = tuple(_checked(candidate) for candidate in candidates(parsed.items, now))
    return FeedCheck(parsed.title, parsed.problem, items)


def _feed_to_check(app: App, target: str) -> FeedSettings:
    """The feed `target` names, or a feed at `target` as a URL. A URL needs no database (a
    check stores nothing); a name may be a portal added on the admin page."""
    if "://" not in target:
        for known in app.feeds():
            if known.id == target:
                return known
    # Not validated: a bad URL is the fetcher's to name (bad_url), as a poll would.
    return FeedSettings.model_construct(id="check", name=target, url=target, type="rss")


def _checked(candidate: Candidate) -> CheckedItem:
    item = candidate.item
    return CheckedItem(
        guid=item.guid,
        url=item.url,
        title=item.title,
        summary=item.summary,
        image=item.image,
        published=item.published,
        categories=tuple(item.categories),
        dedup_key=candidate.dedup_key,
        flags=tuple(sorted(item.flags)),
    )
