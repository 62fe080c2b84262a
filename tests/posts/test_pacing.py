"""Pacing: spacing, hourly and daily caps, quiet hours, priority, urgent words, not_before."""

from __future__ import annotations

import time
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from syndicator.posts.pacing import PacingSettings, Queued, due, effective_priority, schedule

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BERLIN = ZoneInfo("Europe/Berlin")
SANTIAGO = ZoneInfo("America/Santiago")
NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
OPEN = PacingSettings(quiet_hours=None)  # defaults without quiet hours
MINUTE = timedelta(minutes=1)


def vn(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant given by its wall clock in Hà Nội, November 2026, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=VN).astimezone(UTC)


def post(
    post_id: int,
    priority: int = 0,
    title: str = "Tin hoạt động",
    approved: datetime = NOW - timedelta(hours=1),
    not_before: datetime | None = None,
) -> Queued:
    """A queued post with harmless defaults."""
    return Queued(post_id, priority, title, approved, not_before)


def slots_of(
    queue: list[Queued],
    pacing: PacingSettings = OPEN,
    now: datetime = NOW,
    published: tuple[datetime, ...] = (),
    tz: ZoneInfo = VN,
) -> list[tuple[int, datetime]]:
    """schedule() as a list of (post id, slot) in slot order."""
    return list(schedule(queue, published, now, pacing, tz).items())


def test_posts_are_spaced_by_min_spacing() -> None:
    """Posts ready together go out min_spacing apart, the first one at once."""
    got = slots_of(
        [post(1), post(2), post(3)], PacingSettings(quiet_hours=None, min_spacing=10 * MINUTE)
    )
    assert got == [(1, NOW), (2, NOW + 10 * MINUTE), (3, NOW + 20 * MINUTE)]


def test_slots_are_aware_utc() -> None:
    """Every slot is an aware datetime in UTC, whatever zone `now` is given in."""
    slot = schedule([post(1)], [], NOW.astimezone(VN), OPEN, VN)[1]
    assert slot == NOW and slot.tzinfo is UTC


def test_hourly_cap_holds_over_any_rolling_hour() -> None:
    """With 5-minute spacing and 3 an hour, the fourth post waits until the first leaves the hour."""
    pacing = PacingSettings(quiet_hours="", min_spacing=5 * MINUTE, max_per_hour=3)
    got = [slot - NOW for _, slot in slots_of([post(n) for n in range(6)], pacing)]
    assert got == [timedelta(minutes=m) for m in (0, 5, 10, 60, 65, 70)]


def test_daily_cap_resets_at_local_midnight() -> None:
    """The day's cap frees up at midnight in Hà Nội (17:00 UTC), not at midnight UTC."""
    pacing = PacingSettings(quiet_hours=None, max_per_day=2, min_spacing=5 * MINUTE)
    got = slots_of(
        [post(1), post(2), post(3), post(4)], pacing, now=vn(2, 23), published=(vn(2, 9),)
    )
    assert got == [(1, vn(2, 23)), (2, vn(3, 0)), (3, vn(3, 0, 5)), (4, vn(4, 0))]
    assert vn(3, 0) == datetime(2026, 11, 2, 17, 0, tzinfo=UTC)


def test_quiet_hours_across_midnight_hold_a_late_post_until_morning() -> None:
    """A post approved at 23:00 local goes at 06:00 local the next morning."""
    late = post(1, approved=vn(2, 23))
    assert slots_of([late], PacingSettings(), now=vn(2, 23)) == [(1, vn(3, 6))]


def test_quiet_hours_push_the_rest_of_a_batch_to_the_morning() -> None:
    """Posts that no longer fit before 22:00 continue at 06:00, still spaced."""
    got = slots_of([post(n) for n in range(4)], PacingSettings(), now=vn(2, 21, 30))
    assert [slot for _, slot in got] == [vn(2, 21, 30), vn(2, 21, 45), vn(3, 6), vn(3, 6, 15)]


