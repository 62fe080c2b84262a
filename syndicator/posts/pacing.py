"""When each approved post may go out on one channel: pure functions of plain values.

Posts are taken best first: effective priority (feed priority, plus `urgent_boost` when the
title holds an urgent word), then the oldest approval, then the lowest id. Walking forward
from `now`, each slot is the earliest instant that keeps `min_spacing` after the channel's
previous post, at most `max_per_hour` posts in any rolling 60 minutes, at most `max_per_day`
per calendar day in the province's timezone, and no post inside the quiet hours (local wall
clock, read through zoneinfo so DST gaps and folds are handled too). The slot goes to the best
post available at that instant: a post whose `not_before` is still ahead does not hold up the
ones behind it. The walk jumps from one constraint boundary to the next, never minute by minute.
No clock reads, no I/O: the caller passes `now` and the channel's recent publishing history.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field, field_validator

from syndicator.ingest.normalize.text import fold, phrase_pattern
from syndicator.settings_models import Duration, Section

HOUR = timedelta(hours=1)
QuietWindow = tuple[time, time]
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_WINDOW_FIX = 'write "HH:MM-HH:MM" in local time, e.g. "22:00-06:00", or "" for none'
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


class PacingSettings(Section):
    """How fast one channel may post: the `[pacing.<channel name>]` table of settings.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    min_spacing: Duration = timedelta(minutes=15)  # between two posts on the channel
    max_per_hour: int = Field(default=4, ge=1, le=3600)  # in any rolling 60 minutes
    max_per_day: int = Field(default=24, ge=1, le=86400)  # per calendar day, province's timezone
    quiet_hours: str | None = "22:00-06:00"  # local time, may cross midnight; "" = none
    urgent_words: list[str] = Field(default_factory=lambda: ["khẩn", "hỏa tốc", "khẩn cấp"])
    urgent_boost: int = Field(default=10, ge=0, le=1000)  # added to urgent posts' feed priority

    @field_validator("min_spacing")
    @classmethod
    def _not_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            raise ValueError('must not be negative; write it like "15m", or "0s" for none')
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        window = quiet_window(value)
        return None if window is None else f"{window[0]:%H:%M}-{window[1]:%H:%M}"

    @field_validator("urgent_words")
    @classmethod
    def _no_blank_word(cls, value: list[str]) -> list[str]:
        if any(not word.strip() for word in value):
            raise ValueError("holds an empty word, which would match every title; remove it")
        return value


@dataclass(frozen=True, slots=True)
class Queued:
    """One approved post waiting for its slot."""

    post_id: int
    priority: int  # the feed's priority
    title: str  # searched for urgent words
    approved_at: datetime  # aware
    not_before: datetime | None = None  # e.g. a retry's next_attempt_at


def quiet_window(value: str | None) -> QuietWindow | None:
    """Read "HH:MM-HH:MM" (start inclusive, end exclusive); None or "" means no quiet hours."""
    if value is None or not value.strip():
        return None
    match = _WINDOW.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a quiet-hours window; {_WINDOW_FIX}")
    hour1, minute1, hour2, minute2 = (int(part) for part in match.groups())
    if max(hour1, hour2) > 23 or max(minute1, minute2) > 59:
        raise ValueError(f"{value!r} holds a time outside 00:00-23:59; {_WINDOW_FIX}")
    if (hour1, minute1) == (hour2, minute2):
        raise ValueError(f"{value!r} starts and ends at the same time; {_WINDOW_FIX}")
    return time(hour1, minute1), time(hour2, minute2)


def effective_priority(queued: Queued, settings: PacingSettings) -> int:
    """Feed priority, plus urgent_boost when the title holds an urgent word (whole word, NFC, casefold)."""
    pattern = _urgent_pattern(tuple(settings.urgent_words))
    urgent = pattern is not None and pattern.search(fold(queued.title)) is not None
    return queued.priority + (settings.urgent_boost if urgent else 0)


def schedule(
    queue: Sequence[Queued],
    published: Sequence[datetime],
    now: datetime,
    settings: PacingSettings,
    tz: ZoneInfo,
) -> dict[int, datetime]:
    """The slot (aware UTC) of every queued post, in slot order (ties in priority order).

    `published` holds when posts went out on this channel; it must reach back at least to the
    start of the local day and one hour, or the caps cannot see what was already sent.
    """
    window = quiet_window(settings.quiet_hours)
    history = _History.of(published, tz)
    start = _utc(now)
    waiting = sorted((_available_at(post, start), _order_key(post, settings)) for post in queue)
    ready: list[tuple[int, datetime, int]] = []
    slots: dict[int, datetime] = {}
    index = 0
    while index < len(waiting) or ready:
        slot = _earliest(start, history, settings, window)
        while index < len(waiting) and waiting[index][0] <= slot:
            heapq.heappush(ready, waiting[index][1])
            index += 1
        if not ready:  # nobody may go yet: wait for the next not_before
            start = waiting[index][0]
            continue
        slots[heapq.heappop(ready)[2]] = slot
        history.add(slot)
        start = slot
    return slots


