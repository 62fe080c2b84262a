"""`syndicator alerts [--open] [--json]`: what needs a person (paused channels, expiring tokens,
broken feeds, posts whose outcome could not be told)."""

from __future__ import annotations

import click

from storage import alerts as alert_store
from storage.session import reading
from syndicator.cli.context import Context
from syndicator.cli.output import emit_json


@click.command()
@click.option("--open", "open_only", is_flag=True, help="Only alerts not yet resolved.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per alert on stdout.")
@click.pass_obj
def alerts(ctx: Context, open_only: bool, as_json: bool) -> None:
    """Alerts, newest first (the daemon raises and resolves them every minute)."""
    app = ctx.app()
    with reading(app.migrated_engine()) as session:
        rows = alert_store.recent(session, open_only=open_only)
    for alert in rows:
        record = {
            "id": alert.id,
            "key": alert.key,
            "kind": alert.kind,
            "subject": alert.subject,
            "detail": alert.detail,
            "opened_at": alert.opened_at,
            "resolved_at": alert.resolved_at,
            "notified_at": alert.notified_at,
        }
        if as_json:
            emit_json(record)
        else:
            state = (
                "open"
                if alert.resolved_at is None
                else f"resolved {alert.resolved_at:%Y-%m-%d %H:%M}"
            )
            click.echo(
                f"{alert.opened_at:%Y-%m-%d %H:%M} UTC  [{state}]  {alert.subject}\n"
                f"    {alert.detail}"
            )
