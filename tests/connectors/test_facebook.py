"""FacebookConnector against recorded Graph answers (responses): classification, usage, secrets."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import responses
import urllib3
from urllib3.connection import HTTPConnection

from connectors.base import (
    Ambiguous,
    AuthProblem,
    ConnectorError,
    OutgoingPost,
    PolicyBlocked,
    Published,
    RateLimited,
    Rejected,
    Transient,
)
from connectors.facebook import errors as facebook_errors
from connectors.facebook.client import FIND_PAGES, FacebookConnector, canonical_url
from tests.helpers.clock import FakeClock
from tests.helpers.httpserver import unused_port

GRAPH, VERSION, PAGE = "https://graph.test", "v25.0", "1234567890"
TOKEN, SECRET = "EAAB-secret-token-xyz", "app-secret-123"
PROOF = "81d285b4e4af65f0d1b88eee1f6314a070576e95cc3ea69910409156bd0345c1"
FEED = f"{GRAPH}/{VERSION}/{PAGE}/feed"
PHOTOS = f"{GRAPH}/{VERSION}/{PAGE}/photos"
POSTS = f"{GRAPH}/{VERSION}/{PAGE}/published_posts"
DEBUG = f"{GRAPH}/{VERSION}/debug_token"
ENV = "SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN"
LINK = "https://skhcn.example.gov.vn/tin-tuc/bai-1"
START = datetime(2026, 11, 1, tzinfo=UTC)
POST = OutgoingPost(post_id=7, text=f"Tin mới\n{LINK}", link=LINK, claimed_at=START)


@pytest.fixture
def graph() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def connector(
    clock: FakeClock, *, secret: str | None = SECRET, graph_url: str = GRAPH
) -> FacebookConnector:
    return FacebookConnector(
        requests.Session(),
        graph_url=graph_url,
        api_version=VERSION,
        page_id=PAGE,
        page_token=TOKEN,
        app_secret=secret,
        timeout=5,
        clock=clock.now,
    )


def error(
    code: int, subcode: int | None = None, message: str = "boom", **more: object
) -> dict[str, object]:
    body: dict[str, object] = {"message": message, "type": "OAuthException", "code": code, **more}
    if subcode is not None:
        body["error_subcode"] = subcode
    return {"error": body}


def sent_form(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


def sent_query(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def row(
    post_id: str, created: datetime, message: str = "", link: str | None = None
) -> dict[str, object]:
    found: dict[str, object] = {
        "id": post_id,
        "created_time": created.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "message": message,
        "permalink_url": f"https://www.facebook.com/{post_id}",
    }
    if link:
        found["attachments"] = {
            "data": [{"unshimmed_url": link, "url": "https://l.facebook.com/l.php?u=x"}]
        }
    return found


# -- publishing ---------------------------------------------------------------------------


def test_publish_sends_message_link_token_and_proof(graph: Any, clock: FakeClock) -> None:
    """A link post is a form POST to /feed with message, link, token and appsecret_proof."""
    graph.post(FEED, json={"id": f"{PAGE}_11"})
    published = connector(clock).publish(POST)
    assert published == Published(f"{PAGE}_11", f"https://www.facebook.com/{PAGE}_11")
    assert sent_form(graph.calls[0]) == {
        "message": POST.text, "link": LINK, "access_token": TOKEN, "appsecret_proof": PROOF,
    }  # fmt: skip


def test_no_app_secret_sends_no_proof(graph: Any, clock: FakeClock) -> None:
    """Without an app secret the request carries no appsecret_proof field."""
    graph.post(FEED, json={"id": f"{PAGE}_11"})
    connector(clock, secret=None).publish(POST)
    assert "appsecret_proof" not in sent_form(graph.calls[0])


def test_photo_post_uses_photos_with_caption_and_post_id(graph: Any, clock: FakeClock) -> None:
    """A photo post goes to /photos with url and caption, and its page post id is the remote id."""
    graph.post(PHOTOS, json={"id": "555", "post_id": f"{PAGE}_12"})
    post = OutgoingPost(post_id=8, text="Ảnh", link=LINK, cover="https://x.vn/a.jpg", photo=True)
    assert connector(clock).publish(post).remote_id == f"{PAGE}_12"
    form = sent_form(graph.calls[0])
    assert (form["url"], form["caption"], "link" in form) == ("https://x.vn/a.jpg", "Ảnh", False)


def test_photo_post_without_cover_is_rejected(graph: Any, clock: FakeClock) -> None:
    """A photo post with no image is refused before anything is sent."""
    with pytest.raises(Rejected, match="cover"):
        connector(clock).publish(OutgoingPost(post_id=9, text="x", photo=True))
    assert len(graph.calls) == 0


def test_answer_without_id_is_ambiguous(graph: Any, clock: FakeClock) -> None:
    """A 200 without a post id leaves the outcome unknown."""
    graph.post(FEED, json={})
    with pytest.raises(Ambiguous):
        connector(clock).publish(POST)


# -- error classification -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "expected", "text"),
    [
        (403, error(4, message="(#4) Application request limit reached", is_transient=True), RateLimited, "#4"),
        (400, error(17), RateLimited, "#17"),
        (400, error(32, message="(#32) Page request limit reached"), RateLimited, "#32"),
        (400, error(341), RateLimited, "#341"),
        (400, error(613, 1996), RateLimited, "#613/1996"),
        (400, error(80001), RateLimited, "#80001"),
        (400, error(80004), RateLimited, "#80004"),
        (500, error(2, is_transient=True), Ambiguous, "#2"),
        (400, error(1), Ambiguous, "#1"),
        (400, error(9999, is_transient=True), Ambiguous, "#9999"),
        (502, None, Ambiguous, "HTTP 502"),
        (429, None, RateLimited, "HTTP 429"),
        (400, error(190, 463), AuthProblem, f"page token expired: create a new Page token and set {ENV}"),
        (400, error(190, 460), AuthProblem, "password"),
        (400, error(190, 492), AuthProblem, "role on the Page"),
        (400, error(190), AuthProblem, "SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN"),
        (403, error(10), AuthProblem, "pages_manage_posts"),
        (403, error(200, message="(#200) requires pages_manage_posts"), AuthProblem, "permission missing"),
        (400, error(283), AuthProblem, "permission missing"),
        (400, error(368, 1390008), PolicyBlocked, "policy"),
        (400, error(100, message="(#100) Invalid parameter"), Rejected, "(#100) Invalid parameter"),
        (400, error(100, 1609005), Transient, "could not read the link"),
        (400, error(3), AuthProblem, "#3"),
    ],
)  # fmt: skip
def test_publish_errors_are_classified(
    graph: Any, clock: FakeClock, status: int, body: Any, expected: type, text: str
) -> None:
    """Each Graph error code and subcode becomes the contract's error, naming what to do."""
    graph.post(FEED, status=status, **({"json": body} if body else {"body": "<html>bad gateway"}))
    with pytest.raises(expected) as raised:
        connector(clock).publish(POST)
    assert type(raised.value) is expected
    assert text in str(raised.value)


