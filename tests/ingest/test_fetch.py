"""The fetcher against mocked HTTP (responses): statuses, headers, limits and error reasons."""

from __future__ import annotations

import gzip
import hashlib
import socket
import ssl
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
import responses
import urllib3.exceptions as u3
from urllib3.connection import HTTPConnection

from syndicator import __version__
from syndicator.http import MAX_REDIRECTS, build_session, user_agent
from syndicator.ingest.fetch import Fetcher, parse_max_age, parse_retry_after
from syndicator.records import FetchRequest
from tests.helpers.clock import FakeClock
from tests.helpers.httpserver import gzip_of_zeros

FEED = "https://portal.example.gov.vn/rss"
BODY = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Tin</title></channel></rss>"


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with build_session(user_agent=user_agent("it@example.gov.vn"), pool_size=4) as session:
        yield session


@pytest.fixture
def fetcher(session: requests.Session, clock: FakeClock) -> Fetcher:
    return Fetcher(
        session,
        timeout=timedelta(seconds=5),
        connect_timeout=timedelta(seconds=2),
        max_bytes=1024,
        clock=clock,
    )


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def fail_with(mocked: responses.RequestsMock, error: Exception) -> None:
    mocked.add(responses.GET, FEED, body=error)


def pool_error(reason: Exception) -> u3.MaxRetryError:
    """What urllib3 raises (and requests wraps) when the one allowed attempt fails."""
    return u3.MaxRetryError(None, FEED, reason)  # type: ignore[arg-type]


def connection() -> HTTPConnection:
    return HTTPConnection("portal.example.gov.vn")


# --- the session and its User-Agent -------------------------------------------------------


def test_user_agent_names_version_and_contact() -> None:
    """The User-Agent names the product version and the operator's contact."""
    assert (
        user_agent("it@example.gov.vn") == f"Syndicator/{__version__} (+contact: it@example.gov.vn)"
    )


def test_user_agent_without_contact_or_with_control_characters() -> None:
    """An empty contact gives a bare product token; CR/LF cannot inject a header."""
    assert user_agent("") == f"Syndicator/{__version__}"
    assert "\r" not in user_agent("a@b.vn\r\nX-Evil: 1")
    assert "\n" not in user_agent("a\nb")


def test_session_has_no_retries_capped_redirects_and_sized_pool(session: requests.Session) -> None:
    """The session retries nothing, follows at most MAX_REDIRECTS and pools per thread."""
    adapter = session.get_adapter("https://x.vn/")
    assert session.max_redirects == MAX_REDIRECTS
    assert adapter.max_retries.total == 0  # type: ignore[attr-defined]
    assert adapter._pool_maxsize == 4  # type: ignore[attr-defined]


def test_user_agent_is_sent(fetcher: Fetcher, mocked: responses.RequestsMock) -> None:
    """Every request carries the Syndicator User-Agent."""
    mocked.add(responses.GET, FEED, body=BODY)
    fetcher.fetch(FetchRequest(FEED))
    assert mocked.calls[0].request.headers["User-Agent"].startswith("Syndicator/")


# --- good answers ----------------------------------------------------------------------------


