"""`syndicator run [--once]`: the daemon, or one full cycle for cron."""

from __future__ import annotations

import click

from syndicator.cli.context import Context
from syndicator.ops import daemon


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
    lock_dir = app.settings.resolve_path("var")
    with daemon.single_daemon(app.settings.database_url(), lock_dir):
        app.migrated_engine()
        if once:
            cycle = daemon.run_once(app)
            click.echo(
                f"polled {cycle.polled} feeds, handled {cycle.handled} posts, "
                f"opened {cycle.opened} alerts"
            )
            return
        daemon.serve(app, app.settings.daemon.shutdown_grace.total_seconds())
