"""The portal activity and coverage report (issue #12), as the front ends ask for it: the
command line (`syndicator report`) and the admin page (the daemon's weekly job, below the
services, calls the same report_between)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from syndicator.report import TEMPLATES as REPORT_TEMPLATES
from syndicator.report.formats import to_csv, to_json
from syndicator.report.measures import report_between
from syndicator.report.model import Report as Report

if TYPE_CHECKING:
    from syndicator.app import App

__all__ = ["FORMATS", "REPORT_TEMPLATES", "Report", "build_report", "render_report", "report_view"]

DEFAULT_SINCE = timedelta(days=30)


def build_report(
    app: App, since: timedelta = DEFAULT_SINCE, until: datetime | None = None
) -> Report:
    """The report of [until - since, until); `until` defaults to now. One read-only snapshot
    of the database: the figures add up even while the daemon writes."""
    if since <= timedelta(0):
        raise ValueError(f"the report's period must be longer than zero, not {since}")
    now = app.clock.now()
    end = until or now
    return report_between(
        app.migrated_engine(), app.settings_with_added_feeds(), end - since, end, now
    )


FORMATS = ("html", "csv", "json")


def render_report(report: Report, form: str, timezone: str, language: str = "vi") -> str:
    """The report as a file: "html" (self-contained, printable, times in `timezone`, words
    in `language`), "csv" or "json" (the documented columns and keys)."""
    if form == "html":
        from syndicator.report.html import render_html  # Jinja2: only for the HTML

        return render_html(report, language, timezone)
    if form == "csv":
        return to_csv(report)
    if form == "json":
        return to_json(report)
    raise ValueError(f"unknown report format {form!r}; one of {', '.join(FORMATS)}")


def report_view(report: Report, language: str, timezone: str) -> Any:
    """What the admin page's report template draws (the file's figures and charts)."""
    from syndicator.report.html import report_view as view

    return view(report, language, timezone)
