"""`syndicator run [--once]`: the daemon, or one full cycle for cron."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from starlette.types import ASGIApp

from syndicator.cli.context import Context
from syndicator.cli.output import plural
from syndicator.cli.serve import echo_first_admin_link
from syndicator.services import daemon as service

if TYPE_CHECKING:
    from syndicator.app import App


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
        service.run_forever(app, lambda: _admin_page(app))
        return
    cycle = service.run_once(app)
    click.echo(
        f"polled {plural(cycle.polled, 'feed')}, handled {plural(cycle.handled, 'post')}, "
        f"opened {plural(cycle.opened, 'alert')}"
    )


def _admin_page(app: App) -> ASGIApp | None:
    """The admin page the daemon serves beside its health endpoints, when web.enabled; the
    first-admin link is printed first while no user exists."""
    if not app.settings.web.enabled:
        return None
    from syndicator.web.app import create_app

    echo_first_admin_link(app)
    return create_app(app)