def test_policy_block_pauses_for_hours(graph: Any, clock: FakeClock) -> None:
    """A 368 pauses the channel for at least an hour."""
    graph.post(FEED, status=400, json=error(368))
    with pytest.raises(PolicyBlocked) as raised:
        connector(clock).publish(POST)
    assert raised.value.retry_after >= timedelta(hours=1)


@pytest.mark.parametrize(
    ("status", "body"), [(400, error(1)), (500, error(2, is_transient=True)), (503, None)]
)
def test_read_errors_are_transient_not_ambiguous(
    graph: Any, clock: FakeClock, status: int, body: Any
) -> None:
    """A failed GET has no side effect, so unknown errors there are plain Transient."""
    graph.get(POSTS, status=status, **({"json": body} if body else {"body": "oops"}))
    with pytest.raises(Transient):
        connector(clock).find_existing(POST)


@pytest.mark.parametrize(
    ("status", "on_write", "on_read"),
    [
        (399, Ambiguous, Transient),
        (400, Transient, Transient),
        (407, Transient, Transient),
        (408, Ambiguous, Transient),
        (409, Transient, Transient),
        (499, Transient, Transient),
        (500, Ambiguous, Transient),
    ],
)
def test_an_answer_without_a_graph_error_is_classified_by_its_status_at_the_edges(
    status: int, on_write: type, on_read: type
) -> None:
    """A bare 5xx, 408 or non-error status after a POST may have posted (Ambiguous); a bare 4xx
    did not; a GET is never Ambiguous. The message names the status."""
    for write, expected in ((True, on_write), (False, on_read)):
        found = facebook_errors.classify(status, None, None, write=write, env_name=ENV)
        assert type(found) is expected
        assert str(found) == f"HTTP {status} without a Graph error"


