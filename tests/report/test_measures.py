"""The report's figures from a province's database with known counts (tests/helpers/
report_province.py), on SQLite and PostgreSQL: items per portal and week, last item, staleness
with a per-feed threshold, failed polls and posts inside the period only, coverage per agency
with the first matching rule winning, and the province's totals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.models import FeedState
from storage.session import reading_snapshot, writing
from syndicator.report.categorize import classify_stored
from syndicator.report.measures import measure
from syndicator.report.model import PortalActivity, Report
from tests.helpers.report_province import (
    D_CREATED,
    ITEMS,
    SINCE,
    UNTIL,
    fill,
    province_app,
)

GENERATED = UNTIL + timedelta(minutes=3)
SOURCES = sum(len(feeds) for _, _, feeds, _, _ in ITEMS)  # one row per portal that carried one


@pytest.fixture(params=["classified by the report", "stored by the classify job"])
def report(engine: Engine, tmp_path: Path, request: pytest.FixtureRequest) -> Report:
    """The province's report: every figure is the same whether the report classifies the items
    itself or reads the categories the daemon's classify job stored."""
    fill(engine)
    app = province_app(engine, tmp_path)
    if request.param == "stored by the classify job":
        assert classify_stored(engine, app.settings.report.rules) == SOURCES
    with reading_snapshot(engine) as session:
        return measure(session, app.settings, SINCE, UNTIL, GENERATED)


def portal(report: Report, feed: str) -> PortalActivity:
    return next(p for p in report.portals if p.feed == feed)


def test_period_and_weeks(report: Report) -> None:
    """The period is [since, until) in UTC; its weeks are the local Mondays it touches, the
    last one seven hours long (Monday 00:00 to 07:00 in Hanoi)."""
    assert (report.since, report.until, report.generated_at) == (SINCE, UNTIL, GENERATED)
    assert report.weeks == tuple(date(2026, 11, 2) + timedelta(weeks=n) for n in range(6))


def test_portals_stalest_first(report: Report) -> None:
    """Never published first, then the longest silence; every feed is listed, disabled too."""
    assert [p.feed for p in report.portals] == [
        "xa-ba-to",
        "xa-tinh-phong",
        "syt",
        "skhcn-vanban",
        "skhcn",
    ]


def test_items_per_portal_and_week(report: Report) -> None:
    """An item counts for each portal that carried it; one at exactly `since` counts, one at
    exactly `until` does not; an item with no date counts when it was stored."""
    skhcn = portal(report, "skhcn")
    assert skhcn.items == 5 and skhcn.weekly == (1, 0, 0, 1, 2, 1)
    assert skhcn.per_week == pytest.approx(5 / (30 / 7))
    vanban = portal(report, "skhcn-vanban")
    assert vanban.items == 2 and vanban.weekly == (0, 0, 0, 0, 2, 0)
    assert vanban.last_item_at == D_CREATED
    assert portal(report, "syt").weekly == (0, 0, 0, 2, 0, 0)
    assert portal(report, "xa-tinh-phong").weekly == (0,) * 6


def test_last_item_days_since_and_staleness(report: Report) -> None:
    """The last item is the newest ever before the end; days are whole; a feed's own threshold
    wins over the default; a portal that never published is stale."""
    facts = {
        p.feed: (p.last_item_at, p.days_since, p.stale, p.stale_after_days) for p in report.portals
    }
    assert facts == {
        "skhcn": (UNTIL - timedelta(hours=3), 0, False, 7),
        "skhcn-vanban": (UNTIL - timedelta(days=3), 3, False, 7),
        "syt": (UNTIL - timedelta(days=10), 10, False, 14),
        "xa-tinh-phong": (UNTIL - timedelta(days=35), 35, True, 7),
        "xa-ba-to": (None, None, True, 7),
    }


def test_failed_polls_on_the_periods_days(report: Report) -> None:
    """Failed polls on the UTC days the period touches: its first day counts, the day before
    and the day of its end (at 00:00, outside it) do not."""
    assert {p.feed: p.errors for p in report.portals} == {
        "skhcn": 1,
        "skhcn-vanban": 0,
        "syt": 0,
        "xa-tinh-phong": 7,
        "xa-ba-to": 0,
    }


def test_posts_published_per_channel(report: Report) -> None:
    """Posts published in the period, per portal and channel, every channel named (0 too); a
    post published before the period is left out."""
    assert portal(report, "skhcn").published == {"fanpage": 2, "zalo-oa": 1}
    assert portal(report, "syt").published == {"fanpage": 1, "zalo-oa": 0}
    assert portal(report, "xa-ba-to").published == {"fanpage": 0, "zalo-oa": 0}


