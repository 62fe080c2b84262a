"""`syndicator feeds list|check`: the state of every feed, and a dry run of one URL."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import click

from storage import feeds as feed_store
from storage.session import reading
from syndicator.cli.context import Context
from syndicator.cli.output import age, emit_json
from syndicator.errors import FeedError
from syndicator.ingest.dedup import candidates
from syndicator.records import FetchRequest


@click.group()
def feeds() -> None:
    """Inspect feeds."""


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per feed on stdout.")
@click.pass_obj
def list_feeds(ctx: Context, as_json: bool) -> None:
    """Per feed: last success, last error, failures, next poll, recent items, broken or not."""
    app = ctx.app()
    now = app.clock.now()
    ids = [feed.id for feed in app.settings.feeds]
    with reading(app.migrated_engine()) as session:
        states = feed_store.load_states(session, ids)
        activity = feed_store.activity(
            session, ids, now - timedelta(days=7), now - timedelta(days=30)
        )
    for feed in app.settings.feeds:
        state, seen = states.get(feed.id), activity.get(feed.id)
        row = {
            "feed": feed.id,
            "name": feed.name,
            "url": feed.url,
            "enabled": feed.enabled,
            "last_success": state.last_success_at if state else None,
            "last_error": state.last_error if state else None,
            "error_reason": state.error_reason if state else None,
            "last_error_at": state.last_error_at if state else None,
            "consecutive_failures": state.consecutive_failures if state else 0,
            "next_poll": state.next_poll_at if state else None,
            "items_7d": seen.items_7d if seen else 0,
            "items_30d": seen.items_30d if seen else 0,
            "newest_item": seen.newest_published_at if seen else None,
            "broken": bool(state and state.broken),
        }
        emit_json(row) if as_json else click.echo(_describe(row, now))


def _describe(row: dict[str, object], now: object) -> str:
    status = "BROKEN" if row["broken"] else ("disabled" if not row["enabled"] else "ok")
    if row["error_reason"] and not row["broken"]:
        status = f"failing x{row['consecutive_failures']}"
    lines = [
        f"{row['feed']}  [{status}]  {row['name']}",
        f"    last success {age(row['last_success'], now)}, next poll {age(row['next_poll'], now)}, "  # type: ignore[arg-type]
        f"items 7d {row['items_7d']} / 30d {row['items_30d']}, newest item {age(row['newest_item'], now)}",  # type: ignore[arg-type]
    ]
    if row["error_reason"]:
        lines.append(f"    last error {row['error_reason']}: {row['last_error']}")
    return "\n".join(lines)


@feeds.command("check")
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one object per item.")
@click.pass_obj
def check(ctx: Context, url: str, as_json: bool) -> None:
    """Fetch, parse and normalize one URL without storing anything."""
    from syndicator.ingest.parse import parse_feed  # the only command that parses in this process

    app = ctx.app()
    fetched = app.fetcher.fetch(FetchRequest(url))
    if fetched.status == "error":
        raise click.ClickException(f"{url}: {fetched.error_reason}: {fetched.error}")
    now = app.clock.now()
    try:
        parsed = parse_feed(
            fetched.body or b"",
            url=fetched.url,
            content_type=fetched.content_type,
            fetched_at=now,
            tz=ZoneInfo(app.settings.timezone),
        )
    except FeedError as error:
        raise click.ClickException(f"{url}: {error.reason}: {error.message}") from None
    batch = candidates(parsed.items, now)
    if not as_json:
        click.echo(
            f"{parsed.title or '(untitled)'}: {len(batch)} items"
            + (f" ({parsed.problem})" if parsed.problem else "")
        )
    for candidate in batch:
        item = candidate.item
        record = {
            "guid": item.guid,
            "url": item.url,
            "title": item.title,
            "summary": item.summary,
            "image": item.image,
            "published": item.published,
            "categories": list(item.categories),
            "dedup_key": candidate.dedup_key,
            "flags": sorted(item.flags),
        }
        if as_json:
            emit_json(record)
        else:
            click.echo(
                f"- {item.title}\n    {item.url}\n    {item.published or 'no date'}"
                f"  {', '.join(sorted(item.flags))}"
            )
