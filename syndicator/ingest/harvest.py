"""One feed's poll: fetch and parse (in a worker thread), then store (one transaction).

The fetch/parse half touches no database; the store half decides with the pure dedup decider and
commits the new items together with the feed's validators and body hash, so a crash midway
loses nothing committed and never yields a duplicate on the next poll.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from storage import feeds as feed_store
from storage import items as item_store
from storage.models import FeedState
from storage.session import writing
from storage.states import FetchStatus
from syndicator.errors import FeedError
from syndicator.ingest import schedule
from syndicator.ingest.dedup import (
    SAME_STORY_WINDOW,
    Candidate,
    Decision,
    Known,
    StoredItem,
    Verdict,
    candidates,
    decide,
)
from syndicator.ingest.fetch import Fetcher
from syndicator.ingest.sources import SourceKind
from syndicator.records import FetchRequest, FetchResult, NewItem, ParsedFeed
from syndicator.settings_models import FeedSettings, PollingSettings


class PostFiler(Protocol):
    """What files the posts of newly stored items, inside the ingest transaction
    (syndicator.posts.maker.PostMaker; the composition root passes it in, so that ingest does
    not depend on the post stage)."""

    def create(
        self, session: Session, feed: FeedSettings, items: Sequence[NewItem], now: datetime
    ) -> int: ...


@dataclass(frozen=True, slots=True)
class Harvest:
    """What one fetch brought back: the fetch result, and the parsed feed or why there is none."""

    feed: FeedSettings
    fetched: FetchResult
    fetched_at: datetime
    parsed: ParsedFeed | None = None
    error_reason: str | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error_reason is not None


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """The result of polling one feed, as `poll --json` prints it."""

    feed: str
    status: str  # ok | not_modified | unchanged | error
    new: int = 0
    duplicates: int = 0
    error: str | None = None
    reason: str | None = None
    duration: float = 0.0
    history: int = 0  # of the new items, those a first poll recorded without posting them
    first_poll: bool = False  # the feed's first successful poll (its items become history)


def harvest(
    fetcher: Fetcher,
    feed: FeedSettings,
    request: FetchRequest,
    fetched_at: datetime,
    tz: ZoneInfo,
    source: SourceKind,
) -> Harvest:
    """Fetch and read one feed with its source kind (ingest/sources.py). Runs in a worker
    thread; never raises for a bad feed."""
    refused = source.refusal(request.url)
    if refused is not None:
        failed = FetchResult(FetchStatus.ERROR, request.url, error_reason=refused.reason)
        return Harvest(feed, failed, fetched_at, None, refused.reason, refused.message)
    fetched = fetcher.fetch(request)
    if fetched.status == "error":
        return Harvest(feed, fetched, fetched_at, None, fetched.error_reason, fetched.error)
    if fetched.status != "ok" or fetched.body is None:
        return Harvest(feed, fetched, fetched_at)
    try:
        parsed = source.read(fetched, feed, fetched_at, tz)
    except FeedError as error:  # an empty channel too (reason "empty"): parse_feed refuses it
        return Harvest(feed, fetched, fetched_at, None, error.reason, error.message)
    return Harvest(feed, fetched, fetched_at, parsed)


def store(engine: Engine, harvest: Harvest, polling: PollingSettings, backfill: int) -> PollOutcome:
    """Record one harvest in a transaction of its own (see store_harvest)."""
    with writing(engine) as session:
        return store_harvest(session, harvest, polling, backfill)


def store_harvest(
    session: Session,
    harvest: Harvest,
    polling: PollingSettings,
    backfill: int,
    *,
    tombstones: bool = True,
    known_state: FeedState | None = None,
    posts: PostFiler | None = None,
) -> PollOutcome:
    """Record one harvest's items with its feed's validators and next poll, in the caller's
    transaction: items and validators commit together or not at all. `tombstones=False` skips
    the tombstone lookup when the caller knows there are none; `known_state` is the feed's state
    as read at the start of this poll, attached without another query."""
    started = time.monotonic()
    state = feed_store.state_for_update(session, harvest.feed.id, harvest.feed.url, known_state)
    if harvest.failed:
        _record_failure(state, harvest, polling)
        # The report's errors in a period (issue #12): counted per UTC day, with the state.
        feed_store.count_failed_poll(
            session, harvest.feed.id, harvest.fetched_at.astimezone(UTC).date()
        )
        new, duplicates, history, status, first = 0, 0, 0, "error", False
    else:
        first = not state.initialized
        new, duplicates, history = _store_items(
            session, state, harvest, backfill, tombstones, posts
        )
        _record_success(state, harvest, polling)
        status = harvest.fetched.status
    elapsed = round(harvest.fetched.elapsed + time.monotonic() - started, 3)
    return PollOutcome(
        harvest.feed.id,
        status,
        new,
        duplicates,
        harvest.error,
        harvest.error_reason,
        elapsed,
        history,
        first,
    )


def _store_items(
    session: Session,
    state: FeedState,
    harvest: Harvest,
    backfill: int,
    tombstones: bool,
    posts: PostFiler | None,
) -> tuple[int, int, int]:
    """(new, duplicates, history): history counts the new items stored but not posted."""
    if harvest.parsed is None:
        return 0, 0, 0
    batch = candidates(harvest.parsed.items, harvest.fetched_at)
    known = lookup(session, harvest.feed.id, batch, tombstones)
    decisions = decide(harvest.feed.id, batch, known)
    postable = _postable_on_first_poll(decisions, backfill) if not state.initialized else None
    fresh = [d.candidate for d in decisions if d.verdict is Verdict.NEW]
    rows = [_item_values(c, harvest, postable is None or c.source_key in postable) for c in fresh]
    ids = item_store.insert_items(session, rows)
    sources = [_source_values(c, harvest, item_id) for c, item_id in zip(fresh, ids, strict=True)]
    if posts is not None and harvest.feed.channels:
        ready = [
            NewItem(item_id, c.item, c.published)
            for c, item_id, row in zip(fresh, ids, rows, strict=True)
            if row["postable"]
        ]
        posts.create(session, harvest.feed, ready, harvest.fetched_at)
    sources += [
        _source_values(d.candidate, harvest, d.item_id or 0)
        for d in decisions
        if d.verdict is Verdict.NEW_SOURCE
    ]
    item_store.insert_sources(session, sources)
    newest = max((c.published for c in batch), default=None)
    if newest and (state.newest_item_at is None or newest > state.newest_item_at):
        state.newest_item_at = newest
    history = sum(not row["postable"] for row in rows)
    return len(fresh), len(decisions) - len(fresh), history


def lookup(
    session: Session, feed_id: str, batch: list[Candidate], tombstones: bool = True
) -> Known:
    """Ask the database everything the decider needs for one batch, in four queries."""
    known = Known()
    known.source_keys = item_store.existing_source_keys(
        session, feed_id, {c.source_key for c in batch}
    )
    if tombstones:
        keys = {key for c in batch for key in c.tombstone_keys}
        known.tombstones = item_store.tombstoned(session, keys)
    url_keys = {c.url_key for c in batch if c.url_key}
    for item_id, url_key, _title, published, feeds in item_store.items_by_url_keys(
        session, url_keys
    ):
        known.by_url[url_key or ""] = StoredItem(item_id, feeds, published)
    if batch:
        since = min(c.published for c in batch) - SAME_STORY_WINDOW
        until = max(c.published for c in batch) + SAME_STORY_WINDOW
        titles = {c.title_key for c in batch}
        for item_id, _url, title, published, feeds in item_store.items_by_title_keys(
            session, titles, since, until
        ):
            known.by_title.setdefault(title, []).append(StoredItem(item_id, feeds, published))
    return known


def _postable_on_first_poll(decisions: list[Decision], backfill: int) -> set[str]:
    """A new feed's first poll posts nothing, or only its newest `backfill` items."""
    fresh = [d.candidate for d in decisions if d.verdict is Verdict.NEW]
    fresh.sort(key=lambda c: c.published, reverse=True)
    return {c.source_key for c in fresh[:backfill]}


