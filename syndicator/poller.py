"""Poll many feeds: a thread pool fetches and parses, with a cap per host; one thread stores.

Storing from the calling thread keeps SQLite to one writer and lets each feed's transaction
commit as soon as its harvest arrives, so a kill midway loses only the feeds still in flight.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import Engine

from storage import feeds as feed_store
from storage.models import FeedState
from storage.session import reading
from syndicator.clock import Clock
from syndicator.fetch import Fetcher
from syndicator.ingest import Harvest, PollOutcome, harvest, store
from syndicator.records import FetchRequest, FetchResult
from syndicator.settings_models import FeedSettings, PollingSettings

log = structlog.get_logger("syndicator.poll")
Progress = Callable[[PollOutcome], None]


class HostLimiter:
    """At most `per_host` requests in flight to one host, since many portals share a host."""

    def __init__(self, per_host: int) -> None:
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = defaultdict(
            lambda: threading.BoundedSemaphore(per_host)
        )

    def slot(self, url: str) -> threading.BoundedSemaphore:
        with self._lock:
            return self._slots[(urlsplit(url).hostname or "").lower()]


def interleave_hosts(feeds: Sequence[FeedSettings]) -> list[FeedSettings]:
    """Round-robin over hosts, so workers do not queue on one host's slots while others idle."""
    queues: dict[str, deque[FeedSettings]] = defaultdict(deque)
    for feed in feeds:
        queues[(urlsplit(feed.url).hostname or "").lower()].append(feed)
    ordered: list[FeedSettings] = []
    while queues:
        for host in list(queues):
            ordered.append(queues[host].popleft())
            if not queues[host]:
                del queues[host]
    return ordered


def due_feeds(engine: Engine, feeds: Iterable[FeedSettings], now: datetime) -> list[FeedSettings]:
    """Enabled feeds never polled, or whose next poll time has come."""
    enabled = [feed for feed in feeds if feed.enabled]
    with reading(engine) as session:
        states = feed_store.load_states(session, [feed.id for feed in enabled])
    return [feed for feed in enabled if _is_due(states.get(feed.id), feed, now)]


def _is_due(state: FeedState | None, feed: FeedSettings, now: datetime) -> bool:
    if state is None or state.url != feed.url or state.next_poll_at is None:
        return True
    return state.next_poll_at <= now


class Poller:
    """Polls a set of feeds once. Built by the composition root with its collaborators."""

    def __init__(
        self,
        *,
        engine: Engine,
        fetcher: Fetcher,
        clock: Clock,
        polling: PollingSettings,
        timezone: str,
    ) -> None:
        self.engine, self.fetcher, self.clock, self.polling = engine, fetcher, clock, polling
        self.timezone = timezone
        self.limiter = HostLimiter(polling.per_host)

    def poll(
        self, feeds: Sequence[FeedSettings], progress: Progress | None = None
    ) -> list[PollOutcome]:
        """Fetch all `feeds` in parallel, storing each as it arrives; one bad feed stops nothing."""
        requests = self._requests(feeds)
        outcomes = []
        with ThreadPoolExecutor(self.polling.workers, thread_name_prefix="fetch") as pool:
            futures = [
                pool.submit(self._harvest, feed, requests[feed.id])
                for feed in interleave_hosts(feeds)
            ]
            for future in as_completed(futures):
                outcome = self._store(future)
                outcomes.append(outcome)
                if progress:
                    progress(outcome)
        return outcomes

    def _requests(self, feeds: Sequence[FeedSettings]) -> dict[str, FetchRequest]:
        with reading(self.engine) as session:
            states = feed_store.load_states(session, [feed.id for feed in feeds])
        requests = {}
        for feed in feeds:
            state = states.get(feed.id)
            if state is None or state.url != feed.url:
                requests[feed.id] = FetchRequest(feed.url)
            else:
                requests[feed.id] = FetchRequest(
                    feed.url, state.etag, state.last_modified, state.body_hash
                )
        return requests

    def _harvest(self, feed: FeedSettings, request: FetchRequest) -> Harvest:
        tz = ZoneInfo(feed.timezone or self.timezone)
        with self.limiter.slot(feed.url):
            fetched_at = self.clock.now()
            try:
                return harvest(self.fetcher, feed, request, fetched_at, tz)
            except Exception as error:  # a bug must cost one feed, not the whole poll
                log.exception("feed.crashed", feed=feed.id)
                failed = FetchResult("error", feed.url, error_reason="internal_error")
                return Harvest(
                    feed,
                    failed,
                    fetched_at,
                    None,
                    "internal_error",
                    f"internal error ({type(error).__name__}); see the log",
                )

    def _store(self, future: Future[Harvest]) -> PollOutcome:
        result = future.result()
        outcome = store(self.engine, result, self.polling, self.polling.backfill)
        log.info(
            "feed.polled",
            feed=outcome.feed,
            status=outcome.status,
            duration=outcome.duration,
            new=outcome.new,
            seen=outcome.duplicates,
            http_status=result.fetched.http_status,
            reason=outcome.reason,
            error=outcome.error,
        )
        return outcome
