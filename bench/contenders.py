"""One contender, run by bench/run.py in a fresh process so its peak RSS is its own.

    python bench/contenders.py NAME --urls FILE --control URL --workdir DIR [--workers 8]

Set-up (imports, database creation, adding feeds) is not timed. Then three cycles, each timed
around the one call that polls every feed: "first" and "unchanged_304" with the server in
"validators" mode, "unchanged_200" in "no-validators" mode. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import _repo  # noqa: F401  (puts the repository on sys.path)
import requests

from bench.spy import sampled
from bench.tree import ProcessTree

Cycle = Callable[[], dict[str, int]]
MODES = {"first": "validators", "unchanged_304": "validators", "unchanged_200": "no-validators"}
DEFAULT_CYCLES = "first,unchanged_304,unchanged_200"
TIMEOUT = 20


def pooled(urls: list[str], workers: int, work: Callable[[bytes], int]) -> dict[str, int]:
    """GET every URL with plain requests in a pool of `workers` threads; `work` gets each body."""
    session = requests.Session()

    def one(url: str) -> int:
        response = session.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        return work(response.content)

    with ThreadPoolExecutor(workers) as pool:
        counts = list(pool.map(one, urls))
    session.close()
    return {"feeds": len(counts), "entries": sum(counts)}


def baseline(urls: list[str], workers: int, _workdir: Path) -> Cycle:
    """Plain requests + feedparser.parse(bytes), storing nothing."""
    import feedparser

    return lambda: pooled(urls, workers, lambda body: len(feedparser.parse(body).entries))


def hash_only(urls: list[str], workers: int, _workdir: Path) -> Cycle:
    """Download and SHA-256 every body, no parsing: the floor for a cycle that reads bodies."""

    def hashed(body: bytes) -> int:
        hashlib.sha256(body).hexdigest()
        return 0

    return lambda: pooled(urls, workers, hashed)


def conditional(urls: list[str], workers: int, _workdir: Path) -> Cycle:
    """Plain requests sending the validators of the last 200, hashing bodies, storing nothing:
    the floor for an unchanged cycle with this HTTP stack, server and machine."""
    validators: dict[str, dict[str, str]] = {}

    def one(session: requests.Session, url: str) -> str:
        response = session.get(url, headers=validators.get(url, {}), timeout=TIMEOUT)
        if response.status_code == 200:
            hashlib.sha256(response.content).hexdigest()
            names = (("ETag", "If-None-Match"), ("Last-Modified", "If-Modified-Since"))
            sent = {ask: response.headers[got] for got, ask in names if got in response.headers}
            validators[url] = sent
        return str(response.status_code)

    def cycle() -> dict[str, int]:
        with requests.Session() as session, ThreadPoolExecutor(workers) as pool:
            return dict(Counter(pool.map(lambda url: one(session, url), urls)))

    return cycle


def reader_lib(urls: list[str], workers: int, workdir: Path) -> Cycle:
    """lemon24/reader: make_reader(db), add_feed, update_feeds(workers=8, scheduled=False)."""
    from reader import make_reader

    reader = make_reader(str(workdir / "reader.sqlite"))
    for url in urls:
        reader.add_feed(url)

    def cycle() -> dict[str, int]:
        counts: Counter[str] = Counter()
        for result in reader.update_feeds_iter(workers=workers, scheduled=False):
            value: Any = result.value
            if value is None:
                counts["not_modified"] += 1
            elif isinstance(value, Exception):
                counts["error"] += 1
            else:
                counts["updated"] += 1
                counts["new"] += value.new
                counts["modified"] += value.modified
        return dict(counts)

    return cycle


def settings_toml(urls: list[str], workers: int, workdir: Path) -> str:
    head = (
        f'[database]\nurl = "sqlite:///{workdir}/syndicator.db"\n\n'
        f'[polling]\nworkers = {workers}\ncontact = "bench@example.gov.vn"\n'
        'allow_networks = ["127.0.0.0/8"]\n\n'  # the bench portals are 127.0.0.2-51
        '[logging]\nformat = "json"\n'
    )
    feeds = [
        f'[[feeds]]\nid = "f{i:05d}"\nname = "Cổng {i}"\nurl = "{url}"\n'
        for i, url in enumerate(urls)
    ]
    return head + "\n" + "\n".join(feeds)


def syndicator(urls: list[str], workers: int, workdir: Path) -> Cycle:
    """The real path: build_app(settings) → app.poller().poll(feeds), logging as `poll` does."""
    from syndicator.app import build_app
    from syndicator.ops.logs import configure_logging

    path = workdir / "settings.toml"
    path.write_text(settings_toml(urls, workers, workdir), encoding="utf-8")
    app = build_app(path)
    log = (workdir / "syndicator.log").open("w", encoding="utf-8")
    configure_logging(app.settings.logging, stream=log)
    poller = app.poller()
    feeds = [feed for feed in app.settings.feeds if feed.enabled]

    def cycle() -> dict[str, int]:
        outcomes = poller.poll(feeds)
        counts = Counter(outcome.status for outcome in outcomes)
        counts["new"] = sum(outcome.new for outcome in outcomes)
        counts["duplicates"] = sum(outcome.duplicates for outcome in outcomes)
        return dict(counts)

    return cycle


CONTENDERS: dict[str, Callable[[list[str], int, Path], Cycle]] = {
    "baseline": baseline,
    "hash_only": hash_only,
    "conditional": conditional,
    "reader": reader_lib,
    "syndicator": syndicator,
}


def peak_rss_mb() -> float:
    """The process's high-water resident set (VmHWM) so far, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def server(control: str, command: str) -> dict[str, Any]:
    result: dict[str, Any] = requests.get(f"{control}/{command}", timeout=TIMEOUT).json()
    return result


