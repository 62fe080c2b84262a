"""A report's weeks: cut at Monday 00:00 in the province's timezone, each Monday the period
touches and only those, both ends at their edge; the UTC days of its failed polls."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from syndicator.report.period import period

HANOI = "Asia/Ho_Chi_Minh"
MONDAY_LOCAL_MIDNIGHT = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)  # Monday 30/11 00:00 +07
SECOND = timedelta(seconds=1)


def test_weeks_start_on_local_mondays() -> None:
    """Thirty days to Monday 7/12 07:00 (+07) touch six weeks, cut at local midnights."""
    until = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    span = period(until - timedelta(days=30), until, HANOI)
    assert span.weeks == tuple(date(2026, 11, 2) + timedelta(weeks=n) for n in range(6))
    assert span.bounds[1] == datetime(2026, 11, 8, 17, 0, tzinfo=UTC)  # Monday 9/11 00:00 +07
    assert span.bounds[-1] == until and len(span.bounds) == len(span.weeks) + 1
    assert span.length_in_weeks == pytest.approx(30 / 7)


@pytest.mark.parametrize(("past", "weeks"), [(timedelta(0), 1), (SECOND, 2)])
def test_a_period_ending_at_a_local_monday_midnight(past: timedelta, weeks: int) -> None:
    """Ending exactly at Monday 00:00 the period does not touch that week; a second later it
    does."""
    until = MONDAY_LOCAL_MIDNIGHT + past
    span = period(MONDAY_LOCAL_MIDNIGHT - timedelta(days=7), until, HANOI)
    assert len(span.weeks) == weeks
    assert span.weeks[0] == date(2026, 11, 23)


@pytest.mark.parametrize(("early", "first"), [(timedelta(0), 30), (SECOND, 23)])
def test_a_period_starting_at_a_local_monday_midnight(early: timedelta, first: int) -> None:
    """Starting exactly at Monday 00:00 that Monday is the first week; a second earlier the
    week before is."""
    since = MONDAY_LOCAL_MIDNIGHT - early
    span = period(since, since + timedelta(days=3), HANOI)
    assert span.weeks[0] == date(2026, 11, first)


def test_the_utc_days_of_the_period() -> None:
    """From the day of `since` to the day of the last instant before `until`."""
    until = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    span = period(until - timedelta(days=30), until, HANOI)
    assert span.utc_days() == (date(2026, 11, 7), date(2026, 12, 6))


def test_a_period_must_not_be_empty() -> None:
    with pytest.raises(ValueError, match="not before its end"):
        period(MONDAY_LOCAL_MIDNIGHT, MONDAY_LOCAL_MIDNIGHT, HANOI)
