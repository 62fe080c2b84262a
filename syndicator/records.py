"""Plain values passed between the stages of ingest: fetched bytes → parsed feed → parsed items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from storage.states import FetchStatus


class Flag(StrEnum):
    """Facts about an item that review rules and reports care about."""

    DATE_CLAMPED = "date_clamped"  # claimed a date more than a day ahead; set to fetch time
    DATE_MISSING = "date_missing"  # no readable date; fetch time used
    DATE_ASSUMED_TZ = "date_assumed_tz"  # naive time read in the feed's timezone
    LEGACY_ENCODING = "legacy_encoding"  # TCVN3 / VNI text converted to Unicode
    MOJIBAKE_REPAIRED = "mojibake_repaired"
    NO_LINK = "no_link"
    NO_TITLE = "no_title"


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """One feed entry after normalization: clean NFC text, absolute URLs, an aware date."""

    guid: str | None
    link: str | None  # absolute, as the portal gave it
    url: str | None  # canonical form of link, used for dedup
    title: str
    summary: str  # plain text
    content_html: str  # sanitized HTML, links and images absolute
    image: str | None  # absolute URL
    published: datetime | None  # aware, UTC
    categories: tuple[str, ...] = ()
    author: str | None = None
    flags: frozenset[Flag] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item ingest has just stored, handed on to make its posts."""

    item_id: int
    item: ParsedItem
    published: datetime


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed document. `problem` says what feedparser had to salvage, if anything."""

    title: str
    link: str | None
    items: tuple[ParsedItem, ...]
    ttl: timedelta | None = None  # RSS <ttl>: the publisher asks us not to poll sooner
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """What the fetcher needs to poll one feed conditionally."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    previous_hash: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one HTTP fetch. A failure is a value (`error_reason`), never an exception.

    status: FetchStatus: ok (new body), not_modified (304), unchanged (same bytes as last time),
    error.
    """

    status: FetchStatus
    url: str  # final URL after redirects (base for relative links)
    body: bytes | None = None
    body_hash: str | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    http_status: int | None = None
    retry_after: timedelta | None = None  # from 429/503 Retry-After
    max_age: timedelta | None = None  # from Cache-Control
    error_reason: str | None = None  # stable code: "timeout", "http_404", "too_large", ...
    error: str | None = None  # one human line
    elapsed: float = 0.0


class FeedParser(Protocol):
    """What turns fetched bytes into a ParsedFeed: parse_feed itself, or a ParsePool."""

    def __call__(
        self,
        body: bytes,
        *,
        url: str,
        content_type: str | None,
        fetched_at: datetime,
        tz: ZoneInfo,
    ) -> ParsedFeed: ...
