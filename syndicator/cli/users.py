"""`syndicator users add NAME --role ROLE` and `syndicator users list [--json]`: the people who
sign in to the admin page."""

from __future__ import annotations

import sys

import click

from syndicator.cli.context import Context
from syndicator.cli.output import emit_json, local_time
from syndicator.services import users as service
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


def _password() -> str:
    if _interactive():
        entered: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
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
