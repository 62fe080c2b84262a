"""`syndicator reach [--since DURATION] [--json]`: what syndication brought back: each post
published in the period with its latest engagement counters (README.md, "Reach page and
`syndicator reach`")."""

from __future__ import annotations

from datetime import timedelta

import click

from syndicator.cli.context import Context
from syndicator.cli.output import emit_json, local_time, short_title
from syndicator.cli.params import period
from syndicator.services import reach as service
from syndicator.services.reach import COUNTERS, ReachPost, ReachSummary, ReachTotals

UNKNOWN = "—"
WIDTHS = {"reactions": 9, "comments": 8, "shares": 6, "impressions": 11, "clicks": 6, "views": 6}


@click.command()
@click.option(
    "--since",
    metavar="DURATION",
    callback=period,
    help='The period: this long up to now, e.g. "30d", "12w" (default: 30d).',
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per published post.")
@click.pass_obj
def reach(ctx: Context, since: timedelta | None, as_json: bool) -> None:
    """What the published posts brought back: each post's latest counters (reactions,
    comments, shares, impressions, clicks, views; unknown where the platform did not say)."""
    app = ctx.app(quiet=True)
    length = since or service.DEFAULT_SINCE
    if as_json:
        for post in service.reach_posts(app, length):
            emit_json(post.as_json())
        return
    posts = service.reach_posts(app, length)
    summary = service.reach_summary(app, length)
    for line in table(posts, app.settings.timezone):
        click.echo(line)
    for line in footer(summary):
        click.echo(line)


def table(posts: list[ReachPost], timezone: str) -> list[str]:
    """A header, then one line per post, newest first."""
    if not posts:
        return ["no post published in this period"]
    heads = " ".join(f"{name:>{WIDTHS[name]}}" for name in COUNTERS)
    lines = [f"{'published':<20} {'post':>7} {'channel':<12} {heads}  title"]
    for post in posts:
        counts = " ".join(f"{_value(post.counters[name]):>{WIDTHS[name]}}" for name in COUNTERS)
        when = local_time(post.published_at, timezone)
        lines.append(
            f"{when:<20} {post.post:>7} {post.channel[:12]:<12} {counts}  "
            f"{short_title(post.title, 50)}"
        )
    return lines


def footer(summary: ReachSummary) -> list[str]:
    """The period's totals, then each channel's pacing suggestion."""
    lines = ["", f"totals: {_totals(summary.totals)}"]
    lines += [f"{found.channel}: {found.text}" for found in summary.suggestions]
    return lines


def _totals(totals: ReachTotals) -> str:
    parts = [f"{totals.posts} posts"]
    for name in COUNTERS:
        total, unknown = totals.total(name), totals.unknown(name)
        shown = UNKNOWN if total is None else str(total)
        parts.append(f"{name} {shown}" + (f" ({unknown} unknown)" if unknown else ""))
    return ", ".join(parts)


def _value(value: int | None) -> str:
    return UNKNOWN if value is None else str(value)
