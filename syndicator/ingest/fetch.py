"""Fetch one feed over HTTP: conditional, size- and time-capped; every failure is a value.

`polling.timeout` bounds the whole fetch: connecting, the headers, every redirect hop (followed
here, one at a time, each with what is left) and the body. A watchdog cuts a socket that is
still busy at the deadline (syndicator.ingest.deadline), and only permitted addresses are dialled
(syndicator.ingest.addresses), on every hop.

Wall-clock deadlines use `time.monotonic()`: that is a measurement of I/O, immune to clock
steps, and a fake clock in tests would not advance while a socket blocks anyway. The injected
clock is used only for calendar facts (an HTTP-date in Retry-After without a Date header).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import socket
import ssl
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions as u3

from storage.states import FetchStatus
from syndicator.clock import Clock
from syndicator.http import MAX_REDIRECTS
from syndicator.ingest.addresses import AddressPolicy, BlockedAddress, Network
from syndicator.ingest.deadline import Guard, guarding
from syndicator.records import FetchRequest, FetchResult

CHUNK = 64 * 1024
BROKEN_CONNECTION = (
    ConnectionError,  # builtin: reset, aborted, broken pipe
    u3.ProtocolError,
    http.client.HTTPException,  # bad status line, incomplete read
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)
HEADER_VALUE_CAP = timedelta(days=365)  # bigger Retry-After / max-age values are nonsense
NETWORK_ERRORS = (OSError, u3.HTTPError, http.client.HTTPException)  # requests' errors are OSError


DRAIN_LIMIT = 64 * 1024  # an error page this small is read to keep its connection alive


def _release(response: requests.Response) -> None:
    """Give a bodiless or error answer's connection back to the pool instead of closing it."""
    length = response.headers.get("Content-Length", "")
    digits = length.isascii() and length.isdigit()  # "²" passes isdigit alone
    if response.status_code == 304 or (digits and int(length) <= DRAIN_LIMIT):
        with contextlib.suppress(*NETWORK_ERRORS):  # else it is simply closed, as before
            response.raw.drain_conn()


