"""Start-up and whole-process benchmark: what cron and operators run, from process start to exit.

    .venv/bin/python bench/startup.py [--runs 7] [--feeds 1000] [--skip-reader] [--out FILE]

Times, each as a fresh process: `python -c pass` (the baseline of this run), `syndicator
--version`, `syndicator --help`, `syndicator queue list` on an empty, migrated database (and
beside it a process that only imports the libraries `queue list` needs: its floor), the N-feed
poll whose server answers 304 (`syndicator poll`), and lemon24/reader 3.26's update of the same
N feeds from the same server (bench/reader_update.py, in reader's own virtual environment
bench/.venv-reader, created on first use). Also settings validation of the N feeds in process
(bench/validate.py). Rounds are interleaved (every case once, then again), so load from
elsewhere on the machine falls on all cases alike; the table shows medians.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import _repo  # noqa: F401  (puts the repository on sys.path)

from bench.contenders import settings_toml
from bench.machine import machine
from bench.server import FeedServer

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent  # the product's virtual environment
READER_VENV = HERE / ".venv-reader"
READER_REQUIREMENTS = ("reader==3.26", "sgmllib3k")  # reader's vendored feedparser needs sgmllib
# What `queue list` cannot do without (the tables, the settings, logging, click), imported and
# nothing done, with the collector handled as the console entry does (off for the start, then
# what it made frozen): the floor under its start on this machine, measured in the same run.
QUEUE_LIST_FLOOR = (
    "import gc; gc.disable(); "
    "import click, storage.migrate, storage.posts, storage.session, syndicator.config, "
    "syndicator.ops.logs; gc.freeze(); gc.enable()"
)
LIMITS = {"version": 0.25, "help": 0.25, "queue_list": 0.5, "validate": 0.1}


@dataclass(frozen=True)
class Case:
    name: str
    argv: list[str]
    outcome: Callable[[str], str] = lambda _stdout: ""  # what the process said it did


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed rounds (default 7)")
    parser.add_argument("--feeds", type=int, default=1000, help="feeds to poll (default 1000)")
    parser.add_argument("--skip-reader", action="store_true", help="leave out lemon24/reader")
    parser.add_argument(
        "--out", type=Path, help="JSON file (default bench/results/DATE-startup.json)"
    )
    return parser.parse_args()


def child_environment() -> dict[str, str]:
    """As an operator's shell has it: bytecode is written and read (a development shell may set
    PYTHONDONTWRITEBYTECODE, which recompiles every module of ours at every start), and no
    SYNDICATOR_* variable overrides the benchmark's settings."""
    return {
        name: value
        for name, value in os.environ.items()
        if name != "PYTHONDONTWRITEBYTECODE" and not name.startswith("SYNDICATOR_")
    }


def reader_python() -> Path:
    """bench/.venv-reader/bin/python, with reader 3.26 installed from the package index."""
    python = READER_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {READER_VENV} ...", file=sys.stderr, flush=True)
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(READER_VENV)], check=True)
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, *READER_REQUIREMENTS], check=True)
    return python


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (the process and its children) and stdout of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu, done.stdout


def not_modified_lines(stdout: str) -> str:
    return f"not_modified={sum(': not_modified' in line for line in stdout.splitlines())}"


def reader_counts(stdout: str) -> str:
    counts: dict[str, int] = json.loads(stdout.splitlines()[-1])
    return " ".join(f"{name}={count}" for name, count in sorted(counts.items()))


def prepare(
    args: argparse.Namespace, urls: list[str], work: Path, env: dict[str, str]
) -> list[Case]:
    """The settings, databases and first polls (not timed), and the cases to time."""
    syndicator, python = str(BIN / "syndicator"), str(BIN / "python")
    empty = work / "empty.toml"
    empty.write_text(f'[database]\nurl = "sqlite:///{work}/empty.db"\n', encoding="utf-8")
    run([syndicator, "--config", str(empty), "db", "upgrade"], env)
    polled = work / "poll.toml"
    polled.write_text(settings_toml(urls, 8, work), encoding="utf-8")
    print(f"first poll of {len(urls)} feeds (not timed) ...", file=sys.stderr, flush=True)
    run([syndicator, "--config", str(polled), "poll"], env)
    cases = [
        Case("python -c pass", [python, "-c", "pass"]),
        Case("syndicator --version", [syndicator, "--version"]),
        Case("syndicator --help", [syndicator, "--help"]),
        Case("syndicator queue list", [syndicator, "--config", str(empty), "queue", "list"]),
        Case("queue list's libraries", [python, "-c", QUEUE_LIST_FLOOR]),
        Case(
            "syndicator poll (304)",
            [syndicator, "--config", str(polled), "poll"],
            not_modified_lines,
        ),
    ]
    if not args.skip_reader:
        reader = str(reader_python())
        (work / "urls.txt").write_text("\n".join(urls) + "\n")
        update = [reader, str(HERE / "reader_update.py"), str(work / "reader.sqlite")]
        print("reader's first update (not timed) ...", file=sys.stderr, flush=True)
        run([*update, "--add", str(work / "urls.txt")], env)
        cases += [
            Case("reader: python -c pass", [reader, "-c", "pass"]),
            Case("reader update (304)", update, reader_counts),
        ]
    return cases