@pytest.mark.parametrize(
    ("body", "code", "subcode", "message", "label"),
    [
        (error(100, 33, message="(#100) Invalid", error_user_msg="Bài viết không hợp lệ"),
         100, 33, "Bài viết không hợp lệ", "#100/33"),
        (error(100, message="(#100) Invalid"), 100, None, "(#100) Invalid", "#100"),
        ({"error": {"code": "190", "error_subcode": "463"}}, 0, None, "no message", "#0"),
    ],
)  # fmt: skip
def test_a_graph_error_prefers_the_users_message_and_reads_only_whole_codes(
    body: dict[str, object], code: int, subcode: int | None, message: str, label: str
) -> None:
    """error_user_msg is the readable one; codes written as text are not codes."""
    found = facebook_errors.parse_error(body)
    assert found is not None
    assert (found.code, found.subcode, found.message, found.label()) == (
        code, subcode, message, label,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "code", "subcode", "kind", "words"),
    [
        (400, 102, None, AuthProblem, "page token invalid, expired or revoked: create a new Page token and set "),
        (400, 190, 999, AuthProblem, "page token invalid, expired or revoked: create a new Page token and set "),
        (403, 299, None, AuthProblem, "permission missing: grant pages_manage_posts and pages_read_engagement"
                                      f" to the app, then create a new Page token and set {ENV}"),
        (400, 300, None, Rejected, "Facebook #300: boom"),
        (499, 100, None, Rejected, "Facebook #100: boom"),
        (500, 100, None, Transient, "Facebook #100: boom"),
    ],
)  # fmt: skip
def test_graph_error_codes_at_the_edges_of_their_ranges(
    status: int, code: int, subcode: int | None, kind: type, words: str
) -> None:
    """102 is a token error like 190, with the generic fix for an unknown subcode; 200-299 are
    permissions, 300 is not; a GET's 5xx with an unknown code is Transient and says what came."""
    graph_error = facebook_errors.parse_error(error(code, subcode))
    found = facebook_errors.classify(status, graph_error, None, write=False, env_name=ENV)
    assert type(found) is kind
    assert words in str(found)


@pytest.mark.parametrize(
    ("subcode", "hold"), [(1390008, timedelta(hours=1)), (None, timedelta(hours=6))]
)
def test_posting_too_fast_holds_an_hour_other_policy_blocks_six(
    subcode: int | None, hold: timedelta
) -> None:
    graph_error = facebook_errors.parse_error(error(368, subcode))
    found = facebook_errors.classify(400, graph_error, None, write=True, env_name=ENV)
    assert isinstance(found, PolicyBlocked) and found.retry_after == hold


def test_a_bare_429_keeps_the_platforms_wait() -> None:
    """HTTP 429 without a Graph body is a rate limit carrying the wait the headers gave."""
    found = facebook_errors.classify(429, None, timedelta(minutes=7), write=True, env_name=ENV)
    assert isinstance(found, RateLimited)
    assert found.retry_after == timedelta(minutes=7)


@pytest.mark.parametrize(
    ("estimate", "minutes"),
    [(12, 12), ("12", 12), ("12.5", 12.5), (True, 0), ("soon", 0), (None, 0), ([3], 0)],
)
def test_the_regain_access_estimate_reads_numbers_and_numeric_text_only(
    estimate: object, minutes: float
) -> None:
    """Graph's estimate in minutes, as a number or numeric text; anything else reads as 0."""
    usage = {"call_count": 10, "estimated_time_to_regain_access": estimate}
    headers = {"X-Business-Use-Case-Usage": json.dumps({PAGE: [usage]})}
    assert facebook_errors.usage_estimate(headers) == timedelta(minutes=minutes)


def test_duplicate_answered_by_the_post_already_there(graph: Any, clock: FakeClock) -> None:
    """A 506 looks at the Page's latest posts and returns ours when it is there."""
    graph.post(FEED, status=400, json=error(506, message="(#506) Duplicate status message"))
    graph.get(POSTS, json={"data": [row(f"{PAGE}_3", START - timedelta(hours=2), link=LINK)]})
    assert connector(clock).publish(POST).remote_id == f"{PAGE}_3"
    assert "since" not in sent_query(graph.calls[1])


