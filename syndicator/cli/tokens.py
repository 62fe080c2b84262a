"""`syndicator tokens status|refresh`: is each channel able to publish, and if not, the fix."""

from __future__ import annotations

import click

from connectors.base import ConnectorError, Health
from syndicator.cli.context import Context
from syndicator.cli.output import emit_json


@click.group()
def tokens() -> None:
    """Channel tokens: validity, expiry, permissions."""


@tokens.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per channel on stdout.")
@click.pass_obj
def status(ctx: Context, as_json: bool) -> None:
    """Check every enabled channel's token; exit 1 when any channel cannot publish."""
    app = ctx.app()
    connectors, missing = app.connectors()
    report: dict[str, Health] = {name: Health(False, why) for name, why in missing.items()}
    for name, connector in connectors.items():
        try:
            report[name] = connector.check()
        except ConnectorError as error:
            report[name] = Health(False, f"cannot check now: {error}")
    for name, health in sorted(report.items()):
        if as_json:
            emit_json(
                {
                    "channel": name,
                    "ok": health.ok,
                    "detail": health.detail,
                    "expires_at": health.expires_at,
                    "missing_permissions": list(health.missing_permissions),
                }
            )
        else:
            expiry = (
                f" (expires {health.expires_at:%Y-%m-%d %H:%M} UTC)" if health.expires_at else ""
            )
            click.echo(f"{name}: {'ok' if health.ok else 'PROBLEM'}: {health.detail}{expiry}")
    if not all(health.ok for health in report.values()):
        raise SystemExit(1)


@tokens.command("refresh")
@click.pass_obj
def refresh(ctx: Context) -> None:
    """Refresh the Zalo OA tokens now (Facebook Page tokens are not refreshed: replace them)."""
    app = ctx.app()
    connectors, _ = app.connectors()
    failed = False
    for name, connector in connectors.items():
        tokens_ = getattr(connector, "tokens", None)
        if tokens_ is None or not hasattr(tokens_, "refresh"):
            continue
        try:
            tokens_.refresh()
            click.echo(f"{name}: refreshed")
        except ConnectorError as error:
            failed = True
            click.echo(f"{name}: {error}", err=True)
    if failed:
        raise SystemExit(1)
