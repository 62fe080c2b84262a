"""`syndicator alerts [--open] [--json]`: what needs a person (paused channels, expiring tokens,
broken feeds, posts whose outcome could not be told)."""

from __future__ import annotations

from dataclasses import asdict

import click

from syndicator.cli.context import Context
from syndicator.cli.output import emit_json, local_time
from syndicator.services import alerts as service
from syndicator.services.alerts import AlertRow


@click.command()
@click.option("--open", "open_only", is_flag=True, help="Only alerts not yet resolved.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per alert on stdout.")
@click.pass_obj
def alerts(ctx: Context, open_only: bool, as_json: bool) -> None:
    """Alerts, newest first (the daemon raises and resolves them every minute)."""
    app = ctx.app()
    rows = service.list_alerts(app, open_only=open_only)
    if as_json:
        for row in rows:
            emit_json(asdict(row))
        return
    if not rows:
        click.echo("no open alerts" if open_only else "no alerts")
    for row in rows:
        click.echo(_describe(row, app.settings.timezone))


def _describe(row: AlertRow, timezone: str) -> str:
    resolved = row.resolved_at
    state = "open" if resolved is None else f"resolved {local_time(resolved, timezone)}"
    return f"{local_time(row.opened_at, timezone)}  [{state}]  {row.subject}\n    {row.detail}"