def test_duplicate_not_found_is_rejected(graph: Any, clock: FakeClock) -> None:
    """A 506 with nothing of ours on the Page is a permanent refusal with Facebook's words."""
    graph.post(FEED, status=400, json=error(506, message="(#506) Duplicate status message"))
    graph.get(POSTS, json={"data": [row(f"{PAGE}_3", START, link="https://other.vn/x")]})
    with pytest.raises(Rejected, match="Duplicate status message"):
        connector(clock).publish(POST)


def test_duplicate_that_cannot_be_checked_is_ambiguous(graph: Any, clock: FakeClock) -> None:
    """A 506 whose lookup fails leaves the outcome for the publisher to reconcile."""
    graph.post(FEED, status=400, json=error(506))
    graph.get(POSTS, status=500, json=error(2))
    with pytest.raises(Ambiguous, match="duplicate"):
        connector(clock).publish(POST)


# -- network failures ---------------------------------------------------------------------


def _new_connection_error() -> requests.ConnectionError:
    conn = HTTPConnection("graph.test", 443)
    reason = urllib3.exceptions.NameResolutionError("graph.test", conn, socket.gaierror("no name"))
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/v25.0", reason))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (requests.ReadTimeout("read timed out"), Ambiguous),
        (requests.ConnectionError(urllib3.exceptions.ProtocolError("reset", ConnectionResetError())), Ambiguous),
        (requests.exceptions.ChunkedEncodingError("cut"), Ambiguous),
        (requests.ConnectTimeout("connect timed out"), Transient),
        (_new_connection_error(), Transient),
    ],
)  # fmt: skip
def test_network_failures_split_on_whether_sent(
    graph: Any, clock: FakeClock, raised: Exception, expected: type
) -> None:
    """Timeouts and resets after sending are Ambiguous; failures to connect or resolve, Transient."""
    graph.post(FEED, body=raised)
    with pytest.raises(expected):
        connector(clock).publish(POST)


def test_connection_refused_is_transient(clock: FakeClock) -> None:
    """Nothing listening means nothing was sent: Transient."""
    refused = connector(clock, graph_url=f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(Transient, match="not reached"):
        refused.publish(POST)


# -- usage headers ------------------------------------------------------------------------


def buc(calls: int, regain_minutes: int) -> dict[str, object]:
    """One X-Business-Use-Case-Usage entry for the Page."""
    return {"type": "pages", "call_count": calls, "total_cputime": 5, "total_time": 5,
            "estimated_time_to_regain_access": regain_minutes}  # fmt: skip


@pytest.mark.parametrize(
    ("header", "value", "wait"),
    [
        ("X-App-Usage", {"call_count": 95, "total_time": 10, "total_cputime": 10}, timedelta(minutes=1)),
        ("X-Page-Usage", {"call_count": 10, "total_time": 90, "total_cputime": 10}, timedelta(minutes=1)),
        ("X-Business-Use-Case-Usage", {PAGE: [buc(20, 42)]}, timedelta(minutes=42)),
        # 0 minutes to regain access: no long hold, only the short one at 90 %
        ("X-Business-Use-Case-Usage", {PAGE: [buc(91, 0)]}, timedelta(minutes=1)),
    ],
)  # fmt: skip
def test_usage_header_on_success_holds_the_next_publish(
    graph: Any, clock: FakeClock, header: str, value: object, wait: timedelta
) -> None:
    """A quota at 90 % (a minute) or a wait to regain access (as long as it says), even on
    success, stops the next publish before it is sent."""
    graph.post(FEED, json={"id": f"{PAGE}_1"}, headers={header: json.dumps(value)})
    facebook = connector(clock)
    facebook.publish(POST)
    assert facebook.usage_pause() == wait
    with pytest.raises(RateLimited) as raised:
        facebook.publish(POST)
    assert raised.value.retry_after == wait
    assert len(graph.calls) == 1


@pytest.mark.parametrize(
    "value",
    [
        json.dumps({"call_count": 89, "total_time": 89, "total_cputime": 89}),
        "not json",
        json.dumps([1, 2]),
    ],
)
def test_usage_below_limit_or_unreadable_does_not_pause(
    graph: Any, clock: FakeClock, value: str
) -> None:
    """Usage under 90 % (or a header we cannot read) lets publishing go on."""
    graph.post(FEED, json={"id": f"{PAGE}_1"}, headers={"X-App-Usage": value})
    facebook = connector(clock)
    facebook.publish(POST)
    assert facebook.usage_pause() is None


@pytest.mark.parametrize(
    ("usage", "wait"),
    [
        ({"total_cputime": 90}, timedelta(minutes=1)),  # one quota alone, at its edge
        ({"total_time": 90}, timedelta(minutes=1)),
        ({"call_count": 10, "total_cputime": 90, "total_time": 10}, timedelta(minutes=1)),
        ({"total_cputime": 89.9}, None),  # just below it
        ({"total_time": 89.9}, None),
    ],
)
def test_each_usage_quota_counts_even_when_the_header_holds_only_it(
    usage: dict[str, float], wait: timedelta | None
) -> None:
    """CPU time and total time at 90 % hold publishing like the call count does, whichever
    keys the header carries."""
    assert facebook_errors.usage_wait({"X-App-Usage": json.dumps(usage)}) == wait


@pytest.mark.parametrize(
    "error",
    [
        requests.ReadTimeout("Read timed out. (read timeout=30)"),
        requests.ConnectionError(
            urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError(104))
        ),
    ],
)
def test_a_failure_after_the_request_left_is_not_nothing_sent(
    error: requests.RequestException,
) -> None:
    """A read timeout or a reset mid-answer may have reached Graph: False, not merely falsy."""
    assert facebook_errors.nothing_sent(error) is False


