"""One publishing pass (`syndicator publish`): which channels can publish, what is due, and
what a pass did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from syndicator.errors import SyndicatorError
from syndicator.publish.publisher import PublishOutcome
from syndicator.services.names import require_known

if TYPE_CHECKING:
    from syndicator.app import App

# A pass that ends with one of these needs a person (or a later reconcile): exit 1 in the CLI.
TROUBLE = frozenset({"failed", "unknown", "needs_attention", "duplicate"})


@dataclass(frozen=True)
class Channels:
    """The channels a pass covers, and the enabled ones it skips with the reason."""

    ready: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (channel, why it cannot publish)


@dataclass(frozen=True)
class DuePost:
    channel: str
    post_id: int


class ChannelUnavailable(SyndicatorError):
    """A configured channel that cannot publish now: disabled, or lacking its token."""


def channels(app: App, channel: str | None = None) -> Channels:
    """Every enabled channel, or only `channel` (UnknownName when the settings lack it,
    ChannelUnavailable when it is disabled or lacks a token)."""
    connectors, missing = app.connectors()
    if channel is not None and channel not in connectors:
        require_known("channel", channel, app.settings.channels)
        why = missing.get(channel, f"disabled (channels.{channel}.enabled = false)")
        raise ChannelUnavailable(f"channel {channel!r}: {why}")
    wanted = [channel] if channel else list(connectors)
    skipped = tuple((name, why) for name, why in missing.items() if channel in (None, name))
    return Channels(tuple(wanted), skipped)


def due_posts(app: App, names: tuple[str, ...]) -> list[DuePost]:
    """What a pass would send now, without sending anything."""
    publisher = app.publisher()
    return [DuePost(name, post.id or 0) for name in names for post in publisher.due_posts(name)]


def publish_once(app: App, channel: str | None = None) -> list[PublishOutcome]:
    """Publish the approved posts whose slot has come, exactly once each."""
    return app.publisher().run_once(channel)


def needs_a_person(outcomes: list[PublishOutcome]) -> bool:
    return any(outcome.status in TROUBLE for outcome in outcomes)