def _item_values(candidate: Candidate, harvest: Harvest, postable: bool) -> dict[str, Any]:
    item = candidate.item
    return {
        "canonical_url": item.url,
        "url_key": candidate.url_key,
        "link": item.link,
        "guid": item.guid,
        "title": item.title,
        "title_key": candidate.title_key,
        "summary": item.summary,
        "content_html": item.content_html,
        "image": item.image,
        "author": item.author,
        "categories": list(item.categories),
        "flags": sorted(item.flags),
        "published_at": candidate.published,
        "first_feed_id": harvest.feed.id,
        "postable": postable,
        "created_at": harvest.fetched_at,
    }


def _source_values(candidate: Candidate, harvest: Harvest, item_id: int) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "feed_id": harvest.feed.id,
        "source_key": candidate.source_key,
        "guid": candidate.item.guid,
        "link": candidate.item.link,
        "seen_at": harvest.fetched_at,
    }


def _record_success(state: FeedState, harvest: Harvest, polling: PollingSettings) -> None:
    fetched, now = harvest.fetched, harvest.fetched_at
    state.etag, state.last_modified = fetched.etag, fetched.last_modified
    if fetched.body_hash:
        state.body_hash = fetched.body_hash
    state.initialized = True
    state.last_polled_at = state.last_success_at = now
    state.last_status, state.consecutive_failures, state.broken = fetched.status, 0, False
    state.error_reason = state.last_error = None
    ttl = harvest.parsed.ttl if harvest.parsed else None
    state.next_poll_at = schedule.next_poll_at(
        now=now,
        interval=harvest.feed.interval or polling.interval,
        consecutive_failures=0,
        max_backoff=polling.max_backoff,
        retry_after=fetched.retry_after,
        max_age=fetched.max_age,
        ttl=ttl,
    )


def _record_failure(state: FeedState, harvest: Harvest, polling: PollingSettings) -> None:
    now = harvest.fetched_at
    state.last_polled_at = state.last_error_at = now
    state.last_status, state.error_reason, state.last_error = (
        "error",
        harvest.error_reason,
        harvest.error,
    )
    state.consecutive_failures += 1
    state.broken = schedule.is_broken(state.consecutive_failures, polling.broken_after)
    state.next_poll_at = schedule.next_poll_at(
        now=now,
        interval=harvest.feed.interval or polling.interval,
        consecutive_failures=state.consecutive_failures,
        max_backoff=polling.max_backoff,
        retry_after=harvest.fetched.retry_after,
    )