def test_quiet_hours_within_a_day() -> None:
    """A lunch-time window "12:00-13:30" holds posts until 13:30 and frees them after."""
    pacing = PacingSettings(quiet_hours="12:00-13:30")
    got = slots_of([post(n) for n in range(3)], pacing, now=vn(2, 11, 50))
    assert [slot for _, slot in got] == [vn(2, 11, 50), vn(2, 13, 30), vn(2, 13, 45)]


def test_higher_priority_goes_first() -> None:
    """A post of a higher-priority feed jumps ahead of older ones."""
    got = slots_of([post(1), post(2), post(3, priority=5, approved=NOW)])
    assert [post_id for post_id, _ in got] == [3, 1, 2]


def test_urgent_word_in_title_jumps_ahead() -> None:
    """A newer post titled "KHẨN" goes ahead; "khẩnx" is not the word and does not."""
    queue = [
        post(1),
        post(2, title="Tin khẩnx", approved=NOW),
        post(3, title="Thông báo KHẨN", approved=NOW),
    ]
    assert [post_id for post_id, _ in slots_of(queue)] == [3, 1, 2]


@pytest.mark.parametrize(
    ("title", "urgent"),
    [
        ("Thông báo KHẨN về mưa lũ", True),
        ("Công văn Hỏa   Tốc", True),
        ("Khẩn cấp: sơ tán dân", True),
        (unicodedata.normalize("NFD", "Thông báo khẩn"), True),
        ("khẩn.", True),
        ("Tin khẩnx", False),
        ("Xkhẩn", False),
        ("Hỏa hoạn", False),
    ],
)
def test_effective_priority_boosts_whole_urgent_words(title: str, urgent: bool) -> None:
    """Urgent words count as whole words, in any case and Unicode form, and boost only once."""
    assert effective_priority(post(1, priority=2, title=title), OPEN) == (12 if urgent else 2)


def test_oldest_first_within_a_priority_then_lowest_id() -> None:
    """Among equal priorities the oldest approval goes first; equal approvals go by post id."""
    queue = [post(7, approved=NOW - MINUTE), post(5), post(9, approved=NOW - 2 * MINUTE), post(4)]
    assert [post_id for post_id, _ in slots_of(queue)] == [4, 5, 9, 7]


def test_not_before_is_respected() -> None:
    """A retry waiting until its next attempt gets no slot before then."""
    later = NOW + timedelta(minutes=40)
    assert slots_of([post(1, not_before=later)]) == [(1, later)]


def test_a_post_not_yet_ready_does_not_hold_up_the_others() -> None:
    """While a high-priority retry waits, a ready post takes the free slot; the retry goes next."""
    retry = post(1, priority=9, not_before=NOW + 5 * MINUTE)
    assert slots_of([retry, post(2)]) == [(2, NOW), (1, NOW + 15 * MINUTE)]


def test_published_history_counts_for_spacing() -> None:
    """A post published 5 minutes ago keeps the next one 10 more minutes away."""
    got = slots_of([post(1)], published=(NOW - 5 * MINUTE,))
    assert got == [(1, NOW + 10 * MINUTE)]


def test_published_history_counts_for_the_hourly_cap() -> None:
    """Four posts in the last hour hold the next one until the oldest of them is an hour old."""
    history = tuple(NOW - timedelta(minutes=m) for m in (20, 30, 40, 50))
    assert slots_of([post(1)], published=history) == [(1, NOW + 10 * MINUTE)]


def test_published_history_counts_for_the_daily_cap() -> None:
    """A day already full of posts sends the queue to the next local midnight."""
    history = tuple(vn(2, 1) + timedelta(minutes=20 * n) for n in range(24))
    assert slots_of([post(1)], published=history) == [(1, vn(3, 0))]


def test_empty_queue_has_no_slots() -> None:
    """Nothing queued: no slots and nothing due."""
    assert schedule([], [NOW], NOW, OPEN, VN) == {}
    assert due([], [NOW], NOW, OPEN, VN) == []


