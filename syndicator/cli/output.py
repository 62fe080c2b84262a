"""Shared output helpers: JSON Lines for scripts, and times, titles and counts shown to people.

Text output shows times in the configured timezone (settings `timezone`); JSON keeps ISO 8601
with its offset (UTC as stored), for scripts.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click


def emit_json(record: dict[str, Any]) -> None:
    click.echo(json.dumps(record, ensure_ascii=False, default=_jsonable))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def local_time(moment: datetime, timezone: str, *, seconds: bool = False) -> str:
    """'2026-11-01 10:00 +07': the moment in the configured timezone, with its offset."""
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def short_title(title: str, width: int) -> str:
    """`title` in at most `width` characters, cut between words (NFC first: a Vietnamese
    letter written as a base and combining marks is one character, never split)."""
    text = unicodedata.normalize("NFC", " ".join(title.split()))
    if len(text) <= width:
        return text
    end = width - 1  # room for the ellipsis
    space = text.rfind(" ", 0, end + 1)
    if space > width // 2:
        end = space
    while end > 0 and unicodedata.combining(text[end]):  # a mark NFC could not compose
        end -= 1
    cut = text[:end]
    return cut.rstrip(" ,;:.-") + "…"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """'1 post', '2 posts', '0 posts'."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def age(moment: datetime | None, now: datetime) -> str:
    """'3h ago', '2d ago', 'in 5m', or '-'."""
    if moment is None:
        return "-"
    seconds = int((now - moment).total_seconds())
    suffix, seconds = ("ago", seconds) if seconds >= 0 else ("from now", -seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} {suffix}"
    return f"{seconds}s {suffix}"
