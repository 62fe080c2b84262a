"""`syndicator publish`: one pass over the posts whose slot has come."""

from __future__ import annotations

import click

from syndicator.cli.context import Context
from syndicator.cli.output import emit_json


@click.command()
@click.option("--channel", metavar="NAME", help="Only this channel.")
@click.option("--dry-run", is_flag=True, help="Show what is due without sending anything.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per post on stdout.")
@click.pass_obj
def publish(ctx: Context, channel: str | None, dry_run: bool, as_json: bool) -> None:
    """Publish the approved posts whose slot has come, exactly once each.

    Exits 1 when a post failed, its outcome is unknown (it will be reconciled, never resent
    blindly), it needs a person, or it was found published twice; 0 otherwise.
    """
    app = ctx.app()
    connectors, missing = app.connectors()
    if channel and channel not in connectors:
        why = missing.get(channel, "no such enabled channel in the settings")
        raise click.UsageError(f"channel {channel!r}: {why}")
    for name, why in missing.items():
        if channel in (None, name):
            click.echo(f"{name}: skipped: {why}", err=True)
    publisher = app.publisher()
    if dry_run:
        for name in [channel] if channel else list(connectors):
            for post in publisher.due_posts(name):
                click.echo(f"{name}: would publish post {post.id}")
        return
    outcomes = publisher.run_once(channel)
    for outcome in outcomes:
        if as_json:
            emit_json(
                {
                    "post": outcome.post_id,
                    "channel": outcome.channel,
                    "status": outcome.status,
                    "detail": outcome.detail,
                }
            )
        else:
            click.echo(
                f"{outcome.channel}: post {outcome.post_id} {outcome.status}"
                + (f": {outcome.detail}" if outcome.detail else "")
            )
    if not as_json:
        click.echo(f"{len(outcomes)} posts handled")
    if any(o.status in ("failed", "unknown", "needs_attention", "duplicate") for o in outcomes):
        raise SystemExit(1)
