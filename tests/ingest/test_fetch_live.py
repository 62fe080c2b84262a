"""The fetcher against a real HTTP server on 127.0.0.1: sockets, gzip, limits and deadlines."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from ipaddress import ip_network

import pytest
import requests

from syndicator.http import MAX_REDIRECTS, build_session, user_agent
from syndicator.ingest.fetch import Fetcher
from syndicator.records import FetchRequest
from tests.helpers.clock import FakeClock
from tests.helpers.httpserver import (
    LocalServer,
    Reply,
    endless,
    gzip_of_zeros,
    gzipped,
    local_server,
    redirect,
    static,
    stopping,
    trickle,
    unused_port,
)

BODY = (
    b"<?xml version='1.0'?><rss version='2.0'>"
    b"<channel><title>S\xe1\xbb\x9f KH&amp;CN</title></channel></rss>"
)
MIB = 1024 * 1024
server = local_server  # the shared fixture from tests/httpserver.py, under a short name


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with build_session(user_agent=user_agent("it@example.gov.vn"), pool_size=2) as session:
        yield session


LOOPBACK = ip_network("127.0.0.0/8")  # the test servers' network, not public


@pytest.fixture
def fetcher(session: requests.Session, clock: FakeClock) -> Fetcher:
    return Fetcher(
        session,
        timeout=timedelta(seconds=1),
        connect_timeout=timedelta(seconds=1),
        max_bytes=MIB,
        clock=clock,
        allow_networks=[LOOPBACK],
    )


def test_etag_round_trip_gets_304(server: LocalServer, fetcher: Fetcher) -> None:
    """The second fetch sends the ETag back as If-None-Match and gets not_modified."""
    server.route("/rss", static(BODY, etag='"v1"'))
    first = fetcher.fetch(FetchRequest(server.url("/rss")))
    second = fetcher.fetch(FetchRequest(server.url("/rss"), etag=first.etag))
    assert (first.status, first.etag, second.status) == ("ok", '"v1"', "not_modified")
    assert server.seen[1].headers["If-None-Match"] == '"v1"'


def test_last_modified_round_trip_gets_304(server: LocalServer, fetcher: Fetcher) -> None:
    """The second fetch sends Last-Modified back as If-Modified-Since and gets not_modified."""
    stamp = "Sun, 01 Nov 2026 00:00:00 GMT"
    server.route("/rss", static(BODY, last_modified=stamp))
    first = fetcher.fetch(FetchRequest(server.url("/rss")))
    second = fetcher.fetch(FetchRequest(server.url("/rss"), last_modified=first.last_modified))
    assert (first.status, second.status) == ("ok", "not_modified")
    assert server.seen[1].headers["If-Modified-Since"] == stamp


def test_same_body_again_is_unchanged(server: LocalServer, fetcher: Fetcher) -> None:
    """A server without validators that repeats itself yields unchanged on the second poll."""
    server.route("/rss", Reply(BODY))
    first = fetcher.fetch(FetchRequest(server.url("/rss")))
    second = fetcher.fetch(FetchRequest(server.url("/rss"), previous_hash=first.body_hash))
    assert (first.status, first.body, second.status) == ("ok", BODY, "unchanged")


def test_connections_are_reused(server: LocalServer, fetcher: Fetcher) -> None:
    """Responses are closed after reading, so the next fetch reuses the pooled connection."""
    server.route("/rss", Reply(BODY))
    for _ in range(3):
        assert fetcher.fetch(FetchRequest(server.url("/rss"))).status == "ok"
    assert len({request.client_port for request in server.seen}) == 1


def test_gzip_body_is_decoded(server: LocalServer, fetcher: Fetcher) -> None:
    """A gzip answer arrives decoded, and the request advertised gzip."""
    server.route("/rss", gzipped(BODY))
    result = fetcher.fetch(FetchRequest(server.url("/rss")))
    assert (result.status, result.body) == ("ok", BODY)
    assert "gzip" in server.seen[0].headers["Accept-Encoding"]


def test_gzip_bomb_is_cut_at_max_bytes(server: LocalServer, fetcher: Fetcher) -> None:
    """50 MB of zeros in ~50 KB of gzip is cut as too_large once 1 MiB is inflated."""
    server.route("/bomb", Reply(gzip_of_zeros(50 * MIB), headers={"Content-Encoding": "gzip"}))
    result = fetcher.fetch(FetchRequest(server.url("/bomb")))
    assert (result.error_reason, result.body) == ("too_large", None)


def test_endless_body_is_cut_at_max_bytes(server: LocalServer, fetcher: Fetcher) -> None:
    """A body that never ends is cut as too_large, quickly."""
    server.route("/endless", endless())
    result = fetcher.fetch(FetchRequest(server.url("/endless")))
    assert result.error_reason == "too_large"
    assert result.elapsed < 1


def test_declared_oversize_is_refused_before_reading(server: LocalServer, fetcher: Fetcher) -> None:
    """A Content-Length over max_bytes is too_large without downloading the body."""
    server.route("/big", Reply(b"x" * (MIB + 1)))
    assert fetcher.fetch(FetchRequest(server.url("/big"))).error_reason == "too_large"


def test_trickle_is_cut_at_the_total_deadline(server: LocalServer, fetcher: Fetcher) -> None:
    """A byte every 0.2 s never trips the 1 s per-read timeout, yet the 1 s total cuts it."""
    server.route("/slow", trickle(every=0.2))
    started = time.monotonic()
    result = fetcher.fetch(FetchRequest(server.url("/slow")))
    assert result.error_reason == "timeout"
    assert 0.9 <= result.elapsed < 2
    assert time.monotonic() - started < 3


def test_silent_server_is_a_timeout(server: LocalServer, fetcher: Fetcher) -> None:
    """A server that accepts but never answers ends as timeout."""

    def silent(request: BaseHTTPRequestHandler) -> None:
        stopping(request).wait(5)

    server.route("/silent", silent)
    result = fetcher.fetch(FetchRequest(server.url("/silent")))
    assert result.error_reason == "timeout"
    assert result.elapsed < 3


def test_pool_survives_a_cut_body(server: LocalServer, fetcher: Fetcher) -> None:
    """After a body is cut, the next fetch on the same session works."""
    server.route("/endless", endless())
    server.route("/rss", Reply(BODY))
    assert fetcher.fetch(FetchRequest(server.url("/endless"))).error_reason == "too_large"
    assert fetcher.fetch(FetchRequest(server.url("/rss"))).body == BODY


def test_closed_port_is_connect_failed(fetcher: Fetcher) -> None:
    """Nothing listening on the port gives connect_failed."""
    result = fetcher.fetch(FetchRequest(f"http://127.0.0.1:{unused_port()}/rss"))
    assert (result.status, result.error_reason) == ("error", "connect_failed")


def test_redirect_loop(server: LocalServer, fetcher: Fetcher) -> None:
    """A URL redirecting to itself ends as redirect_loop after MAX_REDIRECTS hops."""
    server.route("/loop", redirect("/loop"))
    assert fetcher.fetch(FetchRequest(server.url("/loop"))).error_reason == "redirect_loop"
    assert server.hits("/loop") == MAX_REDIRECTS + 1


def test_redirect_gives_the_final_url(server: LocalServer, fetcher: Fetcher) -> None:
    """After a 301 the result's url is where the feed now lives."""
    server.route("/old", redirect("/new", status=301))
    server.route("/new", Reply(BODY))
    result = fetcher.fetch(FetchRequest(server.url("/old")))
    assert (result.status, result.url) == ("ok", server.url("/new"))


def test_http_error_status(server: LocalServer, fetcher: Fetcher) -> None:
    """An unknown path on the server is http_404."""
    result = fetcher.fetch(FetchRequest(server.url("/missing")))
    assert (result.error_reason, result.http_status) == ("http_404", 404)


def test_non_http_url_is_bad_url_and_nothing_is_sent(server: LocalServer, fetcher: Fetcher) -> None:
    """An ftp:// URL is rejected before any request reaches the server."""
    result = fetcher.fetch(FetchRequest(f"ftp://127.0.0.1:{server.port}/rss"))
    assert result.error_reason == "bad_url"
    assert server.seen == []


def test_tls_to_a_plain_http_server_is_tls_failed(server: LocalServer, fetcher: Fetcher) -> None:
    """Speaking TLS to a server that does not is tls_failed."""
    result = fetcher.fetch(FetchRequest(f"https://127.0.0.1:{server.port}/rss"))
    assert result.error_reason == "tls_failed"
