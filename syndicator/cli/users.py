"""`syndicator users add NAME --role ROLE`, `syndicator users passwd NAME` and `syndicator users
list [--json]`: the people who sign in to the admin page; `syndicator users token
create|list|revoke`: their API tokens."""

from __future__ import annotations

import sys
from dataclasses import asdict

import click

from syndicator.cli.context import Context
from syndicator.cli.output import emit_json, local_time
from syndicator.services import api_tokens, passwords
from syndicator.services import users as service
from syndicator.services.api_tokens import ApiTokenRow
from syndicator.services.users import Role, User

ROLES = [str(role) for role in Role]


@click.group()
def users() -> None:
    """Who may sign in to the admin page, and their roles."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@click.pass_obj
def add(ctx: Context, name: str, role: str) -> None:
    """Add a user. The password is asked twice on a terminal, else read from the first line of
    standard input (at least 12 characters, not the name)."""
    app = ctx.app()
    password = _password()
    user = service.add_user(app, name, role, password)
    click.echo(f"added {user.name} ({user.role})")


@users.command("passwd")
@click.argument("name")
@click.pass_obj
def passwd(ctx: Context, name: str) -> None:
    """Set NAME's password, as an admin does; the sessions NAME has open end. Asked twice on a
    terminal, else read from the first line of standard input (at least 12 characters, not the
    name)."""
    app = ctx.app()
    user = passwords.set_password(app, name, _password("New password"))
    click.echo(f"password set for {user.name}; their sessions have ended")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per user on stdout.")
@click.pass_obj
def list_(ctx: Context, as_json: bool) -> None:
    """Every user, with role, last login and whether disabled."""
    app = ctx.app()
    found = service.list_users(app)
    if as_json:
        for user in found:
            emit_json(_record(user))
        return
    if not found:
        click.echo("no users yet: `syndicator users add NAME --role admin` adds the first")
    for user in found:
        click.echo(_describe(user, app.settings.timezone))


def _password(prompt: str = "Password") -> str:
    if _interactive():
        entered: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
        return entered
    line = sys.stdin.readline()
    return line.removesuffix("\n").removesuffix("\r")


def _interactive() -> bool:
    return sys.stdin.isatty()


def _record(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "name": user.name,
        "role": str(user.role),
        "created_at": user.created_at,
        "last_login_at": user.last_login_at,
        "disabled": user.disabled_at is not None,
    }


def _describe(user: User, timezone: str) -> str:
    login = local_time(user.last_login_at, timezone) if user.last_login_at else "never"
    state = "  [disabled]" if user.disabled_at else ""
    return f"{user.id:>4}  {user.name}  {user.role}  last login: {login}{state}"


@users.group("token")
def token() -> None:
    """API tokens: scripts using the JSON API act as their user, with the user's role."""


@token.command("create")
@click.argument("user")
@click.option("--name", "label", required=True, help="What the token is for, e.g. 'backup'.")
@click.pass_obj
def token_create(ctx: Context, user: str, label: str) -> None:
    """Make a token for USER and print it, this once, alone on stdout (only its digest is
    kept): `TOKEN=$(syndicator users token create an --name backup)`."""
    made = api_tokens.create_api_token(ctx.app(), user, label)
    click.echo(made)
    click.echo("shown once: keep it now; `users token revoke ID` ends it", err=True)


@token.command("list")
@click.argument("user")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per token on stdout.")
@click.pass_obj
def token_list(ctx: Context, user: str, as_json: bool) -> None:
    """USER's tokens with their ids, last use and whether revoked (never the tokens)."""
    app = ctx.app()
    found = api_tokens.list_api_tokens(app, user)
    if as_json:
        for row in found:
            emit_json(asdict(row))
        return
    if not found:
        click.echo(f"no API tokens; `syndicator users token create {user} --name LABEL` makes one")
    for row in found:
        click.echo(_describe_token(row, app.settings.timezone))


@token.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
@click.pass_obj
def token_revoke(ctx: Context, token_id: int) -> None:
    """End the token ID (from `users token list`): it authorizes nothing from now on."""
    revoked = api_tokens.revoke_api_token(ctx.app(), token_id)
    click.echo(f"revoked API token {revoked.id} ({revoked.name}) of {revoked.user}")


def _describe_token(row: ApiTokenRow, timezone: str) -> str:
    used = local_time(row.last_used_at, timezone) if row.last_used_at else "never"
    state = f"  [revoked {local_time(row.revoked_at, timezone)}]" if row.revoked_at else ""
    made = local_time(row.created_at, timezone)
    return f"{row.id:>4}  {row.name}  created: {made}  last used: {used}{state}"
