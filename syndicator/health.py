"""Health endpoints for the operator's monitoring: /healthz, /readyz and Prometheus /metrics.

A stdlib ThreadingHTTPServer on a daemon thread. Readiness and database counts are read per
request; the publish and poll counters live in this process."""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import structlog
from sqlalchemy import Engine

from storage.stats import Stats, database_answers, snapshot

log = structlog.get_logger("syndicator.health")

METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


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
    """Process-local counters the daemon feeds; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._polls: Counter[tuple[str, str]] = Counter()
        self._attempts: Counter[tuple[str, str]] = Counter()
        self._durations: dict[str, tuple[float, int]] = {}  # channel: (sum, count)

    def count_poll(self, feed: str, status: str) -> None:
        with self._lock:
            self._polls[(feed, status)] += 1

    def observe_publish(self, channel: str, outcome: str, seconds: float) -> None:
        with self._lock:
            self._attempts[(channel, outcome)] += 1
            total, count = self._durations.get(channel, (0.0, 0))
            self._durations[channel] = (total + seconds, count + 1)

    def lines(self) -> list[str]:
        """The counters in the text exposition format."""
        with self._lock:
            polls, attempts = sorted(self._polls.items()), sorted(self._attempts.items())
            durations = sorted(self._durations.items())
        name = "syndicator_feed_polls_total"
        out = family(name, "counter", "Feed polls by feed and outcome.")
        out += [sample(name, {"feed": f, "status": s}, n) for (f, s), n in polls]
        name = "syndicator_publish_attempts_total"
        out += family(name, "counter", "Publish attempts by channel and outcome.")
        out += [sample(name, {"channel": c, "outcome": o}, n) for (c, o), n in attempts]
        name = "syndicator_publish_duration_seconds"
        out += family(name, "summary", "Time spent in publish requests, per channel.")
        for channel, (total, count) in durations:
            out.append(sample(f"{name}_sum", {"channel": channel}, total))
            out.append(sample(f"{name}_count", {"channel": channel}, count))
        return out


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def sample(name: str, labels: dict[str, str], value: float) -> str:
    pairs = ",".join(f'{key}="{escape_label(text)}"' for key, text in labels.items())
    number = str(value) if isinstance(value, int) else repr(float(value))
    return f"{name}{{{pairs}}} {number}" if pairs else f"{name} {number}"


def family(name: str, kind: str, help_text: str) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]


HELP = {
    "syndicator_feed_consecutive_failures": "Failed polls in a row, per feed.",
    "syndicator_feed_broken": "1 when a feed is marked broken.",
    "syndicator_feed_last_success_timestamp_seconds": "When a feed last polled successfully.",
    "syndicator_items_total": "Items stored.",
    "syndicator_posts": "Posts per channel and status.",
    "syndicator_channel_paused": "1 while a channel is paused.",
    "syndicator_token_expiry_timestamp_seconds": "When a channel's stored token expires.",
}


def gauge(name: str, samples: Iterable[tuple[dict[str, str], float]]) -> list[str]:
    return family(name, "gauge", HELP[name]) + [sample(name, lbl, v) for lbl, v in samples]


def stats_lines(stats: Stats, now: datetime) -> list[str]:
    """The database's counts as gauges; a pause counts while its end is unset or ahead."""
    feeds = [({"feed": f.feed_id}, f) for f in stats.feeds]
    failures = [(lbl, f.consecutive_failures) for lbl, f in feeds]
    broken = [(lbl, int(f.broken)) for lbl, f in feeds]
    successes = [(lbl, f.last_success_at.timestamp()) for lbl, f in feeds if f.last_success_at]
    posts = [({"channel": c, "status": s}, n) for (c, s), n in sorted(stats.posts.items())]
    paused = [({"channel": c}, int(_paused(stats, c, now))) for c in stats.channels()]
    tokens = [({"channel": c}, at.timestamp()) for c, at in sorted(stats.token_expiries.items())]
    return [
        *gauge("syndicator_feed_consecutive_failures", failures),
        *gauge("syndicator_feed_broken", broken),
        *gauge("syndicator_feed_last_success_timestamp_seconds", successes),
        *gauge("syndicator_items_total", [({}, stats.items)]),
        *gauge("syndicator_posts", posts),
        *gauge("syndicator_channel_paused", paused),
        *gauge("syndicator_token_expiry_timestamp_seconds", tokens),
    ]


def _paused(stats: Stats, channel: str, now: datetime) -> bool:
    if channel not in stats.pauses:
        return False
    until = stats.pauses[channel]
    return until is None or until > now


def render_metrics(stats: Stats, metrics: Metrics, now: datetime) -> str:
    return "\n".join(stats_lines(stats, now) + metrics.lines()) + "\n"


def parse_listen(listen: str) -> tuple[str, int]:
    """'host:port' (IPv6 as '[::1]:8080') to (host, port); port 0 picks a free one."""
    host, sep, port = listen.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f'web.listen {listen!r} is not host:port; write e.g. "127.0.0.1:8080"')
    return host, int(port)


class HealthServer(ThreadingHTTPServer):
    """The HTTP server, holding what its handlers read."""

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], readiness: Readiness, metrics: Metrics, engine: Engine
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.readiness, self.metrics, self.engine = readiness, metrics, engine
        super().__init__(address, HealthHandler)


class HealthHandler(BaseHTTPRequestHandler):
    server: HealthServer

    def do_GET(self) -> None:
        route = urlsplit(self.path).path
        if route == "/healthz":
            self._send(200, "text/plain; charset=utf-8", "ok\n")
        elif route == "/readyz":
            self._readyz()
        elif route == "/metrics":
            self._metrics()
        else:
            self._send(404, "text/plain; charset=utf-8", "not found\n")

    def _readyz(self) -> None:
        reason = self.server.readiness.check()
        body = {"status": "ready"} if reason is None else {"status": "not ready", "reason": reason}
        text = json.dumps(body, ensure_ascii=False) + "\n"
        self._send(200 if reason is None else 503, "application/json", text)

    def _metrics(self) -> None:
        try:
            stats = snapshot(self.server.engine)
        except Exception as error:
            log.warning("metrics.failed", error=type(error).__name__)
            self._send(503, "text/plain; charset=utf-8", "database unavailable\n")
            return
        now = self.server.readiness.clock()
        self._send(200, METRICS_CONTENT_TYPE, render_metrics(stats, self.server.metrics, now))

    def _send(self, status: int, content_type: str, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("health.requested", line=format % args)


def start_health_server(
    listen: str, readiness: Readiness, metrics: Metrics, engine: Engine
) -> tuple[HealthServer, threading.Thread]:
    """Serve the endpoints on a daemon thread; `server.server_address` tells the bound port."""
    server = HealthServer(parse_listen(listen), readiness, metrics, engine)
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), name="health", daemon=True)
    thread.start()
    log.info("health.started", listen=listen, port=server.server_port)
    return server, thread


def stop_health_server(server: HealthServer, thread: threading.Thread, timeout: float = 5) -> None:
    """Stop serving, close the socket and wait for the thread."""
    server.shutdown()
    server.server_close()
    thread.join(timeout)