class _Stop(Exception):
    """Raised inside the fetcher to end an answer early with a classified reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class Fetcher:
    """Polls feed URLs through one shared session; `fetch` never raises for network trouble."""

    def __init__(
        self,
        session: requests.Session,
        *,
        timeout: timedelta,
        connect_timeout: timedelta,
        max_bytes: int,
        clock: Clock,
        allow_networks: Iterable[Network] = (),
    ) -> None:
        self._session = session
        self._timeout = timeout.total_seconds()
        self._connect_timeout = min(connect_timeout.total_seconds(), self._timeout)
        self._max_bytes = max_bytes
        self._clock = clock
        self._policy = AddressPolicy.allowing(allow_networks)

    def fetch(self, request: FetchRequest) -> FetchResult:
        """GET the feed conditionally; the outcome, good or bad, is in the result."""
        started = time.monotonic()
        problem = url_problem(request.url)
        if problem:
            return _failure(request.url, "bad_url", problem, started)
        host = urlsplit(request.url).hostname or "?"
        with guarding(started + self._timeout, self._policy) as guard:
            try:
                return self._exchange(request, started, guard)
            except _Stop as stop:
                return _failure(request.url, stop.reason, f"{host}: {stop.message}", started)
            except NETWORK_ERRORS as exc:
                reason, message = classify(exc, timeout=self._timeout)
                if guard.fired:  # the watchdog cut the socket: whatever broke, time ran out
                    reason, message = "timeout", f"no complete answer within {self._timeout:g}s"
                return _failure(request.url, reason, f"{host}: {message}", started)

    def _exchange(self, request: FetchRequest, started: float, guard: Guard) -> FetchResult:
        response = self._session.get(
            request.url,
            headers=conditional_headers(request),
            timeout=self._hop_timeouts(request.url, guard),
            allow_redirects=False,
            stream=True,
        )
        hops = 0
        while response.next is not None:  # a redirect, its body read and its connection freed
            if hops == MAX_REDIRECTS:
                raise _Stop("redirect_loop", "too many redirects (a redirect loop?)")
            hops += 1
            response = self._follow(response.next, guard)
        with response:
            if guard.remaining() <= 0:
                raise _Stop("timeout", f"no answer within {self._timeout:g}s")
            return self._answer(request, response, started, guard)

    def _follow(self, hop: requests.PreparedRequest, guard: Guard) -> requests.Response:
        """Send the next request of a redirect chain (requests built it: method, headers)."""
        url = hop.url or ""
        timeouts = self._hop_timeouts(url, guard)
        environment = self._session.merge_environment_settings(url, {}, True, None, None)
        return self._session.send(hop, allow_redirects=False, timeout=timeouts, **environment)

    def _hop_timeouts(self, url: str, guard: Guard) -> tuple[float, float]:
        """(connect, read) timeouts for one request: no more than what is left of the total."""
        self._policy.check_literal(url)  # an IP in the URL is refused even behind a proxy
        remaining = guard.remaining()
        if remaining <= 0:
            raise _Stop("timeout", f"redirects not done within {self._timeout:g}s")
        return min(self._connect_timeout, remaining), remaining

    def _answer(
        self, request: FetchRequest, response: requests.Response, started: float, guard: Guard
    ) -> FetchResult:
        code = response.status_code
        facts: dict[str, Any] = {
            "url": response.url or request.url,
            "http_status": code,
            "content_type": response.headers.get("Content-Type"),
            "max_age": parse_max_age(response.headers.get("Cache-Control")),
        }
        if code == 304:
            _release(response)
            etag = response.headers.get("ETag") or request.etag
            modified = response.headers.get("Last-Modified") or request.last_modified
            return _done(
                FetchStatus.NOT_MODIFIED, started, etag=etag, last_modified=modified, **facts
            )
        if not 200 <= code < 300:
            _release(response)
            return self._refusal(response, started, facts)
        body = self._read_body(response, guard)
        digest = hashlib.sha256(body).hexdigest()
        validators = {
            "etag": response.headers.get("ETag"),
            "last_modified": response.headers.get("Last-Modified"),
        }
        if digest == request.previous_hash:
            return _done(FetchStatus.UNCHANGED, started, body_hash=digest, **validators, **facts)
        return _done(FetchStatus.OK, started, body=body, body_hash=digest, **validators, **facts)

    def _refusal(
        self, response: requests.Response, started: float, facts: dict[str, Any]
    ) -> FetchResult:
        code = response.status_code
        host = urlsplit(facts["url"]).hostname or "?"
        retry_after = None
        if code in (429, 503):
            retry_after = parse_retry_after(
                response.headers.get("Retry-After"), self._reference_now(response)
            )
        reason = "too_many_requests" if code == 429 else f"http_{code}"
        message = f"{host} answered HTTP {code}"
        if retry_after is not None:
            message += f", retry after {retry_after.total_seconds():g}s"
        return _done(
            FetchStatus.ERROR,
            started,
            error_reason=reason,
            error=message,
            retry_after=retry_after,
            **facts,
        )

    def _reference_now(self, response: requests.Response) -> datetime:
        """The server's idea of now (its Date header) if given, so its clock skew cancels out."""
        return parse_http_date(response.headers.get("Date")) or self._clock.now()

    def _read_body(self, response: requests.Response, guard: Guard) -> bytes:
        """The decompressed body, cut at max_bytes and at the total deadline."""
        declared = response.headers.get("Content-Length", "")
        encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
        if not encoded and _is_number(declared) and int(declared) > self._max_bytes:
            raise _Stop("too_large", f"declares {declared} bytes, over {self._max_bytes}")
        body = bytearray()
        while True:
            # `fired`: a body without a length ends where the watchdog cut it, looking complete
            if guard.fired or guard.remaining() <= 0:
                raise _Stop("timeout", f"body not complete within {self._timeout:g}s")
            chunk = response.raw.read1(min(CHUNK, self._max_bytes + 1 - len(body)), True)
            if not chunk and not guard.fired:
                return bytes(body)
            body += chunk
            if len(body) > self._max_bytes:
                raise _Stop("too_large", f"body over {self._max_bytes} bytes (decompressed)")


