"""Dedup benchmark: the product's store path on a SQLite database already holding 1,000,000 items.

    .venv/bin/python bench/dedup.py [--items 1000000] [--measure 20000] [--out FILE]

The fill (bench/dedup_fill.py; setup, not measured) is cached and copied to a scratch file for
every run, so each run starts from the same database. Harvests of 30 ParsedItems, built as
tests/ingest/test_ingest.py builds them, then go through the product's code; each path is timed:
- lookup: `ingest.lookup` + `dedup.decide` alone, for articles the feed gave before;
- known / insert / cross_portal: `ingest.store` (one transaction per harvest) with articles the
  feed gave before (SEEN), that no feed gave (NEW), that another feed gave (same URL: NEW_SOURCE);
- known_batched / insert_batched: the poller's own writer (`poller.BatchWriter`: a savepoint
  per harvest, a commit every 100 harvests), with other articles of the same kinds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _repo  # noqa: F401  (puts the repository on sys.path)
from sqlalchemy import Engine

from bench.dedup_fill import FEEDS, article, cached_fill, feed_id
from bench.machine import machine
from storage import migrate
from storage.engine import make_engine
from storage.feeds import load_states
from storage.session import reading
from syndicator.ingest import harvest as ingest
from syndicator.ingest.dedup import candidates, decide
from syndicator.ingest.poller import BatchWriter
from syndicator.records import FetchResult, ParsedFeed, ParsedItem
from syndicator.settings_models import FeedSettings, PollingSettings

BATCH = 30
POLLING = PollingSettings()
TARGET = 5000.0
CACHE = Path(tempfile.gettempdir()) / "syndicator-bench-dedup.sqlite"
Harvests = list[ingest.Harvest]


def harvest(feed: int, items: list[ParsedItem]) -> ingest.Harvest:
    """A 200 with a parsed feed of `items`, fetched an hour after the newest of them."""
    settings = FeedSettings(
        id=feed_id(feed), name=f"Cổng {feed}", url=f"https://cong{feed}.tinh.gov.vn/rss"
    )
    at = max(item.published for item in items if item.published) + timedelta(hours=1)
    fetched = FetchResult("ok", settings.url, body=b"<rss/>", body_hash="h", etag='"e"')
    return ingest.Harvest(settings, fetched, at, ParsedFeed("Feed", None, tuple(items)))


def harvests(count: int, first: int, copied: bool = False) -> Iterator[ingest.Harvest]:
    """`count` items in batches of 30: batch h holds articles first.. of feed h % 1000; when
    `copied`, feed h + 1 republishes them under guids of its own (another portal's copy)."""
    for h in range(count // BATCH):
        source, start = h % FEEDS, first + (h // FEEDS) * BATCH
        items = [article(source, n) for n in range(start, start + BATCH)]
        if copied:
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
        yield harvest((source + copied) % FEEDS, items)


def rate(items: int, seconds: float, **facts: int) -> dict[str, Any]:
    per_s = round(items / seconds)
    return {"items": items, "seconds": round(seconds, 3), "items_per_s": per_s, **facts}


def time_store(engine: Engine, batches: Harvests) -> dict[str, Any]:
    started = time.perf_counter()
    outcomes = [ingest.store(engine, h, POLLING, backfill=0) for h in batches]
    new, dup = sum(o.new for o in outcomes), sum(o.duplicates for o in outcomes)
    return rate(new + dup, time.perf_counter() - started, new=new, duplicates=dup)


def time_batched(engine: Engine, batches: Harvests) -> dict[str, Any]:
    """As `Poller.poll` drives it: feed states read once, a commit whenever the writer is due."""
    started, outcomes = time.perf_counter(), []
    with reading(engine) as session:
        states = load_states(session, {h.feed.id for h in batches})
    writer = BatchWriter(engine, POLLING, states)
    for h in batches:
        writer.add(h)
        if writer.due():
            outcomes += [outcome for outcome, _ in writer.commit()]
    outcomes += [outcome for outcome, _ in writer.commit()]
    new, dup = sum(o.new for o in outcomes), sum(o.duplicates for o in outcomes)
    return rate(new + dup, time.perf_counter() - started, new=new, duplicates=dup)


def time_lookup(engine: Engine, batches: Harvests) -> dict[str, Any]:
    started, seen, items = time.perf_counter(), 0, 0
    with reading(engine) as session:
        for h in batches:
            parsed = h.parsed.items if h.parsed else ()
            batch = candidates(parsed, h.fetched_at)
            decisions = decide(h.feed.id, batch, ingest.lookup(session, h.feed.id, batch))
            seen, items = seen + sum(d.verdict == "seen" for d in decisions), items + len(batch)
    return rate(items, time.perf_counter() - started, seen=seen)


PATHS = ("lookup", "known", "insert", "cross_portal", "known_batched", "insert_batched")


def measure(engine: Engine, count: int, per_feed: int, paths: Sequence[str]) -> dict[str, Any]:
    """Time each path asked for, in PATHS order (each changes the database for the next)."""
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "lookup": lambda: time_lookup(engine, list(harvests(count, 0))),
        "known": lambda: time_store(engine, list(harvests(count, 0))),
        "insert": lambda: time_store(engine, list(harvests(count, per_feed))),
        "cross_portal": lambda: time_store(engine, list(harvests(count // 4, 100, True))),
        "known_batched": lambda: time_batched(engine, list(harvests(count, 2 * BATCH))),
        "insert_batched": lambda: time_batched(engine, list(harvests(count, per_feed + BATCH))),
    }
    return {name: steps[name]() for name in PATHS if name in paths}


def report(results: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'path':<15} {'items':>6} {'seconds':>8} {'items/s':>8}  {'outcome':<17} target"]
    for name, r in results.items():
        outcome = f"seen={r['seen']}" if "seen" in r else f"new={r['new']} dup={r['duplicates']}"
        verdict = "PASS" if r["items_per_s"] >= TARGET else "FAIL"
        lines.append(
            f"{name:<15} {r['items']:>6} {r['seconds']:>8.2f} {r['items_per_s']:>8}  "
            f"{outcome:<17} ≥ {TARGET:g}/s {verdict}"
        )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000, help="items in the database")
    parser.add_argument("--measure", type=int, default=20_000, help="items per measured path")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"fill kept here ({CACHE})")
    parser.add_argument("--out", type=Path, help="JSON (default bench/results/DATE-dedup.json)")
    parser.add_argument("--only", action="append", choices=PATHS, help="measure only these")
    args = parser.parse_args()
    per_feed = args.items // FEEDS
    if per_feed < 4 * BATCH or args.measure > FEEDS * BATCH:
        raise SystemExit("need --items ≥ 120000 and --measure ≤ 30000 (one batch per feed)")
    return args


def main() -> None:
    args = parse_args()
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
    facts = {"machine": machine(), "items_in_db": args.items, "target_items_per_s": TARGET}
    out.write_text(json.dumps({**facts, "paths": results}, indent=2) + "\n")
    print(f"written: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
