"""robots.txt (RFC 9309) for the pages we read that are not feeds: listing pages and discovery.

Each origin's /robots.txt is fetched once through the feed Fetcher (same timeouts, byte cap and
address rules) and kept for 24 hours of the injected clock. A 4xx answer means there are no
rules; a 5xx, 429 or no answer at all means the site cannot say, so everything on it is
disallowed until a retry an hour later. Rules are matched by `urllib.robotparser`, which knows
no `*` or `$` wildcards and applies the first matching line rather than the longest.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from storage.states import FetchStatus
from syndicator.clock import Clock
from syndicator.ingest.fetch import Fetcher, url_problem
from syndicator.records import FetchRequest, FetchResult

KEEP = timedelta(hours=24)  # RFC 9309 §2.4: a cached copy is used for at most 24 hours
RETRY = timedelta(hours=1)  # after a 5xx or no answer: everything disallowed until then
MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least 500 KiB; the rest is cut


@dataclass(frozen=True)
class RobotsAnswer:
    """Whether a URL may be fetched, and why (for a clear refusal)."""

    allowed: bool
    reason: str  # "allowed", "disallowed", "robots_unreachable", "bad_url"
    message: str


@dataclass(frozen=True)
class _Kept:
    """One origin's rules as last fetched: parsed rules, or all allowed / all disallowed."""

    rules: RobotFileParser | None
    allow_all: bool
    fetched_at: datetime
    keep: timedelta
    problem: str  # why everything is disallowed, when rules is None and allow_all is False

    def fresh(self, now: datetime) -> bool:
        return now - self.fetched_at <= self.keep


class RobotsRules:
    """Answers `allowed(url)` from each origin's robots.txt; safe to call from many threads."""

    def __init__(self, fetcher: Fetcher, *, user_agent: str, clock: Clock) -> None:
        self._fetcher = fetcher
        self._user_agent = user_agent
        self._clock = clock
        self._kept: dict[str, _Kept] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()  # over the two dictionaries

    def allowed(self, url: str) -> bool:
        """True when the origin's robots.txt lets our user agent fetch `url`."""
        return self.check(url).allowed

    def check(self, url: str) -> RobotsAnswer:
        """The answer for `url` with its reason: allowed, disallowed, or robots.txt unreadable."""
        problem = url_problem(url)
        if problem:
            return RobotsAnswer(False, "bad_url", problem)
        origin = _origin(url)
        kept = self._rules_of(origin)
        if kept.rules is None:
            if kept.allow_all:
                return RobotsAnswer(True, "allowed", f"{origin}/robots.txt sets no rules")
            return RobotsAnswer(False, "robots_unreachable", kept.problem)
        if kept.rules.can_fetch(self._user_agent, url):
            return RobotsAnswer(True, "allowed", f"{origin}/robots.txt allows it")
        return RobotsAnswer(False, "disallowed", f"{origin}/robots.txt disallows {url}")

    def _rules_of(self, origin: str) -> _Kept:
        """The origin's kept rules, fetched again when older than they may be kept. One thread
        fetches an origin at a time; others asking for it wait for that answer."""
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            now = self._clock.now()
            with self._guard:
                kept = self._kept.get(origin)
            if kept is not None and kept.fresh(now):
                return kept
            kept = _read(self._fetcher.fetch(FetchRequest(f"{origin}/robots.txt")), now)
            with self._guard:
                self._kept[origin] = kept
            return kept


def _origin(url: str) -> str:
    """scheme://host[:port] of `url`, in lower case: robots.txt applies per origin."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _read(fetched: FetchResult, now: datetime) -> _Kept:
    """What one robots.txt answer means (RFC 9309 §2.3.1)."""
    if fetched.status == FetchStatus.OK:
        return _Kept(_parsed(fetched.body or b""), False, now, KEEP, "")
    status = fetched.http_status
    if status is not None and 400 <= status < 500 and status != 429:
        return _Kept(None, True, now, KEEP, "")  # "unavailable": no rules
    # 5xx, 429 (Google reads it as 5xx), a timeout, refused, blocked address, too large
    why = f"robots.txt unreachable ({fetched.error_reason}: {fetched.error}); retried later"
    return _Kept(None, False, now, RETRY, why)


def _parsed(body: bytes) -> RobotFileParser:
    rules = RobotFileParser()
    if len(body) > MAX_ROBOTS_BYTES:  # cut there, and drop the line the cut went through
        body = body[:MAX_ROBOTS_BYTES].rpartition(b"\n")[0]
    text = body.decode("utf-8-sig", errors="replace")  # a BOM would hide line one
    rules.parse(text.splitlines())
    return rules
