"""`syndicator serve`: the admin web page alone, on settings `web.listen`."""

from __future__ import annotations

import click

from syndicator.cli.context import Context
from syndicator.services import users


@click.command()
@click.pass_obj
def serve(ctx: Context) -> None:
    """Serve the admin web page on web.listen.

    The page alone: `syndicator run` polls and publishes. While no user exists, prints the
    one-time link (valid one hour) that creates the first administrator.
    """
    import uvicorn

    from syndicator.web.app import create_app

    app = ctx.app()
    listen = app.settings.web.listen
    token = users.first_admin_link(app) if not users.has_users(app) else None
    if token:
        click.echo(
            "No user exists yet. Open this link within the hour to create the first "
            f"administrator: http://{listen}/setup/{token}"
        )
    host, port = split_listen(listen)
    click.echo(f"serving the admin page on http://{listen}/ (Ctrl-C stops)")
    uvicorn.run(
        create_app(app),
        host=host,
        port=port,
        server_header=False,
        limit_concurrency=app.settings.web.max_connections,
    )


def split_listen(listen: str) -> tuple[str, int]:
    """("127.0.0.1", 8080) from "127.0.0.1:8080"; ("::1", 8080) from "[::1]:8080"."""
    host, _, port = listen.rpartition(":")
    return host.removeprefix("[").removesuffix("]"), int(port)
