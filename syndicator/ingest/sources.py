"""Source kinds (issue #13): how one fetched answer becomes a ParsedFeed, behind one interface,
the way channels sit behind connectors/registry.py.

- rss: an RSS, Atom or JSON feed, through the feed parser (in worker processes when set).
- html: a portal's news listing page read with the feed's CSS selectors (ingest/listing/); the
  new items the listing leaves without a summary or an image are completed from their article
  page's Open Graph tags, each article fetched once, under the same host cap, timeouts, size
  cap and address rules as feeds, and only where robots.txt allows.

Every kind is asked first whether the address may be fetched at all (robots.txt for pages: a
feed is published for machines to read, a page is not).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

import structlog

from syndicator.errors import FeedError
from syndicator.ingest.fetch import Fetcher
from syndicator.ingest.listing.article import article_facts, fill_from_article
from syndicator.ingest.listing.extract import parse_listing
from syndicator.records import FeedParser, FetchRequest, FetchResult, ParsedFeed, ParsedItem
from syndicator.settings_models import FeedSettings

log = structlog.get_logger("syndicator.ingest.sources")

MAX_ARTICLES = 20  # article pages fetched per poll of one listing: a first poll sees ~20 items


class RobotsPolicy(Protocol):
    """Whether robots.txt lets us fetch an address (syndicator.ingest.robots)."""

    def allowed(self, url: str) -> bool: ...


# Which of a feed's links are new: (feed id, links) -> the links not yet stored for it.
NewLinks = Callable[[str, Sequence[str]], set[str]]


class SourceKind(Protocol):
    """What the poller asks of a source kind."""

    def refusal(self, url: str) -> FeedError | None:
        """Why `url` must not be fetched now, or None."""
        ...

    def read(
        self, fetched: FetchResult, feed: FeedSettings, fetched_at: datetime, tz: ZoneInfo
    ) -> ParsedFeed:
        """The items of a fetched answer (FeedError when there are none to be had)."""
        ...


@dataclass(frozen=True)
class FeedSource:
    """`type = "rss"`: the feed parser."""

    parse: FeedParser

    def refusal(self, url: str) -> FeedError | None:
        return None

    def read(
        self, fetched: FetchResult, feed: FeedSettings, fetched_at: datetime, tz: ZoneInfo
    ) -> ParsedFeed:
        return self.parse(
            fetched.body or b"",
            url=fetched.url,
            content_type=fetched.content_type,
            fetched_at=fetched_at,
            tz=tz,
        )


@dataclass(frozen=True)
class ListingSource:
    """`type = "html"`: a listing page and its selectors, new items completed from their
    article pages. Without `robots` nothing is refused (tests of extraction only); the App
    always passes its rules."""

    fetcher: Fetcher
    new_links: NewLinks
    robots: RobotsPolicy | None = None
    max_articles: int = MAX_ARTICLES

    def refusal(self, url: str) -> FeedError | None:
        if self.robots is None or self.robots.allowed(url):
            return None
        return FeedError("robots_disallowed", "the site's robots.txt does not allow this page")

    def read(
        self, fetched: FetchResult, feed: FeedSettings, fetched_at: datetime, tz: ZoneInfo
    ) -> ParsedFeed:
        if feed.selectors is None:  # settings refuse type = "html" without selectors
            raise FeedError("selectors_broken", "the feed has no [feeds.selectors]")
        listing = parse_listing(
            fetched.body or b"",
            url=fetched.url,
            content_type=fetched.content_type,
            fetched_at=fetched_at,
            tz=tz,
            selectors=feed.selectors,
        )
        items = self._completed(feed, listing.items, fetched_at, tz)
        return dataclasses.replace(listing, items=items)

    def _completed(
        self,
        feed: FeedSettings,
        items: tuple[ParsedItem, ...],
        fetched_at: datetime,
        tz: ZoneInfo,
    ) -> tuple[ParsedItem, ...]:
        """Items missing a summary or an image, and new, completed from their article page."""
        lacking = [item.link for item in items if item.link and not (item.summary and item.image)]
        if not lacking:
            return items
        new = self.new_links(feed.id, lacking)
        wanted = set([link for link in lacking if link in new][: self.max_articles])
        return tuple(
            self._from_article(item, fetched_at, tz) if item.link in wanted else item
            for item in items
        )

    def _from_article(self, item: ParsedItem, fetched_at: datetime, tz: ZoneInfo) -> ParsedItem:
        link = item.link or ""
        if self.refusal(link) is not None:
            return item
        fetched = self.fetcher.fetch(FetchRequest(link))
        if fetched.status != "ok" or not fetched.body:
            log.info("article.unread", link=link, reason=fetched.error_reason)
            return item
        facts = article_facts(
            fetched.body,
            url=fetched.url,
            content_type=fetched.content_type,
            tz=tz,
            fetched_at=fetched_at,  # a date more than a day ahead is clamped, as a feed's
        )
        return fill_from_article(item, facts)


@dataclass(frozen=True)
class Sources:
    """The source kinds by `type`."""

    kinds: dict[str, SourceKind]

    def of(self, feed: FeedSettings) -> SourceKind:
        return self.kinds[feed.type]


def dry_run_sources(fetcher: Fetcher, robots: RobotsPolicy, parse: FeedParser) -> Sources:
    """The source kinds for a check that stores nothing (`feeds check`, discovery's preview):
    every item counts as new, so a listing's items are shown completed as polling would."""
    listing = ListingSource(fetcher, lambda _feed, links: set(links), robots)
    return Sources({"rss": FeedSource(parse), "html": listing})