def test_due_lists_what_may_go_now_in_slot_order() -> None:
    """due() names the posts whose slot is now, best first, and nothing while spacing holds."""
    queue = [post(1), post(2, priority=1), post(3, priority=1)]
    pacing = PacingSettings(quiet_hours=None, min_spacing=timedelta(0))
    assert due(queue, [], NOW, pacing, VN) == [2, 3, 1]
    assert due(queue, [NOW - MINUTE], NOW, OPEN, VN) == []


def test_naive_now_is_refused() -> None:
    """A naive `now` is a programming error, named as such."""
    with pytest.raises(ValueError, match="no timezone"):
        schedule([post(1)], [], NOW.replace(tzinfo=None), OPEN, VN)


@pytest.mark.parametrize(
    "value", ["22-06", "22:00", "25:00-06:00", "22:60-06:00", "22:00-22:00", "22h-6h"]
)
def test_quiet_hours_validation_names_the_fix(value: str) -> None:
    """A malformed quiet-hours window fails with a message showing how to write it."""
    with pytest.raises(ValidationError, match=r'write "HH:MM-HH:MM" in local time'):
        PacingSettings(quiet_hours=value)


@pytest.mark.parametrize(
    ("value", "stored"), [("", None), (None, None), (" 22:00 - 6:00 ", "22:00-06:00")]
)
def test_quiet_hours_accepts_none_and_tidies_spacing(value: str | None, stored: str | None) -> None:
    """Empty means no quiet hours; a loosely written window is stored in canonical form."""
    assert PacingSettings(quiet_hours=value).quiet_hours == stored


def test_other_settings_are_checked() -> None:
    """Durations are read from operator form; nonsense caps, spacing and blank words are refused."""
    assert PacingSettings.model_validate({"min_spacing": "90s"}).min_spacing == timedelta(
        seconds=90
    )
    for bad in (
        {"max_per_hour": 0},
        {"max_per_day": 0},
        {"min_spacing": "-5m"},
        {"urgent_words": [" "]},
    ):
        with pytest.raises(ValidationError):
            PacingSettings.model_validate(bad)


def test_quiet_end_in_a_dst_gap_is_the_end_of_the_gap() -> None:
    """Quiet until 02:30 on the night Berlin skips 02:00-03:00 ends at 03:00 CEST (01:00 UTC)."""
    pacing = PacingSettings(quiet_hours="22:00-02:30")
    now = datetime(2026, 3, 28, 23, 0, tzinfo=BERLIN)
    assert slots_of([post(1)], pacing, now=now, tz=BERLIN) == [
        (1, datetime(2026, 3, 29, 1, 0, tzinfo=UTC))
    ]


