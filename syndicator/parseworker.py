"""What a parser worker process runs. Kept apart so the main process need not import the parser."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from syndicator.records import ParsedFeed


def parse_in_worker(
    body: bytes, *, url: str, content_type: str | None, fetched_at: datetime, tz: ZoneInfo
) -> ParsedFeed:
    """parse_feed, imported on first use inside the worker."""
    from syndicator.parse import parse_feed

    return parse_feed(body, url=url, content_type=content_type, fetched_at=fetched_at, tz=tz)
