"""Poll many feeds: a thread pool fetches and parses, with a cap per host; one thread stores.

Storing from the calling thread keeps SQLite to one writer and lets each feed's transaction
commit as soon as its harvest arrives, so a kill midway loses only the feeds still in flight.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from storage import feeds as feed_store
from storage import items as item_store
from storage.engine import WRITE_OPTION
from storage.models import FeedState
from storage.session import reading
from storage.states import FetchStatus
from syndicator.clock import Clock
from syndicator.ingest.fetch import Fetcher
from syndicator.ingest.harvest import Harvest, PollOutcome, PostFiler, harvest, store_harvest
from syndicator.ingest.sources import FeedSource, ListingSource, RobotsPolicy, Sources
from syndicator.records import FeedParser, FetchRequest, FetchResult
from syndicator.settings_models import FeedSettings, PollingSettings

log = structlog.get_logger("syndicator.poll")
COMMIT_EVERY = 0.5  # seconds a stored feed may wait for its commit (and its log line)
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


class BatchWriter:
    """Stores harvests in shared transactions, committed every `max_feeds` feeds or on demand.

    A feed's items and validators still commit together; a crash loses only the uncommitted
    feeds, which kept their old validators and are simply fetched again. When one feed's data
    makes the database fail, the batch is replayed feed by feed in savepoints, so that feed alone
    is recorded as `store_failed`.
    """

    def __init__(
        self,
        engine: Engine,
        polling: PollingSettings,
        states: dict[str, FeedState],
        max_feeds: int = 25,
        posts: PostFiler | None = None,
    ) -> None:
        self.posts = posts
        self.engine, self.polling, self.max_feeds = engine, polling, max_feeds
        self.states = states  # read at the start of the poll; each feed is stored once
        self.session: Session | None = None
        with reading(engine) as session:  # tombstones are rare: skip their lookup when none
            self.tombstones = item_store.any_tombstones(session)
        self.pending: list[tuple[PollOutcome, Harvest]] = []
        self.opened_at = 0.0

    def add(self, harvest: Harvest) -> None:
        session = self._session()
        try:
            outcome = self._store(session, harvest)
        except SQLAlchemyError:
            session.rollback()
            self.pending = self._replay([h for _, h in self.pending] + [harvest])
            return
        self.pending.append((outcome, harvest))

    def _session(self) -> Session:
        if self.session is None:
            # No autoflush: the state rows are flushed once, at commit, as one batch.
            self.session = Session(self.engine, expire_on_commit=False, autoflush=False)
            self.session.connection(execution_options={WRITE_OPTION: True})
            self.opened_at = time.monotonic()
        return self.session

    def _store(self, session: Session, harvest: Harvest) -> PollOutcome:
        return store_harvest(
            session,
            harvest,
            self.polling,
            self.polling.backfill,
            tombstones=self.tombstones,
            known_state=self.states.pop(harvest.feed.id, None),
            posts=self.posts,
        )

    def _replay(self, harvests: list[Harvest]) -> list[tuple[PollOutcome, Harvest]]:
        session, stored = self._session(), []
        for result in harvests:
            try:
                with session.begin_nested():
                    outcome = self._store(session, result)
            except SQLAlchemyError as error:
                log.exception("feed.store_failed", feed=result.feed.id)
                why = f"could not store ({type(error).__name__}); see the log"
                result = _failed(result, "store_failed", why)
                with session.begin_nested():
                    outcome = self._store(session, result)
            stored.append((outcome, result))
        return stored

    def due(self) -> bool:
        """Commit every `max_feeds` feeds, and at least every COMMIT_EVERY seconds."""
        if not self.pending:
            return False
        age = time.monotonic() - self.opened_at
        return len(self.pending) >= self.max_feeds or age >= COMMIT_EVERY

    def commit(self) -> list[tuple[PollOutcome, Harvest]]:
        """Make the pending feeds durable; returns them for reporting."""
        if self.session is not None:
            self.session.commit()
            self.session.close()
            self.session = None
        done, self.pending = self.pending, []
        return done

    def close(self) -> None:
        if self.session is not None:
            self.session.rollback()
            self.session.close()
            self.session = None


def _failed(harvest: Harvest, reason: str, message: str) -> Harvest:
    fetched = FetchResult(
        FetchStatus.ERROR, harvest.fetched.url, error_reason=reason, error=message
    )
    return Harvest(harvest.feed, fetched, harvest.fetched_at, None, reason, message)


def fetch_request(feed: FeedSettings, state: FeedState | None) -> FetchRequest:
    """A conditional request from what the last poll remembered (nothing if the URL changed)."""
    if state is None or state.url != feed.url:
        return FetchRequest(feed.url)
    return FetchRequest(feed.url, state.etag, state.last_modified, state.body_hash)


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
        parse: FeedParser,
        posts: PostFiler | None = None,
        robots: RobotsPolicy | None = None,
    ) -> None:
        self.engine, self.fetcher, self.clock, self.polling = engine, fetcher, clock, polling
        self.timezone, self.parse, self.posts = timezone, parse, posts
        self.limiter = HostLimiter(polling.per_host)
        listing = ListingSource(fetcher, self._new_links, robots)
        self.sources = Sources({"rss": FeedSource(parse), "html": listing})

    def _new_links(self, feed_id: str, links: Sequence[str]) -> set[str]:
        """Which of a listing's links its feed has not stored yet (read from a worker thread)."""
        with reading(self.engine) as session:
            return set(links) - item_store.stored_links(session, feed_id, links)

    def poll(
        self, feeds: Sequence[FeedSettings], progress: Progress | None = None
    ) -> list[PollOutcome]:
        """Fetch all `feeds` in parallel and store each; one bad feed stops nothing."""
        with reading(self.engine) as session:
            states = feed_store.load_states(session, [feed.id for feed in feeds])
        requests = {feed.id: fetch_request(feed, states.get(feed.id)) for feed in feeds}
        writer = BatchWriter(self.engine, self.polling, states, posts=self.posts)
        outcomes: list[PollOutcome] = []
        with ThreadPoolExecutor(self.polling.workers, thread_name_prefix="fetch") as pool:
            try:
                for harvested in self._harvests(pool, interleave_hosts(feeds), requests):
                    for result in harvested:
                        writer.add(result)
                    if writer.due():
                        outcomes += self._report(writer.commit(), progress)
                outcomes += self._report(writer.commit(), progress)
            finally:
                writer.close()
        return outcomes

    def _harvests(
        self,
        pool: ThreadPoolExecutor,
        feeds: list[FeedSettings],
        requests: dict[str, FetchRequest],
    ) -> Iterator[list[Harvest]]:
        """Harvests as they finish, in groups; at most two per worker wait in memory (the
        writer is the bottleneck, so unbounded submission would hold every parsed feed)."""
        queue, running = deque(feeds), set[Future[Harvest]]()
        try:
            while queue or running:
                while queue and len(running) < self.polling.workers * 2:
                    feed = queue.popleft()
                    running.add(pool.submit(self._harvest, feed, requests[feed.id]))
                done, running = wait(running, timeout=COMMIT_EVERY, return_when=FIRST_COMPLETED)
                yield [future.result() for future in done]
        finally:
            for future in running:
                future.cancel()

    def _harvest(self, feed: FeedSettings, request: FetchRequest) -> Harvest:
        tz = ZoneInfo(feed.timezone or self.timezone)
        with self.limiter.slot(feed.url):
            fetched_at = self.clock.now()
            try:
                source = self.sources.of(feed)
                return harvest(self.fetcher, feed, request, fetched_at, tz, source)
            except Exception as error:  # a bug must cost one feed, not the whole poll
                log.exception("feed.crashed", feed=feed.id)
                failed = FetchResult(FetchStatus.ERROR, feed.url, error_reason="internal_error")
                return _failed(
                    Harvest(feed, failed, fetched_at),
                    "internal_error",
                    f"internal error ({type(error).__name__}); see the log",
                )

    @staticmethod
    def _report(
        stored: list[tuple[PollOutcome, Harvest]], progress: Progress | None
    ) -> list[PollOutcome]:
        """One log line per feed, written once its poll is committed."""
        for outcome, result in stored:
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
            if progress:
                progress(outcome)
        return [outcome for outcome, _ in stored]
