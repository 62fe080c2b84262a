"""The `syndicator` commands. Exit codes: 0 success, 1 the job failed, 2 usage or configuration.

A start pays only for the command it runs: each subcommand's module is imported when that
command is run (see COMMANDS), so `--version` and `--help` load click and nothing else.
"""

from __future__ import annotations

import importlib
import sys
from typing import IO, TYPE_CHECKING, Any, NamedTuple

import click

from syndicator import __version__
from syndicator.errors import ConfigError, SyndicatorError

if TYPE_CHECKING:
    from sqlalchemy.exc import DBAPIError

    from syndicator.cli.context import Context

EXIT_FAILED = 1
EXIT_USAGE = 2


class Entry(NamedTuple):
    """Where a subcommand lives ("module:attribute"), and its short help for `--help`."""

    target: str
    help: str


# Every subcommand: a new one is one line here. The short help is the first sentence of the
# command's docstring (tests/cli/test_startup.py keeps the two in step), so listing the
# commands imports none of them.
COMMANDS: dict[str, Entry] = {
    "alerts": Entry(
        "syndicator.cli.alerts:alerts",
        "Alerts, newest first (the daemon raises and resolves them every minute).",
    ),
    "audit": Entry("syndicator.cli.audit:audit", "The audit trail of admin actions, newest first."),
    "db": Entry("syndicator.cli.db:db", "Database maintenance."),
    "feeds": Entry("syndicator.cli.feeds:feeds", "Inspect feeds."),
    "poll": Entry("syndicator.cli.poll:poll", "Poll every enabled feed now and store what is new."),
    "publish": Entry(
        "syndicator.cli.publish:publish",
        "Publish the approved posts whose slot has come, exactly once each.",
    ),
    "queue": Entry("syndicator.cli.queue:queue", "Review posts before they are published."),
    "reach": Entry(
        "syndicator.cli.reach:reach",
        "What the published posts brought back: each post's latest counters (reactions, "
        "comments, shares, impressions, clicks, views; unknown where the platform did not say).",
    ),
    "repost": Entry(
        "syndicator.cli.repost:repost",
        "Make a new post of an article (through review unless --approve).",
    ),
    "report": Entry(
        "syndicator.cli.report:report",
        "The portal activity and coverage report: which portals went quiet, which required "
        "categories are empty.",
    ),
    "run": Entry(
        "syndicator.cli.run:run",
        "Poll and publish on schedule until stopped (SIGTERM or Ctrl-C stops cleanly).",
    ),
    "serve": Entry("syndicator.cli.serve:serve", "Serve the admin web page on web.listen."),
    "tokens": Entry(
        "syndicator.cli.tokens:tokens", "Channel tokens: validity, expiry, permissions."
    ),
    "users": Entry(
        "syndicator.cli.users:users", "Who may sign in to the admin page, and their roles."
    ),
}


def load_command(name: str) -> click.Command:
    """The subcommand `name`, its module imported now."""
    module, _, attribute = COMMANDS[name].target.partition(":")
    command: click.Command = getattr(importlib.import_module(module), attribute)
    return command


class Failure(click.ClickException):
    """The job failed (exit 1): one line on stderr, as written."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.splitlines()))

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, err=True, file=file)


class SettingsFailure(Failure):
    """Nothing can run until a setting is fixed (exit 2)."""

    exit_code = EXIT_USAGE


class Commands(click.Group):
    """The root group: loads subcommands on demand, and turns the product's errors into one
    line and an exit code.

    Errors are mapped here rather than in main() so that every way of running the commands (the
    console script, `python main.py`, click's test runner) behaves the same.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Names and short help come from the table: `--help` imports no subcommand.
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=COMMANDS[name].help).get_short_help_str(limit))
            for name in self.list_commands(ctx)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            failure = _failure(ctx, error)
            if failure is None:
                raise
            raise failure from None


def _failure(ctx: click.Context, error: Exception) -> Failure | None:
    """The one line an error of ours becomes, or None for an error that is not ours."""
    if isinstance(error, ConfigError):
        return SettingsFailure(f"configuration error: {error}")
    # A database error can only come from a command that loaded the database stack; checking
    # for one must not load it for the commands that do not.
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import DBAPIError

        from storage.engine import DatabaseUrlError

        if isinstance(error, DatabaseUrlError):
            return SettingsFailure(f"configuration error: database.url: {error}")
        if isinstance(error, DBAPIError) and error.statement is None:
            return SettingsFailure(_unreachable(ctx.obj, error))
        if isinstance(error, DBAPIError):  # a query failed: not a question of settings
            return None
    if isinstance(error, SyndicatorError):
        return Failure(f"error: {error}")
    return None


def _unreachable(context: Context, error: DBAPIError) -> str:
    # Exit 2 like other settings problems: a wrong host, port, name or password in database.url
    # looks the same as a server that is down, and either way nothing can run until it is fixed.
    lines = [line.strip() for line in str(error.orig).splitlines() if line.strip()]
    reason = context.hide_database_password("; ".join(lines))
    return (
        f"configuration error: database.url: cannot connect to {context.database_label()} "
        f"({reason}); check the address and that the database server is running"
    )


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    metavar="PATH",
    envvar="SYNDICATOR_CONFIG",
    help="Settings file (default: ./settings.toml, or $SYNDICATOR_CONFIG).",
)
@click.version_option(__version__, prog_name="syndicator")
@click.pass_context
def cli(ctx: click.Context, config: str | None) -> None:
    """Carry portal news to the province's Fanpage and Zalo OA, under editorial control."""
    from syndicator.cli.context import Context  # loaded only once a command runs

    ctx.obj = Context(config)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    """Console-script entry: maps our errors to exit codes with one clear line."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)  # 2 for a UsageError or a Failure about the settings
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_FAILED)
    except ConfigError as error:
        click.echo(f"configuration error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except SyndicatorError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_FAILED)
