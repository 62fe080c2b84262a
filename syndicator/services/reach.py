"""What syndication brought back (issue #14), as the front ends ask for it: every published
post's latest counters (`syndicator reach --json`), the reach page's summary (top posts, totals
per portal, category and channel, engagement by local hour and weekday, the pacing windows it
suggests), and one post's counters by age (the post page).

A counter the platform did not give is None (null in JSON, "—" on a page), never 0; a sum
carries how many posts did not give it (storage/reach_views.py, ReachTotals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from storage import reach_views
from storage.reach_views import COUNTERS, LatestReach, ReachTotals, Slot, engagement
from storage.session import reading, reading_snapshot
from syndicator.durations import format_duration
from syndicator.report import reach_charts
from syndicator.report.classify import Classifier
from syndicator.report.measures import channel_names, report_categories
from syndicator.report.reach_figures import (
    MIN_MEASURED,
    PacingSuggestion,
    categories_of,
    suggest_pacing,
    totals_per,
)

if TYPE_CHECKING:
    from syndicator.app import App
    from syndicator.config import Settings

__all__ = [
    "COUNTERS",
    "MIN_MEASURED",
    "TOP_BY",
    "PacingSuggestion",
    "ReachTotals",
    "Slot",
    "charts",
    "formats",
    "post_reach",
    "reach_posts",
    "reach_summary",
    "sparkline",
]

DEFAULT_SINCE = timedelta(days=30)
TOP_BY = ("engagement", *COUNTERS)  # what the top posts may be ranked by
TOP_LIMIT = 10


@dataclass(frozen=True)
class ReachPost:
    """A published post and its latest counters (by name in COUNTERS; None: unknown)."""

    post: int
    feed: str
    channel: str
    remote_id: str | None
    title: str
    published_at: datetime
    collected_at: datetime | None  # when the latest counters were read; None: not yet
    counters: dict[str, int | None]

    @property
    def engagement(self) -> int | None:
        return engagement(tuple(self.counters[name] for name in COUNTERS))

    def as_json(self) -> dict[str, Any]:
        """The documented object of `syndicator reach --json` (README.md), times in ISO 8601
        with their offset."""
        collected = self.collected_at.isoformat() if self.collected_at else None
        return {
            "post": self.post,
            "feed": self.feed,
            "channel": self.channel,
            "remote_id": self.remote_id,
            "published_at": self.published_at.isoformat(),
            "collected_at": collected,
            **self.counters,
        }


@dataclass(frozen=True)
class GroupReach:
    """A portal's, category's or channel's posts of the period and their counters summed."""

    key: str  # the feed id, category id or channel name ("" for uncategorized)
    name: str  # what a reader calls it
    totals: ReachTotals


@dataclass(frozen=True)
class ReachSummary:
    """The reach page over [since, until)."""

    since: datetime
    until: datetime
    totals: ReachTotals
    top_by: str
    top: tuple[ReachPost, ...]
    per_portal: tuple[GroupReach, ...]  # the most posts first
    per_category: tuple[GroupReach, ...]
    per_channel: tuple[GroupReach, ...]
    hours: tuple[Slot, ...]  # 24, local hour 0 first
    weekdays: tuple[Slot, ...]  # 7, Monday first
    suggestions: tuple[PacingSuggestion, ...]  # one per channel


@dataclass(frozen=True)
class AgeReach:
    """A post's counters at one age after publishing."""

    age: timedelta
    age_label: str  # "1h", "24h", "7d"
    collected_at: datetime
    counters: dict[str, int | None]

    @property
    def engagement(self) -> int | None:
        return engagement(tuple(self.counters[name] for name in COUNTERS))


@dataclass(frozen=True)
class PostReach:
    """One post's counters by age, youngest first, and the ages still to come."""

    post_id: int
    ages: tuple[AgeReach, ...]
    pending: tuple[str, ...]  # reach.ages not collected yet ("7d")


def _period(app: App, since: timedelta, until: datetime | None) -> tuple[datetime, datetime]:
    if since <= timedelta(0):
        raise ValueError(f"the period must be longer than zero, not {since}")
    end = until or app.clock.now()
    return end - since, end


def _post(row: LatestReach) -> ReachPost:
    return ReachPost(
        post=row.post_id,
        feed=row.feed_id,
        channel=row.channel,
        remote_id=row.remote_id,
        title=row.title,
        published_at=row.published_at,
        collected_at=row.collected_at,
        counters=dict(zip(COUNTERS, row.counts, strict=True)),
    )


