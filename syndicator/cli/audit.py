"""`syndicator audit [--since DURATION] [--actor NAME] [--action ACTION] [--limit N] [--json]`:
the audit trail of admin actions (users, API tokens, channels resumed), newest first."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

import click

from syndicator.cli.context import Context
from syndicator.cli.output import emit_json, local_time
from syndicator.durations import parse_duration
from syndicator.services import audit as service
from syndicator.services.audit import AdminEventRow, AuditFilter

LIMIT_MAX = 10_000


def _duration(_ctx: click.Context, _param: click.Parameter, value: str | None) -> timedelta | None:
    """A click callback: "90m", "6h", "7d" (syndicator.durations), else a usage error."""
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as wrong:
        raise click.BadParameter(str(wrong)) from None


@click.command()
@click.option(
    "--since",
    "within",
    metavar="DURATION",
    callback=_duration,
    help='Only actions at most this old: "90m", "6h", "7d".',
)
@click.option("--actor", metavar="NAME", help="Only actions by this user (or shell).")
@click.option("--action", type=click.Choice(service.ADMIN_ACTIONS), help="Only this action.")
@click.option(
    "--limit",
    type=click.IntRange(1, LIMIT_MAX),
    default=service.PAGE,
    show_default=True,
    help="At most this many actions, the newest.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per action on stdout.")
@click.pass_obj
def audit(
    ctx: Context,
    within: timedelta | None,
    actor: str | None,
    action: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """The audit trail of admin actions, newest first. Users added, roles changed, users
    disabled, passwords set, the first admin, API tokens created and revoked, channels
    resumed."""
    app = ctx.app()
    chosen = AuditFilter(actor=actor, action=action, within=within)
    rows = service.admin_events(app, chosen, limit=limit).rows
    if as_json:
        for row in rows:
            emit_json(asdict(row))
        return
    if not rows:
        click.echo("no admin actions")
    for row in rows:
        click.echo(_describe(row, app.settings.timezone))


def _describe(row: AdminEventRow, timezone: str) -> str:
    """'2026-11-01 10:00 +07  user_add  Nguyễn Thị An  by Quản trị  (editor)'."""
    line = f"{local_time(row.at, timezone)}  {row.action}  {row.subject}  by {row.actor}"
    return f"{line}  ({row.detail})" if row.detail else line