def url_problem(url: str) -> str | None:
    """Why a URL may not be fetched (only http and https with a host), or None if it may."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "the URL cannot be parsed"
    if parts.scheme.lower() not in ("http", "https"):
        return f"only http(s) URLs are fetched, not {parts.scheme or 'a scheme-less'} ones"
    if not host:
        return "the URL has no host"
    return None


def conditional_headers(request: FetchRequest) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from what the last good answer told us."""
    headers: dict[str, str] = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    return headers


def parse_max_age(value: str | None) -> timedelta | None:
    """Cache-Control max-age as a duration; no-cache / no-store (or nothing usable) → None."""
    if not value:
        return None
    directives: dict[str, str] = {}
    for part in value.split(","):
        name, _, argument = part.partition("=")
        directives[name.strip().lower()] = argument.strip().strip('"')
    if "no-cache" in directives or "no-store" in directives:
        return None
    seconds = directives.get("max-age", "")
    return _capped(int(seconds)) if _is_number(seconds) else None


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as a duration from `now`: delay-seconds or an HTTP-date; junk → None."""
    if not value:
        return None
    value = value.strip()
    if _is_number(value):
        return _capped(int(value))
    when = parse_http_date(value)
    if when is None:
        return None
    return _capped(int(max((when - now).total_seconds(), 0)))


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP-date (RFC 9110) as an aware datetime, or None when absent or unreadable."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _capped(seconds: int) -> timedelta:
    return timedelta(seconds=min(seconds, int(HEADER_VALUE_CAP.total_seconds())))


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def classify(exc: BaseException, *, timeout: float) -> tuple[str, str]:
    """A stable reason code and a short phrase for an exception from requests or urllib3."""
    blocked = next((link for link in causes(exc) if isinstance(link, BlockedAddress)), None)
    if blocked is not None:
        return "blocked_address", f"{blocked}"
    if isinstance(exc, requests.exceptions.InvalidSchema | requests.exceptions.InvalidURL):
        return "bad_url", "a redirect or the URL is not a fetchable http(s) address"
    if isinstance(exc, requests.exceptions.Timeout | u3.ReadTimeoutError | TimeoutError):
        return "timeout", f"no complete answer within {timeout:g}s"
    if any(isinstance(link, ssl.SSLError | u3.SSLError) for link in causes(exc)):
        return "tls_failed", f"TLS failed ({tls_detail(exc)})"
    if isinstance(exc, u3.DecodeError | requests.exceptions.ContentDecodingError):
        return "bad_content_encoding", "the compressed body could not be decoded"
    return connection_reason(exc)


def connection_reason(exc: BaseException) -> tuple[str, str]:
    """Tell a name that does not resolve from a host that refuses, from a dropped answer."""
    chain = list(causes(exc))
    if any(isinstance(link, u3.NameResolutionError | socket.gaierror) for link in chain):
        return "dns_failed", "the host name does not resolve (DNS)"
    if any(isinstance(link, u3.NewConnectionError | ConnectionRefusedError) for link in chain):
        return "connect_failed", "could not connect (refused or unreachable)"
    if isinstance(exc, requests.exceptions.ProxyError):
        return "connect_failed", "could not connect through the proxy"
    if any(isinstance(link, BROKEN_CONNECTION) for link in chain):
        return "connection_lost", "the connection broke before the answer was complete"
    return "request_failed", f"request failed ({type(exc).__name__})"


def tls_detail(exc: BaseException) -> str:
    """The certificate or handshake problem named by OpenSSL, without URLs or headers."""
    for link in causes(exc):
        detail = getattr(link, "verify_message", None) or getattr(link, "reason", None)
        if isinstance(link, ssl.SSLError) and isinstance(detail, str) and detail:
            return detail
    return "handshake or certificate problem"


def causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps: args, urllib3 `.reason`, __cause__, __context__."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending and len(seen) < 32:
        link = pending.pop()
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        wrapped = [*link.args, getattr(link, "reason", None), link.__cause__, link.__context__]
        pending.extend(item for item in wrapped if isinstance(item, BaseException))


def _done(status: FetchStatus, started: float, **fields: Any) -> FetchResult:
    return FetchResult(status=status, elapsed=time.monotonic() - started, **fields)


def _failure(url: str, reason: str, message: str, started: float) -> FetchResult:
    return _done(FetchStatus.ERROR, started, url=url, error_reason=reason, error=message)
