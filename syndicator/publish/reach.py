"""The daemon's "reach" job: each published post's engagement counters at the ages of
`reach.ages` after publishing (issue #14).

The database says what is due (storage/reach.py: published + age has come, no row for that age
yet), so a pass resumes after a restart and never collects a pair twice. A channel's pass reads
at most BATCH pairs, one read per post (a post late for several ages, the daemon having been
down, is read once and stored at each of them, with the true time of the read). It yields to
publishing: it skips a paused channel and stops at the first RateLimited (the connector raises
it, without sending, while publishing needs the quota) or AuthProblem (already the channel's
alert); the pairs left stay due. A metric the platform refuses (a permission not granted, a
metric it dropped) is switched off for the channel until METRIC_RETRY has passed: it is not
asked for at the next posts, is stored as unknown (None, never 0), and raises one alert.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Engine

from connectors.base import (
    METRICS,
    AuthProblem,
    Connector,
    ConnectorError,
    Engagement,
    RateLimited,
    ReadsEngagement,
    Rejected,
)
from storage import publishing as publishing_store
from storage import reach as reach_store
from storage.reach import DuePair
from storage.session import reading, writing

log = structlog.get_logger("syndicator.publish.reach")

BATCH = 50  # (post, age) pairs per channel and tick: a backlog drains over a few ticks
METRIC_RETRY = timedelta(hours=24)  # a refused metric is asked again after this (a new grant)


@dataclass(frozen=True, slots=True)
class ReachPass:
    """What one channel's pass did."""

    channel: str
    status: str  # "ok", "paused", "rate_limited", "auth_problem", "unavailable"
    posts: int  # posts read from the platform
    stored: int  # (post, age) rows written


def collect_due(
    engine: Engine,
    connectors: Mapping[str, Connector],
    ages: Sequence[timedelta],
    clock: Callable[[], datetime],
    batch: int = BATCH,
) -> list[ReachPass]:
    """One pass over each channel whose connector reads engagement (the others, the sandbox
    among them, have no counters: unknown). Metrics switched off for a channel no longer
    among `connectors` (removed or disabled) are forgotten, so their alerts resolve."""
    readers = {
        name: connector
        for name, connector in sorted(connectors.items())
        if isinstance(connector, ReadsEngagement)
    }
    with writing(engine) as session:
        reach_store.forget_other_channels(session, readers)
    return [
        _collect_channel(engine, name, connector, ages, clock, batch)
        for name, connector in readers.items()
    ]


def _collect_channel(
    engine: Engine,
    channel: str,
    connector: ReadsEngagement,
    ages: Sequence[timedelta],
    clock: Callable[[], datetime],
    batch: int,
) -> ReachPass:
    now = clock()
    with reading(engine) as session:
        pause = publishing_store.pause_of(session, channel)
        if pause is not None and (pause.until is None or pause.until > now):
            return _logged(ReachPass(channel, "paused", 0, 0))
        off = set(reach_store.metrics_off(session, channel, now))
        due = reach_store.due_pairs(session, channel, ages, now, batch)
    status, posts, stored = "ok", 0, 0
    for remote_id, pairs in _by_post(due):
        asked = frozenset(METRICS) - off
        try:
            read: Engagement | None = connector.engagement(remote_id, asked)
        except RateLimited:
            status = "rate_limited"  # publishing first; the rest stays due
            break
        except AuthProblem:
            status = "auth_problem"  # the token's alert is the channel's, raised elsewhere
            break
        except Rejected as error:  # this post only (deleted on the platform): unknown
            log.warning("reach.unreadable", channel=channel, remote_id=remote_id, error=str(error))
            read = None
        except ConnectorError as error:  # the platform unreachable: the next tick tries again
            log.warning("reach.failed", channel=channel, status="unavailable", error=str(error))
            status = "unavailable"
            break
        stored += _store(engine, channel, pairs, asked, read, clock())
        off |= read.refused.keys() if read is not None else set()
        posts += 1
    return _logged(ReachPass(channel, status, posts, stored))


def _by_post(due: Sequence[DuePair]) -> list[tuple[str, list[DuePair]]]:
    """The due pairs per post (remote id, its pairs), in the order of each post's first pair."""
    grouped: dict[int, list[DuePair]] = {}
    for pair in due:
        grouped.setdefault(pair.post_id, []).append(pair)
    return [(pairs[0].remote_id, pairs) for pairs in grouped.values()]


def _store(
    engine: Engine,
    channel: str,
    pairs: Sequence[DuePair],
    asked: frozenset[str],
    read: Engagement | None,
    at: datetime,
) -> int:
    """One post's counters at each of its due ages, and the metrics refused or given again,
    in one transaction; returns the rows written."""
    refused = read.refused if read is not None else {}
    counters = read.counters() if read is not None else {}
    with writing(engine) as session:
        for metric, why in sorted(refused.items()):
            if reach_store.switch_off(session, channel, metric, why, at, at + METRIC_RETRY):
                log.warning("reach.metric_off", channel=channel, metric=metric, reason=why)
        if read is not None and reach_store.switch_on(session, channel, asked - refused.keys()):
            log.info("reach.metric_on", channel=channel)
        return sum(
            reach_store.record(session, pair.post_id, pair.age, at, counters) for pair in pairs
        )


def _logged(done: ReachPass) -> ReachPass:
    log.info(
        "reach.collected",
        channel=done.channel,
        status=done.status,
        posts=done.posts,
        stored=done.stored,
    )
    return done
