"""Durations written the way operators write them: "90s", "10m", "6h", "2d"."""

from __future__ import annotations

import re
from datetime import timedelta

# ASCII digits only: \d would also take "²" or "٣", which float() then refuses.
_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d|w)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# Longer is a typo ("99999999999d"), and would overflow timedelta and the dates built from it.
LONGEST = timedelta(days=3650)


def parse_duration(value: object) -> timedelta:
    """Read "90s", "10m", "6h", "2d", "1w" (or a number of seconds, or a timedelta).

    Refuses negative durations and durations longer than LONGEST with a ValueError.
    """
    if isinstance(value, timedelta):
        return _in_range(value.total_seconds(), value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _in_range(value, value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return _in_range(float(match[1]) * _UNITS[match[2]], value)
    raise ValueError(f'{_shown(value)} is not a duration; write it like "90s", "10m", "6h" or "2d"')


def _in_range(seconds: float, written: object) -> timedelta:
    if seconds != seconds:  # NaN (math.isnan would overflow on a huge int)
        raise ValueError(f'{_shown(written)} is not a duration; write it like "90s" or "10m"')
    if seconds < 0:
        raise ValueError(f'{_shown(written)} is negative; write it like "90s" or "10m"')
    if seconds > LONGEST.total_seconds():
        raise ValueError(
            f"{_shown(written)} is longer than {format_duration(LONGEST)} (10 years); "
            "check the number"
        )
    return timedelta(seconds=seconds)


def _shown(value: object) -> str:
    """The value as written, short enough for a one-line message."""
    if isinstance(value, int) and abs(value) >= 10**18:
        return "that number"  # repr of a huge int is long, and past 4300 digits refused
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def format_duration(value: timedelta) -> str:
    """The shortest exact operator form of a duration ("1h30m" becomes "90m")."""
    seconds = value.total_seconds()
    for unit in ("w", "d", "h", "m", "s"):
        size = _UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