def test_usage_pause_ends_with_time(graph: Any, clock: FakeClock) -> None:
    """The pause counts down on the injected clock and then lifts."""
    graph.post(FEED, json={"id": f"{PAGE}_1"}, headers={"X-App-Usage": '{"call_count":100}'})
    facebook = connector(clock)
    facebook.publish(POST)
    clock.advance(seconds=40)
    assert facebook.usage_pause() == timedelta(seconds=20)
    clock.advance(seconds=20)
    assert facebook.usage_pause() is None
    facebook.publish(POST)
    assert len(graph.calls) == 2


def test_rate_limit_wait_comes_from_headers(graph: Any, clock: FakeClock) -> None:
    """A throttling error waits as long as the usage header says, and so does the pause."""
    buc = {PAGE: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 30}]}
    graph.post(
        FEED, status=400, json=error(80001), headers={"X-Business-Use-Case-Usage": json.dumps(buc)}
    )
    facebook = connector(clock)
    with pytest.raises(RateLimited) as raised:
        facebook.publish(POST)
    assert raised.value.retry_after == timedelta(minutes=30) == facebook.usage_pause()


def test_rate_limit_honours_retry_after(graph: Any, clock: FakeClock) -> None:
    """A Retry-After header, when one comes, sets the wait."""
    graph.post(FEED, status=400, json=error(4), headers={"Retry-After": "120"})
    with pytest.raises(RateLimited) as raised:
        connector(clock).publish(POST)
    assert raised.value.retry_after == timedelta(seconds=120)


# -- secrets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 400, "json": error(190, 463, message=f"Error validating access token {TOKEN}")},
        {"status": 400, "json": error(100, message=f"bad appsecret_proof {PROOF}")},
        {"body": requests.ReadTimeout(f"timed out: /v25.0/x?access_token={TOKEN}")},
        {
            "body": requests.ConnectionError(
                f"HTTPSConnectionPool: url /x?access_token={TOKEN}&s={SECRET}"
            )
        },
        {"status": 400, "json": error(4, message=f"limit for {TOKEN}")},
    ],
)
def test_token_never_in_errors_or_repr(graph: Any, clock: FakeClock, answer: Any) -> None:
    """Neither the token, the app secret nor the proof appears in an error's str or repr, or the connector's repr."""
    graph.get(POSTS, **answer)
    facebook = connector(clock)
    with pytest.raises(ConnectorError) as raised:
        facebook.find_existing(POST)
    shown = " ".join(
        [str(raised.value), repr(raised.value), repr(facebook), str(raised.value.__cause__)]
    )
    for secret in (TOKEN, SECRET, PROOF):
        assert secret not in shown
    assert raised.value.__suppress_context__ or raised.value.__context__ is None


# -- find_existing ------------------------------------------------------------------------


def test_find_existing_asks_for_the_window_and_fields(graph: Any, clock: FakeClock) -> None:
    """The lookup asks published_posts since a minute before the claim, 25 at most, with attachments."""
    graph.get(POSTS, json={"data": []})
    assert connector(clock).find_existing(POST) is None
    query = sent_query(graph.calls[0])
    assert query["since"] == str(int(START.timestamp()) - 60)
    assert query["limit"] == "25"
    assert "attachments{media_type,unshimmed_url,url}" in query["fields"]


