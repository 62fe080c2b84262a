"""Feed bytes → ParsedFeed: refuse what is not a feed or is hostile, then normalize every item."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import feedparser  # type: ignore[import-untyped]  # no stubs published
from feedparser.encodings import convert_to_utf8  # type: ignore[import-untyped]
from feedparser.exceptions import (  # type: ignore[import-untyped]
    CharacterEncodingOverride,
    NonXMLContentType,
)

from syndicator.errors import FeedError, NotAFeed
from syndicator.ingest.normalize.doctype import check_doctype
from syndicator.ingest.normalize.entry import field_text, normalize_entry
from syndicator.ingest.normalize.sniff import check_body, has_feed_root, mend_utf8
from syndicator.ingest.normalize.urls import absolute_url
from syndicator.records import ParsedFeed

# bozo reasons that say "read fine, but the label was wrong": not worth a problem line.
_HARMLESS = (CharacterEncodingOverride, NonXMLContentType)
_PROBLEM_LIMIT = 200
_WHITESPACE = re.compile(r"\s+")


def parse_feed(
    body: bytes, *, url: str, content_type: str | None, fetched_at: datetime, tz: ZoneInfo
) -> ParsedFeed:
    """Parse and normalize one fetched feed; every failure is a FeedError with a stable reason."""
    try:
        return _parse(body, url=url, content_type=content_type, fetched_at=fetched_at, tz=tz)
    except FeedError:
        raise
    except Exception as exc:  # any input bytes must end as a FeedError, never a traceback
        raise FeedError("parse_failed", _one_line(f"could not parse the feed: {exc!r}")) from exc


def _parse(
    body: bytes, *, url: str, content_type: str | None, fetched_at: datetime, tz: ZoneInfo
) -> ParsedFeed:
    # Without a Content-Type feedparser would read undeclared bytes as ISO-8859-1; the fetcher
    # always has one, and application/xml means "trust the XML declaration, else UTF-8".
    # No content-location: feedparser would urljoin every link against it (a tenth of its
    # time); normalize_entry resolves the links that matter against the final URL itself.
    headers = {"content-type": content_type or "application/xml"}
    check_body(body)
    body, replaced = mend_utf8(body, content_type)
    data = convert_to_utf8(headers, body, {})  # the very bytes feedparser will hand to expat
    check_body(data)
    check_doctype(data)
    # Stream, not bytes: feedparser treats a bytes/str argument that looks like a URL or a
    # path as one. Its sanitizer and URI resolver are off: nh3 does both, per item, faster.
    result = feedparser.parse(
        io.BytesIO(body), response_headers=headers, resolve_relative_uris=False, sanitize_html=False
    )
    entries = result.get("entries") or []
    if not entries and not has_feed_root(data):
        raise NotAFeed("not_a_feed", "the document holds no RSS or Atom channel")
    if not entries:
        raise NotAFeed("empty", "the feed is valid but holds no items")
    feed: Mapping[str, Any] = result.get("feed") or {}
    return ParsedFeed(
        title=field_text(feed, "title")[0],
        link=absolute_url(feed.get("link"), url),
        items=tuple(
            normalize_entry(e, feed_url=url, fetched_at=fetched_at, tz=tz) for e in entries
        ),
        ttl=_ttl(feed.get("ttl")),
        problem=_problem(result) or _replaced(replaced),
    )


def _ttl(value: Any) -> timedelta | None:
    text = value.strip() if isinstance(value, str) else ""
    if not text.isascii() or not text.isdigit() or int(text) <= 0:
        return None
    return timedelta(minutes=min(int(text), 60 * 24 * 365))


def _problem(result: Mapping[str, Any]) -> str | None:
    """One line on what feedparser had to salvage, or None when the document was sound."""
    error = result.get("bozo_exception")
    if not result.get("bozo") or error is None or isinstance(error, _HARMLESS):
        return None
    return _one_line(f"{type(error).__name__}: {error}")


def _replaced(count: int) -> str | None:
    return f"{count} invalid UTF-8 byte(s) replaced with U+FFFD" if count else None


def _one_line(text: str) -> str:
    text = _WHITESPACE.sub(" ", text).strip()
    return text if len(text) <= _PROBLEM_LIMIT else text[: _PROBLEM_LIMIT - 1] + "…"
