"""Health endpoints for the operator's monitoring: /healthz, /readyz and Prometheus /metrics.

Starlette routes, served by the daemon's web server beside the admin page (ops/web_server.py).
Readiness and database counts are read per request; the publish and poll counters live in
this process, in a prometheus-client registry of their own."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from prometheus_client import CollectorRegistry, Counter, Summary, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.metrics import disable_created_metrics
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from storage.stats import Stats, database_answers, snapshot

log = structlog.get_logger("syndicator.ops.health")

METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # what generate_latest writes
NO_STORE = {"Cache-Control": "no-store"}

# The hand-written exposition had no `_created` series; keep the same samples.
disable_created_metrics()  # type: ignore[no-untyped-call]  # (the library leaves it untyped)


class Heartbeat:
    """When the last poll tick completed: the daemon beats, /readyz reads (one reference, so a
    plain assignment is thread-safe)."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def beat(self, at: datetime) -> None:
        self.at = at

    def last(self) -> datetime | None:
        return self.at


@dataclass(frozen=True)
class Readiness:
    """What /readyz checks: the database answers, the scheduler runs, polling is recent."""

    engine: Engine
    scheduler_running: Callable[[], bool]
    last_poll_tick: Callable[[], datetime | None]
    started_at: datetime
    clock: Callable[[], datetime]
    tick_interval: timedelta = timedelta(minutes=1)  # the daemon's poll job (daemon.JOBS)
    start_grace: timedelta = timedelta(minutes=5)

    def check(self) -> str | None:
        """None when ready, else the reason in a few words."""
        try:
            database_answers(self.engine)
        except Exception as error:  # the driver's message may carry the URL; name the type
            return f"database does not answer ({type(error).__name__})"
        if not self.scheduler_running():
            return "scheduler is not running"
        now, last = self.clock(), self.last_poll_tick()
        if last is None and now - self.started_at > self.start_grace:
            return f"no poll tick completed since start at {self.started_at.isoformat()}"
        if last is not None and now - last > 3 * self.tick_interval:
            return f"last poll tick at {last.isoformat()} is older than {3 * self.tick_interval}"
        return None


class Metrics:
    """Process-local counters the daemon feeds (prometheus-client's are thread-safe)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._polls = Counter(
            "syndicator_feed_polls",
            "Feed polls by feed and outcome.",
            ["feed", "status"],
            registry=self.registry,
        )
        self._attempts = Counter(
            "syndicator_publish_attempts",
            "Publish attempts by channel and outcome.",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self._durations = Summary(
            "syndicator_publish_duration_seconds",
            "Time spent in publish requests, per channel.",
            ["channel"],
            registry=self.registry,
        )

    def count_poll(self, feed: str, status: str) -> None:
        self._polls.labels(feed=feed, status=status).inc()

    def observe_publish(self, channel: str, outcome: str, seconds: float) -> None:
        self._attempts.labels(channel=channel, outcome=outcome).inc()
        self._durations.labels(channel=channel).observe(seconds)


HELP = {
    "syndicator_feed_consecutive_failures": "Failed polls in a row, per feed.",
    "syndicator_feed_broken": "1 when a feed is marked broken.",
    "syndicator_feed_last_success_timestamp_seconds": "When a feed last polled successfully.",
    "syndicator_items_total": "Items stored.",
    "syndicator_posts": "Posts per channel and status.",
    "syndicator_channel_paused": "1 while a channel is paused.",
    "syndicator_token_expiry_timestamp_seconds": "When a channel's stored token expires.",
}


def gauge(name: str, samples: Iterable[tuple[dict[str, str], float]]) -> GaugeMetricFamily:
    rows = list(samples)
    labels = sorted({key for lbl, _ in rows for key in lbl})
    family = GaugeMetricFamily(name, HELP[name], labels=labels)
    for lbl, value in rows:
        family.add_metric([lbl[key] for key in labels], value)
    return family


@dataclass(frozen=True)
class StatsCollector:
    """The database's counts as gauges, for one scrape; a pause counts while its end is unset
    or ahead."""

    stats: Stats
    now: datetime

    def collect(self) -> Iterator[Metric]:
        stats = self.stats
        feeds = [({"feed": f.feed_id}, f) for f in stats.feeds]
        yield gauge(
            "syndicator_feed_consecutive_failures",
            [(lb, f.consecutive_failures) for lb, f in feeds],
        )
        yield gauge("syndicator_feed_broken", [(lb, int(f.broken)) for lb, f in feeds])
        successes = [(lb, f.last_success_at.timestamp()) for lb, f in feeds if f.last_success_at]
        yield gauge("syndicator_feed_last_success_timestamp_seconds", successes)
        yield gauge("syndicator_items_total", [({}, stats.items)])
        posts = [({"channel": c, "status": s}, n) for (c, s), n in sorted(stats.posts.items())]
        yield gauge("syndicator_posts", posts)
        paused = [({"channel": c}, int(_paused(stats, c, self.now))) for c in stats.channels()]
        yield gauge("syndicator_channel_paused", paused)
        expiries = sorted(stats.token_expiries.items())
        yield gauge(
            "syndicator_token_expiry_timestamp_seconds",
            [({"channel": c}, at.timestamp()) for c, at in expiries],
        )


def _paused(stats: Stats, channel: str, now: datetime) -> bool:
    if channel not in stats.pauses:
        return False
    until = stats.pauses[channel]
    return until is None or until > now


def render_metrics(stats: Stats, metrics: Metrics, now: datetime) -> str:
    """The database's gauges, then the process's counters, in the text exposition format."""
    return (
        generate_latest(StatsCollector(stats, now)) + generate_latest(metrics.registry)
    ).decode()


def parse_listen(listen: str) -> tuple[str, int]:
    """'host:port' (IPv6 as '[::1]:8080') to (host, port); port 0 picks a free one."""
    host, sep, port = listen.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not (port.isascii() and port.isdigit()) or int(port) > 65535:
        raise ValueError(f'web.listen {listen!r} is not host:port; write e.g. "127.0.0.1:8080"')
    return host, int(port)


def health_routes(readiness: Readiness, metrics: Metrics, engine: Engine) -> list[BaseRoute]:
    """/healthz, /readyz and /metrics, unauthenticated, never cached. The checks query the
    database, so they run in the thread pool, not on the event loop."""

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok\n", headers=NO_STORE)

    async def readyz(_: Request) -> Response:
        reason = await run_in_threadpool(readiness.check)
        body = {"status": "ready"} if reason is None else {"status": "not ready", "reason": reason}
        text = json.dumps(body, ensure_ascii=False) + "\n"
        status = 200 if reason is None else 503
        return Response(text, status, headers=NO_STORE, media_type="application/json")

    async def metrics_page(_: Request) -> Response:
        try:
            stats = await run_in_threadpool(snapshot, engine)
        except Exception as error:
            log.warning("metrics.failed", error=type(error).__name__)
            return PlainTextResponse("database unavailable\n", 503, headers=NO_STORE)
        text = render_metrics(stats, metrics, readiness.clock())
        return Response(text, headers=NO_STORE, media_type=METRICS_CONTENT_TYPE)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
    ]
