"""Argument types shared by the commands, checked before anything is looked up."""

from __future__ import annotations

from datetime import timedelta
from typing import IO, Any
from urllib.parse import urlsplit

import click

from syndicator.durations import parse_duration

# Ids are PostgreSQL INTEGER columns: a bigger number cannot name a row, and would make the
# query itself fail ("integer out of range") instead of finding nothing.
MAX_ROW_ID = 2**31 - 1
ROW_ID = click.IntRange(1, MAX_ROW_ID)


def item_id_or_url(_ctx: click.Context, _param: click.Parameter, target: str) -> int | str:
    """An item id (ASCII digits: "²" is a digit to str.isdigit) or an http(s) URL, else a
    usage error (exit 2). A click callback."""
    text = target.strip()
    if text.isascii() and text.isdigit():
        if len(text) > len(str(MAX_ROW_ID)) or not 1 <= int(text) <= MAX_ROW_ID:
            raise click.BadParameter(f"{text} is not an item id (1 to {MAX_ROW_ID})")
        return int(text)
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. "http://[::1": an unclosed IPv6 bracket
        parts = urlsplit("")
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(
            f"{target!r} is neither an item id nor an article's http(s) address"
        )
    return text


class UnknownFilter(click.ClickException):
    """A --feed or --channel the settings do not know: a usage error (exit 2), in one line
    that names the known ones, rather than an empty answer; worded like click's own usage
    errors."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {self.message}", err=True, file=file)


def period(_ctx: click.Context, _param: click.Parameter, value: str | None) -> timedelta | None:
    """A click callback: a duration longer than zero ("30d", "12w", "6h"), else a usage error."""
    if value is None:
        return None
    try:
        length = parse_duration(value)
    except ValueError as wrong:
        raise click.BadParameter(str(wrong)) from None
    if length <= timedelta(0):
        raise click.BadParameter(f"{value!r} is no time at all; write e.g. 30d")
    return length
