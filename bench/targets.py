"""The issue's targets for the polling benchmark, checked against one run's report.

Ratios are to the baseline's first cycle measured in the same run. The targets are stated for
N = 1000; at other N they are checked the same way but are only indicative.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

MAX_FIRST_RATIO = 1.2
MAX_304_RATIO = 0.05
MAX_SAME_BODY_RATIO = 0.2
MAX_RSS_MB = 100.0


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    limit: str
    verdict: str  # PASS | FAIL | SKIP


def seconds(report: dict[str, Any], contender: str, cycle: str) -> float | None:
    """The contender's first `cycle` in the report, or None when it did not run."""
    cycles = report["contenders"].get(contender, {}).get("cycles", [])
    return next((float(c["seconds"]) for c in cycles if c["cycle"] == cycle), None)


def ratio_target(name: str, value: float | None, reference: float, limit: float) -> Target:
    if value is None or math.isnan(reference):
        return Target(name, "-", f"≤ {limit:g}x", "SKIP")
    ratio = value / reference
    return Target(name, f"{ratio:.3f}x", f"≤ {limit:g}x", "PASS" if ratio <= limit else "FAIL")


def versus_target(name: str, ours: float | None, theirs: float | None, strict: bool) -> Target:
    if ours is None or theirs is None:
        return Target(name, "-", "-", "SKIP")
    passed = ours < theirs if strict else ours <= theirs
    sign = "<" if strict else "≤"
    return Target(name, f"{ours:.3f} s", f"{sign} {theirs:.3f} s", "PASS" if passed else "FAIL")


def rss_target(report: dict[str, Any]) -> Target:
    result = report["contenders"].get("syndicator")
    if result is None:
        return Target("peak RSS", "-", f"≤ {MAX_RSS_MB:g} MB", "SKIP")
    peak = max(c["peak_rss_mb"] for c in result["cycles"])
    verdict = "PASS" if peak <= MAX_RSS_MB else "FAIL"
    return Target("peak RSS", f"{peak:.1f} MB", f"≤ {MAX_RSS_MB:g} MB", verdict)


def evaluate(report: dict[str, Any]) -> list[dict[str, str]]:
    reference = float(report["reference_seconds"])
    ours = {
        cycle: seconds(report, "syndicator", cycle)
        for cycle in ("first", "unchanged_304", "unchanged_200")
    }
    theirs = {cycle: seconds(report, "reader", cycle) for cycle in ("first", "unchanged_304")}
    targets = [
        ratio_target("first cycle vs baseline", ours["first"], reference, MAX_FIRST_RATIO),
        versus_target("first cycle faster than reader", ours["first"], theirs["first"], True),
        ratio_target(
            "unchanged cycle, 304 server, vs baseline",
            ours["unchanged_304"],
            reference,
            MAX_304_RATIO,
        ),
        versus_target(
            "unchanged cycle, 304 server, not slower than reader",
            ours["unchanged_304"],
            theirs["unchanged_304"],
            False,
        ),
        ratio_target(
            "unchanged cycle, identical bodies, vs baseline",
            ours["unchanged_200"],
            reference,
            MAX_SAME_BODY_RATIO,
        ),
        rss_target(report),
    ]
    return [asdict(target) for target in targets]
