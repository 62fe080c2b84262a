"""The fetch's total deadline and the addresses it may reach, against real servers on loopback.

Time is measured from the result (`elapsed`), never waited for: the servers' threads wait,
the tests do not.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Any

import pytest
import requests

from syndicator.http import build_session, user_agent
from syndicator.ingest.fetch import Fetcher
from syndicator.records import FetchRequest, FetchResult
from tests.helpers.clock import FakeClock
from tests.helpers.httpserver import (
    LocalServer,
    Reply,
    delayed,
    local_server,
    redirect,
    stopping,
    tcp_trickle,
    trickle_headers,
)

BODY = (
    "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
    "<title>Sở Khoa học và Công nghệ tỉnh Quảng Trị</title></channel></rss>"
).encode()
TIMEOUT = 1.0
SLACK = 0.4  # the watchdog's wake-up and the answer's bookkeeping, on a busy test machine
LOOPBACK = ip_network("127.0.0.0/8")
server = local_server  # the shared fixture from tests/httpserver.py, under a short name


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with build_session(user_agent=user_agent("it@example.gov.vn"), pool_size=2) as session:
        yield session


def fetch(session: requests.Session, url: str, *allowed: IPv4Network | IPv6Network) -> FetchResult:
    fetcher = Fetcher(
        session,
        timeout=timedelta(seconds=TIMEOUT),
        connect_timeout=timedelta(seconds=TIMEOUT),
        max_bytes=1024 * 1024,
        clock=FakeClock(),
        allow_networks=allowed,
    )
    return fetcher.fetch(FetchRequest(url))


def resolve(monkeypatch: pytest.MonkeyPatch, names: dict[str, str]) -> None:
    """Make DNS answer `names` (host → address); other names resolve as usual."""
    real = socket.getaddrinfo

    def answer(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in names:
            return real(host, port, *args, **kwargs)
        address = names[host]
        if ":" in address:
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", answer)


def record_connects(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every socket.connect the fetch attempts, refused, so none leaves the machine."""
    attempts: list[object] = []

    def refuse(sock: socket.socket, address: object) -> None:
        attempts.append(address)
        raise ConnectionRefusedError(111, "refused by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


# --- the total deadline ----------------------------------------------------------------------


def test_headers_trickled_a_byte_at_a_time_are_cut_at_the_deadline(
    server: LocalServer, session: requests.Session
) -> None:
    """Headers arriving a byte every 0.2 s never trip a read timeout; the 1 s total still
    ends the fetch as timeout, right after it passes."""
    server.route("/rss", trickle_headers(every=0.2))
    result = fetch(session, server.url("/rss"), LOOPBACK)
    assert result.error_reason == "timeout"
    assert TIMEOUT <= result.elapsed < TIMEOUT + SLACK


def test_a_body_without_length_cut_at_the_deadline_is_not_taken_as_whole(
    server: LocalServer, session: requests.Session
) -> None:
    """A body that ends when the connection closes, trickled past the deadline, is a timeout:
    the watchdog cuts the read blocked at 1 s (the next piece would come at 1.35 s), and that cut,
    which looks like the body's end, does not pass for the whole feed."""

    def close_delimited(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Connection", "close")
        request.end_headers()
        request.close_connection = True
        for _ in range(50):
            request.wfile.write(b"<item><title>Tin</title></item>")
            request.wfile.flush()
            if stopping(request).wait(0.45):
                return

    server.route("/rss", close_delimited)
    result = fetch(session, server.url("/rss"), LOOPBACK)
    assert (result.error_reason, result.body) == ("timeout", None)
    assert TIMEOUT <= result.elapsed < TIMEOUT + 0.3


def test_a_redirect_chain_of_slow_hops_is_cut_at_the_deadline(
    server: LocalServer, session: requests.Session
) -> None:
    """Five redirects of 0.3 s each would take 1.5 s: the chain is cut at the 1 s total, and
    the hops after it are never requested."""
    for hop in range(5):
        server.route(f"/{hop}", delayed(redirect(f"/{hop + 1}"), 0.3))
    server.route("/5", Reply(BODY))
    result = fetch(session, server.url("/0"), LOOPBACK)
    assert result.error_reason == "timeout"
    assert TIMEOUT <= result.elapsed < TIMEOUT + SLACK
    assert (server.hits("/3"), server.hits("/4"), server.hits("/5")) == (1, 0, 0)


def test_redirect_hops_keep_the_connection_alive(
    server: LocalServer, session: requests.Session
) -> None:
    """Redirects followed one by one still reuse one kept-alive connection."""
    server.route("/rss.php", redirect("/rss/tin-tuc.rss", status=301))
    server.route("/rss/tin-tuc.rss", Reply(BODY))
    for _ in range(2):
        result = fetch(session, server.url("/rss.php"), LOOPBACK)
        assert (result.status, result.url) == ("ok", server.url("/rss/tin-tuc.rss"))
    assert len({request.client_port for request in server.seen}) == 1


def test_a_resolver_that_never_answers_is_cut_at_the_deadline(
    session: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DNS lookup that hangs cannot hold the fetch: it ends as timeout at the deadline."""
    release = threading.Event()

    def hang(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    try:
        result = fetch(session, "http://cong.quangtri.example.gov.vn/rss")
    finally:
        release.set()
    assert result.error_reason == "timeout"
    assert TIMEOUT <= result.elapsed < TIMEOUT + SLACK


def test_a_tls_handshake_trickled_after_a_slow_redirect_is_cut_at_the_deadline(
    server: LocalServer, session: requests.Session
) -> None:
    """After a redirect that took 0.6 s, a TLS server that begins a record and sends the rest
    a byte every 0.2 s gets only what is left of the second: the fetch ends as timeout at 1 s."""
    record = b"\x16\x03\x03\x40\x00"  # a 16 KB handshake record, never completed
    with tcp_trickle(record, every=0.2, total=50) as port:
        server.route("/rss", delayed(redirect(f"https://127.0.0.1:{port}/rss"), 0.6))
        result = fetch(session, server.url("/rss"), LOOPBACK)
    assert result.error_reason == "timeout"
    assert TIMEOUT <= result.elapsed < TIMEOUT + SLACK


# --- the addresses a fetch may reach ---------------------------------------------------------


def test_a_loopback_feed_is_refused_unless_allowed(
    server: LocalServer, session: requests.Session
) -> None:
    """With allow_networks empty, a feed on 127.0.0.1 is blocked_address and the server sees
    no request; the error names the address and the setting."""
    server.route("/rss", Reply(BODY))
    result = fetch(session, server.url("/rss"))
    assert (result.status, result.error_reason) == ("error", "blocked_address")
    assert result.error is not None
    assert "127.0.0.1" in result.error and "polling.allow_networks" in result.error
    assert server.seen == []


def test_a_public_looking_name_that_resolves_to_loopback_is_refused(
    server: LocalServer, session: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The address checked is the one DNS gives: a portal's name pointing at 127.0.0.1 is
    refused, and fetched once loopback is allowed."""
    resolve(monkeypatch, {"congthongtin.example.gov.vn": "127.0.0.1"})
    server.route("/rss", Reply(BODY))
    url = f"http://congthongtin.example.gov.vn:{server.port}/rss"
    assert fetch(session, url).error_reason == "blocked_address"
    assert server.seen == []
    assert fetch(session, url, LOOPBACK).status == "ok"


def test_a_connection_opened_outside_a_fetch_is_not_reused_by_one(
    server: LocalServer, session: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Requests outside a fetch (an alert webhook, a connector) reach any address; the
    connection one left in the pool is not reused by a fetch to the same host that may not
    reach it: the fetch is refused and the server sees only the webhook's request."""
    resolve(monkeypatch, {"canhbao.tinh.gov.vn": "127.0.0.1"})
    server.route("/hook", Reply(b"ok"))
    server.route("/rss", Reply(BODY))
    host = f"http://canhbao.tinh.gov.vn:{server.port}"
    assert session.get(f"{host}/hook", timeout=5).status_code == 200
    assert fetch(session, f"{host}/rss").error_reason == "blocked_address"
    assert [request.path for request in server.seen] == ["/hook"]


@pytest.mark.parametrize("written", ["address", "name"])
def test_a_redirect_to_an_address_not_allowed_is_refused(
    written: str, session: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From a portal allowed by 127.0.0.1/32, a redirect to 127.0.0.2 (written as an address,
    or as a name that resolves there) is blocked_address; the server there sees nothing."""
    resolve(monkeypatch, {"noibo.example.gov.vn": "127.0.0.2"})
    with LocalServer() as portal, LocalServer("127.0.0.2") as inside:
        inside.route("/rss", Reply(BODY))
        host = inside.host if written == "address" else "noibo.example.gov.vn"
        portal.route("/rss", redirect(f"http://{host}:{inside.port}/rss"))
        result = fetch(session, portal.url("/rss"), ip_network("127.0.0.1/32"))
        assert result.error_reason == "blocked_address"
        assert (portal.hits("/rss"), inside.seen) == (1, [])


@pytest.mark.parametrize(
    "host", ["169.254.169.254", "[::ffff:127.0.0.1]", "[::1]", "10.1.2.3", "[64:ff9b::a9fe:a9fe]"]
)
def test_a_non_public_address_in_the_url_is_refused_before_connecting(
    host: str, session: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The metadata endpoint, IPv4-mapped loopback, ::1, a private address and metadata through
    NAT64 are refused with no connection attempted."""
    attempts = record_connects(monkeypatch)
    result = fetch(session, f"http://{host}/latest/meta-data/")
    assert (result.error_reason, attempts) == ("blocked_address", [])


@pytest.mark.parametrize("address", ["169.254.169.254", "::ffff:127.0.0.1", "100.64.0.1"])
def test_a_name_resolving_to_a_non_public_address_is_refused_before_connecting(
    address: str, session: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name whose DNS answer is not public is refused before any connect (so whether a port
    is open there can not be learned from the error either)."""
    resolve(monkeypatch, {"tintuc.example.gov.vn": address})
    attempts = record_connects(monkeypatch)
    result = fetch(session, "http://tintuc.example.gov.vn/rss")
    assert (result.error_reason, attempts) == ("blocked_address", [])


def test_behind_a_proxy_its_address_and_literal_targets_are_checked(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With HTTP_PROXY set, the proxy's address is what is dialled and checked (refused until
    allowed); a feed written as a non-public IP is refused before reaching the proxy; a feed's
    host name is left to the proxy to resolve."""
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.url())
    feed = "http://congthongtin.example.gov.vn/rss"
    server.route(feed, Reply(BODY))  # a forwarding proxy is asked for the whole URL
    with build_session(user_agent="syndicator-tests", pool_size=1) as proxied:
        assert fetch(proxied, feed).error_reason == "blocked_address"
        assert fetch(proxied, feed, LOOPBACK).status == "ok"
        metadata = fetch(proxied, "http://169.254.169.254/latest/meta-data/", LOOPBACK)
        assert metadata.error_reason == "blocked_address"
    assert [request.path for request in server.seen] == [feed]


@pytest.mark.parametrize("written", ["address", "name"])
def test_an_allowed_range_admits_its_last_address_and_not_the_next(
    written: str, session: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """allow_networks = ["127.0.0.0/31"] admits 127.0.0.1 and refuses 127.0.0.2."""
    names = {"a.example.gov.vn": "127.0.0.1", "b.example.gov.vn": "127.0.0.2"}
    resolve(monkeypatch, names)
    first, second = names.values() if written == "address" else names.keys()
    with LocalServer() as inside, LocalServer("127.0.0.2") as outside:
        for running in (inside, outside):
            running.route("/rss", Reply(BODY))
        allowed = ip_network("127.0.0.0/31")
        admitted = fetch(session, f"http://{first}:{inside.port}/rss", allowed)
        refused = fetch(session, f"http://{second}:{outside.port}/rss", allowed)
        assert (admitted.status, refused.error_reason) == ("ok", "blocked_address")
        assert outside.seen == []
