"""`syndicator feeds list|check`: the state of every feed, and a dry run of one URL."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import click

from syndicator.cli.context import Context
from syndicator.cli.output import age, emit_json, local_time, plural
from syndicator.services import feeds as service
from syndicator.services.feeds import CheckedItem, FeedRow


@click.group()
def feeds() -> None:
    """Inspect feeds."""


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per feed on stdout.")
@click.pass_obj
def list_feeds(ctx: Context, as_json: bool) -> None:
    """Per feed: last success, last error, failures, next poll, recent items, broken or not."""
    app = ctx.app()
    rows = service.feed_report(app)
    if not rows and not as_json:
        click.echo("no feeds (add [[feeds]] to the settings)")
    now = app.clock.now()
    for row in rows:
        emit_json(asdict(row)) if as_json else click.echo(_describe(row, now))


def _describe(row: FeedRow, now: datetime) -> str:
    status = "BROKEN" if row.broken else ("disabled" if not row.enabled else "ok")
    if row.error_reason and not row.broken:
        status = f"failing x{row.consecutive_failures}"
    lines = [
        f"{row.feed}  [{status}]  {row.name}",
        f"    last success {age(row.last_success, now)}, next poll {age(row.next_poll, now)}, "
        f"items 7d {row.items_7d} / 30d {row.items_30d}, newest item {age(row.newest_item, now)}",
    ]
    if row.error_reason:
        lines.append(f"    last error {row.error_reason}: {row.last_error}")
    return "\n".join(lines)


@feeds.command("check")
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one object per item.")
@click.pass_obj
def check(ctx: Context, url: str, as_json: bool) -> None:
    """Fetch, parse and normalize one URL without storing anything."""
    app = ctx.app()
    try:
        checked = service.check_feed(app, url)
    except service.CheckFailed as error:
        raise click.ClickException(str(error)) from None
    if not as_json:
        click.echo(
            f"{checked.title or '(untitled)'}: {plural(len(checked.items), 'item')}"
            + (f" ({checked.problem})" if checked.problem else "")
        )
    for item in checked.items:
        if as_json:
            emit_json(_record(item))
        else:
            when = local_time(item.published, app.settings.timezone) if item.published else None
            click.echo(
                f"- {item.title}\n    {item.url}\n    {when or 'no date'}  {', '.join(item.flags)}"
            )


def _record(item: CheckedItem) -> dict[str, object]:
    return asdict(item) | {"categories": list(item.categories), "flags": list(item.flags)}