def test_find_existing_matches_canonical_link(graph: Any, clock: FakeClock) -> None:
    """A post whose attachment shows the link (other case, slash, tracking) is found with its permalink."""
    shown = "HTTPS://SKHCN.example.gov.vn/tin-tuc/bai-1/?utm_source=fb&fbclid=abc"
    graph.get(
        POSTS,
        json={
            "data": [
                row(f"{PAGE}_1", START, link="https://x.vn/other"),
                row(f"{PAGE}_2", START, link=shown),
            ]
        },
    )
    assert connector(clock).find_existing(POST) == Published(
        f"{PAGE}_2", f"https://www.facebook.com/{PAGE}_2"
    )


def test_find_existing_matches_link_in_message(graph: Any, clock: FakeClock) -> None:
    """A photo post shows the link only in its caption, and is found there."""
    graph.get(POSTS, json={"data": [row(f"{PAGE}_4", START, message=f"Ảnh mới. Xem: {LINK}.")]})
    assert connector(clock).find_existing(POST) is not None


def test_find_existing_ignores_posts_before_the_window(graph: Any, clock: FakeClock) -> None:
    """A post with our link made before the claim (less a minute) is an earlier one, not this attempt."""
    graph.get(POSTS, json={"data": [row(f"{PAGE}_5", START - timedelta(minutes=2), link=LINK)]})
    assert connector(clock).find_existing(POST) is None


def test_find_existing_without_link_matches_text(graph: Any, clock: FakeClock) -> None:
    """A text-only post is recognised by its whole message."""
    post = OutgoingPost(post_id=3, text="Thông báo  lịch tiếp dân", claimed_at=START)
    graph.get(POSTS, json={"data": [row(f"{PAGE}_6", START, message="Thông báo lịch tiếp dân")]})
    assert connector(clock).find_existing(post) is not None


def others(first: int, count: int, created: datetime) -> list[dict[str, object]]:
    """`count` other posts of the Page (other articles), numbered from `first`."""
    return [
        row(f"{PAGE}_{n}", created, f"Tin {n}", f"https://skhcn.example.gov.vn/tin-tuc/bai-{n}")
        for n in range(first, first + count)
    ]


def paged(pages: list[list[dict[str, object]]], *, last_has_next: bool = False) -> Any:
    """A published_posts answer paging through `pages` by cursor, shaped as Graph pages: `next`
    (on graph.facebook.com, with the token) only when more follows."""

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}
        index = int(query.get("after", "c0")[1:])
        paging: dict[str, object] = {"cursors": {"before": f"c{index}", "after": f"c{index + 1}"}}
        if index + 1 < len(pages) or last_has_next:
            del query["appsecret_proof"]
            following = urlencode({**query, "after": f"c{index + 1}"})
            paging["next"] = (
                f"https://graph.facebook.com/{VERSION}/{PAGE}/published_posts?{following}"
            )
        body = {"data": pages[index], "paging": paging}
        return 200, {}, json.dumps(body)

    return answer


def test_find_existing_pages_back_with_the_cursor(graph: Any, clock: FakeClock) -> None:
    """A post made 40 posts ago is on the second page: read with the `after` cursor from our own
    base URL (never the host named in `next`), with our own token and proof."""
    ours = row(f"{PAGE}_1", START + timedelta(minutes=1), link=LINK)
    pages = [others(2, 25, START + timedelta(hours=1)), [*others(27, 15, START), ours]]
    graph.add_callback(responses.GET, POSTS, callback=paged(pages))
    found = connector(clock).find_existing(POST)
    assert found == Published(f"{PAGE}_1", f"https://www.facebook.com/{PAGE}_1")
    second = sent_query(graph.calls[1])
    assert graph.calls[1].request.url.startswith(POSTS)
    assert (second["after"], second["since"], second["appsecret_proof"]) == (
        "c1", str(int(START.timestamp()) - 60), PROOF
    )  # fmt: skip


def test_find_existing_stops_at_a_post_older_than_the_claim(graph: Any, clock: FakeClock) -> None:
    """A page reaching back before the claim (less a minute) is the last one read: None."""
    older = others(30, 5, START - timedelta(seconds=61))
    pages = [[*others(2, 20, START), *older], others(40, 25, START - timedelta(hours=1))]
    graph.add_callback(responses.GET, POSTS, callback=paged(pages))
    assert connector(clock).find_existing(POST) is None
    assert len(graph.calls) == 1