def due(
    queue: Sequence[Queued],
    published: Sequence[datetime],
    now: datetime,
    settings: PacingSettings,
    tz: ZoneInfo,
) -> list[int]:
    """Ids of the posts whose slot is at or before `now`, in slot order: what to send now."""
    limit = _utc(now)
    slots = schedule(queue, published, now, settings, tz)
    return [post_id for post_id, slot in slots.items() if slot <= limit]


@dataclass(slots=True)
class _History:
    """The channel's posts so far (published, then scheduled), oldest first, and per local day."""

    tz: ZoneInfo
    times: list[datetime] = field(default_factory=list)
    per_day: Counter[date] = field(default_factory=Counter)

    @classmethod
    def of(cls, published: Sequence[datetime], tz: ZoneInfo) -> _History:
        history = cls(tz, sorted(_utc(moment) for moment in published))
        history.per_day.update(moment.astimezone(tz).date() for moment in history.times)
        return history

    def add(self, slot: datetime) -> None:
        """Record a slot; it is never earlier than the last post, so times stay sorted."""
        self.times.append(slot)
        self.per_day[slot.astimezone(self.tz).date()] += 1

    def floor(self, settings: PacingSettings) -> datetime | None:
        """The earliest instant spacing and the hourly cap allow after the last post."""
        if not self.times:
            return None
        floor = self.times[-1] + settings.min_spacing
        if len(self.times) >= settings.max_per_hour:
            floor = max(floor, self.times[-settings.max_per_hour] + HOUR)
        return floor


def _earliest(
    start: datetime, history: _History, settings: PacingSettings, window: QuietWindow | None
) -> datetime:
    """The first instant from `start` on that every constraint allows; each jump only moves on."""
    floor = history.floor(settings)
    slot = start if floor is None else max(start, floor)
    tz = history.tz
    while True:
        local = slot.astimezone(tz)
        if history.per_day[local.date()] >= settings.max_per_day:
            wall = datetime.combine(local.date() + timedelta(days=1), time())
        elif window is not None and _is_quiet(local.time(), window):
            end_day = local.date() + timedelta(days=0 if local.time() < window[1] else 1)
            wall = datetime.combine(end_day, window[1])
        else:
            return slot
        target = _reach_wall(wall, slot, tz)
        # Where the clock falls back on the way, it may leave the quiet hours for a while
        # before `wall` (quiet from 02:01, and 02:00 shown again): look again at the change.
        slot = _offset_change(slot, target, tz) or target


def _is_quiet(clock: time, window: QuietWindow) -> bool:
    start, end = window
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end  # the window crosses midnight


def _reach_wall(wall: datetime, after: datetime, tz: ZoneInfo) -> datetime:
    """The first instant after `after` at which the local clock shows `wall` (naive).

    Where a DST fold shows `wall` twice, the first occurrence after `after`; where a DST gap
    skips it, the instant the gap ends (the first one whose clock is past `wall`).
    """
    folds = sorted({wall.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1)})
    for candidate in folds:
        if candidate > after and _wall_clock(candidate, tz) == wall:
            return candidate
    low = (max(after, folds[0]) - _EPOCH) // _SECOND
    high = -((_EPOCH - folds[-1]) // _SECOND)
    while high - low > 1:  # bisect to the transition; tzdata transitions fall on whole seconds
        middle = (low + high) // 2
        if _wall_clock(_EPOCH + middle * _SECOND, tz) >= wall:
            high = middle
        else:
            low = middle
    return _EPOCH + high * _SECOND


def _offset_change(after: datetime, until: datetime, tz: ZoneInfo) -> datetime | None:
    """The first instant in (after, until) whose UTC offset differs from `after`'s, or None.
    A jump spans at most a day or so: one DST transition at the most."""
    offset = after.astimezone(tz).utcoffset()
    if until.astimezone(tz).utcoffset() == offset:
        return None
    low, high = (after - _EPOCH) // _SECOND, -((_EPOCH - until) // _SECOND)
    while high - low > 1:  # tzdata transitions fall on whole seconds
        middle = (low + high) // 2
        if (_EPOCH + middle * _SECOND).astimezone(tz).utcoffset() == offset:
            low = middle
        else:
            high = middle
    change = _EPOCH + high * _SECOND
    return change if change < until else None


def _wall_clock(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def _order_key(post: Queued, settings: PacingSettings) -> tuple[int, datetime, int]:
    return -effective_priority(post, settings), _utc(post.approved_at), post.post_id


def _available_at(post: Queued, now: datetime) -> datetime:
    return now if post.not_before is None else max(now, _utc(post.not_before))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no timezone; pacing needs aware datetimes")
    return moment.astimezone(UTC)


@lru_cache(maxsize=64)
def _urgent_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    # \w covers Vietnamese letters, so "khẩn" does not match inside "khẩnx"; spaces inside a
    # phrase match any run of white space.
    phrases = [phrase_pattern(word) for word in words]
    phrases = [phrase for phrase in phrases if phrase]
    return re.compile(rf"(?<!\w)(?:{'|'.join(phrases)})(?!\w)") if phrases else None