def time_cases(cases: list[Case], runs: int, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """One untimed run of each (writes bytecode, warms the page cache), then `runs` rounds."""
    for case in cases:
        run(case.argv, env)
    samples: dict[str, list[tuple[float, float, str]]] = {case.name: [] for case in cases}
    for number in range(1, runs + 1):
        print(f"round {number}/{runs} ...", file=sys.stderr, flush=True)
        for case in cases:
            seconds, cpu, stdout = run(case.argv, env)
            samples[case.name].append((seconds, cpu, case.outcome(stdout)))
    return {name: summary(runs_of_case) for name, runs_of_case in samples.items()}


def summary(samples: list[tuple[float, float, str]]) -> dict[str, Any]:
    walls = [wall for wall, _, _ in samples]
    return {
        "median": round(statistics.median(walls), 3),
        "min": round(min(walls), 3),
        "max": round(max(walls), 3),
        "cpu_median": round(statistics.median(cpu for _, cpu, _ in samples), 3),
        "seconds": [round(wall, 3) for wall in walls],
        "outcome": samples[-1][2],
    }


def validation(settings: Path, env: dict[str, str]) -> dict[str, Any]:
    _, _, stdout = run([str(BIN / "python"), str(HERE / "validate.py"), str(settings)], env)
    result: dict[str, Any] = json.loads(stdout)
    return result


def verdicts(report: dict[str, Any]) -> list[dict[str, str]]:
    cases, checks = report["cases"], []
    for key, name in (
        ("version", "syndicator --version"),
        ("help", "syndicator --help"),
        ("queue_list", "syndicator queue list"),
    ):
        checks.append(limit_check(f"{name}, median", cases[name]["median"], LIMITS[key]))
    feeds = report["validation"]["feeds"]
    checks.append(
        limit_check(f"{feeds} feeds validated, first call", report["validation"]["first"], 0.1)
    )
    ours, theirs = cases["syndicator poll (304)"], cases.get("reader update (304)")
    if theirs is None:
        checks.append(
            {"name": "poll (304) vs reader", "measured": "-", "limit": "-", "verdict": "SKIP"}
        )
    else:
        passed = ours["median"] <= theirs["median"]
        checks.append(
            {
                "name": f"{feeds}-feed poll (304) not slower than reader, median",
                "measured": f"{ours['median']:.3f} s",
                "limit": f"≤ {theirs['median']:.3f} s",
                "verdict": "PASS" if passed else "FAIL",
            }
        )
    return checks


def limit_check(name: str, measured: float, limit: float) -> dict[str, str]:
    verdict = "PASS" if measured <= limit else "FAIL"
    return {
        "name": name,
        "measured": f"{measured:.3f} s",
        "limit": f"≤ {limit:g} s",
        "verdict": verdict,
    }


def table(report: dict[str, Any]) -> str:
    base = report["cases"]["python -c pass"]["median"]
    lines = [
        f"{'case':<24} {'median':>7} {'min':>7} {'max':>7} {'cpu s':>6} {'- base':>7}  outcome"
    ]
    for name, case in report["cases"].items():
        lines.append(
            f"{name:<24} {case['median']:>7.3f} {case['min']:>7.3f} {case['max']:>7.3f} "
            f"{case['cpu_median']:>6.2f} {case['median'] - base:>7.3f}  {case['outcome']}"
        )
    valid = report["validation"]
    lines.append(f"\nrich installed (structlog loads it): {report['rich_installed']}")
    lines.append(
        f"\nsettings validation, {valid['feeds']} feeds, in process: first call "
        f"{valid['first']:.3f} s, then median {valid['repeat_median']:.3f} s"
    )
    lines += ["", f"{'target':<58} {'measured':>10} {'limit':>11}  verdict"]
    lines += [
        f"{t['name']:<58} {t['measured']:>10} {t['limit']:>11}  {t['verdict']}"
        for t in report["targets"]
    ]
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    env = child_environment()
    load_before = os.getloadavg()
    with (
        tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp,
        FeedServer(args.feeds) as server,
    ):
        cases = prepare(args, server.urls, Path(tmp), env)
        timed = time_cases(cases, args.runs, env)
        valid = validation(Path(tmp) / "poll.toml", env)
    report: dict[str, Any] = {
        "machine": machine(),
        "load_average_before": [round(load, 2) for load in load_before],
        "load_average_after": [round(load, 2) for load in os.getloadavg()],
        # structlog imports `rich` when it is installed (a development dependency here; an
        # operator's install has none): it weighs on every command that configures logging.
        "rich_installed": importlib.util.find_spec("rich") is not None,
        "feeds": args.feeds,
        "runs": args.runs,
        "cases": timed,
        "validation": valid,
    }
    report["targets"] = verdicts(report)
    print(table(report))
    out = args.out or HERE / "results" / f"{datetime.now(UTC):%Y-%m-%d}-startup.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
