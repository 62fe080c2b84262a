"""The `syndicator` commands. Exit codes: 0 success, 1 the job failed, 2 usage or configuration."""

from __future__ import annotations

import sys
from typing import IO, Any

import click
from sqlalchemy.exc import DBAPIError

from storage.engine import DatabaseUrlError
from syndicator import __version__
from syndicator.cli import alerts, db, feeds, poll, publish, queue, repost, run, tokens
from syndicator.cli.context import Context
from syndicator.errors import ConfigError, SyndicatorError

EXIT_FAILED = 1
EXIT_USAGE = 2


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
    """The root group: turns the product's errors into one line and an exit code.

    Done here rather than in main() so that every way of running the commands (the console
    script, `python main.py`, click's test runner) behaves the same.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            raise SettingsFailure(f"configuration error: {error}") from None
        except DatabaseUrlError as error:
            raise SettingsFailure(f"configuration error: database.url: {error}") from None
        except DBAPIError as error:
            if error.statement is not None:  # a query failed: not a question of settings
                raise
            raise SettingsFailure(_unreachable(ctx.obj, error)) from None
        except SyndicatorError as error:
            raise Failure(f"error: {error}") from None


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
    ctx.obj = Context(config)
    ctx.call_on_close(ctx.obj.close)


cli.add_command(poll.poll)
cli.add_command(feeds.feeds)
cli.add_command(db.db)
cli.add_command(queue.queue)
cli.add_command(publish.publish)
cli.add_command(repost.repost)
cli.add_command(tokens.tokens)
cli.add_command(run.run)
cli.add_command(alerts.alerts)


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
