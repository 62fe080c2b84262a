"""`syndicator report [--since DURATION] [--format html|csv|json] [-o FILE]`: the portal activity
and coverage report (README.md, "Portal report")."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from syndicator.cli.context import Context
from syndicator.cli.params import period
from syndicator.errors import SyndicatorError
from syndicator.services.report import FORMATS, Report, build_report, render_report

BY_SUFFIX = {".html": "html", ".htm": "html", ".csv": "csv", ".json": "json"}


class ReportNotWritten(SyndicatorError):
    """The output file could not be written (exit 1)."""


@click.command()
@click.option(
    "--since",
    metavar="DURATION",
    callback=period,
    help='The period: this long up to now, e.g. "30d", "12w" (default: report.period).',
)
@click.option(
    "--format",
    "form",
    type=click.Choice(FORMATS),
    help="html (a self-contained page), csv or json; default: from FILE's extension, else html.",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of stdout.",
)
@click.pass_obj
def report(ctx: Context, since: timedelta | None, form: str | None, output: Path | None) -> None:
    """The portal activity and coverage report: which portals went quiet, which required
    categories are empty. Per portal: items in the period and per week, its last item, days
    since, stale or not, failed polls, posts per channel; per agency: items per category."""
    app = ctx.app(quiet=True)
    built = build_report(app, since or app.settings.report.period)
    form = form or (BY_SUFFIX.get(output.suffix.lower(), "html") if output else "html")
    text = render_report(built, form, app.settings.timezone)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise ReportNotWritten(f"cannot write {output}: {error.strerror}") from None
    click.echo(f"{output}: {summary(built)}", err=True)


def summary(built: Report) -> str:
    """'1000 portals, 12 stale, 48 agencies with an empty required category'."""
    empty = sum(bool(agency.empty_required) for agency in built.coverage)
    return (
        f"{built.totals.portals} portals, {built.totals.stale} stale, "
        f"{empty} agencies with an empty required category"
    )
