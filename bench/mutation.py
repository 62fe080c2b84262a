"""Mutation testing of the critical modules with mutmut (issue #9; not in CI: slow on two cores).

    .venv/bin/python -m bench.mutation                      # every critical module
    .venv/bin/python -m bench.mutation syndicator.publish.publisher  # one module (or several): a batch
    .venv/bin/python -m bench.mutation --survivors           # re-check survivors (and finish the rest)
    .venv/bin/python -m bench.mutation --report              # the score of the last run only

The modules, the tests run against each mutant and the pytest options are `[tool.mutmut]` in
pyproject.toml. mutmut is installed here, into the running interpreter's environment, never as a
test dependency. It copies the sources and tests into `mutants/` (git-ignored) and keeps its
results there, so a second run only re-checks what changed. At the end a table prints, per
module: mutants, killed, survived, timeouts, no tests and the score (killed + timeouts over all
mutants checked; a mutant no test reaches counts as a survivor; `left` are not checked yet);
then the survivors by name, for `mutmut show NAME`. bench/README.md, "Mutation testing",
records a run and why each survivor left is equivalent or accepted.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT_VERSION = "3.8.1"
MAX_CHILDREN = 2
KILLED = {"killed", "timeout", "caught by type check"}


def ensure_mutmut() -> Path:
    if importlib.util.find_spec("mutmut") is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", f"mutmut=={MUTMUT_VERSION}"],
            check=True,
        )
    return Path(sys.executable).with_name("mutmut")


def run(mutmut: Path, names: list[str], fresh: bool) -> float:
    if fresh:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    # Hypothesis keeps the examples that failed under a mutant; replayed on the clean code they
    # would only slow it (or, for a real bug they found, stop the run): start without them.
    shutil.rmtree(ROOT / "mutants" / ".hypothesis", ignore_errors=True)
    started = time.monotonic()
    subprocess.run(
        [str(mutmut), "run", "--max-children", str(MAX_CHILDREN), *names], cwd=ROOT, check=True
    )
    return time.monotonic() - started


def results(mutmut: Path) -> dict[str, str]:
    """Every mutant's name (module.x_function__mutmut_N) and status."""
    for _ in range(3):  # a result file being written by a running mutmut reads as broken
        answer = subprocess.run(
            [str(mutmut), "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True
        )
        if answer.returncode == 0:
            break
        time.sleep(1)
    answer.check_returncode()
    listing = answer.stdout
    statuses = {}
    for line in listing.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            statuses[name] = status
    return statuses


def module_of(mutant: str) -> str:
    """`syndicator.publish.publisher.xǁPublisherǁ_publish__mutmut_3` → `syndicator.publish.publisher`."""
    parts = mutant.split(".")
    return ".".join(part for part in parts[:-1] if not part.startswith("x"))


def report(statuses: dict[str, str], modules: list[str]) -> None:
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    survivors = []
    for name, status in sorted(statuses.items()):
        module = module_of(name)
        if modules and module not in modules:
            continue
        by_module[module][status] += 1
        if status not in KILLED and status != "not checked":
            survivors.append(f"{name}: {status}")
    total: Counter[str] = Counter()
    header = (
        f"{'module':34} {'mutants':>7} {'killed':>6} {'surv.':>5} {'t/out':>5} {'no t.':>5} "
        f"{'left':>5} score"
    )
    print(header)
    for module in sorted(by_module):
        counts = by_module[module]
        total += counts
        print(_row(module, counts))
    print(_row("all", total))
    print(f"\n{len(survivors)} not killed (mutmut show NAME):")
    print("\n".join(survivors))


def _row(label: str, counts: Counter[str]) -> str:
    mutants = sum(counts.values())
    checked = mutants - counts["not checked"]
    killed = counts["killed"] + counts["caught by type check"]
    caught = killed + counts["timeout"]
    score = 100 * caught / checked if checked else 0.0
    return (
        f"{label:34} {mutants:7} {killed:6} {counts['survived']:5} {counts['timeout']:5} "
        f"{counts['no tests']:5} {counts['not checked']:5} {score:5.1f} %"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="dotted module names (default: all in config)")
    parser.add_argument("--report", action="store_true", help="only print the last run's score")
    parser.add_argument("--fresh", action="store_true", help="drop mutants/ and its results first")
    parser.add_argument(
        "--survivors", action="store_true", help="re-check only the mutants not killed last time"
    )
    args = parser.parse_args()
    mutmut = ensure_mutmut()
    names = [f"{module}.*" for module in args.modules]
    if args.survivors:
        last = results(mutmut)
        again = ("survived", "no tests", "not checked")
        names = [name for name, status in last.items() if status in again]
        names = [name for name in names if not args.modules or module_of(name) in args.modules]
    if not args.report and (names or not args.survivors):
        seconds = run(mutmut, names, args.fresh)
        print(f"\nmutmut run: {seconds / 60:.1f} min")
    report(results(mutmut), args.modules)


if __name__ == "__main__":
    main()
