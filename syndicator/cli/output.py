"""Shared output helpers: JSON Lines for scripts, and times shown to people."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

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
