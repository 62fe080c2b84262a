"""Health endpoints over real HTTP on loopback, served by the daemon's uvicorn server:
liveness, readiness, Prometheus metrics, and the server's limits."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette

from storage import items as item_store
from storage import posts as post_store
from storage.models import ChannelPause, ChannelToken, FeedState
from storage.session import writing
from syndicator.errors import ConfigError
from syndicator.ops.health import Heartbeat, Metrics, Readiness, health_routes, parse_listen
from syndicator.ops.web_server import WebServer, start_web_server
from syndicator.settings_models import WebSettings
from tests.helpers.rows import item_row

T0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
SAMPLE = re.compile(
    r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)"
    r'(?:\{(?P<labels>(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})?'
    r" (?P<value>[-+]?(?:\d+(?:\.\d*)?(?:e[-+]?\d+)?|Inf|NaN))$"
)
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')


@dataclass
class World:
    """The inputs the server reads, settable by the test."""

    now: datetime = T0
    running: bool = True
    heartbeat: Heartbeat = field(default_factory=Heartbeat)


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def base_url(sqlite_engine: Engine, world: World, metrics: Metrics) -> Iterator[str]:
    """A served health endpoint on a free loopback port, over a database with a few rows."""
    seed(sqlite_engine)
    readiness = Readiness(
        engine=sqlite_engine,
        scheduler_running=lambda: world.running,
        last_poll_tick=world.heartbeat.last,
        started_at=T0,
        clock=lambda: world.now,
    )
    server = serve(readiness, metrics, sqlite_engine, WebSettings(listen="127.0.0.1:0"))
    yield f"http://127.0.0.1:{server.port}"
    server.stop()
    assert not server.thread.is_alive()


def serve(readiness: Readiness, metrics: Metrics, engine: Engine, web: WebSettings) -> WebServer:
    """The health routes alone on the daemon's web server."""
    return start_web_server(Starlette(routes=health_routes(readiness, metrics, engine)), web)


def seed(engine: Engine) -> None:
    """Two feeds, two items, three posts, a pause and a token."""
    with writing(engine) as session:
        ids = item_store.insert_items(session, [item_row(1), item_row(2)])
        item_store.insert_sources(session, [source_row(ids[0], "a"), source_row(ids[1], "b")])
        for item_id, channel, status in [
            (ids[0], "facebook", "published"),
            (ids[1], "facebook", "pending_review"),
            (ids[0], "zalo", "published"),
        ]:
            post_store.insert_post(session, post_row(item_id, channel, status))
        session.add(FeedState(feed_id="a", url="https://a.vn/rss", last_success_at=T0))
        session.add(
            FeedState(feed_id="b", url="https://b.vn/rss", consecutive_failures=4, broken=True)
        )
        session.add(ChannelPause(channel="zalo", until=None, reason="auth", since=T0))
        session.add(
            ChannelPause(channel="old", until=T0 - timedelta(hours=1), reason="rate", since=T0)
        )
        session.add(
            ChannelToken(
                channel="zalo",
                access_token_enc="x",
                refresh_token_enc="y",
                expires_at=T0 + timedelta(hours=25),
                updated_at=T0,
            )
        )


def source_row(item_id: int, feed_id: str) -> dict[str, object]:
    return {
        "item_id": item_id,
        "feed_id": feed_id,
        "source_key": f"k{item_id}",
        "guid": None,
        "link": None,
        "seen_at": T0,
    }


def post_row(item_id: int, channel: str, status: str) -> dict[str, object]:
    return {
        "item_id": item_id,
        "channel": channel,
        "feed_id": "a",
        "status": status,
        "created_at": T0,
        "updated_at": T0,
    }


def get(url: str) -> tuple[int, str, str]:
    """Status, content type and body of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback test)
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def parse_metrics(body: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample line keyed by name and labels (unescaped); fails on a malformed line."""
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for line in body.splitlines():
        if line.startswith(("# HELP ", "# TYPE ")):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        labels = frozenset(
            (key, unescape(value)) for key, value in LABEL.findall(match["labels"] or "")
        )
        samples[(match["name"], labels)] = float(match["value"])
    return samples


def unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], value)


def key(name: str, **labels: str) -> tuple[str, frozenset[tuple[str, str]]]:
    return name, frozenset(labels.items())


def test_healthz_answers_ok(base_url: str) -> None:
    """/healthz answers 200 "ok" while the process is alive."""
    assert get(f"{base_url}/healthz")[::2] == (200, "ok\n")


def test_unknown_path_is_not_found(base_url: str) -> None:
    """Any other path answers 404."""
    assert get(f"{base_url}/admin")[0] == 404


def test_readyz_within_start_grace_before_first_tick(base_url: str, world: World) -> None:
    """Before the first poll tick, /readyz is ready for five minutes from start, then not."""
    world.now = T0 + timedelta(minutes=4)
    assert get(f"{base_url}/readyz")[0] == 200
    world.now = T0 + timedelta(minutes=6)
    status, content_type, body = get(f"{base_url}/readyz")
    assert (status, content_type) == (503, "application/json")
    assert "no poll tick" in json.loads(body)["reason"]
    assert body.count("\n") == 1


def test_readyz_turns_unready_when_last_tick_is_old(base_url: str, world: World) -> None:
    """/readyz is ready after a recent tick and answers 503 once the tick is over 3 minutes old."""
    world.heartbeat.beat(T0 + timedelta(minutes=10))
    world.now = T0 + timedelta(minutes=12)
    assert get(f"{base_url}/readyz")[0] == 200
    world.now = T0 + timedelta(minutes=13, seconds=1)
    status, _, body = get(f"{base_url}/readyz")
    assert status == 503
    assert "last poll tick" in json.loads(body)["reason"]


def test_readyz_unready_when_scheduler_stopped(base_url: str, world: World) -> None:
    """/readyz answers 503 naming the scheduler when it is not running."""
    world.running = False
    status, _, body = get(f"{base_url}/readyz")
    assert status == 503
    assert json.loads(body)["reason"] == "scheduler is not running"