def test_quiet_hours_in_a_repeated_dst_hour_follow_the_wall_clock() -> None:
    """When Berlin repeats 02:00-03:00, a post at the second 02:10 waits for the second 02:30."""
    pacing = PacingSettings(quiet_hours="22:00-02:30")
    now = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)  # 02:10 CET, the second time round
    assert slots_of([post(1)], pacing, now=now, tz=BERLIN) == [
        (1, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    ]


def test_daily_cap_midnight_in_a_dst_gap() -> None:
    """Santiago skips from 00:00 to 01:00; the new day's first instant is 01:00 -03 (04:00 UTC)."""
    pacing = PacingSettings(quiet_hours=None, max_per_day=1)
    now = datetime(2026, 9, 5, 22, 0, tzinfo=SANTIAGO)
    got = slots_of([post(1), post(2)], pacing, now=now, tz=SANTIAGO)
    assert [slot for _, slot in got] == [now, datetime(2026, 9, 6, 4, 0, tzinfo=UTC)]


def test_a_thousand_posts_all_get_a_slot() -> None:
    """1000 queued posts after a day of history each get a slot (speed is measured in bench/)."""
    queue = [post(n, priority=n % 3, approved=NOW - n * MINUTE) for n in range(1000)]
    history = [NOW - timedelta(minutes=15 * n + 1) for n in range(96)]
    slots = schedule(queue, history, NOW, PacingSettings(), VN)
    assert len(slots) == 1000


# --- property: the schedule never breaks a rule ------------------------------------------------

ZONES = [VN, BERLIN, SANTIAGO, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")]
# Starting points near DST changes of the zones above, and an ordinary day.
STARTS = [
    datetime(2026, 3, 28, 20, tzinfo=UTC),
    datetime(2026, 4, 4, 12, tzinfo=UTC),
    datetime(2026, 9, 5, 20, tzinfo=UTC),
    datetime(2026, 10, 3, 12, tzinfo=UTC),
    datetime(2026, 10, 24, 20, tzinfo=UTC),
    NOW,
]
TITLES = ["Tin hoạt động", "Thông báo KHẨN", "Tin khẩnx"]


@st.composite
def pacing_settings(draw: st.DrawFn) -> PacingSettings:
    """Random but valid pacing settings, quiet hours on whole minutes."""
    quiet = None
    if draw(st.booleans()):
        start, end = draw(st.lists(st.integers(0, 1439), min_size=2, max_size=2, unique=True))
        quiet = f"{start // 60:02}:{start % 60:02}-{end // 60:02}:{end % 60:02}"
    return PacingSettings(
        min_spacing=timedelta(minutes=draw(st.integers(0, 90))),
        max_per_hour=draw(st.integers(1, 6)),
        max_per_day=draw(st.integers(1, 30)),
        quiet_hours=quiet,
    )


@st.composite
def situations(
    draw: st.DrawFn, max_posts: int = 25
) -> tuple[list[Queued], list[datetime], datetime]:
    """A queue, a sorted history and `now`, all on whole minutes."""
    now = draw(st.sampled_from(STARTS)) + draw(st.integers(0, 24 * 60)) * MINUTE
    history = sorted(
        now - draw(st.integers(0, 1500)) * MINUTE for _ in range(draw(st.integers(0, 30)))
    )
    queue = [
        Queued(
            post_id=n,
            priority=draw(st.integers(0, 2)),
            title=draw(st.sampled_from(TITLES)),
            approved_at=now - draw(st.integers(0, 600)) * MINUTE,
            not_before=draw(st.none() | st.integers(-60, 900).map(lambda m: now + m * MINUTE)),
        )
        for n in range(draw(st.integers(0, max_posts)))
    ]
    return queue, history, now


def expected_key(queued: Queued) -> tuple[int, datetime, int]:
    """The expected order, computed independently: priority (+10 if "KHẨN"), age, id."""
    return (
        -(queued.priority + (10 if "KHẨN" in queued.title else 0)),
        queued.approved_at,
        queued.post_id,
    )


def available(queued: Queued, now: datetime) -> datetime:
    """When the post may go at the earliest, ignoring pacing."""
    return max(now, queued.not_before or now)


def broken_rule(
    slot: datetime, before: list[datetime], pacing: PacingSettings, tz: ZoneInfo
) -> str | None:
    """The rule a post at `slot` would break after the posts `before` (sorted), if any."""
    if before and slot - before[-1] < pacing.min_spacing:
        return "spacing"
    in_hour = bisect_right(before, slot) - bisect_right(before, slot - timedelta(hours=1))
    if in_hour + 1 > pacing.max_per_hour:
        return "hourly cap"
    day = slot.astimezone(tz).date()
    if sum(moment.astimezone(tz).date() == day for moment in before) + 1 > pacing.max_per_day:
        return "daily cap"
    if pacing.quiet_hours:
        start, end = (int(t[:2]) * 60 + int(t[3:]) for t in pacing.quiet_hours.split("-"))
        wall = slot.astimezone(tz)
        clock = wall.hour * 60 + wall.minute
        if (start <= clock < end) if start < end else (clock >= start or clock < end):
            return "quiet hours"
    return None


@settings(max_examples=300, deadline=None)
@given(situations(), pacing_settings(), st.sampled_from(ZONES))
def test_schedule_never_breaks_a_rule(
    situation: tuple[list[Queued], list[datetime], datetime], pacing: PacingSettings, tz: ZoneInfo
) -> None:
    """For random queues, histories, settings and zones, every slot keeps every rule and the order."""
    queue, history, now = situation
    slots = schedule(queue, history, now, pacing, tz)
    assert sorted(slots) == sorted(q.post_id for q in queue)
    assert list(slots.values()) == sorted(slots.values())
    before = list(history)
    for queued in sorted(queue, key=lambda q: slots[q.post_id]):
        slot = slots[queued.post_id]
        assert slot >= available(queued, now) and slot.tzinfo is UTC
        assert broken_rule(slot, before, pacing, tz) is None
        before.append(slot)
    ordered = sorted(queue, key=expected_key)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            assert (
                slots[first.post_id] <= slots[second.post_id]
                or available(first, now) > slots[second.post_id]
            )


def reference_schedule(
    queue: list[Queued],
    history: list[datetime],
    now: datetime,
    pacing: PacingSettings,
    tz: ZoneInfo,
) -> dict[int, datetime]:
    """The same walk done the slow, obvious way: minute by minute, the best ready post when allowed."""
    before, slots, moment = list(history), {}, now
    waiting = sorted(queue, key=expected_key)
    while waiting:
        ready = [q for q in waiting if available(q, now) <= moment]
        if ready and broken_rule(moment, before, pacing, tz) is None:
            slots[ready[0].post_id] = moment
            before.append(moment)
            waiting.remove(ready[0])
        else:
            moment += MINUTE
    return slots


@settings(max_examples=150, deadline=None)
@given(situations(max_posts=6), pacing_settings(), st.sampled_from(ZONES))
def test_schedule_matches_a_minute_by_minute_walk(
    situation: tuple[list[Queued], list[datetime], datetime], pacing: PacingSettings, tz: ZoneInfo
) -> None:
    """Each slot is the earliest allowed minute: the jumping walk equals a minute-stepping one."""
    queue, history, now = situation
    assert schedule(queue, history, now, pacing, tz) == reference_schedule(
        queue, history, now, pacing, tz
    )


BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 02:30 summer time, quiet; at 01:00 UTC the clock falls back to 02:00, before 02:01.
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),
        # 02:01 winter time, after the fall-back: quiet until midnight.
        (datetime(2026, 10, 25, 1, 1, tzinfo=UTC), datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_left_by_a_clock_falling_back_give_that_minute(
    now: datetime, expected: datetime
) -> None:
    """Found by the minute-by-minute property: a jump to the window's end passed over the
    repeated 02:00 that the fall-back shows before quiet hours from 02:01 begin again."""
    pacing = PacingSettings(min_spacing="0s", quiet_hours="02:01-00:00")
    post = Queued(1, 0, "Thông báo lịch tiếp công dân", now)
    assert schedule([post], [], now, pacing, BERLIN) == {1: expected}


# --- edges the mutation run found untested (issue #9) -------------------------------------------

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("clock", "expected"),
    [((11, 59), (11, 59)), ((12, 0), (13, 30)), ((13, 29), (13, 30)), ((13, 30), (13, 30))],
)
def test_quiet_hours_start_at_their_first_minute_and_end_before_their_last(
    clock: tuple[int, int], expected: tuple[int, int]
) -> None:
    """The window "12:00-13:30" is quiet from 12:00 itself up to, not including, 13:30."""
    pacing = PacingSettings(quiet_hours="12:00-13:30")
    assert slots_of([post(1)], pacing, now=vn(2, *clock)) == [(1, vn(2, *expected))]


@pytest.mark.parametrize(
    ("tz", "quiet", "now", "first_showing"),
    [
        # Berlin shows 02:00-03:00 twice; the first 02:30 is CEST (00:30 UTC), the second CET.
        (BERLIN, "22:00-02:30", datetime(2026, 10, 24, 23, 0), datetime(2026, 10, 25, 0, 30)),
        # New York shows 01:00-02:00 twice; the first 01:30 is EDT (05:30 UTC), the second EST.
        (NEW_YORK, "22:00-01:30", datetime(2026, 10, 31, 23, 0), datetime(2026, 11, 1, 5, 30)),
    ],
)
def test_quiet_hours_ending_in_a_repeated_hour_end_at_its_first_showing(
    tz: ZoneInfo, quiet: str, now: datetime, first_showing: datetime
) -> None:
    """On the night the clock falls back, quiet hours end the first time the clock shows
    their end, not an hour later when it shows it again."""
    got = slots_of([post(1)], PacingSettings(quiet_hours=quiet), now=now.replace(tzinfo=tz), tz=tz)
    assert got == [(1, first_showing.replace(tzinfo=UTC))]


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 10, 25, 0, 30, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, 1, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, 3, 250000, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 47, 6, tzinfo=UTC),
    ],
)
def test_the_minute_a_fall_back_leaves_quiet_hours_is_found_to_the_second(now: datetime) -> None:
    """Quiet from 02:01 in Berlin; the fall-back at 01:00 UTC shows 02:00 again, and the post
    goes at exactly 01:00:00 UTC whatever second `now` falls on (a clock's `now` has seconds)."""
    pacing = PacingSettings(min_spacing=timedelta(0), quiet_hours="02:01-00:00")
    got = slots_of([post(1, approved=now)], pacing, now=now, tz=BERLIN)
    assert got == [(1, datetime(2026, 10, 25, 1, 0, tzinfo=UTC))]


