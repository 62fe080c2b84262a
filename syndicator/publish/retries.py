"""When the publisher tries again: pure decisions on plain values, no I/O.

Three clocks run here. A post whose send failed climbs LADDER. A search for a post whose
outcome is unknown (reconcile) climbs the same ladder, and gives up for a person once searches
have failed for longer than `publishing.reconcile_give_up`. A throttled channel waits as long
as the platform estimates, or, without an estimate, THROTTLE_LADDER by the throttles in a row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

LADDER = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
)
THROTTLE_LADDER = (
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=4),
    timedelta(minutes=8),
    timedelta(minutes=15),
)


def throttle_pause(estimate: timedelta | None, strikes: int) -> timedelta:
    """How long a throttled channel waits: the platform's estimate when it names a time;
    otherwise (no estimate, or "0 minutes to regain access" while still throttling us) the
    rung for `strikes`, the throttles in a row counting this one: 1, 2, 4, 8, then 15 minutes.
    Not "at once" for a 0: calls made while throttled count against the quota again."""
    if estimate is not None and estimate > timedelta(0):
        return estimate
    rung = min(max(strikes, 1), len(THROTTLE_LADDER))
    return THROTTLE_LADDER[rung - 1]


def next_search(
    first_failure: datetime, failures: int, now: datetime, give_up: timedelta
) -> datetime | None:
    """When to search the platform again after the `failures`-th failed search in a row (the
    first of them at `first_failure`); None once they have failed for longer than `give_up`.
    The last search is never scheduled past the give-up moment."""
    if now - first_failure > give_up:
        return None
    step = LADDER[min(max(failures, 1), len(LADDER)) - 1]
    return min(now + step, first_failure + give_up)
