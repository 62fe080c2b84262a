"""A report's period and its weeks: [since, until), cut at each Monday 00:00 in the province's
timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEK = timedelta(days=7)
TICK = timedelta(microseconds=1)  # the last instant of [since, until)


@dataclass(frozen=True)
class Period:
    """[since, until) and its weeks: week i is [bounds[i], bounds[i + 1]), its Monday weeks[i]."""

    since: datetime
    until: datetime
    weeks: tuple[date, ...]
    bounds: tuple[datetime, ...]

    @property
    def length_in_weeks(self) -> float:
        return (self.until - self.since) / WEEK

    def utc_days(self) -> tuple[date, date]:
        """The first and last UTC day the period touches (failed polls are counted per day)."""
        return self.since.astimezone(UTC).date(), (self.until - TICK).astimezone(UTC).date()


def period(since: datetime, until: datetime, timezone: str) -> Period:
    """The period [since, until) (aware times, since before until) and its local weeks."""
    if since >= until:
        raise ValueError(f"the period's start {since} is not before its end {until}")
    zone = ZoneInfo(timezone)
    first = since.astimezone(zone).date()
    monday = first - timedelta(days=first.weekday())
    weeks, bounds = [monday], [since.astimezone(UTC)]
    while True:
        monday += WEEK
        start = datetime.combine(monday, time(), zone).astimezone(UTC)
        if start >= until:
            break
        weeks.append(monday)
        bounds.append(start)
    bounds.append(until.astimezone(UTC))
    return Period(since.astimezone(UTC), until.astimezone(UTC), tuple(weeks), tuple(bounds))
