"""Report benchmark (issue #12): the portal activity and coverage report over 1,000 portals and
1,000,000 items on SQLite, in process and as whole processes.

    .venv/bin/python bench/report.py [--items 1000000] [--feeds 1000] [--runs 7] [--profile]

The database (bench/report_fill.py; setup, not measured) holds a year up to this hour, and is
cached in $TMPDIR and rebuilt when the day, the schema or the counts change. Timed:
- in process: `services.report.build_report(app, since=30 days)`, the first call and `--runs`
  more (median wall time, and the process's CPU time), the App built once as a command builds it;
  first with no category stored (half the runs), then, after the daemon's classify job has gone
  over every source (timed too), as a running daemon keeps the database;
- whole processes: `syndicator --config S report --since 30d --format json -o FILE`, and the same
  with `--format html`, from exec to exit (start-up included), one untimed run first, rounds
  interleaved; `syndicator --version` in the same rounds, as the floor of a process's start.
`--profile` also writes a pyinstrument profile of one in-process call (when pyinstrument is
installed) to bench/results/profiles/report.txt.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _repo  # noqa: F401  (puts the repository on sys.path)

from bench.machine import ROOT, machine
from bench.report_fill import cached_fill
from bench.report_portals import portals, settings_text
from bench.startup import BIN, child_environment, run
from syndicator.app import App
from syndicator.config import load_settings
from syndicator.report.categorize import classify_stored
from syndicator.report.model import Report
from syndicator.services.report import build_report

TARGET_S = 2.0
PERIOD = timedelta(days=30)
CACHE = Path(tempfile.gettempdir()) / "syndicator-bench-report.sqlite"
FORMATS = ("json", "html")


def summary(report: Report) -> dict[str, Any]:
    """What the report found: enough to see that the period held real work."""
    totals = report.totals
    return {
        "portals": totals.portals, "stale": totals.stale, "items": totals.items,
        "errors": totals.errors, "published": totals.published,
        "empty_required": sum(len(c.empty_required) for c in report.coverage),
        "agencies": len(report.coverage), "weeks": len(report.weeks),
    }  # fmt: skip


def in_process(config: Path, runs: int) -> dict[str, Any]:
    """The first call, then `runs` more: wall time, and CPU time of this process (on a shared
    machine the wall time also holds the waits for a core)."""
    app = App(load_settings(config))
    try:
        report, first, _ = timed(lambda: build_report(app, since=PERIOD))
        samples = [timed(lambda: build_report(app, since=PERIOD))[1:] for _ in range(runs)]
    finally:
        app.close()
    walls = [wall for wall, _ in samples]
    median = statistics.median(walls)
    return {
        "first_s": round(first, 3), "median_s": round(median, 3), "min_s": round(min(walls), 3),
        "max_s": round(max(walls), 3), "cpu_s": round(statistics.median(c for _, c in samples), 3),
        "runs_s": [round(wall, 3) for wall in walls], "met": median <= TARGET_S,
        "report": summary(report),
    }  # fmt: skip


def clear_categories(cache: Path) -> None:
    """Forget every stored category (setup, not timed)."""
    with sqlite3.connect(cache) as connection:
        connection.execute("UPDATE item_source SET category = NULL, category_rules = NULL")


def classify_everything(config: Path) -> dict[str, Any]:
    """The daemon's classify job run until no source is left: what the job costs after an
    upgrade or a change of the rules (the daemon spreads it over its ticks)."""
    app = App(load_settings(config))
    try:
        started = time.perf_counter()
        done = classify_stored(app.migrated_engine(), app.settings.report.rules, max_batches=10**9)
        seconds = time.perf_counter() - started
    finally:
        app.close()
    return {
        "sources": done,
        "seconds": round(seconds, 1),
        "per_source_us": round(seconds / max(done, 1) * 1e6, 1),
    }


def timed(work: Callable[[], Report]) -> tuple[Report, float, float]:
    """`work`'s value, its wall seconds and its CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = work()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def process_cases(config: Path, folder: Path) -> dict[str, list[str]]:
    syndicator = str(BIN / "syndicator")
    cases = {"syndicator --version": [syndicator, "--version"]}
    for fmt in FORMATS:
        out = folder / f"report.{fmt}"
        cases[f"report --format {fmt}"] = [syndicator, "--config", str(config), "report",
                                           "--since", "30d", "--format", fmt, "-o", str(out)]  # fmt: skip
    return cases


