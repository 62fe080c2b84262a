"""Filters that name a feed or a channel: an unknown name is the caller's mistake, not an
empty answer."""

from __future__ import annotations

from collections.abc import Iterable

from syndicator.errors import SyndicatorError

# Enough names to spot a typo; a province with hundreds of feeds gets a pointer instead.
SHOWN_NAMES = 10


class UnknownName(SyndicatorError):
    """A feed or channel that the settings do not know (a usage error at the front end)."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        self.kind, self.name, self.known = kind, name, sorted(known)
        super().__init__(_message(kind, name, self.known))


def _message(kind: str, name: str, known: list[str]) -> str:
    if not known:
        return f"unknown {kind} {name!r}; the settings name no {kind}s"
    shown = ", ".join(known[:SHOWN_NAMES])
    more = len(known) - SHOWN_NAMES
    hint = {"feed": "syndicator feeds list", "channel": "syndicator tokens status"}[kind]
    tail = f" and {more} more (`{hint}` shows them)" if more > 0 else ""
    return f"unknown {kind} {name!r}; known {kind}s: {shown}{tail}"


def require_known(kind: str, name: str | None, known: Iterable[str]) -> None:
    """Raise UnknownName when `name` is given and not among `known`."""
    names = list(known)
    if name is not None and name not in names:
        raise UnknownName(kind, name, names)
