"""The report benchmark's database: a year of 1,000 portals, 1,000,000 items, through the
product's migrations and tables (issue #12).

Core executemany inserts (setup, not measured), a week of days per transaction, in the order a
real database grows: each day's items by time, ids rising. Every item has its source; 4 % were
also carried by a second portal (a second source, hours later). Items of the portals that post
(the departments' news feeds and a few communes) have a post on Facebook and on Zalo, mostly
published. Failed polls: a few days a year on most portals, every day since they broke on a few.
Kept in a cache file, rebuilt when the item count, a migration or the day changes (the CLI's
`--since 30d` counts back from the real clock, so the data must end today).
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import _repo  # noqa: F401  (puts the repository on sys.path)
from sqlalchemy import Engine, Table, insert
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (the tables, in SQLModel.metadata)
from bench.report_portals import CATEGORIES, Portal, portals
from bench.report_titles import summary_of, title_of
from connectors.rendering import Rendered
from storage import migrate
from storage.engine import make_engine
from storage.search_text import search_text
from syndicator.ingest.dedup import digest, title_digest

FILL_VERSION = 2  # bump when the generated data changes (2: posts' reach counters)
DAYS = 365
CHUNK_DAYS = 7
CROSS_PORTAL = 0.04
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
SHARE = {cat: share for cat, share, _section in CATEGORIES}
SECTION = {cat: section for cat, _share, section in CATEGORIES}


@dataclass
class Year:
    """What the generator keeps from day to day."""

    feeds: list[Portal]
    start: datetime
    until: datetime
    rng: random.Random = field(default_factory=lambda: random.Random(12))
    next_id: int = 1
    next_post_id: int = 1
    newest: dict[str, datetime] = field(default_factory=dict)  # feed -> its newest item


def table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def slug(title: str) -> str:
    folded = unicodedata.normalize("NFD", title.casefold().replace("đ", "d"))
    kept = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    return "-".join(kept.split())[:80]


def daily_counts(count: int, start: datetime) -> list[int]:
    """`count` items over DAYS days, a weekend day at a third of a working day's."""
    weights = [0.3 if (start + timedelta(days=d)).astimezone(LOCAL).weekday() >= 5 else 1.0
               for d in range(DAYS)]  # fmt: skip
    total = sum(weights)
    counts = [int(count * w / total) for w in weights]
    for d in range(count - sum(counts)):
        counts[d % DAYS] += 1
    return counts


def link_of(feed: Portal, category: str, title: str, item_id: int, rng: random.Random) -> str:
    """NukeViet-style links; half the items of a category sit in its own section."""
    section = SECTION[category] if rng.random() < 0.5 else "tin-tuc"
    if category == "van-ban" and section == "van-ban" and rng.random() < 0.5:
        return f"https://{feed.host}/vi/laws/detail/{slug(title)}-{item_id}/"
    return f"https://{feed.host}/vi/news/{section}/{slug(title)}-{item_id}.html"


def item_row(feed: Portal, item_id: int, at: datetime, rng: random.Random) -> dict[str, Any]:
    weights = [SHARE[cat] for cat in feed.categories]
    category = rng.choices(feed.categories, weights)[0]
    title = title_of(rng, category, item_id)
    link = link_of(feed, category, title, item_id, rng)
    summary = summary_of(title, feed.agency)
    return {
        "id": item_id, "canonical_url": link, "url_key": digest(link), "link": link,
        "guid": f"news_{item_id}", "title": title, "title_key": title_digest(title),
        "search_text": search_text(title), "summary": summary,
        "content_html": f"<p>{summary}</p>", "image": f"https://{feed.host}/uploads/news/{item_id}.jpg",
        "author": None, "categories": [SECTION[category]], "flags": [], "published_at": at,
        "first_feed_id": feed.id, "postable": feed.channels, "created_at": at,
    }  # fmt: skip


