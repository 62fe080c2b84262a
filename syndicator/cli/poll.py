"""`syndicator poll`: poll feeds now, with a progress bar on a terminal and plain lines elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

import click

from syndicator.cli.context import Context
from syndicator.cli.output import emit_json
from syndicator.ingest.harvest import PollOutcome
from syndicator.ingest.poller import Progress, due_feeds


@click.command()
@click.option(
    "--feed", "feed_ids", metavar="ID", multiple=True, help="Poll only this feed (repeatable)."
)
@click.option("--due", is_flag=True, help="Poll only the feeds whose next poll time has come.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per feed on stdout.")
@click.pass_obj
def poll(ctx: Context, feed_ids: tuple[str, ...], due: bool, as_json: bool) -> None:
    """Poll every enabled feed now and store what is new.

    A failing portal is reported (and recorded for `feeds list`), not fatal: the exit code is 0
    whenever the poll ran, 1 when it failed part-way, and 2 when the settings or the database
    connection are wrong.
    """
    interactive = sys.stderr.isatty() and not as_json
    app = ctx.app(quiet=interactive)
    settings = app.settings
    feeds = (
        [settings.feed(i) for i in feed_ids]
        if feed_ids
        else [f for f in settings.feeds if f.enabled]
    )
    poller = app.poller()
    if due:
        feeds = due_feeds(poller.engine, feeds, app.clock.now())
    with _reporter(len(feeds), interactive, as_json) as progress:
        outcomes = poller.poll(feeds, progress)
    if not as_json:
        _summary(outcomes)


@contextmanager
def _reporter(total: int, interactive: bool, as_json: bool) -> Iterator[Progress]:
    if as_json:
        yield lambda outcome: emit_json(asdict(outcome))
        return
    if not interactive:
        yield lambda outcome: click.echo(_line(outcome))
        return
    counts = {"new": 0, "errors": 0}

    def show(_item: object) -> str:
        return f"new {counts['new']}  errors {counts['errors']}"

    with click.progressbar(
        length=total, label="Polling feeds", file=sys.stderr, show_pos=True, item_show_func=show
    ) as bar:

        def advance(outcome: PollOutcome) -> None:
            counts["new"] += outcome.new
            counts["errors"] += outcome.status == "error"
            bar.update(1, outcome)

        yield advance


def _line(outcome: PollOutcome) -> str:
    if outcome.status == "error":
        return f"{outcome.feed}: error {outcome.reason}: {outcome.error}"
    return f"{outcome.feed}: {outcome.status} new={outcome.new} duplicates={outcome.duplicates}"


def _summary(outcomes: list[PollOutcome]) -> None:
    errors = [o for o in outcomes if o.status == "error"]
    new = sum(o.new for o in outcomes)
    click.echo(f"polled {len(outcomes)} feeds: {new} new items, {len(errors)} errors")
    if sys.stderr.isatty():
        for outcome in errors:
            click.echo(_line(outcome), err=True)
