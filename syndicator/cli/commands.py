"""The `syndicator` commands. Exit codes: 0 success, 1 the job failed, 2 usage or configuration."""

from __future__ import annotations

import sys

import click

from syndicator import __version__
from syndicator.cli import alerts, db, feeds, poll, publish, queue, repost, run, tokens
from syndicator.cli.context import Context
from syndicator.errors import ConfigError, SyndicatorError

EXIT_FAILED = 1
EXIT_USAGE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
        sys.exit(EXIT_USAGE if isinstance(error, click.UsageError) else EXIT_FAILED)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_FAILED)
    except ConfigError as error:
        click.echo(f"configuration error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except SyndicatorError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_FAILED)
