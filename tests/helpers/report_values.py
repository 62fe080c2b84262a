"""Reports built by hand (syndicator/report/model.py values), for the tests of what draws them:
the charts, the HTML file and the admin page's /report. Three portals of a province over the 30
days before Monday 7/12/2026 00:00 in Hanoi time: one fresh, one stale, one that never published;
one required category left empty by every agency."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from syndicator.report.model import AgencyCoverage, Category, PortalActivity, Report, Totals

UNTIL = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)  # 07/12/2026 00:00 in Asia/Ho_Chi_Minh
SINCE = UNTIL - timedelta(days=30)
WEEKS = tuple(date(2026, 11, 2) + timedelta(weeks=n) for n in range(5))  # Mondays 2/11 - 30/11

CATEGORIES = (
    Category("van-ban", "Văn bản quy phạm pháp luật, văn bản quản lý hành chính", required=True),
    Category("thu-tuc", "Thủ tục hành chính, dịch vụ công trực tuyến", required=True),
    Category("quy-hoach", "Chiến lược, quy hoạch, kế hoạch phát triển", required=True),
    Category("tin-tuc", "Tin tức, sự kiện", required=False),
)


def activity(
    feed: str,
    name: str,
    agency: str,
    weekly: tuple[int, ...],
    *,
    last_item_at: datetime | None = None,
    days_since: int | None = None,
    stale: bool = False,
    errors: int = 0,
    published: dict[str, int] | None = None,
) -> PortalActivity:
    """A portal's row over the 30 days (threshold 7 days); by default one that never
    published, with no error or post."""
    items = sum(weekly)
    return PortalActivity(
        feed, name, agency, items, per_week=round(items / (30 / 7), 1), weekly=weekly,
        last_item_at=last_item_at, days_since=days_since, stale=stale, stale_after_days=7,
        errors=errors, published=published or {},
    )  # fmt: skip


PORTALS = (
    activity(
        "so-xay-dung", "Cổng thông tin Sở Xây dựng", "Sở Xây dựng", (0, 0, 0, 0, 0), stale=True
    ),
    activity(
        "xa-tan-phu",
        "Cổng thông tin điện tử xã Tân Phú",
        "UBND xã Tân Phú",
        (3, 2, 1, 0, 0),
        last_item_at=datetime(2026, 11, 24, 2, 15, tzinfo=UTC),  # 24/11/2026 09:15 in Hanoi
        days_since=12,
        stale=True,
        errors=4,
        published={"facebook": 2, "zalo": 1},
    ),
    activity(
        "so-tu-phap",
        "Cổng thông tin Sở Tư pháp",
        "Sở Tư pháp",
        (5, 7, 4, 6, 3),
        last_item_at=datetime(2026, 12, 5, 2, 30, tzinfo=UTC),  # 05/12/2026 09:30 in Hanoi
        days_since=1,
        published={"facebook": 12, "zalo": 9},
    ),
)

COVERAGE = (
    AgencyCoverage("Sở Tư pháp", {"van-ban": 14, "thu-tuc": 8, "tin-tuc": 3}, ("quy-hoach",)),
    AgencyCoverage("Sở Xây dựng", {}, ("van-ban", "thu-tuc", "quy-hoach")),
    AgencyCoverage("UBND xã Tân Phú", {"tin-tuc": 6}, ("van-ban", "thu-tuc", "quy-hoach")),
)


def sample_report() -> Report:
    """The three portals above: 31 items, 2 stale, 4 failed polls, 14 + 10 posts."""
    return Report(
        generated_at=UNTIL + timedelta(minutes=5),
        since=SINCE,
        until=UNTIL,
        weeks=WEEKS,
        categories=CATEGORIES,
        portals=PORTALS,
        coverage=COVERAGE,
        totals=Totals(
            portals=3, stale=2, items=31, errors=4, published={"facebook": 14, "zalo": 10}
        ),
    )


def empty_report() -> Report:
    """A period with no portal, agency or category: what a new installation reports."""
    return Report(UNTIL, SINCE, UNTIL, WEEKS, (), (), (), Totals(0, 0, 0, 0, {}))


def hostile_report(text: str) -> Report:
    """The sample with `text` as every name, agency, channel and category an operator writes."""
    portals = tuple(
        dataclasses.replace(portal, name=text, agency=text, published={text: 1})
        for portal in PORTALS
    )
    coverage = (AgencyCoverage(text, {text: 2}, (text,)),)
    categories = (Category(text, text, required=True),)
    report = sample_report()
    totals = dataclasses.replace(report.totals, published={text: 3})
    return dataclasses.replace(
        report, portals=portals, coverage=coverage, categories=categories, totals=totals
    )
