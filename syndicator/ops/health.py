"""Health endpoints for the operator's monitoring: /healthz, /readyz and Prometheus /metrics.

A stdlib ThreadingHTTPServer on a daemon thread. Readiness and database counts are read per
request; the publish and poll counters live in this process."""

from __future__ import annotations

import contextlib
import errno
import json
import socket
import sys
import threading
import time
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
from syndicator.errors import ConfigError

log = structlog.get_logger("syndicator.ops.health")

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
    if not sep or not host or not (port.isascii() and port.isdigit()) or int(port) > 65535:
        raise ValueError(f'web.listen {listen!r} is not host:port; write e.g. "127.0.0.1:8080"')
    return host, int(port)


@dataclass
class Connection:
    """One accepted connection: its socket, its handler thread, when it must be done by, and
    whether its request has been read (a connection still reading may be cut for a new one)."""

    socket: socket.socket
    deadline: float
    reading: bool = True
    cut: bool = False
    thread: threading.Thread | None = None


BUSY = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 5\r\nConnection: close\r\n\r\nbusy\n"
)


def cannot_listen(listen: str, error: OSError) -> str:
    """Why web.listen cannot be bound, and what to do about it."""
    if error.errno == errno.EADDRINUSE:
        return (
            f"web.listen: {listen} is already in use (another syndicator or program?): "
            f"change [web] listen or stop the other program"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return f"web.listen: {listen} is not an address of this machine: change [web] listen"
    if error.errno == errno.EACCES:
        return f"web.listen: {listen} needs privileges: use a port above 1023"
    if isinstance(error, socket.gaierror):
        return f"web.listen: the host of {listen} is unknown: change [web] listen"
    return f"web.listen: cannot listen on {listen} ({error.strerror or type(error).__name__})"


class HealthServer(ThreadingHTTPServer):
    """The HTTP server, holding what its handlers read.

    A thread per connection, but at most `max_connections` of them, and each connection is cut
    `request_timeout` after it was accepted (a slowloris client sending a byte a second gets no
    longer than that). When every slot is taken, the oldest connection still sending its request
    makes room, so idle clients cannot lock out the monitoring; if all are busy answering, the
    newcomer gets a quick 503. One request per connection (HTTP/1.0), so a connection is a
    request."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        readiness: Readiness,
        metrics: Metrics,
        engine: Engine,
        *,
        request_timeout: float = 10.0,
        max_connections: int = 32,
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.readiness, self.metrics, self.engine = readiness, metrics, engine
        self.request_timeout, self.max_connections = request_timeout, max_connections
        self._lock = threading.Lock()
        self._open: dict[socket.socket, Connection] = {}  # oldest first
        super().__init__(address, HealthHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Runs on the serving thread: admit the connection and hand it to a thread of its own."""
        connection = self._admit(request)
        if connection is None:
            _refuse(request)
            self.shutdown_request(request)
            return
        request.settimeout(self.request_timeout)  # also bounds each write to a client not reading
        connection.thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="health-connection",
            daemon=True,
        )
        connection.thread.start()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._open.pop(request, None)

    def request_read(self, request: socket.socket) -> None:
        """The handler has the whole request: the connection may no longer be cut for room."""
        with self._lock:
            if request in self._open:
                self._open[request].reading = False

    def service_actions(self) -> None:
        """Called by serve_forever every poll interval: cut connections past their deadline."""
        now = time.monotonic()
        with self._lock:
            late = [c for c in self._open.values() if c.deadline <= now and not c.cut]
            for connection in late:
                connection.cut = True
        for connection in late:
            _cut(connection.socket)
        if late:
            log.info("health.timed_out", connections=len(late))

    def server_close(self) -> None:
        """Stop listening and end the connections still open (their threads then finish)."""
        super().server_close()
        with self._lock:
            still_open = list(self._open.values())
        for connection in still_open:
            _cut(connection.socket)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up or was cut is routine; anything else is logged, not printed."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            log.debug("health.connection_lost", error=type(error).__name__)
        else:
            log.exception("health.request_failed")

    def _admit(self, request: socket.socket) -> Connection | None:
        """Register the connection, first cutting the oldest one still reading when every slot
        is taken; None when all slots are busy answering."""
        connection = Connection(request, time.monotonic() + self.request_timeout)
        with self._lock:
            victim = None
            if len(self._open) >= self.max_connections:
                victim = next((c for c in self._open.values() if c.reading), None)
                if victim is None:
                    log.warning("health.busy", connections=len(self._open))
                    return None
                del self._open[victim.socket]
            self._open[request] = connection
        if victim is not None:
            _cut(victim.socket)
            if victim.thread is not None:
                victim.thread.join(self.request_timeout)  # keeps the thread count at the cap
        return connection


def _cut(connection: socket.socket) -> None:
    """Wake the handler blocked on this socket: its read returns nothing and it finishes."""
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


def _refuse(request: socket.socket) -> None:
    """A short 503 without waiting on the client (it fits the fresh socket's send buffer)."""
    with contextlib.suppress(OSError):
        request.setblocking(False)
        request.send(BUSY)


class HealthHandler(BaseHTTPRequestHandler):
    server: HealthServer

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self.server.request_read(self.connection)
        return parsed

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
    listen: str,
    readiness: Readiness,
    metrics: Metrics,
    engine: Engine,
    *,
    request_timeout: float = 10.0,
    max_connections: int = 32,
) -> tuple[HealthServer, threading.Thread]:
    """Serve the endpoints on a daemon thread; `server.server_address` tells the bound port.
    An address that cannot be used is a ConfigError naming web.listen (one line, exit 2)."""
    try:
        address = parse_listen(listen)
        server = HealthServer(
            address,
            readiness,
            metrics,
            engine,
            request_timeout=request_timeout,
            max_connections=max_connections,
        )
    except ValueError as error:
        raise ConfigError(str(error)) from None
    except OSError as error:
        raise ConfigError(cannot_listen(listen, error)) from None
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), name="health", daemon=True)
    thread.start()
    log.info("health.started", listen=listen, port=server.server_port)
    return server, thread


def stop_health_server(server: HealthServer, thread: threading.Thread, timeout: float = 5) -> None:
    """Stop serving, close the socket and wait for the thread."""
    server.shutdown()
    server.server_close()
    thread.join(timeout)
