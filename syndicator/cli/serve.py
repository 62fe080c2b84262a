"""`syndicator serve`: the admin web page alone, on settings `web.listen`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from syndicator.cli.context import Context
from syndicator.services import daemon, sign_in, users

if TYPE_CHECKING:
    from syndicator.app import App


@click.command()
@click.pass_obj
def serve(ctx: Context) -> None:
    """Serve the admin web page on web.listen.

    The page alone: `syndicator run` polls and publishes. While no user exists, prints the
    one-time link (valid one hour) that creates the first administrator.
    """
    from syndicator.web.app import create_app

    app = ctx.app()
    echo_first_admin_link(app)
    click.echo(f"serving the admin page on http://{app.settings.web.listen}/ (Ctrl-C stops)")
    daemon.serve_page(app, create_app(app))


def echo_first_admin_link(app: App) -> None:
    """While no user exists, the one-time link that creates the first administrator (`serve`
    and `run` print it the same way)."""
    token = sign_in.first_admin_link(app) if not users.has_users(app) else None
    if token:
        click.echo(
            "No user exists yet. Open this link within the hour to create the first "
            f"administrator: http://{app.settings.web.listen}/setup/{token}"
        )
