"""Polling feeds now (`syndicator poll`): which feeds, and what each poll stored."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from syndicator.ingest.harvest import PollOutcome
from syndicator.ingest.poller import due_feeds
from syndicator.services.names import require_known
from syndicator.settings_models import FeedSettings

if TYPE_CHECKING:
    from syndicator.app import App


@dataclass(frozen=True)
class FeedPolled:
    """One feed's poll, and how many of its new items were filed as posts."""

    outcome: PollOutcome
    queued: int  # 0 for a feed watched for the report only, or items kept as history


def select_feeds(app: App, feed_ids: Sequence[str] = (), due: bool = False) -> list[FeedSettings]:
    """The feeds named (UnknownName for an id the settings lack), else every enabled one;
    with `due`, only those whose next poll time has come."""
    settings = app.settings_with_added_feeds()
    known = [feed.id for feed in settings.feeds]
    for feed_id in feed_ids:
        require_known("feed", feed_id, known)
    feeds = (
        [settings.feed(i) for i in feed_ids]
        if feed_ids
        else [f for f in settings.feeds if f.enabled]
    )
    return due_feeds(app.migrated_engine(), feeds, app.clock.now()) if due else feeds


def poll_feeds(
    app: App, feeds: Sequence[FeedSettings], progress: Callable[[FeedPolled], None] | None = None
) -> list[FeedPolled]:
    """Poll `feeds` now and store what is new; `progress` hears of each feed as it is done."""
    channels = {feed.id: bool(feed.channels) for feed in feeds}

    def polled(outcome: PollOutcome) -> FeedPolled:
        queued = outcome.new - outcome.history if channels.get(outcome.feed) else 0
        return FeedPolled(outcome, queued)

    def report(outcome: PollOutcome) -> None:
        if progress is not None:
            progress(polled(outcome))

    return [polled(outcome) for outcome in app.poller().poll(feeds, report)]
