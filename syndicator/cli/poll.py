"""`syndicator poll`: poll feeds now, with a progress bar on a terminal and plain lines elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict

import click

from syndicator.cli.context import Context
from syndicator.cli.output import emit_json, plural
from syndicator.cli.params import UnknownFilter
from syndicator.services import polling as service
from syndicator.services.names import UnknownName
from syndicator.services.polling import FeedPolled

Progress = Callable[[FeedPolled], None]


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
    try:
        feeds = service.select_feeds(app, feed_ids, due)
    except UnknownName as error:
        raise UnknownFilter(str(error)) from None
    with _reporter(len(feeds), interactive, as_json) as progress:
        polled = service.poll_feeds(app, feeds, progress)
    if not as_json:
        _summary(polled)


@contextmanager
def _reporter(total: int, interactive: bool, as_json: bool) -> Iterator[Progress]:
    if as_json:
        yield lambda polled: emit_json(asdict(polled.outcome))
        return
    if not interactive:
        yield lambda polled: click.echo(_line(polled))
        return
    counts = {"new": 0, "errors": 0}

    def show(_item: object) -> str:
        return f"new {counts['new']}  errors {counts['errors']}"

    with click.progressbar(
        length=total, label="Polling feeds", file=sys.stderr, show_pos=True, item_show_func=show
    ) as bar:

        def advance(polled: FeedPolled) -> None:
            counts["new"] += polled.outcome.new
            counts["errors"] += polled.outcome.status == "error"
            bar.update(1, polled)

        yield advance


def _line(polled: FeedPolled) -> str:
    outcome = polled.outcome
    if outcome.status == "error":
        return f"{outcome.feed}: error {outcome.reason}: {outcome.error}"
    line = f"{outcome.feed}: {outcome.status} new={outcome.new} duplicates={outcome.duplicates}"
    if outcome.first_poll:
        line += f" (first poll: {_first_poll(outcome.history, polled.queued)})"
    return line


def _first_poll(history: int, queued: int) -> str:
    return f"{plural(history, 'item')} recorded as history, {queued} queued"


def _summary(polled: list[FeedPolled]) -> None:
    outcomes = [p.outcome for p in polled]
    errors = [o for o in outcomes if o.status == "error"]
    new = sum(o.new for o in outcomes)
    click.echo(
        f"polled {plural(len(outcomes), 'feed')}: {plural(new, 'new item')}, "
        f"{plural(len(errors), 'error')}"
    )
    first = [p for p in polled if p.outcome.first_poll]
    if first:
        history = sum(p.outcome.history for p in first)
        click.echo(
            f"first poll of {plural(len(first), 'feed')}: "
            f"{_first_poll(history, sum(p.queued for p in first))}"
        )
    if sys.stderr.isatty():
        for polled_feed in polled:
            if polled_feed.outcome.status == "error":
                click.echo(_line(polled_feed), err=True)
