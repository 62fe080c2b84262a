"""Find a portal's working source from its page address: a feed if one works, else a listing.

The page is read (if robots.txt allows), its advertised feeds and the platforms' usual feed
paths are checked one by one as the poller would read them, and the best working one is chosen:
the most recent newest item, then the most items, then advertised before guessed. With none,
the page's repeated article links are proposed as an HTML listing, checked by reading it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.states import FetchStatus
from syndicator.errors import FeedError
from syndicator.ingest.feed_candidates import FeedCandidate, Origin, page_candidates
from syndicator.ingest.fetch import Fetcher
from syndicator.ingest.listing.page import page_base, page_title, parse_page
from syndicator.ingest.normalize.text import normalize_text
from syndicator.ingest.parse import parse_feed
from syndicator.ingest.robots import RobotsRules
from syndicator.records import FetchRequest, FetchResult, Flag, ParsedFeed, ParsedItem
from syndicator.settings_models import ListingSelectors

MAX_CHECKED = 12  # candidates fetched at most; the others are listed as not checked
BUDGET = timedelta(seconds=60)  # no check starts after this (each fetch has its own timeout)
PARALLEL = 2  # checks at once: polling's per_host default, so a portal sees no more
PREVIEW = 10  # items kept to show, of a feed or a listing
TITLE_LIMIT = 200
_UNSURE_DATES = frozenset({Flag.DATE_MISSING, Flag.DATE_CLAMPED})  # clamped: the fetch time
_RANK = {Origin.GIVEN: 2, Origin.ADVERTISED: 1, Origin.GUESSED: 0}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Timer = Callable[[], float]


@dataclass(frozen=True)
class Refusal:
    """Why the page itself could not be read: a stable reason and one line."""

    reason: str  # robots_disallowed, robots_unreachable, http_404, timeout, blocked_address, ...
    message: str


@dataclass(frozen=True)
class CandidateCheck:
    """One candidate, checked as the poller would read it. `works` only with at least one item."""

    candidate: FeedCandidate
    works: bool
    reason: str  # "ok", or why not: http_404, html_page, empty, json_feed_unsupported, ...
    message: str
    url: str | None = None  # where it ended after redirects
    title: str = ""
    items: int = 0
    newest: datetime | None = None  # the newest item whose date the feed gave
    preview: tuple[ParsedItem, ...] = ()  # its first PREVIEW items, for a working feed


@dataclass(frozen=True)
class ListingProposal:
    """Selectors inferred from the page, and the items they read (the first PREVIEW)."""

    selectors: ListingSelectors
    items: tuple[ParsedItem, ...]
    count: int
    newest: datetime | None


@dataclass(frozen=True)
class Discovery:
    """All that discovery learnt about one page address."""

    url: str  # as asked
    page_url: str  # after redirects
    page_title: str
    checked_at: datetime
    refused: Refusal | None = None
    checks: tuple[CandidateCheck, ...] = ()
    best: CandidateCheck | None = None
    listing: ListingProposal | None = None
    listing_problem: str | None = None  # why no listing is proposed, when none is

    @property
    def feed_title(self) -> str:
        return self.best.title if self.best else ""


def discover(
    fetcher: Fetcher,
    robots: RobotsRules,
    url: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    limit: int = MAX_CHECKED,
    budget: timedelta = BUDGET,
    timer: Timer = time.monotonic,
) -> Discovery:
    """Read the page at `url`, check its feed candidates, and propose the best source."""
    answer = robots.check(url)
    if not answer.allowed:
        reason = "robots_disallowed" if answer.reason == "disallowed" else answer.reason
        return Discovery(url, url, "", now, refused=Refusal(reason, answer.message))
    page = fetcher.fetch(FetchRequest(url))
    if page.status == FetchStatus.ERROR or page.body is None:
        refusal = Refusal(page.error_reason or "fetch_failed", page.error or "no answer")
        return Discovery(url, page.url, "", now, refused=refusal)
    try:
        tree = parse_page(page.body, page.content_type)
    except FeedError:  # not a web page: perhaps the address is a feed itself
        given = FeedCandidate(page.url, Origin.GIVEN, "the address itself")
        check = verdict(given, page, now=now, tz=tz)
        why = None if check.works else "the address answered with no web page to read"
        best = _best([check])
        return Discovery(url, page.url, "", now, checks=(check,), best=best, listing_problem=why)
    found = page_candidates(tree, page.url, page_base(tree, page.url))
    checker = _Checker(fetcher, robots, now=now, tz=tz, deadline=timer() + budget.total_seconds())
    checks = checker.check_all(found, limit, timer)
    title = _clean_title(page_title(tree))
    best = _best(checks)
    found_page = Discovery(url, page.url, title, now, checks=tuple(checks), best=best)
    return found_page if best else _with_listing(found_page, page, now=now, tz=tz)


class _Checker:
    """Checks candidates, PARALLEL at a time, none started after the deadline."""

    def __init__(
        self, fetcher: Fetcher, robots: RobotsRules, *, now: datetime, tz: ZoneInfo, deadline: float
    ) -> None:
        self._fetcher, self._robots = fetcher, robots
        self._now, self._tz, self._deadline = now, tz, deadline

    def check_all(
        self, candidates: Sequence[FeedCandidate], limit: int, timer: Timer
    ) -> list[CandidateCheck]:
        def check(candidate: FeedCandidate) -> CandidateCheck:
            if timer() >= self._deadline:
                return _not_checked(candidate, "discovery's time budget ran out first")
            return self.check(candidate)

        with ThreadPoolExecutor(PARALLEL, thread_name_prefix="discover") as pool:
            checked = list(pool.map(check, candidates[:limit]))
        skipped = [
            _not_checked(c, f"over the {limit} candidates checked") for c in candidates[limit:]
        ]
        return checked + skipped

    def check(self, candidate: FeedCandidate) -> CandidateCheck:
        answer = self._robots.check(candidate.url)
        if not answer.allowed:
            reason = "robots_disallowed" if answer.reason == "disallowed" else answer.reason
            return CandidateCheck(candidate, False, reason, answer.message)
        fetched = self._fetcher.fetch(FetchRequest(candidate.url))
        return verdict(candidate, fetched, now=self._now, tz=self._tz)


def verdict(
    candidate: FeedCandidate, fetched: FetchResult, *, now: datetime, tz: ZoneInfo
) -> CandidateCheck:
    """Whether a fetched candidate is a feed the poller can read, with items; if not, why."""
    if fetched.status == FetchStatus.ERROR or fetched.body is None:
        reason = fetched.error_reason or "fetch_failed"
        return CandidateCheck(candidate, False, reason, fetched.error or "", fetched.url)
    unusable = _json_feed(candidate, fetched)
    if unusable is not None:
        return unusable
    try:
        parsed = parse_feed(
            fetched.body, url=fetched.url, content_type=fetched.content_type, fetched_at=now, tz=tz
        )
    except FeedError as error:
        return CandidateCheck(candidate, False, error.reason, error.message, fetched.url)
    return _working(candidate, fetched.url, parsed)


def _working(candidate: FeedCandidate, url: str, parsed: ParsedFeed) -> CandidateCheck:
    count = len(parsed.items)
    message = f"a feed with {count} item{'s' if count != 1 else ''}"
    if parsed.problem:
        message += f" ({parsed.problem})"
    title = _clean_title(parsed.title)
    return CandidateCheck(
        candidate,
        True,
        "ok",
        message,
        url,
        title,
        count,
        newest(parsed.items),
        parsed.items[:PREVIEW],
    )


def newest(items: Sequence[ParsedItem]) -> datetime | None:
    """The newest date the items really gave (one claimed ahead was set to the fetch time)."""
    dates = [i.published for i in items if i.published and not i.flags & _UNSURE_DATES]
    return max(dates, default=None)


def _json_feed(candidate: FeedCandidate, fetched: FetchResult) -> CandidateCheck | None:
    """A JSON Feed is reported as such, unusable: parse_feed (feedparser 6.0) reads RSS and
    Atom only, so the poller could not read it."""
    body = (fetched.body or b"").lstrip(b"\xef\xbb\xbf \t\r\n")
    if not body.startswith(b"{") and "json" not in (fetched.content_type or "").lower():
        return None
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None  # parse_feed will name what it is
    if not isinstance(document, dict) or "jsonfeed.org" not in str(document.get("version")):
        return None
    entries = document.get("items")
    count = len(entries) if isinstance(entries, list) else 0
    message = (
        f"a JSON Feed with {count} item{'s' if count != 1 else ''}, which the poller cannot "
        "read (it reads RSS and Atom); ask the portal for its RSS feed"
    )
    title = _clean_title(str(document.get("title") or ""))
    return CandidateCheck(
        candidate, False, "json_feed_unsupported", message, fetched.url, title, count
    )


def _not_checked(candidate: FeedCandidate, why: str) -> CandidateCheck:
    return CandidateCheck(candidate, False, "not_checked", f"not checked: {why}")


def _best(checks: Sequence[CandidateCheck]) -> CandidateCheck | None:
    """The working feed with the most recent newest item, then the most items, then advertised
    before guessed, then the first found."""
    working = [(index, check) for index, check in enumerate(checks) if check.works]
    if not working:
        return None
    _, chosen = max(
        working,
        key=lambda pair: (
            pair[1].newest or _EPOCH,
            pair[1].items,
            _RANK[pair[1].candidate.origin],
            -pair[0],
        ),
    )
    return chosen


def _with_listing(found: Discovery, page: FetchResult, *, now: datetime, tz: ZoneInfo) -> Discovery:
    """`found` with a listing proposal read from the page, or the reason there is none."""
    from syndicator.ingest.listing.extract import parse_listing
    from syndicator.ingest.listing.infer import infer_selectors

    body, url, content_type = page.body or b"", page.url, page.content_type
    try:
        selectors = infer_selectors(body, url=url, content_type=content_type)
        if selectors is None:
            return replace(found, listing_problem="no repeated article links found in the page")
        parsed = parse_listing(
            body, url=url, content_type=content_type, fetched_at=now, tz=tz, selectors=selectors
        )
    except FeedError as error:
        return replace(found, listing_problem=f"{error.reason}: {error.message}")
    proposal = ListingProposal(
        selectors, parsed.items[:PREVIEW], len(parsed.items), newest(parsed.items)
    )
    return replace(found, listing=proposal)


def _clean_title(text: str) -> str:
    title = normalize_text(text)
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1].rstrip() + "…"