@pytest.fixture
def host_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The machine's own zone set to the parameter, and set back afterwards."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    "host_zone",
    [
        "Asia/Ho_Chi_Minh",  # the zone the server's admins might pick
        "Africa/Johannesburg",  # +02:00 all year: Berlin's summer offset
    ],
    indirect=True,
)
@pytest.mark.usefixtures("host_zone")
def test_slots_in_another_zone_do_not_depend_on_the_hosts_zone() -> None:
    """Berlin's fall-back night gives the same slots whatever zone the machine itself is set to:
    the first 02:30 ends quiet hours until 02:30, and the repeated 02:00 leaves those from 02:01."""
    until_0230 = PacingSettings(quiet_hours="22:00-02:30")
    from_0201 = PacingSettings(min_spacing=timedelta(0), quiet_hours="02:01-00:00")
    summer_2300 = datetime(2026, 10, 24, 21, 0, tzinfo=UTC)
    summer_0230 = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert slots_of([post(1)], until_0230, now=summer_2300, tz=BERLIN) == [(1, summer_0230)]
    assert slots_of([post(1)], from_0201, now=summer_0230, tz=BERLIN) == [
        (1, datetime(2026, 10, 25, 1, 0, tzinfo=UTC))
    ]


class _NoOffset(tzinfo):
    """A tzinfo that knows no offset: by Python's definition its datetimes are naive."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> None:
        return None


def test_a_now_whose_tzinfo_gives_no_offset_is_refused_as_naive() -> None:
    """A tzinfo attached but no offset is still no timezone: refused, not read in the host's."""
    with pytest.raises(ValueError, match="no timezone"):
        schedule([post(1)], [], NOW.replace(tzinfo=_NoOffset()), OPEN, VN)


@pytest.mark.parametrize(
    ("value", "stored"), [("23:00-06:00", "23:00-06:00"), ("23:59-00:00", "23:59-00:00")]
)
def test_quiet_hours_may_use_the_last_hour_and_minute_of_the_day(value: str, stored: str) -> None:
    """23 is the last hour and 59 the last minute a window may name."""
    assert PacingSettings(quiet_hours=value).quiet_hours == stored


@pytest.mark.parametrize("value", ["24:00-06:00", "22:00-24:00"])
def test_quiet_hours_at_hour_24_are_refused_with_the_fix(value: str) -> None:
    """Hour 24, just past the last, is refused with the message that shows how to write it."""
    with pytest.raises(ValidationError, match=r'write "HH:MM-HH:MM" in local time'):
        PacingSettings(quiet_hours=value)