def measure(name: str, cycle: Cycle, control: str, profile: Path | None) -> dict[str, Any]:
    """Run one timed cycle; with `profile`, under py-spy (then the times are inflated).

    CPU and memory count every process the contender started (Syndicator spawns parsers)."""
    mode = MODES[name]
    before = server(control, f"mode/{mode}")
    with sampled(profile), ProcessTree() as tree:
        started, cpu = time.perf_counter(), time.process_time()
        outcome = cycle()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = server(control, "stats")
    answers = {k: v - before["answers"].get(k, 0) for k, v in after["answers"].items()}
    own_peak = peak_rss_mb()
    return {
        "cycle": name,
        "mode": mode,
        "seconds": round(seconds, 3),
        "cpu": round(cpu + tree.children_cpu, 3),
        "children_cpu": round(tree.children_cpu, 3),
        "server_cpu": round(after["cpu"] - before["cpu"], 3),
        "answers": answers,
        "peak_rss_mb": round(max(own_peak, tree.peak_rss_mb), 1),
        "own_peak_rss_mb": round(own_peak, 1),
        "tree_peak_pss_mb": round(tree.peak_pss_mb, 1),
        "outcome": outcome,
    }


def cycle_names(spec: str) -> list[str]:
    """'first,unchanged_304x3' → ['first', 'unchanged_304', 'unchanged_304', 'unchanged_304']."""
    names = []
    for part in spec.split(","):
        name, _, times = part.partition("x")
        if name not in MODES or not (times or "1").isdigit():
            raise SystemExit(f"unknown cycle {part!r}; use {', '.join(MODES)}, optionally xN")
        names += [name] * int(times or "1")
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("name", choices=sorted(CONTENDERS))
    parser.add_argument("--urls", type=Path, required=True, help="file with one feed URL a line")
    parser.add_argument("--control", required=True, help="the feed server's control URL")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument(
        "--cycles",
        default=DEFAULT_CYCLES,
        help="cycles in order; NAMExK repeats one",
    )
    parser.add_argument("--profile", type=Path, help="folder for one py-spy profile per cycle")
    args = parser.parse_args()
    urls = args.urls.read_text().split()
    started = time.perf_counter()
    cycle = CONTENDERS[args.name](urls, args.workers, args.workdir)
    setup = {"seconds": round(time.perf_counter() - started, 3), "peak_rss_mb": peak_rss_mb()}
    cycles = []
    for number, name in enumerate(cycle_names(args.cycles), 1):
        profile = args.profile / f"{args.name}-{number}-{name}.txt" if args.profile else None
        cycles.append(measure(name, cycle, args.control, profile))
    print(json.dumps({"contender": args.name, "setup": setup, "cycles": cycles}))


if __name__ == "__main__":
    main()
