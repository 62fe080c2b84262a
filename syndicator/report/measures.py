"""The report's figures for a period, from the database (storage/report.py) and the settings.

Per portal (every feed of the settings, enabled or not): items in the period and per week, its
newest item before the period's end (see _newest_before), whole days since, stale or not, failed
polls, posts published per channel, and those posts' latest engagement counters summed (reach).
Per agency: items per category and the required categories left empty. The counts are grouped
in the database; only the classification reads the items one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import reduce

from sqlalchemy import Engine
from sqlmodel import Session

from storage import reach_views
from storage import report as report_store
from storage.reach_views import ReachTotals
from storage.session import reading_snapshot
from syndicator.config import Settings
from syndicator.report.classify import Classifier
from syndicator.report.coverage import agency_coverage, agency_of, by_name
from syndicator.report.model import Category, PortalActivity, Report, Totals
from syndicator.report.period import Period, period
from syndicator.settings_models import DAY, FeedSettings


def report_between(
    engine: Engine, settings: Settings, since: datetime, until: datetime, now: datetime
) -> Report:
    """The report of [since, until), generated at `now`, from one read-only snapshot of the
    database (the figures add up even while the daemon writes): what the services and the
    daemon's weekly job both call."""
    with reading_snapshot(engine) as session:
        return measure(session, settings, since, until, now)


def measure(
    session: Session, settings: Settings, since: datetime, until: datetime, now: datetime
) -> Report:
    """The report of [since, until), read in `session`, generated at `now`."""
    span = period(since, until, settings.timezone)
    facts = _facts(session, settings, span)
    portals = sorted(
        (_portal(feed, settings, span, facts) for feed in settings.feeds), key=stalest_first
    )
    categories = report_categories(settings)
    classifier = Classifier.compile(settings.report.rules)
    rows = report_store.period_items(session, span.since, span.until, classifier.digest)
    coverage, items = agency_coverage(rows, settings.feeds, classifier, categories)
    totals = Totals(
        portals=len(portals),
        stale=sum(portal.stale for portal in portals),
        items=items,
        errors=sum(portal.errors for portal in portals),
        published={name: sum(p.published[name] for p in portals) for name in facts.channels},
        reach=reduce(ReachTotals.plus, (portal.reach for portal in portals), ReachTotals()),
    )
    return Report(
        now, span.since, span.until, span.weeks, categories, tuple(portals), coverage, totals
    )


@dataclass(frozen=True)
class _Facts:
    """What the database says of the portals over the period, by feed id (storage/report.py)."""

    weekly: dict[str, tuple[dict[int, int], datetime]]  # items per week index, newest in period
    newest: dict[str, datetime]  # newest item before the period's end
    errors: dict[str, int]
    published: dict[tuple[str, str], int]  # by (feed, channel)
    channels: list[str]
    reach: dict[str, ReachTotals]  # posts published and their latest counters, by feed


def _facts(session: Session, settings: Settings, span: Period) -> _Facts:
    weekly = report_store.weekly_items(session, span.bounds)
    newest = {feed_id: last for feed_id, (_, last) in weekly.items()}
    newest |= _newest_before(session, [f.id for f in settings.feeds if f.id not in weekly], span)
    published = report_store.published_posts(session, span.since, span.until)
    errors = report_store.failed_polls(session, *span.utc_days())
    reach = reach_views.totals_by(session, span.since, span.until, "feed")
    channels = channel_names(settings, published)
    return _Facts(weekly, newest, errors, published, channels, reach)


def _newest_before(session: Session, quiet: list[str], span: Period) -> dict[str, datetime]:
    """The newest item before the period of each feed with none in it. The poller's record of
    the newest date a feed's polls saw answers when it is before the period (one row per feed);
    else (no record, or a date the period does not hold, e.g. after a past period) the feed's
    items are read, which for a portal silent for years means reading its whole history."""
    seen = report_store.newest_seen(session, quiet)
    newest = {feed_id: at for feed_id, at in seen.items() if at < span.since}
    unknown = [feed_id for feed_id in quiet if feed_id not in newest]
    return newest | report_store.last_items(session, unknown, span.since)


def _portal(feed: FeedSettings, settings: Settings, span: Period, facts: _Facts) -> PortalActivity:
    counts = facts.weekly.get(feed.id, ({}, None))[0]
    weeks = tuple(counts.get(index, 0) for index in range(len(span.weeks)))
    newest = facts.newest.get(feed.id)
    stale_after = feed.stale_after or settings.report.stale_after
    return PortalActivity(
        feed=feed.id,
        name=feed.name,
        agency=agency_of(feed),
        items=sum(weeks),
        per_week=sum(weeks) / span.length_in_weeks,
        weekly=weeks,
        last_item_at=newest,
        days_since=None if newest is None else (span.until - newest).days,
        # On the duration, not on whole days: 7 days and a second past a "7d" threshold is stale.
        stale=newest is None or span.until - newest > stale_after,
        stale_after_days=stale_after // DAY,
        errors=facts.errors.get(feed.id, 0),
        published={name: facts.published.get((feed.id, name), 0) for name in facts.channels},
        reach=facts.reach.get(feed.id, ReachTotals()),
    )


def stalest_first(portal: PortalActivity) -> tuple[bool, int, tuple[str, str]]:
    """Never published first, then the longest silence, then by name."""
    never = portal.days_since is None
    return (not never, -(portal.days_since or 0), by_name(portal.name))


def channel_names(settings: Settings, published: dict[tuple[str, str], int]) -> list[str]:
    """The settings' channels in their order, then any other that published in the period (a
    channel since removed from the settings)."""
    names = list(settings.channels)
    return names + sorted({channel for _, channel in published} - set(names))


def report_categories(settings: Settings) -> tuple[Category, ...]:
    """The settings' categories; with none listed, the feeds' own categories, none required."""
    listed = settings.report.categories
    if listed:
        return tuple(Category(c.id, c.name, c.required) for c in listed)
    named = dict.fromkeys(feed.category for feed in settings.feeds if feed.category)
    return tuple(Category(name, name, False) for name in named)