def test_find_existing_last_page_of_newer_posts_is_none(graph: Any, clock: FakeClock) -> None:
    """Only newer posts and no `next`: the Page holds nothing older, so the post is not there."""
    graph.add_callback(responses.GET, POSTS, callback=paged([others(2, 25, START)]))
    assert connector(clock).find_existing(POST) is None
    assert len(graph.calls) == 1


def test_find_existing_empty_page_with_next_reads_on(graph: Any, clock: FakeClock) -> None:
    """Graph may answer an empty page that still has `next` (privacy filtering): read on."""
    pages = [[], [row(f"{PAGE}_1", START, link=LINK)]]
    graph.add_callback(responses.GET, POSTS, callback=paged(pages))
    assert connector(clock).find_existing(POST) is not None


def test_find_existing_post_on_the_last_page_allowed_is_found(graph: Any, clock: FakeClock) -> None:
    """The bound: the 10th page is read, and the post on it found."""
    pages = [others(100 + 25 * n, 25, START) for n in range(FIND_PAGES - 1)]
    pages.append([row(f"{PAGE}_1", START, link=LINK)])
    graph.add_callback(responses.GET, POSTS, callback=paged(pages, last_has_next=True))
    assert connector(clock).find_existing(POST) is not None
    assert len(graph.calls) == FIND_PAGES


def test_find_existing_past_the_bound_cannot_tell_yet(graph: Any, clock: FakeClock) -> None:
    """10 full pages of newer posts with more to come: Transient ("cannot tell yet"), never None,
    and no 11th request."""
    pages = [others(100 + 25 * n, 25, START) for n in range(FIND_PAGES + 1)]
    pages[FIND_PAGES].append(row(f"{PAGE}_1", START, link=LINK))
    graph.add_callback(responses.GET, POSTS, callback=paged(pages))
    with pytest.raises(Transient, match="cannot tell yet"):
        connector(clock).find_existing(POST)
    assert len(graph.calls) == FIND_PAGES


def test_duplicate_reads_only_the_latest_page(graph: Any, clock: FakeClock) -> None:
    """A 506 says the same content is the Page's latest post: one page, no paging back."""
    graph.post(FEED, status=400, json=error(506, message="(#506) Duplicate status message"))
    pages = [others(2, 25, START), [row(f"{PAGE}_1", START, link=LINK)]]
    graph.add_callback(responses.GET, POSTS, callback=paged(pages))
    with pytest.raises(Rejected):
        connector(clock).publish(POST)
    assert len(graph.calls) == 2


PHOTO = OutgoingPost(
    post_id=11,
    text="Quảng Trị: khai mạc Techfest 2026\n\n#QuangTri #SoKHCNQuangTri",
    link=LINK,
    cover="https://skhcn.example.gov.vn/anh/techfest.jpg",
    photo=True,
    claimed_at=START,
)


def photo_row(post_id: str, message: str) -> dict[str, object]:
    """A photo post as published_posts shows it: the caption as message, a photo attachment."""
    found = row(post_id, START, message)
    photo = f"https://www.facebook.com/photo.php?fbid={post_id}"
    found["attachments"] = {"data": [{"media_type": "photo", "url": photo}]}
    return found


def test_photo_post_is_found_by_its_caption(graph: Any, clock: FakeClock) -> None:
    """The caption (no link in it, as the bundled template writes) finds the photo post, even
    with Facebook's whitespace; the same text on a post that is not a photo does not."""
    shown = "  Quảng Trị: khai mạc Techfest 2026\n#QuangTri  #SoKHCNQuangTri "
    share = row(f"{PAGE}_2", START, PHOTO.text, link="https://other.vn/x")
    graph.get(POSTS, json={"data": [share, photo_row(f"{PAGE}_3", shown)]})
    assert connector(clock).find_existing(PHOTO) == Published(
        f"{PAGE}_3", f"https://www.facebook.com/{PAGE}_3"
    )


def test_photo_post_with_another_caption_is_not_ours(graph: Any, clock: FakeClock) -> None:
    """Another photo post of the Page (another caption) is not taken for ours."""
    other = photo_row(f"{PAGE}_4", "Quảng Trị: bế mạc Techfest 2026\n\n#QuangTri")
    graph.get(POSTS, json={"data": [other]})
    assert connector(clock).find_existing(PHOTO) is None


