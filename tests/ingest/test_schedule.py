"""When a feed is polled next: the success interval, floors, the backoff ladder and its caps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from syndicator.ingest.schedule import FLOOR_CAP, JITTER_SPREAD, backoff, is_broken, next_poll_at

NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
TEN_MIN = timedelta(minutes=10)
DAY = timedelta(hours=24)


def due(failures: int = 0, /, **kwargs: object) -> timedelta:
    """The delay next_poll_at gives with a 10-minute interval and a 24 h max backoff."""
    options: dict[str, object] = {"interval": TEN_MIN, "max_backoff": DAY, **kwargs}
    return next_poll_at(now=NOW, consecutive_failures=failures, **options) - NOW  # type: ignore[arg-type]


def test_success_waits_one_interval() -> None:
    """After a good poll the feed is due one interval later."""
    assert due() == TEN_MIN


@pytest.mark.parametrize("floor", ["retry_after", "max_age", "ttl"])
def test_longer_publisher_hint_is_a_floor_on_success(floor: str) -> None:
    """Retry-After, max-age and ttl longer than the interval push the next poll out."""
    assert due(**{floor: timedelta(hours=1)}) == timedelta(hours=1)


@pytest.mark.parametrize("floor", ["retry_after", "max_age", "ttl"])
def test_shorter_publisher_hint_does_not_speed_up_polling(floor: str) -> None:
    """A hint shorter than the interval leaves the interval in force."""
    assert due(**{floor: timedelta(minutes=1)}) == TEN_MIN


def test_longest_floor_wins() -> None:
    """With several hints, the longest one sets the floor."""
    assert due(
        retry_after=timedelta(minutes=20), max_age=timedelta(minutes=45), ttl=timedelta(minutes=30)
    ) == timedelta(minutes=45)


@pytest.mark.parametrize("floor", ["retry_after", "max_age", "ttl"])
def test_floor_is_capped_so_a_silly_header_cannot_silence_a_portal(floor: str) -> None:
    """A week-long hint waits only FLOOR_CAP (24 h)."""
    assert due(**{floor: timedelta(days=7)}) == FLOOR_CAP


def test_interval_longer_than_floor_cap_is_respected() -> None:
    """The operator's own interval is not subject to the floor cap."""
    assert due(interval=timedelta(hours=48)) == timedelta(hours=48)


@pytest.mark.parametrize(("failures", "minutes"), [(1, 20), (2, 40), (3, 80), (4, 160), (5, 320)])
def test_backoff_ladder_doubles(failures: int, minutes: int) -> None:
    """Failure n waits interval * 2**n."""
    assert due(failures) == timedelta(minutes=minutes)


@pytest.mark.parametrize("failures", [8, 9, 50, 10_000])
def test_backoff_is_capped_at_max_backoff(failures: int) -> None:
    """However many failures, the wait never exceeds max_backoff (and never overflows)."""
    assert due(failures) == DAY
    assert due(failures, max_backoff=timedelta(hours=2)) == timedelta(hours=2)


def test_max_backoff_below_interval_never_polls_faster_than_healthy() -> None:
    """A failing feed is never polled more often than its own interval."""
    assert due(3, interval=timedelta(hours=2), max_backoff=timedelta(hours=1)) == timedelta(hours=2)


def test_failure_waits_at_least_retry_after() -> None:
    """On failure, Retry-After longer than the backoff is obeyed."""
    assert due(1, retry_after=timedelta(hours=3)) == timedelta(hours=3)


def test_failure_retry_after_shorter_than_backoff_is_ignored() -> None:
    """On failure, a short Retry-After does not shorten the backoff."""
    assert due(3, retry_after=timedelta(minutes=1)) == timedelta(minutes=80)


def test_failure_retry_after_is_capped() -> None:
    """On failure too, a huge Retry-After waits only FLOOR_CAP."""
    assert due(1, retry_after=timedelta(days=30)) == FLOOR_CAP


def test_failure_ignores_max_age_and_ttl() -> None:
    """Cache hints from a failed poll do not affect the backoff."""
    assert due(1, max_age=timedelta(hours=5), ttl=timedelta(hours=5)) == timedelta(minutes=20)


def test_broken_feed_is_still_retried_daily() -> None:
    """A feed far past the broken threshold is still due again within max_backoff."""
    assert is_broken(500, 10)
    assert due(500) == DAY


def test_jitter_stretches_within_bounds_and_keeps_caps() -> None:
    """Jitter lengthens the base delay by at most JITTER_SPREAD; caps and floors still hold."""
    assert due(jitter=0.5) == TEN_MIN * (1 + JITTER_SPREAD * 0.5)
    assert due(50, jitter=0.99) == DAY
    assert due(jitter=0.5, ttl=timedelta(hours=1)) == timedelta(hours=1)


def test_zero_jitter_is_exact() -> None:
    """Without jitter the schedule is exactly reproducible."""
    assert due(2, jitter=0.0) == backoff(TEN_MIN, 2, DAY) == timedelta(minutes=40)


@pytest.mark.parametrize(
    "bad",
    [{"jitter": 1.0}, {"jitter": -0.1}, {"interval": timedelta(0)}],
)
def test_invalid_arguments_are_refused(bad: dict[str, object]) -> None:
    """Jitter outside [0, 1) and a non-positive interval raise ValueError."""
    with pytest.raises(ValueError, match="must be"):
        due(**bad)


def test_negative_failures_are_refused() -> None:
    """A negative failure count is a bug in the caller and raises."""
    with pytest.raises(ValueError, match="negative"):
        due(-1)


@pytest.mark.parametrize(("failures", "broken"), [(0, False), (9, False), (10, True), (11, True)])
def test_broken_threshold(failures: int, broken: bool) -> None:
    """A feed is broken from broken_after consecutive failures on."""
    assert is_broken(failures, 10) is broken
