"""`syndicator db upgrade`: bring the database schema to the newest version in place."""

from __future__ import annotations

import click

from syndicator.cli.context import Context
from syndicator.services import database as service


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command()
@click.pass_obj
def upgrade(ctx: Context) -> None:
    """Apply pending schema migrations (also done at every start)."""
    before, after = service.upgrade(ctx.app())
    if before == after:
        click.echo(f"database is up to date (version {after})")
    else:
        click.echo(f"database upgraded from {before or 'empty'} to {after}")
