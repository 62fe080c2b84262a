"""Dedup benchmark: the product's store path on a SQLite database already holding 1,000,000 items.

    .venv/bin/python bench/dedup.py [--items 1000000] [--measure 20000] [--out FILE]

The fill (setup, not measured) goes through the product's migrations and tables with core
executemany inserts, and is cached in --cache (copied to a scratch file for every run, so each
run starts from the same database). Then, through `syndicator.ingest.store` with harvests of 30
ParsedItems each, as tests/test_ingest.py builds them, it measures:
- insert: articles no feed gave before (NEW: one item and one source each);
- known: articles the same feed gave before (SEEN: lookups only, nothing written but the state);
- cross-portal: articles another feed gave before, same URL (NEW_SOURCE: a source each);
- lookup: `ingest.lookup` + `dedup.decide` alone, for the known articles, in a reading session.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _repo  # noqa: F401  (puts the repository on sys.path)
from sqlalchemy import Engine, Table, insert
from sqlmodel import SQLModel

from storage import migrate
from storage.engine import make_engine
from storage.models import FeedState, Item, ItemSource
from storage.session import reading
from syndicator import ingest
from syndicator.dedup import candidates, decide, digest
from syndicator.normalize import title_key
from syndicator.records import FetchResult, ParsedFeed, ParsedItem
from syndicator.settings_models import FeedSettings, PollingSettings

FEEDS = 1000
BATCH = 30
OLDEST = datetime(2026, 10, 16, 0, 0, tzinfo=UTC)  # article n of a feed is 50·n minutes later
POLLING = PollingSettings()
TARGET = 5000.0
CACHE = Path(tempfile.gettempdir()) / "syndicator-bench-dedup.sqlite"
SUMMARY = (
    "Sáng nay, Ủy ban nhân dân tỉnh đã tổ chức hội nghị triển khai nhiệm vụ trọng tâm, "
    "với sự tham dự của lãnh đạo các sở, ban, ngành và các huyện, thị xã, thành phố. "
)


def feed_id(number: int) -> str:
    return f"d{number:05d}"


def article(feed: int, n: int) -> ParsedItem:
    """Article `n` of feed `feed`: the same values for the fill and for the measured harvests."""
    url = f"https://cong{feed}.tinh.gov.vn/vi/news/thoi-su/bai-viet-so-{n}-{feed}.html"
    return ParsedItem(
        guid=f"news_{n}",
        link=url,
        url=url,
        title=f"Cổng {feed}: hội nghị triển khai kế hoạch chuyển đổi số số {n}/KH-UBND năm 2026",
        summary=SUMMARY * 2,
        content_html=f"<p>{SUMMARY * 3}</p>",
        image=f"https://cong{feed}.tinh.gov.vn/uploads/news/{n}.jpg",
        published=OLDEST + timedelta(minutes=50 * n + feed % 50),
    )


def item_row(item_id: int, feed: int, item: ParsedItem) -> dict[str, Any]:
    return {
        "id": item_id,
        "canonical_url": item.url,
        "url_key": digest(item.url or ""),
        "link": item.link,
        "guid": item.guid,
        "title": item.title,
        "title_key": title_key(item.title),
        "summary": item.summary,
        "content_html": item.content_html,
        "image": item.image,
        "author": None,
        "categories": ["Thời sự"],
        "flags": [],
        "published_at": item.published,
        "first_feed_id": feed_id(feed),
        "postable": False,
        "created_at": item.published,
    }


def source_row(item_id: int, feed: int, item: ParsedItem) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "feed_id": feed_id(feed),
        "source_key": digest(f"guid:{item.guid}"),
        "guid": item.guid,
        "link": item.link,
        "seen_at": item.published,
    }


def table(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def fill(engine: Engine, count: int) -> None:
    """`count` items, `count / FEEDS` per feed (article numbers 0..), each with its one source."""
    migrate.upgrade(engine)
    per_feed = count // FEEDS
    with engine.begin() as connection:
        connection.execute(
            insert(table(FeedState)),
            [
                {
                    "feed_id": feed_id(f),
                    "url": f"https://cong{f}.tinh.gov.vn/rss",
                    "initialized": True,
                    "consecutive_failures": 0,
                    "broken": False,
                }
                for f in range(FEEDS)
            ],
        )
    for start in range(0, per_feed, 10):
        items, sources = [], []
        for n in range(start, min(start + 10, per_feed)):
            for f in range(FEEDS):
                item_id = n * FEEDS + f + 1
                parsed = article(f, n)
                items.append(item_row(item_id, f, parsed))
                sources.append(source_row(item_id, f, parsed))
        with engine.begin() as connection:
            connection.execute(insert(table(Item)), items)
            connection.execute(insert(table(ItemSource)), sources)
        print(f"\rfilled {min(start + 10, per_feed) * FEEDS:,} items", end="", file=sys.stderr)
    print(file=sys.stderr)


def cached_fill(cache: Path, count: int) -> None:
    marker = cache.with_suffix(".done")
    if marker.exists() and marker.read_text() == str(count):
        return
    cache.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{cache}")
    started = time.perf_counter()
    fill(engine, count)
    engine.dispose()
    with sqlite3.connect(cache) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    marker.write_text(str(count))
    print(f"fill took {time.perf_counter() - started:.0f} s", file=sys.stderr)


def feed_settings(feed: int) -> FeedSettings:
    return FeedSettings(
        id=feed_id(feed), name=f"Cổng {feed}", url=f"https://cong{feed}.tinh.gov.vn/rss"
    )


def harvest(feed: FeedSettings, items: list[ParsedItem]) -> ingest.Harvest:
    """Built as tests/test_ingest.py builds them: a 200 with a parsed feed of `items`."""
    at = max(item.published for item in items if item.published) + timedelta(hours=1)
    fetched = FetchResult(
        "ok", feed.url, body=b"<rss/>", body_hash="h", etag='"e"', http_status=200
    )
    return ingest.Harvest(feed, fetched, at, ParsedFeed("Feed", None, tuple(items)))


def harvests(count: int, first_article: int, shift: int = 0) -> Iterator[ingest.Harvest]:
    """`count` items in batches of 30: batch h is feed (h + shift)'s copy of feed h's articles,
    numbered from `first_article`; with shift, the copy has its own guid (another portal's)."""
    settings = {f: feed_settings(f) for f in range(FEEDS)}
    for h in range(count // BATCH):
        source, start = h % FEEDS, first_article + (h // FEEDS) * BATCH
        items = [article(source, n) for n in range(start, start + BATCH)]
        if shift:
            items = [
                ParsedItem(
                    f"copy_{i.guid}",
                    i.link,
                    i.url,
                    i.title,
                    i.summary,
                    i.content_html,
                    i.image,
                    i.published,
                )
                for i in items
            ]
        yield harvest(settings[(source + shift) % FEEDS], items)


def time_store(engine: Engine, batches: list[ingest.Harvest]) -> dict[str, Any]:
    started = time.perf_counter()
    outcomes = [ingest.store(engine, h, POLLING, backfill=0) for h in batches]
    seconds = time.perf_counter() - started
    items = sum(len(h.parsed.items) for h in batches if h.parsed)
    return {
        "items": items,
        "seconds": round(seconds, 3),
        "items_per_s": round(items / seconds),
        "new": sum(o.new for o in outcomes),
        "duplicates": sum(o.duplicates for o in outcomes),
    }


def time_lookup(engine: Engine, batches: list[ingest.Harvest]) -> dict[str, Any]:
    started, seen = time.perf_counter(), 0
    with reading(engine) as session:
        for h in batches:
            if h.parsed is None:
                continue
            batch = candidates(h.parsed.items, h.fetched_at)
            decisions = decide(h.feed.id, batch, ingest.lookup(session, h.feed.id, batch))
            seen += sum(d.verdict == "seen" for d in decisions)
    seconds = time.perf_counter() - started
    items = sum(len(h.parsed.items) for h in batches if h.parsed)
    return {
        "items": items,
        "seconds": round(seconds, 3),
        "items_per_s": round(items / seconds),
        "seen": seen,
    }


PATHS = ("lookup", "known", "insert", "cross_portal")


def measure(
    engine: Engine, count: int, per_feed: int, paths: Sequence[str] = PATHS
) -> dict[str, dict[str, Any]]:
    """Time each path in `paths` (in PATHS order; each changes the database for the next)."""
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "lookup": lambda: time_lookup(engine, list(harvests(count, first_article=0))),
        "known": lambda: time_store(engine, list(harvests(count, first_article=0))),
        "insert": lambda: time_store(engine, list(harvests(count, first_article=per_feed))),
        "cross_portal": lambda: time_store(
            engine, list(harvests(count // 4, per_feed // 2, shift=1))
        ),
    }
    return {name: steps[name]() for name in PATHS if name in paths}


def report(results: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'path':<13} {'items':>7} {'seconds':>8} {'items/s':>8}  outcome     target"]
    for name, r in results.items():
        outcome = f"seen={r['seen']}" if "seen" in r else f"new={r['new']} dup={r['duplicates']}"
        verdict = "PASS" if r["items_per_s"] >= TARGET else "FAIL"
        lines.append(
            f"{name:<13} {r['items']:>7} {r['seconds']:>8.2f} {r['items_per_s']:>8} "
            f" {outcome:<11} ≥ {TARGET:g}/s {verdict}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000, help="items in the database")
    parser.add_argument("--measure", type=int, default=20_000, help="items per measured path")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"fill kept here ({CACHE})")
    parser.add_argument("--out", type=Path, help="JSON (default bench/results/DATE-dedup.json)")
    parser.add_argument("--only", action="append", choices=PATHS, help="measure only these")
    args = parser.parse_args()
    if args.measure // BATCH > FEEDS * (args.items // FEEDS // (2 * BATCH)):
        raise SystemExit("--measure is too large for --items: known articles would run out")
    cached_fill(args.cache, args.items)
    scratch = args.cache.with_name(args.cache.stem + "-run.sqlite")
    shutil.copyfile(args.cache, scratch)
    engine = make_engine(f"sqlite:///{scratch}")
    migrate.upgrade(engine)
    results = measure(engine, args.measure, args.items // FEEDS, args.only or PATHS)
    engine.dispose()
    print(report(results))
    out = args.out or Path(__file__).parent / "results" / f"{datetime.now(UTC):%Y-%m-%d}-dedup.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"items_in_db": args.items, "target_items_per_s": TARGET, "paths": results}, indent=2
        )
        + "\n"
    )
    print(f"written: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