def test_ok_returns_body_hash_validators_and_facts(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """A 200 gives the body, its sha256, ETag, Last-Modified, content type and status."""
    mocked.add(
        responses.GET,
        FEED,
        body=BODY,
        content_type="application/rss+xml",
        headers={"ETag": '"v1"', "Last-Modified": "Sun, 01 Nov 2026 00:00:00 GMT"},
    )
    result = fetcher.fetch(FetchRequest(FEED))
    assert (result.status, result.body, result.http_status) == ("ok", BODY, 200)
    assert result.body_hash == hashlib.sha256(BODY).hexdigest()
    assert (result.etag, result.last_modified) == ('"v1"', "Sun, 01 Nov 2026 00:00:00 GMT")
    assert result.content_type == "application/rss+xml"
    assert result.error_reason is None
    assert result.elapsed >= 0


def test_conditional_headers_are_sent(fetcher: Fetcher, mocked: responses.RequestsMock) -> None:
    """Stored ETag and Last-Modified go out as If-None-Match and If-Modified-Since."""
    mocked.add(responses.GET, FEED, status=304)
    fetcher.fetch(FetchRequest(FEED, etag='"v1"', last_modified="Sun, 01 Nov 2026 00:00:00 GMT"))
    sent = mocked.calls[0].request.headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Sun, 01 Nov 2026 00:00:00 GMT"


def test_no_conditional_headers_without_validators(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """A first poll sends no If-None-Match or If-Modified-Since."""
    mocked.add(responses.GET, FEED, body=BODY)
    fetcher.fetch(FetchRequest(FEED))
    assert "If-None-Match" not in mocked.calls[0].request.headers
    assert "If-Modified-Since" not in mocked.calls[0].request.headers


def test_304_is_not_modified_and_keeps_validators(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """A 304 is "not_modified", without a body, carrying the validators still in force."""
    mocked.add(responses.GET, FEED, status=304)
    result = fetcher.fetch(
        FetchRequest(FEED, etag='"v1"', last_modified="Sun, 01 Nov 2026 00:00:00 GMT")
    )
    assert (result.status, result.http_status, result.body) == ("not_modified", 304, None)
    assert (result.etag, result.last_modified) == ('"v1"', "Sun, 01 Nov 2026 00:00:00 GMT")


def test_304_with_a_new_etag_returns_it(fetcher: Fetcher, mocked: responses.RequestsMock) -> None:
    """A 304 that sends a fresh ETag updates the validator."""
    mocked.add(responses.GET, FEED, status=304, headers={"ETag": '"v2"'})
    assert fetcher.fetch(FetchRequest(FEED, etag='"v1"')).etag == '"v2"'


def test_same_bytes_as_last_time_is_unchanged(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """A 200 whose body hashes to previous_hash is "unchanged" and carries no body."""
    mocked.add(responses.GET, FEED, body=BODY)
    digest = hashlib.sha256(BODY).hexdigest()
    result = fetcher.fetch(FetchRequest(FEED, previous_hash=digest))
    assert (result.status, result.body, result.body_hash) == ("unchanged", None, digest)


def test_redirect_is_followed_and_final_url_recorded(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """After a redirect the result names the final URL (the base for relative links)."""
    mocked.add(
        responses.GET, FEED, status=301, headers={"Location": "https://new.example.gov.vn/feed"}
    )
    mocked.add(responses.GET, "https://new.example.gov.vn/feed", body=BODY)
    result = fetcher.fetch(FetchRequest(FEED))
    assert (result.status, result.url) == ("ok", "https://new.example.gov.vn/feed")


def test_gzip_body_is_decoded(fetcher: Fetcher, mocked: responses.RequestsMock) -> None:
    """A gzip-encoded answer yields the decoded bytes, hashed after decoding."""
    mocked.add(responses.GET, FEED, body=gzip.compress(BODY), headers={"Content-Encoding": "gzip"})
    result = fetcher.fetch(FetchRequest(FEED))
    assert result.body == BODY
    assert result.body_hash == hashlib.sha256(BODY).hexdigest()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("max-age=300", 300),
        ('public, max-age="60"', 60),
        ("no-cache, max-age=300", None),
        ("no-store", None),
        ("private", None),
        (None, None),
        ("max-age=soon", None),
    ],
)
def test_cache_control_max_age(header: str | None, expected: int | None) -> None:
    """Cache-Control max-age is read as a duration; no-cache/no-store/junk mean nothing."""
    want = None if expected is None else timedelta(seconds=expected)
    assert parse_max_age(header) == want


def test_cache_control_reaches_the_result(fetcher: Fetcher, mocked: responses.RequestsMock) -> None:
    """The fetch result carries max_age from the answer's Cache-Control."""
    mocked.add(responses.GET, FEED, body=BODY, headers={"Cache-Control": "max-age=900"})
    assert fetcher.fetch(FetchRequest(FEED)).max_age == timedelta(minutes=15)


# --- refusals and limits -------------------------------------------------------------------


@pytest.mark.parametrize("code", [400, 401, 403, 404, 410, 500, 502, 503])
def test_http_error_status_is_a_reason(
    code: int, fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """A non-2xx answer is an error with reason http_<code> and a line naming host and status."""
    mocked.add(responses.GET, FEED, status=code, body=b"nope")
    result = fetcher.fetch(FetchRequest(FEED))
    assert (result.status, result.error_reason, result.http_status) == (
        "error",
        f"http_{code}",
        code,
    )
    assert result.error is not None
    assert "portal.example.gov.vn" in result.error
    assert str(code) in result.error


def test_429_is_too_many_requests_with_retry_after_seconds(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """A 429 is "too_many_requests" and Retry-After in seconds becomes retry_after."""
    mocked.add(responses.GET, FEED, status=429, headers={"Retry-After": "120"})
    result = fetcher.fetch(FetchRequest(FEED))
    assert (result.error_reason, result.retry_after) == (
        "too_many_requests",
        timedelta(seconds=120),
    )


def test_503_retry_after_date_counts_from_server_date(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """An HTTP-date Retry-After counts from the server's Date header, so its clock skew cancels."""
    mocked.add(
        responses.GET,
        FEED,
        status=503,
        headers={
            "Date": "Sat, 31 Oct 2026 23:00:00 GMT",
            "Retry-After": "Sat, 31 Oct 2026 23:10:00 GMT",
        },
    )
    result = fetcher.fetch(FetchRequest(FEED))
    assert (result.error_reason, result.retry_after) == ("http_503", timedelta(minutes=10))


def test_retry_after_date_without_server_date_uses_clock(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """Without a Date header, an HTTP-date Retry-After counts from the injected clock."""
    mocked.add(
        responses.GET, FEED, status=429, headers={"Retry-After": "Sun, 01 Nov 2026 00:05:00 GMT"}
    )
    assert fetcher.fetch(FetchRequest(FEED)).retry_after == timedelta(minutes=5)


def test_retry_after_ignored_on_other_statuses(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """Retry-After is read only on 429 and 503."""
    mocked.add(responses.GET, FEED, status=500, headers={"Retry-After": "120"})
    assert fetcher.fetch(FetchRequest(FEED)).retry_after is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("0", timedelta(0)),
        ("Sat, 31 Oct 2026 00:00:00 GMT", timedelta(0)),
        ("soon", None),
        ("", None),
        ("99999999999999", timedelta(days=365)),
    ],
)
def test_retry_after_edge_values(header: str, expected: timedelta | None, clock: FakeClock) -> None:
    """A past date is zero, junk is None, and an absurd number is capped at a year."""
    assert parse_retry_after(header, clock.now()) == expected


def test_body_over_max_bytes_is_too_large(fetcher: Fetcher, mocked: responses.RequestsMock) -> None:
    """A body longer than max_bytes is cut with reason too_large."""
    mocked.add(responses.GET, FEED, body=b"x" * 1025)
    result = fetcher.fetch(FetchRequest(FEED))
    assert (result.status, result.error_reason, result.body) == ("error", "too_large", None)


def test_body_of_exactly_max_bytes_is_fine(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """A body of exactly max_bytes is accepted."""
    mocked.add(responses.GET, FEED, body=b"x" * 1024)
    assert fetcher.fetch(FetchRequest(FEED)).status == "ok"


def test_gzip_bomb_is_cut_on_decompressed_size(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """A small gzip body that inflates past max_bytes is too_large."""
    mocked.add(
        responses.GET,
        FEED,
        body=gzip_of_zeros(10 * 1024 * 1024),
        headers={"Content-Encoding": "gzip"},
    )
    assert fetcher.fetch(FetchRequest(FEED)).error_reason == "too_large"


def test_corrupt_gzip_is_bad_content_encoding(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """A body that claims gzip but is not fails with bad_content_encoding."""
    mocked.add(responses.GET, FEED, body=b"this is not gzip", headers={"Content-Encoding": "gzip"})
    assert fetcher.fetch(FetchRequest(FEED)).error_reason == "bad_content_encoding"


# --- URLs and network failures ----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://portal.example.gov.vn/rss",
        "file:///etc/passwd",
        "portal.example.gov.vn/rss",
        "http:///rss",
        "javascript:alert(1)",
        "http://[::1/rss",
    ],
)
def test_non_http_url_is_bad_url_and_sends_nothing(
    url: str, fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """A URL that is not http(s) with a host is rejected before any request."""
    result = fetcher.fetch(FetchRequest(url))
    assert (result.status, result.error_reason, result.url) == ("error", "bad_url", url)
    assert len(mocked.calls) == 0


def test_redirect_to_non_http_is_bad_url(fetcher: Fetcher, mocked: responses.RequestsMock) -> None:
    """A redirect to file:// or ftp:// is refused as bad_url."""
    mocked.add(responses.GET, FEED, status=302, headers={"Location": "file:///etc/passwd"})
    assert fetcher.fetch(FetchRequest(FEED)).error_reason == "bad_url"


def test_redirect_loop(fetcher: Fetcher, mocked: responses.RequestsMock) -> None:
    """Two URLs redirecting to each other end as redirect_loop after MAX_REDIRECTS hops."""
    mocked.add(
        responses.GET, FEED, status=302, headers={"Location": "https://portal.example.gov.vn/b"}
    )
    mocked.add(
        responses.GET, "https://portal.example.gov.vn/b", status=302, headers={"Location": FEED}
    )
    result = fetcher.fetch(FetchRequest(FEED))
    assert (result.error_reason, result.url) == ("redirect_loop", FEED)
    assert len(mocked.calls) == MAX_REDIRECTS + 1


def test_dns_failure(fetcher: Fetcher, mocked: responses.RequestsMock) -> None:
    """A name that does not resolve is dns_failed."""
    gai = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    fail_with(
        mocked,
        requests.ConnectionError(
            pool_error(u3.NameResolutionError("portal.example.gov.vn", connection(), gai))
        ),
    )
    result = fetcher.fetch(FetchRequest(FEED))
    assert result.error_reason == "dns_failed"
    assert result.error is not None
    assert "DNS" in result.error


def test_connection_refused(fetcher: Fetcher, mocked: responses.RequestsMock) -> None:
    """A host that refuses the connection is connect_failed."""
    refused = u3.NewConnectionError(
        connection(), "Failed to establish a new connection: [Errno 111]"
    )
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    fail_with(mocked, requests.ConnectionError(pool_error(refused)))
    assert fetcher.fetch(FetchRequest(FEED)).error_reason == "connect_failed"


def test_connection_reset_mid_answer(fetcher: Fetcher, mocked: responses.RequestsMock) -> None:
    """A connection reset during the exchange is connection_lost."""
    reset = u3.ProtocolError(
        "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")
    )
    fail_with(mocked, requests.ConnectionError(reset))
    assert fetcher.fetch(FetchRequest(FEED)).error_reason == "connection_lost"


def test_tls_failure_names_the_problem(fetcher: Fetcher, mocked: responses.RequestsMock) -> None:
    """A certificate problem is tls_failed, and the line says what OpenSSL said."""
    bad_cert = ssl.SSLCertVerificationError(1, "certificate verify failed")
    bad_cert.verify_message = "unable to get local issuer certificate"
    fail_with(mocked, requests.exceptions.SSLError(pool_error(u3.SSLError(bad_cert))))
    result = fetcher.fetch(FetchRequest(FEED))
    assert result.error_reason == "tls_failed"
    assert result.error is not None
    assert "unable to get local issuer certificate" in result.error


@pytest.mark.parametrize(
    "error", [requests.exceptions.ConnectTimeout(), requests.exceptions.ReadTimeout()]
)
def test_timeouts(error: Exception, fetcher: Fetcher, mocked: responses.RequestsMock) -> None:
    """Connect and read timeouts both end as timeout."""
    fail_with(mocked, error)
    assert fetcher.fetch(FetchRequest(FEED)).error_reason == "timeout"


def test_unknown_request_failure_is_still_a_value(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """An unforeseen requests error becomes request_failed instead of an exception."""
    fail_with(mocked, requests.exceptions.RetryError("odd"))
    assert fetcher.fetch(FetchRequest(FEED)).error_reason == "request_failed"


def test_errors_never_echo_the_query_string(
    fetcher: Fetcher, mocked: responses.RequestsMock
) -> None:
    """Error lines name the host and status only, never the URL's query (it may hold a key)."""
    url = "https://portal.example.gov.vn/rss?key=s3cr3t"
    mocked.add(responses.GET, url, status=404)
    result = fetcher.fetch(FetchRequest(url))
    assert result.error is not None
    assert "s3cr3t" not in result.error