def test_readyz_unready_when_database_fails(
    base_url: str, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/readyz answers 503 naming the database, without the driver's message."""

    def refuse() -> None:
        raise ConnectionError("postgresql://user:secret@db/x refused")

    monkeypatch.setattr(sqlite_engine, "connect", refuse)
    status, _, body = get(f"{base_url}/readyz")
    assert status == 503
    assert "database" in body and "secret" not in body


def test_metrics_expose_database_counts(base_url: str) -> None:
    """/metrics parses as text format 0.0.4 and carries the feed, item, post, pause and token gauges."""
    status, content_type, body = get(f"{base_url}/metrics")
    assert status == 200 and content_type.startswith("text/plain; version=0.0.4")
    samples = parse_metrics(body)
    assert samples[key("syndicator_feed_consecutive_failures", feed="b")] == 4
    assert samples[key("syndicator_feed_broken", feed="b")] == 1
    assert samples[key("syndicator_feed_broken", feed="a")] == 0
    assert (
        samples[key("syndicator_feed_last_success_timestamp_seconds", feed="a")] == T0.timestamp()
    )
    assert key("syndicator_feed_last_success_timestamp_seconds", feed="b") not in samples
    assert samples[key("syndicator_items_total")] == 2
    assert samples[key("syndicator_posts", channel="facebook", status="published")] == 1
    assert samples[key("syndicator_posts", channel="facebook", status="pending_review")] == 1
    assert samples[key("syndicator_channel_paused", channel="zalo")] == 1
    assert samples[key("syndicator_channel_paused", channel="old")] == 0
    assert samples[key("syndicator_channel_paused", channel="facebook")] == 0
    expiry = (T0 + timedelta(hours=25)).timestamp()
    assert samples[key("syndicator_token_expiry_timestamp_seconds", channel="zalo")] == expiry
    assert "# TYPE syndicator_posts gauge" in body


def test_metrics_count_polls_and_publishes(base_url: str, metrics: Metrics) -> None:
    """Polls and publish attempts the daemon reports appear as counters and a duration summary."""
    metrics.count_poll("a", "ok")
    metrics.count_poll("a", "ok")
    metrics.count_poll("b", "error")
    metrics.observe_publish("facebook", "published", 0.5)
    metrics.observe_publish("facebook", "transient", 1.25)
    samples = parse_metrics(get(f"{base_url}/metrics")[2])
    assert samples[key("syndicator_feed_polls_total", feed="a", status="ok")] == 2
    assert samples[key("syndicator_feed_polls_total", feed="b", status="error")] == 1
    attempts = key("syndicator_publish_attempts_total", channel="facebook", outcome="transient")
    assert samples[attempts] == 1
    assert samples[key("syndicator_publish_duration_seconds_sum", channel="facebook")] == 1.75
    assert samples[key("syndicator_publish_duration_seconds_count", channel="facebook")] == 2


def test_metrics_escape_label_values(base_url: str, metrics: Metrics) -> None:
    """Backslash, double quote and newline in a label value are escaped and read back intact."""
    odd = 'a\\b"c\nd'
    metrics.count_poll(odd, "ok")
    body = get(f"{base_url}/metrics")[2]
    assert 'feed="a\\\\b\\"c\\nd"' in body
    assert parse_metrics(body)[key("syndicator_feed_polls_total", feed=odd, status="ok")] == 1


@pytest.mark.parametrize(
    ("listen", "expected"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        ("[::1]:0", ("::1", 0)),
        ("localhost:0", ("localhost", 0)),
    ],
)
def test_parse_listen_accepts_host_port(listen: str, expected: tuple[str, int]) -> None:
    """host:port, bracketed IPv6 and port 0 are accepted."""
    assert parse_listen(listen) == expected


@pytest.mark.parametrize("listen", ["8080", ":8080", "host:", "host:http", "host:70000", ""])
def test_parse_listen_rejects_bad_values(listen: str) -> None:
    """A malformed listen value raises a ValueError naming the setting and an example."""
    with pytest.raises(ValueError, match=r"web\.listen .* is not host:port"):
        parse_listen(listen)


@contextmanager
def limited_server(
    engine: Engine,
    *,
    request_timeout: float,
    max_connections: int,
    scheduler_running: Callable[[], bool] = lambda: True,
) -> Iterator[WebServer]:
    """A health server on a free loopback port with the given limits (below the settings'
    one-second floor, so the tests wait less)."""
    readiness = Readiness(
        engine=engine,
        scheduler_running=scheduler_running,
        last_poll_tick=lambda: None,
        started_at=T0,
        clock=lambda: T0,
    )
    web = WebSettings.model_construct(
        enabled=True,
        listen="127.0.0.1:0",
        request_timeout=timedelta(seconds=request_timeout),
        max_connections=max_connections,
    )
    server = serve(readiness, Metrics(), engine, web)
    try:
        yield server
    finally:
        server.stop()


def connect(server: WebServer, first_bytes: bytes = b"") -> socket.socket:
    """A client socket to the server that has sent `first_bytes` and waits (5 s at most)."""
    client = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    if first_bytes:
        client.sendall(first_bytes)
    return client


def closed_by_server(client: socket.socket) -> bool:
    """Blocks until the server ends the connection (True) or 5 s pass (False); an answer
    sent before closing is read past."""
    try:
        while chunk := client.recv(4096):
            del chunk
        return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


HALF_SENT = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"


def test_idle_connections_within_the_cap_do_not_block_healthz(sqlite_engine: Engine) -> None:
    """Three half-sent requests against a cap of four: a new client still gets /healthz at
    once, and every idle socket is closed by the server at its deadline."""
    with limited_server(sqlite_engine, request_timeout=0.3, max_connections=4) as server:
        idle = [connect(server, HALF_SENT) for _ in range(3)]
        assert get(f"http://127.0.0.1:{server.port}/healthz")[::2] == (200, "ok\n")
        assert all(closed_by_server(client) for client in idle)
        for client in idle:
            client.close()


def test_idle_connections_past_the_cap_get_503_until_their_deadline(
    sqlite_engine: Engine,
) -> None:
    """Twelve half-sent requests against a cap of four: a new client gets a quick 503 (uvicorn
    counts open connections, not threads), the server closes every idle socket at its
    deadline, and /healthz answers again."""
    with limited_server(sqlite_engine, request_timeout=0.3, max_connections=4) as server:
        idle = [connect(server, HALF_SENT) for _ in range(12)]
        assert get(f"http://127.0.0.1:{server.port}/healthz")[0] == 503
        assert all(closed_by_server(client) for client in idle)
        assert get(f"http://127.0.0.1:{server.port}/healthz")[::2] == (200, "ok\n")
        for client in idle:
            client.close()


def test_slowloris_is_cut_at_the_request_deadline(sqlite_engine: Engine) -> None:
    """A client sending a header byte every 0.1 s is cut once the request head has taken
    0.3 s (web.request_timeout), not served forever."""
    with limited_server(sqlite_engine, request_timeout=0.3, max_connections=4) as server:
        client = connect(server, b"GET /healthz HTTP/1.1\r\nX-Slow: ")
        client.settimeout(0.1)  # the pace of the trickle: wait for an answer, else send more
        started, trickled, cut = time.monotonic(), 0, False
        while not cut and trickled < 50:
            try:
                client.sendall(b"z")
                trickled += 1
                cut = client.recv(1) == b""
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                cut = True
        client.close()
    assert cut and trickled >= 2
    assert time.monotonic() - started >= 0.3  # not before its deadline


def test_all_slots_busy_answering_refuses_the_next_with_503(sqlite_engine: Engine) -> None:
    """Four slow /readyz answers fill a cap of four; a fifth client gets a quick 503, and the
    four are answered once the work goes on."""
    entered, release = threading.Semaphore(0), threading.Event()

    def slow_scheduler_check() -> bool:
        entered.release()
        return release.wait(10)

    with limited_server(
        sqlite_engine,
        request_timeout=10,
        max_connections=4,
        scheduler_running=slow_scheduler_check,
    ) as server:
        busy = [connect(server, b"GET /readyz HTTP/1.0\r\n\r\n") for _ in range(4)]
        assert all(entered.acquire(timeout=5) for _ in busy)
        refused = connect(server, b"GET /healthz HTTP/1.0\r\n\r\n")
        assert refused.recv(4096).startswith(b"HTTP/1.1 503")
        assert closed_by_server(refused)
        release.set()
        answers = [client.recv(4096) for client in busy]
        assert all(answer.startswith(b"HTTP/1.1 200") for answer in answers)
        for client in [*busy, refused]:
            client.close()


def test_stopping_the_server_ends_the_connections_still_open(sqlite_engine: Engine) -> None:
    """A stop does not leave a half-sent request open until its deadline."""
    with limited_server(sqlite_engine, request_timeout=30, max_connections=4) as server:
        idle = connect(server, HALF_SENT)
        assert get(f"http://127.0.0.1:{server.port}/healthz")[0] == 200  # idle is admitted
        started = time.monotonic()
    assert closed_by_server(idle)
    assert time.monotonic() - started < 5
    idle.close()


def test_listen_address_in_use_is_one_clear_config_error(sqlite_engine: Engine) -> None:
    """A port another program listens on gives a ConfigError naming web.listen and the address."""
    with socket.create_server(("127.0.0.1", 0)) as other:
        listen = f"127.0.0.1:{other.getsockname()[1]}"
        readiness = Readiness(sqlite_engine, lambda: True, lambda: None, T0, lambda: T0)
        with pytest.raises(ConfigError) as error:
            serve(readiness, Metrics(), sqlite_engine, WebSettings(listen=listen))
    assert str(error.value) == (
        f"web.listen: {listen} is already in use (another syndicator or program?): "
        "change [web] listen or stop the other program"
    )