def test_link_post_is_not_found_by_its_text_alone(graph: Any, clock: FakeClock) -> None:
    """A link post is recognised by its link: the same message with another link is not ours."""
    message = "Tin mới: khai mạc Techfest Quảng Trị 2026"
    post = OutgoingPost(post_id=12, text=message, link=LINK, claimed_at=START)
    graph.get(POSTS, json={"data": [row(f"{PAGE}_5", START, message, "https://other.vn/x")]})
    assert connector(clock).find_existing(post) is None


def test_redirect_is_never_followed(graph: Any, clock: FakeClock) -> None:
    """A 307 from the Graph URL is not followed (it would carry the token): AuthProblem naming
    the setting and the host only, for a publish and for a lookup."""
    elsewhere = f"https://evil.test/v25.0/{PAGE}/feed?access_token={TOKEN}"
    graph.post(FEED, status=307, headers={"Location": elsewhere})
    graph.get(POSTS, status=302, headers={"Location": elsewhere})
    for call in (connector(clock).publish, connector(clock).find_existing):
        with pytest.raises(AuthProblem, match=r"check channels\.facebook\.graph_url") as raised:
            call(POST)
        assert "evil.test" in str(raised.value) and TOKEN not in str(raised.value)
    assert [c.request.url.split("?")[0] for c in graph.calls] == [FEED, POSTS]


def test_canonical_url_unwraps_the_facebook_shim() -> None:
    """An l.facebook.com link compares as the link it wraps."""
    shim = "https://l.facebook.com/l.php?u=https%3A%2F%2Fskhcn.example.gov.vn%2Ftin-tuc%2Fbai-1%2F&h=AT0"
    assert canonical_url(shim) == canonical_url(LINK)


# -- check ----------------------------------------------------------------------------------


def debug(**data: object) -> dict[str, object]:
    base = {"is_valid": True, "expires_at": 0, "profile_id": PAGE, "type": "PAGE",
            "scopes": ["pages_manage_posts", "pages_read_engagement", "pages_show_list"]}  # fmt: skip
    return {"data": {**base, **data}}


def test_check_healthy_token(graph: Any, clock: FakeClock) -> None:
    """A valid never-expiring page token with both permissions is healthy, checked on itself."""
    graph.get(DEBUG, json=debug())
    health = connector(clock).check()
    assert (health.ok, health.expires_at, health.missing_permissions) == (True, None, ())
    assert sent_query(graph.calls[0])["input_token"] == TOKEN


def test_check_expiring_soon_warns(graph: Any, clock: FakeClock) -> None:
    """A token expiring within a week is still healthy but says when and how to renew."""
    expires = START + timedelta(days=3)
    graph.get(DEBUG, json=debug(expires_at=int(expires.timestamp())))
    health = connector(clock).check()
    assert (health.ok, health.expires_at) == (True, expires)
    assert "SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN" in health.detail


def test_check_expired_token(graph: Any, clock: FakeClock) -> None:
    """An expired token (190/463) is unhealthy, with the fix in one line."""
    graph.get(DEBUG, status=400, json=error(190, 463, message="Session has expired"))
    health = connector(clock).check()
    assert not health.ok
    assert "page token expired" in health.detail
    assert "SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN" in health.detail


def test_check_invalid_token_from_debug_data(graph: Any, clock: FakeClock) -> None:
    """debug_token's is_valid false is unhealthy with its reason."""
    graph.get(DEBUG, json=debug(is_valid=False, error={"code": 190, "message": "revoked"}))
    health = connector(clock).check()
    assert not health.ok
    assert "revoked" in health.detail


def test_check_missing_permission(graph: Any, clock: FakeClock) -> None:
    """A token without pages_manage_posts is unhealthy and names the permission."""
    graph.get(DEBUG, json=debug(scopes=["pages_read_engagement"]))
    health = connector(clock).check()
    assert (health.ok, health.missing_permissions) == (False, ("pages_manage_posts",))
    assert "pages_manage_posts" in health.detail


def test_check_token_of_another_page(graph: Any, clock: FakeClock) -> None:
    """A token issued for another Page is unhealthy."""
    graph.get(DEBUG, json=debug(profile_id="999"))
    assert "not page 1234567890" in connector(clock).check().detail


def test_check_network_failure_raises_classified(graph: Any, clock: FakeClock) -> None:
    """When the check cannot reach Facebook it raises Transient instead of blaming the token."""
    graph.get(DEBUG, body=requests.ConnectTimeout("no"))
    with pytest.raises(Transient):
        connector(clock).check()
