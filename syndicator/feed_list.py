"""The feeds the service works with: those of settings.toml, then the portals an admin added on
the web page (storage/stored_feeds.py, issue #13).

A stored feed is validated as a `[[feeds]]` table and against the settings each time it is
read: a row that no longer fits (its channel removed from the settings, its id now used by the
file) is left out with a warning, never a failed start; the file always wins.
"""

from __future__ import annotations

from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy import Engine

from storage import stored_feeds as store
from storage.session import reading
from syndicator.config import Settings
from syndicator.settings_models import FeedSettings

log = structlog.get_logger("syndicator.feeds")


def stored_feed(feed_id: str, table: dict[str, Any]) -> FeedSettings:
    """A stored row as a feed (ValidationError when it is not a valid `[[feeds]]` table)."""
    return FeedSettings.model_validate({**table, "id": feed_id})


def added_feeds(settings: Settings, engine: Engine) -> list[FeedSettings]:
    """The stored feeds that fit `settings`, in the order they were added."""
    with reading(engine) as session:
        rows = [(row.id, row.settings) for row in store.stored_feeds(session)]
    fitting = []
    for feed_id, table in rows:
        try:
            feed = stored_feed(feed_id, table)
        except ValidationError as error:
            log.warning("feed.stored_invalid", feed=feed_id, error=first_error(error))
            continue
        problem = settings.joining_problem(feed)
        if problem:
            log.warning("feed.stored_left_out", feed=feed_id, problem=problem)
            continue
        fitting.append(feed)
    return fitting


def first_error(error: ValidationError) -> str:
    """A feed table's first problem on one line: "<key path>: <what is wrong>"."""
    first = error.errors()[0]
    place = ".".join(str(part) for part in first["loc"])
    return f"{place}: {first['msg']}" if place else first["msg"]