def reach_posts(
    app: App, since: timedelta = DEFAULT_SINCE, until: datetime | None = None
) -> list[ReachPost]:
    """Every post published in [until - since, until) (until: now), newest first, with its
    latest counters."""
    start, end = _period(app, since, until)
    with reading(app.migrated_engine()) as session:
        rows = reach_views.published_latest(session, start, end)
    return [_post(row) for row in rows]


def reach_summary(
    app: App,
    since: timedelta = DEFAULT_SINCE,
    top_by: str = "engagement",
    until: datetime | None = None,
) -> ReachSummary:
    """The reach page's figures over [until - since, until), from one read-only snapshot."""
    if top_by not in TOP_BY:
        raise ValueError(f"cannot rank posts by {top_by!r}; one of {', '.join(TOP_BY)}")
    start, end = _period(app, since, until)
    settings = app.settings_with_added_feeds()
    classifier = Classifier.compile(settings.report.rules)
    with reading_snapshot(app.migrated_engine()) as session:
        rows = reach_views.published_latest(session, start, end)
        facts = reach_views.post_categories(session, start, end, classifier.digest)
    categories = categories_of(rows, facts, settings.feeds, classifier)
    hours, weekdays = reach_views.by_local_time(rows, settings.timezone)
    channels = channel_names(settings, {("", row.channel): 1 for row in rows})
    return ReachSummary(
        since=start,
        until=end,
        totals=reach_views.totals_of(rows),
        top_by=top_by,
        top=tuple(_post(row) for row in reach_views.top_posts(rows, top_by, TOP_LIMIT)),
        per_portal=_groups(
            totals_per(rows, {r.post_id: r.feed_id for r in rows}), _feeds(settings)
        ),
        per_category=_groups(totals_per(rows, categories), _categories(settings)),
        per_channel=_groups(totals_per(rows, {r.post_id: r.channel for r in rows}), {}),
        hours=hours,
        weekdays=weekdays,
        suggestions=suggest_pacing(rows, channels, settings.pacing, settings.timezone),
    )


def _feeds(settings: Settings) -> dict[str, str]:
    return {feed.id: feed.name for feed in settings.feeds}


def _categories(settings: Settings) -> dict[str, str]:
    return {category.id: category.name for category in report_categories(settings)}


def _groups(totals: dict[str, ReachTotals], names: dict[str, str]) -> tuple[GroupReach, ...]:
    """The groups, the most posts first, then by key."""
    ordered = sorted(totals.items(), key=lambda pair: (-pair[1].posts, pair[0]))
    return tuple(GroupReach(key, names.get(key, key), found) for key, found in ordered)


def post_reach(app: App, post_id: int) -> PostReach:
    """The post's counters at each age collected; the settings' ages not collected yet."""
    with reading(app.migrated_engine()) as session:
        rows = reach_views.series(session, post_id)
    ages = tuple(
        AgeReach(
            timedelta(seconds=row.age_seconds),
            format_duration(timedelta(seconds=row.age_seconds)),
            row.collected_at,
            dict(zip(COUNTERS, row.counts, strict=True)),
        )
        for row in rows
    )
    collected = {age.age for age in ages}
    pending = tuple(format_duration(a) for a in app.settings.reach.ages if a not in collected)
    return PostReach(post_id, ages, pending)


@dataclass(frozen=True)
class ReachCharts:
    """The reach page's charts, drawn in the reader's language."""

    hours: Markup
    weekdays: Markup


def charts(summary: ReachSummary, language: str) -> ReachCharts:
    """Engagement per post by local hour and by weekday, as inline SVG."""
    return ReachCharts(
        reach_charts.by_hour(summary.hours, language),
        reach_charts.by_weekday(summary.weekdays, language),
    )


def sparkline(detail: PostReach, language: str) -> Markup:
    """The post's engagement by age as a small line (inline SVG)."""
    points = [(age.age_label, age.engagement) for age in detail.ages]
    return reach_charts.sparkline(points, language)


def formats(language: str, timezone: str) -> Any:
    """Numbers and times as the reader writes them (the report's: 1.234 in Vietnamese)."""
    from syndicator.report.html import Formats  # Jinja2 and Babel: only for the pages

    return Formats(language, timezone)
