"""When to poll a feed next: pure functions of plain values (no I/O, no clock reads).

Success: the feed's interval, but never sooner than what the publisher asked for
(Retry-After, Cache-Control max-age, RSS <ttl>), each such floor capped at FLOOR_CAP so a
silly header cannot silence a portal. Failure n (n ≥ 1): interval * 2**n, capped at
max_backoff, never sooner than Retry-After (capped likewise). A broken feed keeps being
retried at the capped backoff; nothing here ever drops a feed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

FLOOR_CAP = timedelta(hours=24)
JITTER_SPREAD = 0.1  # jitter 0.99 stretches the base delay by at most ~10 %
_MAX_EXPONENT = 40  # 2**40 intervals is far beyond any max_backoff; avoids overflow


def next_poll_at(
    *,
    now: datetime,
    interval: timedelta,
    consecutive_failures: int,
    max_backoff: timedelta,
    retry_after: timedelta | None = None,
    max_age: timedelta | None = None,
    ttl: timedelta | None = None,
    jitter: float = 0.0,
) -> datetime:
    """The moment the feed is next due, after a poll that ended at `now`.

    `consecutive_failures` counts failures including this poll (0 = this poll succeeded).
    `jitter` in [0, 1) (e.g. derived from a hash of the feed id) stretches the base delay by
    up to JITTER_SPREAD so feeds sharing an interval drift apart; caps and floors still hold.
    max_age and ttl only matter on success; retry_after matters either way.
    """
    _check(interval=interval, consecutive_failures=consecutive_failures, jitter=jitter)
    stretch = 1.0 + JITTER_SPREAD * jitter
    if consecutive_failures == 0:
        delay = max(interval * stretch, _floor(retry_after, max_age, ttl))
    else:
        delay = max(
            backoff(interval, consecutive_failures, max_backoff, stretch), _floor(retry_after)
        )
    return now + delay


def backoff(
    interval: timedelta, consecutive_failures: int, max_backoff: timedelta, stretch: float = 1.0
) -> timedelta:
    """interval * 2**n (* stretch), capped at max_backoff but never shorter than interval."""
    exponent = min(consecutive_failures, _MAX_EXPONENT)
    grown = interval.total_seconds() * stretch * 2.0**exponent
    cap = max(max_backoff, interval)
    return timedelta(seconds=min(grown, cap.total_seconds()))


def is_broken(consecutive_failures: int, broken_after: int) -> bool:
    """A feed is broken (reported, still retried) after `broken_after` failures in a row."""
    return consecutive_failures >= broken_after


def _floor(*asked: timedelta | None) -> timedelta:
    """The longest wait a publisher asked for, capped at FLOOR_CAP; zero when none."""
    given = [value for value in asked if value is not None and value > timedelta(0)]
    return min(max(given), FLOOR_CAP) if given else timedelta(0)


def _check(*, interval: timedelta, consecutive_failures: int, jitter: float) -> None:
    if interval <= timedelta(0):
        raise ValueError(f"interval must be positive, not {interval}")
    if consecutive_failures < 0:
        raise ValueError(f"consecutive_failures cannot be negative ({consecutive_failures})")
    if not 0.0 <= jitter < 1.0:
        raise ValueError(f"jitter must be in [0, 1), not {jitter}")
