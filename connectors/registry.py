"""Channel kinds by a channel's `type`: how the core reaches a platform without naming one.

Adding a platform touches one folder and one line: write `connectors/<type>/` with a `kind.py`
whose KIND implements connectors.base.ChannelKind (settings model, limits, rendering fix-up,
preview, build; its client and errors beside it), then add it to KINDS below.
tests/connectors/test_registry.py walks every kind, so a half-built one fails there.

Only the kinds load here, not their HTTP clients: a kind imports its client when it builds one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from connectors.base import ChannelKind
from connectors.facebook.kind import KIND as FACEBOOK
from connectors.sandbox.kind import KIND as SANDBOX
from connectors.zalo.kind import KIND as ZALO

KINDS: Mapping[str, ChannelKind] = {kind.type: kind for kind in (FACEBOOK, ZALO, SANDBOX)}
TYPES = tuple(KINDS)  # in the order settings errors list them


class UnknownKind(ValueError):
    """No kind has this type."""


def kind_of(type_: str) -> ChannelKind:
    """The kind for a channel's `type`; UnknownKind (a ValueError) for a type none has."""
    try:
        return KINDS[type_]
    except KeyError:
        raise UnknownKind(f"unknown channel type {type_!r}") from None


def shortest_token_lifetime() -> timedelta | None:
    """The shortest life of a stored refresh token among the kinds that store one: assumed for
    a stored pair whose channel is no longer configured (warning early rather than late)."""
    lifetimes = [kind.token_lifetime for kind in KINDS.values() if kind.token_lifetime]
    return min(lifetimes, default=None)