def source_row(feed_id: str, item: dict[str, Any], link: str, at: datetime) -> dict[str, Any]:
    guid = f"{feed_id}:{item['guid']}"
    return {"item_id": item["id"], "feed_id": feed_id, "source_key": digest(f"guid:{guid}"),
            "guid": item["guid"], "link": link, "seen_at": at}  # fmt: skip


def post_rows(year: Year, item: dict[str, Any]) -> list[dict[str, Any]]:
    """A post on each channel: the last day's wait for review, older ones went through."""
    rows, until, rng = [], year.until, year.rng
    for channel in ("facebook", "zalo"):
        at: datetime = item["created_at"]
        published_at = at + timedelta(minutes=rng.randint(30, 360))
        roll = rng.random()
        status = ("pending_review" if until - at < timedelta(days=1) or published_at >= until
                  else "rejected" if roll < 0.07 else "failed" if roll < 0.09 else "published")  # fmt: skip
        done = status == "published"
        rows.append({
            "id": year.next_post_id, "item_id": item["id"], "channel": channel, "feed_id": item["first_feed_id"],
            "generation": 0, "status": status, "version": 4 if done else 1, "priority": 0,
            "rendered": Rendered(channel, item["title"], item["link"]).to_json(), "flags": [],
            "attempts": 1 if done else 0, "published_at": published_at if done else None,
            "remote_id": f"{channel}-{item['id']}" if done else None,
            "approved_by": "phe-duyet" if done else None, "approved_at": at if done else None,
            "created_at": at, "updated_at": published_at if done else at,
        })  # fmt: skip
        year.next_post_id += 1
    return rows


REACH_AGES = (3600, 86400, 7 * 86400)  # reach.ages' defaults, in seconds


def reach_rows(post: dict[str, Any], until: datetime, rng: random.Random) -> list[dict[str, Any]]:
    """A published post's counters at each age already reached: Facebook gives every counter
    but views, Zalo only views (issue #14); counters grow with the post's age."""
    rows = []
    facebook = post["channel"] == "facebook"
    for age in REACH_AGES:
        at = post["published_at"] + timedelta(seconds=age)
        if at > until:
            break
        grown = age**0.25

        def count(scale: float, grown: float = grown) -> int:
            return int(rng.expovariate(1 / scale) * grown)

        counters = (
            {"reactions": count(4), "comments": count(1), "shares": count(0.5),
             "impressions": count(150), "clicks": count(6), "views": None}
            if facebook
            else {"reactions": None, "comments": None, "shares": None, "impressions": None,
                  "clicks": None, "views": count(40)}
        )  # fmt: skip
        rows.append({"post_id": post["id"], "age_seconds": age, "collected_at": at, **counters})
    return rows


Rows = dict[str, list[dict[str, Any]]]


def day_rows(year: Year, day: int, count: int) -> Rows:
    """One day's items (by time, ids rising), their sources and posts."""
    rng, base = year.rng, year.start + timedelta(days=day)
    active = [
        f for f in year.feeds if f.weight > 0 and (f.quiet_from is None or day < f.quiet_from)
    ]
    chosen = rng.choices(active, [f.weight for f in active], k=count)
    moments = sorted(base + timedelta(seconds=rng.uniform(0, 86400)) for _ in chosen)
    rows: Rows = {"item": [], "item_source": [], "post": [], "post_reach": []}
    for feed, at in zip(chosen, moments, strict=True):
        if at >= year.until:
            continue
        item = item_row(feed, year.next_id, at, rng)
        year.next_id += 1
        rows["item"].append(item)
        rows["item_source"].append(source_row(feed.id, item, item["link"], at))
        year.newest[feed.id] = at
        if rng.random() < CROSS_PORTAL:
            rows["item_source"].extend(copy_rows(year, active, feed, item))
        if feed.channels:
            posts = post_rows(year, item)
            rows["post"].extend(posts)
            for post in posts:
                if post["status"] == "published":
                    rows["post_reach"].extend(reach_rows(post, year.until, rng))
    return rows


