"""`syndicator publish`: one pass over the posts whose slot has come."""

from __future__ import annotations

import click

from syndicator.cli.context import Context
from syndicator.cli.output import emit_json, plural
from syndicator.cli.params import UnknownFilter
from syndicator.services import publishing as service
from syndicator.services.names import UnknownName


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
    try:
        covered = service.channels(app, channel)
    except (UnknownName, service.ChannelUnavailable) as error:
        raise UnknownFilter(str(error)) from None
    for name, why in covered.skipped:
        click.echo(f"{name}: skipped: {why}", err=True)
    if dry_run:
        for due in service.due_posts(app, covered.ready):
            click.echo(f"{due.channel}: would publish post {due.post_id}")
        return
    outcomes = service.publish_once(app, channel)
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
        click.echo(f"{plural(len(outcomes), 'post')} handled")
    if service.needs_a_person(outcomes):
        raise SystemExit(1)
