"""The portal activity and coverage report as plain values: what the measures compute, and
what the JSON, CSV, HTML and web page show (issue #12)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from storage.reach_views import ReachTotals


@dataclass(frozen=True)
class Category:
    """A category of published information, as the settings name it."""

    id: str  # "thu-tuc-hanh-chinh"
    name: str  # "Thủ tục hành chính, dịch vụ công trực tuyến"
    required: bool  # on the list the law requires every agency to fill


@dataclass(frozen=True)
class PortalActivity:
    """One feed (portal) over the period."""

    feed: str  # the feed's id
    name: str
    agency: str
    items: int  # items the portal carried in the period (an article on two portals counts for each)
    per_week: float  # items / the period's length in weeks
    weekly: tuple[int, ...]  # items per week of Report.weeks, oldest first (the heatmap's row)
    last_item_at: datetime | None  # the newest item ever seen from it (not only in the period)
    days_since: int | None  # whole days from last_item_at to the report's end; None: never
    stale: bool  # days_since above its threshold, or never published
    stale_after_days: int  # the feed's threshold (settings), default 7
    errors: int  # failed polls in the period
    published: dict[str, int]  # posts published in the period, by channel name
    # Those posts and their latest engagement counters summed, unknown ones counted apart.
    reach: ReachTotals = field(default_factory=ReachTotals)


@dataclass(frozen=True)
class AgencyCoverage:
    """One agency's items by category over the period, and the required categories it left
    empty."""

    agency: str
    items: dict[str, int]  # category id -> items in the period (only categories with items)
    empty_required: tuple[str, ...]  # required category ids with no item, in settings order


@dataclass(frozen=True)
class Totals:
    """The province over the period."""

    portals: int
    stale: int
    items: int
    errors: int
    published: dict[str, int]  # by channel name
    reach: ReachTotals = field(default_factory=ReachTotals)  # the portals' reach, summed


@dataclass(frozen=True)
class Report:
    """The report for [since, until): portals by staleness (stalest first), agencies by name."""

    generated_at: datetime
    since: datetime
    until: datetime
    weeks: tuple[date, ...]  # the Monday of each week the period touches, oldest first
    categories: tuple[Category, ...]  # every category the settings know, in their order
    portals: tuple[PortalActivity, ...]
    coverage: tuple[AgencyCoverage, ...]
    totals: Totals
