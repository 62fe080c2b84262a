"""`syndicator run [--once]`: the daemon, or one full cycle for cron."""

from __future__ import annotations

import click

from syndicator.cli.context import Context
from syndicator.cli.output import plural
from syndicator.services import daemon as service


@click.command()
@click.option(
    "--once",
    is_flag=True,
    help="One cycle (poll what is due, publish what is due, check alerts), then exit.",
)
@click.pass_obj
def run(ctx: Context, once: bool) -> None:
    """Poll and publish on schedule until stopped (SIGTERM or Ctrl-C stops cleanly)."""
    app = ctx.app()
    if not once:
        service.run_forever(app)
        return
    cycle = service.run_once(app)
    click.echo(
        f"polled {plural(cycle.polled, 'feed')}, handled {plural(cycle.handled, 'post')}, "
        f"opened {plural(cycle.opened, 'alert')}"
    )
