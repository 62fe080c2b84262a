"""The report as JSON (for scripts) and CSV (for a spreadsheet); README.md, "Portal report",
documents both. Times are ISO 8601 with their offset (UTC, as stored).

The CSV starts with a UTF-8 byte order mark: without it Excel reads a UTF-8 file in the
machine's legacy code page and shows "Sá»Ÿ" for "Sở"; with it, Excel, LibreOffice and
Python's "utf-8-sig" all read it right.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from storage.reach_views import COUNTERS, ReachTotals
from syndicator.report.model import AgencyCoverage, PortalActivity, Report

BOM = "\ufeff"
CSV_COLUMNS = (
    "feed",
    "name",
    "agency",
    "items",
    "per_week",
    "last_item_at",
    "days_since",
    "stale",
    "stale_after_days",
    "errors",
)  # then published_<channel> for each channel, in the order of the settings, then REACH_COLUMNS
# The portal's posts of the period and their latest counters: each counter's sum over the posts
# that gave it (empty when none did), then how many posts did not give it.
REACH_COLUMNS = (
    "reach_posts",
    *(column for name in COUNTERS for column in (f"reach_{name}", f"reach_{name}_unknown")),
)


def to_json(report: Report) -> str:
    """The report as one JSON object (UTF-8 text, not escaped to ASCII)."""
    document = {
        "since": _time(report.since),
        "until": _time(report.until),
        "generated_at": _time(report.generated_at),
        "weeks": [monday.isoformat() for monday in report.weeks],
        "portals": [_portal(portal) for portal in report.portals],
        "categories": [_coverage(agency) for agency in report.coverage],
        "category_list": [
            {"id": c.id, "name": c.name, "required": c.required} for c in report.categories
        ],
        "totals": {
            "portals": report.totals.portals,
            "stale": report.totals.stale,
            "items": report.totals.items,
            "errors": report.totals.errors,
            "published": report.totals.published,
            "reach": reach(report.totals.reach),
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_csv(report: Report) -> str:
    """One row per portal, stalest first, under the header CSV_COLUMNS + published_<channel>."""
    channels = list(report.totals.published)
    out = io.StringIO()
    writer = csv.writer(out)  # RFC 4180: commas, quotes where needed, CRLF line ends
    writer.writerow([*CSV_COLUMNS, *(f"published_{name}" for name in channels), *REACH_COLUMNS])
    for portal in report.portals:
        writer.writerow(_row(portal, channels))
    return BOM + out.getvalue()


def _portal(portal: PortalActivity) -> dict[str, Any]:
    return {
        "feed": portal.feed,
        "name": portal.name,
        "agency": portal.agency,
        "items": portal.items,
        "per_week": round(portal.per_week, 2),
        "weekly": list(portal.weekly),
        "last_item_at": _time(portal.last_item_at),
        "days_since": portal.days_since,
        "stale": portal.stale,
        "stale_after_days": portal.stale_after_days,
        "errors": portal.errors,
        "published": portal.published,
        "reach": reach(portal.reach),
    }


def reach(totals: ReachTotals) -> dict[str, int | None]:
    """`posts`, then each counter's sum (null when posts gave none of it: unknown, not 0) and
    `<counter>_unknown`, the posts that did not give it."""
    document: dict[str, int | None] = {"posts": totals.posts}
    for name in COUNTERS:
        document[name] = totals.total(name)
        document[f"{name}_unknown"] = totals.unknown(name)
    return document


def _coverage(agency: AgencyCoverage) -> dict[str, Any]:
    return {
        "agency": agency.agency,
        "items": agency.items,
        "empty_required": list(agency.empty_required),
    }


def _row(portal: PortalActivity, channels: list[str]) -> list[object]:
    return [
        portal.feed,
        portal.name,
        portal.agency,
        portal.items,
        f"{portal.per_week:.2f}",
        _time(portal.last_item_at) or "",
        "" if portal.days_since is None else portal.days_since,
        "true" if portal.stale else "false",
        portal.stale_after_days,
        portal.errors,
        *(portal.published.get(name, 0) for name in channels),
        *("" if value is None else value for value in reach(portal.reach).values()),
    ]


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
