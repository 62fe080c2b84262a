"""The values ingest inserts for an item."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def item_row(n: int, url_key: str | None = None) -> dict[str, object]:
    """The values ingest inserts for an item, for item n of feed "a"."""
    return {
        "title": f"Tin số {n}",
        "title_key": f"tin so {n}",
        "first_feed_id": "a",
        "url_key": url_key,
        "canonical_url": None,
        "link": None,
        "guid": None,
        "summary": "",
        "content_html": "",
        "image": None,
        "author": None,
        "categories": [],
        "flags": [],
        "published_at": T0 + timedelta(minutes=n),
        "postable": True,
        "created_at": T0,
    }