def whole_processes(config: Path, folder: Path, runs: int) -> dict[str, Any]:
    """Each case once untimed, then `runs` interleaved rounds; the outputs checked."""
    env, cases = child_environment(), process_cases(config, folder)
    for argv in cases.values():
        run(argv, env)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, argv in cases.items():
            seconds, cpu, _ = run(argv, env)
            samples[name].append((seconds, cpu))
    found = {name: timing(values) for name, values in samples.items()}
    for fmt in FORMATS:
        found[f"report --format {fmt}"] |= output_facts(folder / f"report.{fmt}", fmt)
    return found


def timing(values: list[tuple[float, float]]) -> dict[str, Any]:
    walls = [wall for wall, _ in values]
    median = statistics.median(walls)
    return {
        "median_s": round(median, 3), "min_s": round(min(walls), 3), "max_s": round(max(walls), 3),
        "cpu_s": round(statistics.median(cpu for _, cpu in values), 3),
        "runs_s": [round(wall, 3) for wall in walls], "met": median <= TARGET_S,
    }  # fmt: skip


def output_facts(path: Path, fmt: str) -> dict[str, Any]:
    """The file's size, and for JSON that it parses and has the documented keys."""
    facts: dict[str, Any] = {"bytes": path.stat().st_size}
    if fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        facts["portals_in_file"] = len(data["portals"])
        facts["agencies_in_file"] = len(data["categories"])
    return facts


def profile(config: Path, out: Path) -> str | None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    app = App(load_settings(config))
    build_report(app, since=PERIOD)  # warm, as the median runs are
    with Profiler(interval=0.001) as profiler:
        build_report(app, since=PERIOD)
    app.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")
    return str(out.relative_to(ROOT))


def table(found: dict[str, Any]) -> str:
    lines = [f"{'case':34} {'median':>7} {'min':>7} {'max':>7} {'cpu s':>7}  target {TARGET_S:g} s"]
    rows = {
        "build_report, nothing classified": found["in_process_unclassified"],
        "build_report (in process)": found["in_process"],
        **found["processes"],
    }
    for name, r in rows.items():
        verdict = "" if name == "syndicator --version" else "met" if r["met"] else "MISSED"
        lines.append(f"{name:34} {r['median_s']:7.3f} {r['min_s']:7.3f} {r['max_s']:7.3f} "
                     f"{r['cpu_s']:7.3f}  {verdict}")  # fmt: skip
    job = found["classify_job"]
    lines.append(f"classify job over every source: {job['sources']:,} in {job['seconds']} s")
    first = found["in_process"]["first_s"]
    lines.append(
        f"(in process, first call: {first:.3f} s; report: {found['in_process']['report']})"
    )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000, help="items in the database")
    parser.add_argument("--feeds", type=int, default=1000, help="portals (feeds)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each case")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"fill kept here ({CACHE})")
    parser.add_argument("--skip-processes", action="store_true", help="in process only")
    parser.add_argument("--profile", action="store_true", help="pyinstrument, one call")
    parser.add_argument("--out", type=Path, help="JSON (default bench/results/DATE-report.json)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    until = cached_fill(args.cache, args.items, args.feeds)
    found: dict[str, Any] = {"machine": machine(), "items_in_db": args.items,
                             "feeds": args.feeds, "data_until": until.isoformat(),
                             "period_days": PERIOD.days, "target_s": TARGET_S,
                             "sqlite": sqlite3.sqlite_version,
                             "database_bytes": args.cache.stat().st_size,
                             "load_before": os.getloadavg()}  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        config = folder / "settings.toml"
        text = settings_text(portals(args.feeds, 365), f"sqlite:///{args.cache}", ROOT)
        config.write_text(text, encoding="utf-8")
        # Same run, same data: the report before the classify job stored any category (as
        # after an upgrade or a change of the rules), then the job over every source, then the
        # report as a running daemon keeps it (every category stored).
        clear_categories(args.cache)
        found["in_process_unclassified"] = in_process(config, max(args.runs // 2, 1))
        found["classify_job"] = classify_everything(config)
        found["in_process"] = in_process(config, args.runs)
        found["processes"] = (
            {} if args.skip_processes else whole_processes(config, folder, args.runs)
        )
        if args.profile:
            found["profile"] = profile(
                config, ROOT / "bench" / "results" / "profiles" / "report.txt"
            )
    found["load_after"] = os.getloadavg()  # the machine may be shared: read numbers with it
    print(table(found))
    out = args.out or ROOT / "bench" / "results" / f"{datetime.now(UTC):%Y-%m-%d}-report.json"
    out.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
