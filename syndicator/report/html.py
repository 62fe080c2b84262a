"""The report as one self-contained, printable HTML file (`render_html`), and the view of a
Report that both the file and the admin page's /report draw (`report_view`, the shared
templates/report_sections.html).

The file is opened from disk or mailed, away from the admin page's headers: its stylesheet is
inline, its charts are inline SVG, and its own policy loads nothing (no script, font, image or
stylesheet from anywhere). Labels are Vietnamese through the admin page's gettext catalogues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from syndicator.i18n import translations
from syndicator.report import TEMPLATES, charts
from syndicator.report.coverage import by_name
from syndicator.report.model import AgencyCoverage, PortalActivity, Report
from syndicator.report.numbers import number

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"  # the settings' default `timezone`
# Nothing to load: the styles are inline and the charts are markup, not images.
POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)


class Formats:
    """Numbers and times as the reader writes them: 1.234,5 in Vietnamese, local time."""

    def __init__(self, language: str, timezone: str) -> None:
        self.language = language
        self.zone = ZoneInfo(timezone)

    def number(self, value: float) -> str:
        return number(value, self.language)

    def moment(self, value: datetime | None) -> str:
        return value.astimezone(self.zone).strftime("%d/%m/%Y %H:%M") if value else ""

    def day(self, value: date) -> str:
        return value.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class ReportView:
    """What the report's sections draw: the report, its formats, the channels that get a
    column, the categories' names by id, and the three charts."""

    report: Report
    fmt: Formats
    timezone: str
    channels: tuple[str, ...]
    category_names: dict[str, str]
    heatmap: Markup
    categories_chart: Markup
    staleness_chart: Markup
    reach_portals: tuple[PortalActivity, ...] = ()  # those that published, the most first

    def by_category(self, coverage: AgencyCoverage) -> list[tuple[str, int]]:
        """An agency's (category name, items), in the settings' order, then unknown ids."""
        order = {category_id: index for index, category_id in enumerate(self.category_names)}
        ids = sorted(coverage.items, key=lambda found: (order.get(found, len(order)), found))
        return [(self.category_names.get(found, found), coverage.items[found]) for found in ids]


def report_view(
    report: Report, language: str = "vi", timezone: str = DEFAULT_TIMEZONE
) -> ReportView:
    channels = set(report.totals.published)
    for portal in report.portals:
        channels.update(portal.published)
    return ReportView(
        report=report,
        fmt=Formats(language, timezone),
        timezone=timezone,
        channels=tuple(sorted(channels)),
        category_names={category.id: category.name for category in report.categories},
        heatmap=charts.heatmap(report, language),
        categories_chart=charts.categories(report, language),
        staleness_chart=charts.staleness(report, language),
        reach_portals=tuple(
            sorted(
                (portal for portal in report.portals if portal.reach.posts),
                key=lambda portal: (-portal.reach.posts, by_name(portal.name)),
            )
        ),
    )


def render_html(report: Report, language: str = "vi", timezone: str = DEFAULT_TIMEZONE) -> str:
    """The standalone file: the totals, the portals, the coverage per agency and the charts,
    in `language` (Vietnamese unless asked), times in `timezone` (the settings' own)."""
    page = _environment().get_template("report_file.html")
    return page.render(
        view=report_view(report, language, timezone),
        lang=language,
        _=translations(language).gettext,
        csp=POLICY,
    )


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )
