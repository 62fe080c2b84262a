"""Feed-polling benchmark: Syndicator against plain requests + feedparser and lemon24/reader.

    .venv/bin/python bench/run.py [--feeds 1000 | --quick] [--skip-reader] [--out FILE]

Starts the loopback feed server (bench/server.py) in its own process, runs each contender in a
fresh process (bench/contenders.py), prints a table and the targets, and writes a JSON file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import _repo  # noqa: F401  (puts the repository on sys.path)

from bench.feeds import ITEMS_PER_FEED, unique_items
from bench.machine import machine
from bench.server import FeedServer
from bench.targets import evaluate

HERE = Path(__file__).resolve().parent
CONTENDERS = ("baseline", "hash_only", "conditional", "reader", "syndicator")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=1000, help="number of feeds (default 1000)")
    parser.add_argument("--quick", action="store_true", help="N = 100")
    parser.add_argument("--skip-reader", action="store_true", help="leave out lemon24/reader")
    parser.add_argument("--only", action="append", choices=CONTENDERS, help="run only these")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--hosts", type=int, default=50, help="loopback host names (default 50)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="JSON file (default bench/results/DATE-nN.json)")
    parser.add_argument(
        "--cycles",
        default="first,unchanged_304,unchanged_200",
        help="cycles to run, e.g. first,unchanged_304x10 (to profile one)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile each cycle with py-spy into bench/results/profiles/nN/ (times inflated)",
    )
    args = parser.parse_args()
    if args.quick:
        args.feeds = 100
    return args


def chosen(args: argparse.Namespace) -> list[str]:
    names = args.only or list(CONTENDERS)
    return [n for n in names if not (args.skip_reader and n == "reader")]


def run_contender(
    name: str, server: FeedServer, urls: Path, args: argparse.Namespace, results_dir: Path
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as workdir:
        command = [
            sys.executable,
            str(HERE / "contenders.py"),
            name,
            "--urls",
            str(urls),
            "--control",
            server.control,
            "--workdir",
            workdir,
            "--workers",
            str(args.workers),
            "--cycles",
            args.cycles,
        ]
        if args.profile:
            command += ["--profile", str(results_dir / "profiles" / f"n{args.feeds}")]
        print(f"running {name} ...", file=sys.stderr, flush=True)
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-4000:]}")
    last = [line for line in done.stdout.splitlines() if line.startswith("{")][-1]
    result: dict[str, Any] = json.loads(last)
    return result


def fmt_outcome(outcome: dict[str, int]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(outcome.items()))


COLUMNS = (
    f"{'contender':<11} {'cycle':<14} {'seconds':>8} {'x base':>6} {'items/s':>8} "
    f"{'cpu s':>6} {'srv cpu':>7} {'conns':>5} {'RSS MB':>7}  outcome"
)


def row(name: str, cycle: dict[str, Any], items: int, reference: float) -> str:
    seconds = cycle["seconds"]
    connections = cycle["answers"].get("new_connections", 0)
    return (
        f"{name:<11} {cycle['cycle']:<14} {seconds:>8.3f} {seconds / reference:>6.3f} "
        f"{items / seconds:>8.0f} {cycle['cpu']:>6.2f} {cycle['server_cpu']:>7.2f} "
        f"{connections:>5} {cycle['peak_rss_mb']:>7.1f}  {fmt_outcome(cycle['outcome'])}"
    )


def table(report: dict[str, Any]) -> str:
    items, reference = report["items"], report["reference_seconds"]
    lines = [COLUMNS]
    for name, result in report["contenders"].items():
        setup = result["setup"]
        lines.append(
            f"{name:<11} {'(setup)':<14} {setup['seconds']:>8.3f} {'':>6} {'':>8} {'':>6} "
            f"{'':>7} {'':>5} {setup['peak_rss_mb']:>7.1f}  imports, database, feeds"
        )
        lines += [row(name, cycle, items, reference) for cycle in result["cycles"]]
    return "\n".join(lines)


def verdicts(report: dict[str, Any]) -> str:
    lines = ["", f"{'target':<58} {'measured':>12} {'limit':>12}  verdict"]
    for target in report["targets"]:
        lines.append(
            f"{target['name']:<58} {target['measured']:>12} {target['limit']:>12}  "
            f"{target['verdict']}"
        )
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    results_dir = HERE / "results"
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
        FeedServer(args.feeds, args.seed, args.hosts) as server,
    ):
        urls = Path(tmp) / "urls.txt"
        urls.write_text("\n".join(server.urls) + "\n")
        contenders = {
            name: run_contender(name, server, urls, args, results_dir) for name in chosen(args)
        }
        sizes = server.sizes
    reference = contenders.get("baseline", {}).get("cycles", [{"seconds": float("nan")}])[0]
    report: dict[str, Any] = {
        "machine": machine(),
        "feeds": args.feeds,
        "items": args.feeds * ITEMS_PER_FEED,
        "unique_items": unique_items(args.feeds),
        "mean_feed_bytes": sum(sizes) // len(sizes),
        "workers": args.workers,
        "hosts": min(args.hosts, args.feeds),
        "seed": args.seed,
        "profiled": args.profile,
        "reference_seconds": reference["seconds"],
        "contenders": contenders,
    }
    report["targets"] = evaluate(report)
    print(table(report) + "\n" + verdicts(report))
    out = args.out or results_dir / f"{datetime.now(UTC):%Y-%m-%d}-n{args.feeds}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
