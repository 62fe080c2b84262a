"""`syndicator feeds list|check|discover`: the state of every feed, a dry run of one URL, and
finding a portal's source from its page address."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import click

from syndicator.cli.context import Context
from syndicator.cli.output import age, emit_json, local_time, plural, short_title
from syndicator.services import discovery as portals
from syndicator.services import feeds as service
from syndicator.services.discovery import CandidateRow, PortalDiscovery
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
@click.argument("target", metavar="URL|FEED")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one object per item.")
@click.pass_obj
def check(ctx: Context, target: str, as_json: bool) -> None:
    """Fetch, read and normalize a feed URL, or a configured feed (its listing page too), without
    storing anything."""
    app = ctx.app()
    try:
        checked = service.check_feed(app, target)
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


@feeds.command("discover")
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with every finding.")
@click.pass_obj
def discover(ctx: Context, url: str, as_json: bool) -> None:
    """Find a portal's feed from its page address, or propose an HTML listing source.

    Prints each candidate with its verdict, then a [[feeds]] block ready for settings.toml.
    Exits 1 when the page cannot be read or no source was found.
    """
    app = ctx.app()
    found = portals.discover_portal(app, url)
    if as_json:
        emit_json(asdict(found))
    elif found.refused_reason:
        raise click.ClickException(f"{url}: {found.refused_reason}: {found.refused}")
    else:
        click.echo(_discovery_text(found, app.clock.now(), app.settings.timezone))
    if found.block is None:
        raise SystemExit(1)


def _discovery_text(found: PortalDiscovery, now: datetime, timezone: str) -> str:
    lines = [f"page {found.page_url}" + (f"  “{found.page_title}”" if found.page_title else "")]
    lines += [_candidate_line(row, now) for row in found.candidates]
    if found.kind is None:
        lines.append(f"no working feed, and no listing to propose: {found.listing_problem}")
        return "\n".join(lines)
    what = "feed" if found.kind == "rss" else "HTML listing (no working feed)"
    lines += ["", f"proposed source: {what} {found.source_url}"]
    for item in found.preview[:5]:
        when = local_time(item.published, timezone) if item.published else "no date"
        lines.append(f"  - {short_title(item.title, 90)}  ({when})")
    if found.already_configured:
        lines.append(f"already in the settings as feed {found.already_configured!r}")
    lines += ["", "paste into settings.toml (add channels = [...] to publish it):", ""]
    return "\n".join(lines) + "\n" + (found.block or "").rstrip("\n")


def _candidate_line(row: CandidateRow, now: datetime) -> str:
    verdict = "OK  " if row.works else "no  "
    detail = row.message if row.works else f"{row.reason}: {row.message}"
    if row.works:
        detail += f", newest item {age(row.newest, now)}"
    return f"{verdict}{row.url}  [{row.hint}]\n      {detail}"
