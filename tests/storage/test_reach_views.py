"""The reach views (storage/reach_views.py) over a province with known counters (tests/helpers/
reach_province.py), on SQLite and PostgreSQL: the latest counters of each post published in the
period, sums that count unknown counters apart (never as 0), the series by age, and engagement
by local hour and weekday at a day's edge in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from storage import reach_views
from storage.models import Item, Post
from storage.reach_views import NONE_KNOWN, LatestReach, Sum, by_local_time, engagement
from storage.session import reading, writing
from tests.helpers.reach_province import fill_reach, reach_row
from tests.helpers.report_province import SINCE, UNTIL

ZONE = "Asia/Ho_Chi_Minh"


def test_latest_counters_of_each_post_in_the_period(engine: Engine) -> None:
    """Newest first; a post's latest counters are its greatest age's row as the platform gave
    it (b's impressions were known at 1h, not at 24h: unknown); a post with nothing collected
    has every counter unknown; the post before the period is left out."""
    ids = fill_reach(engine)
    with reading(engine) as session:
        rows = reach_views.published_latest(session, SINCE, UNTIL)
    assert [row.post_id for row in rows] == [
        ids[("a", "zalo-oa")], ids[("a", "fanpage")], ids[("b", "fanpage")], ids[("h", "fanpage")]
    ]  # fmt: skip
    zalo, fanpage, b, h = rows
    assert zalo.counts == (None, None, 2, None, None, 150) and zalo.collected_at == UNTIL
    assert fanpage.counts == (40, 5, 3, 900, None, None) and fanpage.age_seconds == 3600
    assert b.counts == (7, 0, 0, None, None, None) and b.age_seconds == 86400
    assert (h.counts, h.collected_at, h.age_seconds) == (NONE_KNOWN, None, None)
    assert fanpage.title == "Sở KH&CN tổ chức Hội nghị chuyển đổi số năm 2026"
    assert fanpage.published_at == UNTIL - timedelta(hours=2)


def test_totals_count_unknown_counters_apart(engine: Engine) -> None:
    """Per portal and per channel, one grouped query: a sum over the posts that gave the
    counter and how many did; a counter no post gave sums to None (unknown), not 0."""
    fill_reach(engine)
    with reading(engine) as session:
        feeds = reach_views.totals_by(session, SINCE, UNTIL, "feed")
        channels = reach_views.totals_by(session, SINCE, UNTIL, "channel")
    skhcn, syt = feeds["skhcn"], feeds["syt"]
    assert set(feeds) == {"skhcn", "syt"}
    assert skhcn.posts == 3
    assert skhcn.sums["reactions"] == Sum(47, 2) and skhcn.unknown("reactions") == 1
    assert skhcn.sums["comments"] == Sum(5, 2) and skhcn.sums["shares"] == Sum(5, 3)
    assert skhcn.total("clicks") is None and skhcn.unknown("clicks") == 3
    assert skhcn.total("views") == 150 and skhcn.unknown("views") == 2
    assert syt.posts == 1 and all(syt.total(name) is None for name in reach_views.COUNTERS)
    assert channels["fanpage"].posts == 3 and channels["fanpage"].total("reactions") == 47
    assert channels["zalo-oa"].total("reactions") is None
    assert channels["zalo-oa"].total("views") == 150
    with reading(engine) as session:
        rows = reach_views.published_latest(session, SINCE, UNTIL)
    assert reach_views.totals_of(rows) == skhcn.plus(syt)


def test_a_period_with_no_post_sums_to_zero_not_unknown(engine: Engine) -> None:
    fill_reach(engine)
    with reading(engine) as session:
        found = reach_views.totals_by(session, UNTIL, UNTIL + timedelta(days=1), "feed")
    assert found == {}
    assert reach_views.totals_of([]).total("reactions") == 0


def test_series_by_age_youngest_first(engine: Engine) -> None:
    ids = fill_reach(engine)
    with reading(engine) as session:
        found = reach_views.series(session, ids[("b", "fanpage")])
        none = reach_views.series(session, ids[("h", "fanpage")])
    assert [(at.age_seconds, at.counts) for at in found] == [
        (3600, (3, 0, 0, 120, None, None)),
        (86400, (7, 0, 0, None, None, None)),
    ]
    assert none == []


def test_top_posts_by_a_counter_leave_out_unknown_and_zero(engine: Engine) -> None:
    ids = fill_reach(engine)
    with reading(engine) as session:
        rows = reach_views.published_latest(session, SINCE, UNTIL)
    top = reach_views.top_posts(rows, "reactions")
    assert [row.post_id for row in top] == [ids[("a", "fanpage")], ids[("b", "fanpage")]]
    assert [row.post_id for row in reach_views.top_posts(rows, "comments")] == [
        ids[("a", "fanpage")]
    ]
    by_engagement = reach_views.top_posts(rows, "engagement", limit=2)
    assert [row.value("engagement") for row in by_engagement] == [48, 7]


def test_engagement_sums_what_people_did() -> None:
    """Reactions, comments, shares and clicks that are known; views say who saw, not who did."""
    assert engagement((40, 5, 3, 900, None, None)) == 48
    assert engagement((None, None, None, 900, None, 150)) is None
    assert engagement((None, None, 0, None, None, 150)) == 0


def _edge_post(session_engine: Engine, published_at: datetime, reactions: int) -> None:
    with writing(session_engine) as session:
        item = Item(
            title=f"Thông báo lịch tiếp công dân tháng 12/2026 ({reactions})",
            title_key=f"{reactions:064d}",
            first_feed_id="skhcn",
            created_at=published_at,
            published_at=published_at,
        )
        session.add(item)
        session.flush()
        assert item.id is not None
        post = Post(
            item_id=item.id, channel="fanpage", feed_id="skhcn", status="published",
            published_at=published_at, remote_id=f"1234567890_{reactions}",
            created_at=published_at, updated_at=published_at,
        )  # fmt: skip
        session.add(post)
        session.flush()
        assert post.id is not None
        session.add(
            reach_row(post.id, timedelta(hours=1), published_at, (reactions,) + (None,) * 5)
        )


def test_hour_and_weekday_at_a_days_edge_in_hanoi(engine: Engine) -> None:
    """23:59:59 on Sunday 6/12 in Hanoi (16:59:59 UTC) is hour 23 of a Sunday; a second later,
    00:00:00 on Monday 7/12, is hour 0 of a Monday."""
    last = datetime(2026, 12, 6, 16, 59, 59, tzinfo=UTC)
    _edge_post(engine, last, 11)
    _edge_post(engine, last + timedelta(seconds=1), 13)
    with reading(engine) as session:
        rows = reach_views.published_latest(
            session, last - timedelta(days=1), last + timedelta(days=1)
        )
    hours, days = by_local_time(rows, ZONE)
    assert (hours[23].posts, hours[23].engagement) == (1, Sum(11, 1))
    assert (hours[0].posts, hours[0].engagement) == (1, Sum(13, 1))
    assert (days[6].posts, days[6].engagement) == (1, Sum(11, 1))
    assert (days[0].posts, days[0].engagement) == (1, Sum(13, 1))
    assert sum(slot.posts for slot in hours) == 2 and sum(slot.posts for slot in days) == 2


def test_a_post_with_no_engagement_known_counts_as_a_post_only() -> None:
    at = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)  # 19:30 in Hanoi
    row = LatestReach(7, "skhcn", "zalo-oa", "z1", at, "Tin", at, 3600, (None,) * 5 + (150,))
    hours, _days = by_local_time([row], ZONE)
    assert hours[19].posts == 1 and hours[19].engagement == Sum(0, 0)
