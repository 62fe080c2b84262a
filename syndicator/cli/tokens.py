"""`syndicator tokens status|refresh`: is each channel able to publish, and if not, the fix."""

from __future__ import annotations

import click

from syndicator.cli.context import Context
from syndicator.cli.output import emit_json, local_time
from syndicator.services import tokens as service


@click.group()
def tokens() -> None:
    """Channel tokens: validity, expiry, permissions."""


@tokens.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per channel on stdout.")
@click.pass_obj
def status(ctx: Context, as_json: bool) -> None:
    """Check every enabled channel's token; exit 1 when any channel cannot publish."""
    app = ctx.app()
    report = service.token_status(app)
    if not report and not as_json:
        click.echo("no enabled channels")
    for health in report:
        if as_json:
            emit_json(
                {
                    "channel": health.channel,
                    "ok": health.ok,
                    "detail": health.detail,
                    "expires_at": health.expires_at,
                    "missing_permissions": list(health.missing_permissions),
                }
            )
        else:
            expiry = (
                f" (expires {local_time(health.expires_at, app.settings.timezone)})"
                if health.expires_at
                else ""
            )
            state = "ok" if health.ok else "PROBLEM"
            click.echo(f"{health.channel}: {state}: {health.detail}{expiry}")
    if not all(health.ok for health in report):
        raise SystemExit(1)


@tokens.command("refresh")
@click.pass_obj
def refresh(ctx: Context) -> None:
    """Refresh the Zalo OA tokens now (Facebook Page tokens are not refreshed: replace them)."""
    done = service.refresh_tokens(ctx.app())
    if not done:
        click.echo("no channel has tokens to refresh")
    for result in done:
        if result.ok:
            click.echo(f"{result.channel}: refreshed")
        else:
            click.echo(f"{result.channel}: {result.error}", err=True)
    if not all(result.ok for result in done):
        raise SystemExit(1)