def test_coverage_per_agency(report: Report) -> None:
    """Agencies by name; an article two of an agency's portals carried counts once; the first
    matching rule wins (procedures before documents), a url path classifies, the rest take
    their feed's category; the required categories with nothing are named in settings order."""
    coverage = {c.agency: (c.items, c.empty_required) for c in report.coverage}
    assert list(coverage) == [
        "Sở Khoa học và Công nghệ",
        "Sở Y tế",
        "UBND xã Ba Tô",
        "UBND xã Tịnh Phong",
    ]
    assert coverage["Sở Khoa học và Công nghệ"] == (
        {"van-ban": 1, "thu-tuc-hanh-chinh": 2, "dau-thau": 1, "tin-tuc": 2},
        (),
    )
    assert coverage["Sở Y tế"] == (
        {"thu-tuc-hanh-chinh": 1, "tin-tuc": 1},
        ("van-ban", "dau-thau"),
    )
    everything = ("van-ban", "thu-tuc-hanh-chinh", "dau-thau")
    assert coverage["UBND xã Ba Tô"] == ({}, everything)
    assert coverage["UBND xã Tịnh Phong"] == ({}, everything)


def test_categories_and_totals(report: Report) -> None:
    """The settings' categories in their order; the province's items counted once each."""
    assert [(c.id, c.required) for c in report.categories] == [
        ("van-ban", True),
        ("thu-tuc-hanh-chinh", True),
        ("dau-thau", True),
        ("tin-tuc", False),
    ]
    totals = report.totals
    assert (totals.portals, totals.stale, totals.items, totals.errors) == (5, 2, 7, 8)
    assert totals.published == {"fanpage": 3, "zalo-oa": 1}


def test_a_period_with_no_data_is_an_empty_report(engine: Engine, tmp_path: Path) -> None:
    """A period before anything was stored: every portal with nothing and never published,
    every required category empty; no error."""
    fill(engine)
    app = province_app(engine, tmp_path)
    until = datetime(2025, 1, 6, tzinfo=UTC)
    with reading_snapshot(engine) as session:
        empty = measure(session, app.settings, until - timedelta(days=7), until, GENERATED)
    assert [p.items for p in empty.portals] == [0] * 5
    assert all(p.stale and p.last_item_at is None for p in empty.portals)
    assert (empty.totals.items, empty.totals.errors, empty.totals.stale) == (0, 0, 5)
    assert all(len(c.empty_required) == 3 for c in empty.coverage)


def report_with_state(engine: Engine, tmp_path: Path, newest: datetime | None) -> Report:
    """The province, the commune Tịnh Phong's poll record saying its newest item was `newest`,
    and Ba Tô's saying it never saw one."""
    fill(engine)
    with writing(engine) as session:
        url = "https://tinhphong.quangngai.gov.vn/rss"
        session.add(FeedState(feed_id="xa-tinh-phong", url=url, newest_item_at=newest))
        session.add(FeedState(feed_id="xa-ba-to", url="https://bato.quangngai.gov.vn/rss"))
    app = province_app(engine, tmp_path)
    with reading_snapshot(engine) as session:
        return measure(session, app.settings, SINCE, UNTIL, GENERATED)


def test_a_silent_portals_last_item_from_its_poll_record(engine: Engine, tmp_path: Path) -> None:
    """A portal silent in the period whose polls last saw an item before it: that date (an
    article it listed and later removed, never stored), without reading its history."""
    report = report_with_state(engine, tmp_path, UNTIL - timedelta(days=34))
    tinh_phong = portal(report, "xa-tinh-phong")
    assert (tinh_phong.last_item_at, tinh_phong.days_since) == (UNTIL - timedelta(days=34), 34)
    assert portal(report, "xa-ba-to").last_item_at is None


@pytest.mark.parametrize("seen", [SINCE, UNTIL + timedelta(days=2)])
def test_a_poll_record_the_period_does_not_hold_is_not_used(
    engine: Engine, tmp_path: Path, seen: datetime
) -> None:
    """A record at or after the period's start (a future-dated article, a past period) says
    nothing of the time before it: the portal's items are read."""
    report = report_with_state(engine, tmp_path, seen)
    assert portal(report, "xa-tinh-phong").last_item_at == UNTIL - timedelta(days=35)
