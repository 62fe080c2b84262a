"""`services.report.build_report`: the period ends at the clock's now and lasts 30 days unless
told; the stale threshold and both ends of the period at their edge and just past; an empty
database gives an empty report; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.feeds import count_failed_poll
from storage.session import writing
from syndicator.report.model import PortalActivity, Report
from syndicator.services.report import build_report
from tests.helpers.report_province import SINCE, UNTIL, fill, province_app

SECOND = timedelta(seconds=1)
LAST_AT_TINH_PHONG = UNTIL - timedelta(days=35)  # its newest item


def portal(report: Report, feed: str) -> PortalActivity:
    return next(p for p in report.portals if p.feed == feed)


def test_defaults_are_the_30_days_to_now(engine: Engine, tmp_path: Path) -> None:
    """Without arguments: [now - 30 days, now), generated now."""
    fill(engine)
    report = build_report(province_app(engine, tmp_path))
    assert (report.since, report.until, report.generated_at) == (SINCE, UNTIL, UNTIL)
    assert (report.totals.items, report.totals.stale, report.totals.errors) == (7, 2, 8)


def test_a_given_end_and_length(engine: Engine, tmp_path: Path) -> None:
    """`until` and `since` choose the period; `generated_at` stays the clock's now."""
    fill(engine)
    until = UNTIL - timedelta(days=7)
    report = build_report(province_app(engine, tmp_path), timedelta(days=14), until)
    assert (report.since, report.until, report.generated_at) == (
        until - timedelta(days=14),
        until,
        UNTIL,
    )
    assert portal(report, "syt").items == 2  # 10 and 12 days before UNTIL


@pytest.mark.parametrize(("past", "stale"), [(timedelta(0), False), (SECOND, True)])
def test_stale_after_exactly_the_threshold(
    engine: Engine, tmp_path: Path, past: timedelta, stale: bool
) -> None:
    """Seven days after its last item a portal is not stale yet; a second later it is."""
    fill(engine)
    until = LAST_AT_TINH_PHONG + timedelta(days=7) + past
    report = build_report(province_app(engine, tmp_path), until=until)
    tinh_phong = portal(report, "xa-tinh-phong")
    assert (tinh_phong.days_since, tinh_phong.stale) == (7, stale)


@pytest.mark.parametrize(("past", "counted"), [(timedelta(0), False), (SECOND, True)])
def test_an_item_at_the_end_counts_just_past_it(
    engine: Engine, tmp_path: Path, past: timedelta, counted: bool
) -> None:
    """The period is [since, until): an item at `until` is outside; with the period ending a
    second later (same start), inside, and then the portal's last item."""
    fill(engine)
    report = build_report(province_app(engine, tmp_path), timedelta(days=30) + past, UNTIL + past)
    skhcn = portal(report, "skhcn")
    assert skhcn.items == 5 + counted
    assert (skhcn.last_item_at == UNTIL) is counted


@pytest.mark.parametrize(("early", "counted"), [(timedelta(0), True), (SECOND, False)])
def test_an_item_at_the_start_counts(
    engine: Engine, tmp_path: Path, early: timedelta, counted: bool
) -> None:
    """An item at exactly `since` is inside; with the period starting a second later, not."""
    fill(engine)
    length = timedelta(days=30) - early
    report = build_report(province_app(engine, tmp_path), length)
    assert portal(report, "skhcn").items == 4 + counted


def test_an_empty_database_is_an_empty_report(engine: Engine, tmp_path: Path) -> None:
    """Nothing stored yet: every portal listed with nothing, never published, stale."""
    report = build_report(province_app(engine, tmp_path))
    assert [p.items for p in report.portals] == [0] * 5
    assert all(p.last_item_at is None and p.stale for p in report.portals)
    assert report.totals.items == 0 and report.totals.published == {"fanpage": 0, "zalo-oa": 0}
    assert all(c.items == {} for c in report.coverage)


def test_a_period_of_no_time_is_refused(engine: Engine, tmp_path: Path) -> None:
    """A zero or negative length is a programming error, said as such."""
    with pytest.raises(ValueError, match="longer than zero"):
        build_report(province_app(engine, tmp_path), timedelta(0))


def test_the_snapshot_leaves_the_connection_as_it_was(engine: Engine, tmp_path: Path) -> None:
    """The report's read-only snapshot (REPEATABLE READ on PostgreSQL) ends with the report:
    the pooled connection then writes, at the usual isolation level."""
    app = province_app(engine, tmp_path)
    build_report(app)
    with writing(app.migrated_engine()) as session:
        count_failed_poll(session, "xa-ba-to", UNTIL.date())
        if engine.dialect.name == "postgresql":
            level = session.connection().exec_driver_sql("SHOW transaction_isolation").scalar()
            assert level == "read committed"
    assert portal(build_report(app, until=UNTIL + timedelta(days=1)), "xa-ba-to").errors == 1