def copy_rows(
    year: Year, active: list[Portal], feed: Portal, item: dict[str, Any]
) -> list[dict[str, Any]]:
    """Another portal carrying the same article, minutes to two days later."""
    other = year.rng.choice(active)
    at = item["created_at"] + timedelta(seconds=year.rng.uniform(600, 2 * 86400))
    if other.id == feed.id or at >= year.until:
        return []
    year.newest[other.id] = max(at, year.newest.get(other.id, at))
    link = f"https://{other.host}/vi/news/tin-tuc/{slug(item['title'])}-{item['id']}.html"
    return [source_row(other.id, item, link, at)]


def error_rows(year: Year) -> Iterator[dict[str, Any]]:
    """feed_error_day (failed polls per feed and UTC day): a few days a year on most portals,
    and every day since a broken portal broke."""
    rng = random.Random(13)
    for feed in year.feeds:
        for day in range(DAYS):
            when = (year.start + timedelta(days=day)).date()
            if feed.broken_from is not None and day >= feed.broken_from:
                failures = rng.randint(6, 24)  # backoff spaces a broken feed's polls
            elif rng.random() < feed.error_rate:
                failures = rng.randint(1, 4)
            else:
                continue
            yield {"day": when, "feed_id": feed.id, "failures": failures}


def state_rows(year: Year) -> list[dict[str, Any]]:
    rows = []
    for feed in year.feeds:
        broken_at = year.start + timedelta(days=feed.broken_from or 0)
        broken = feed.broken_from is not None
        rows.append({
            "feed_id": feed.id, "url": f"https://{feed.host}/rss", "initialized": True,
            "last_polled_at": year.until - timedelta(minutes=4),
            "last_success_at": broken_at if broken else year.until - timedelta(minutes=4),
            "last_error_at": year.until - timedelta(minutes=4) if broken else None,
            "last_error": "HTTP 503" if broken else None, "consecutive_failures": 12 if broken else 0,
            "broken": broken, "newest_item_at": year.newest.get(feed.id),
        })  # fmt: skip
    return rows


def fill(engine: Engine, count: int, feeds: int, until: datetime) -> Year:
    """The year up to `until`."""
    migrate.upgrade(engine)
    year = Year(portals(feeds, DAYS), until - timedelta(days=DAYS), until)
    counts = daily_counts(count, year.start)
    for first in range(0, DAYS, CHUNK_DAYS):
        with engine.begin() as connection:
            for day in range(first, min(first + CHUNK_DAYS, DAYS)):
                for name, rows in day_rows(year, day, counts[day]).items():
                    if rows:
                        connection.execute(insert(table(name)), rows)
        print(f"\rfilled {year.next_id - 1:,} items", end="", file=sys.stderr)
    print(file=sys.stderr)
    with engine.begin() as connection:
        connection.execute(insert(table("feed_state")), state_rows(year))
        connection.execute(insert(table("feed_error_day")), list(error_rows(year)))
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    return year


def schema_tag() -> str:
    """The migrations as they are on disk: a changed one (not only a new one) means a refill."""
    digest = hashlib.sha256()
    for path in sorted((Path(migrate.__file__).parent / "migrations" / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    return f"{migrate.HEAD}-{digest.hexdigest()[:10]}"


def cached_fill(cache: Path, count: int, feeds: int) -> datetime:
    """The database in `cache`, filled up to this hour unless a fill of today with the same
    migrations is there; returns the end of its data."""
    marker = cache.with_suffix(".done")
    until = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    made = f"{count} items, {feeds} feeds, fill {FILL_VERSION}, schema {schema_tag()}"
    if marker.exists():
        kept, _, ended = marker.read_text().strip().partition(" until ")
        if kept == made and ended[:10] == until.date().isoformat():
            return datetime.fromisoformat(ended)
    cache.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{cache}")
    started = time.perf_counter()
    fill(engine, count, feeds, until)
    engine.dispose()
    with sqlite3.connect(cache) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    marker.write_text(f"{made} until {until.isoformat()}")
    print(f"fill took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return until
