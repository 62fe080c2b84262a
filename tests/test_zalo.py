"""Unit tests of the Zalo OA connector, with HTTP mocked by `responses`."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
import requests
import responses

from connectors.base import (
    Ambiguous,
    AuthProblem,
    OutgoingPost,
    RateLimited,
    Rejected,
    Transient,
)
from connectors.zalo import TokenPair, ZaloConnector
from connectors.zalo_article import CLOCK_SLACK, made_before
from tests.conftest import FakeClock
from tests.fake_zalo import InMemoryStepStore, InMemoryTokenStore

API, OAUTH = "https://openapi.zalo.test", "https://oauth.zalo.test"
REFRESH_URL = f"{OAUTH}/v4/oa/access_token"
SECRET = "app-secret-XYZ"
DAY = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # 10:00 in Hanoi
NIGHT = datetime(2026, 11, 2, 16, 30, tzinfo=UTC)  # 23:30 in Hanoi
POST = OutgoingPost(
    post_id=7,
    text="Dòng một\nDòng <hai>",
    title=unicodedata.normalize("NFD", "  Tỉnh triển khai chuyển đổi số  "),
    author="Sở KH&CN",
    description="Tóm tắt",
    cover="https://portal.example.gov.vn/anh.jpg",
)


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def connector(
    *, now: datetime = DAY, expires_in: timedelta = timedelta(hours=20), **options: object
) -> tuple[ZaloConnector, InMemoryTokenStore, InMemoryStepStore]:
    tokens = InMemoryTokenStore(TokenPair("at-old", "rt-old", now + expires_in))
    steps = InMemoryStepStore()
    zalo = ZaloConnector(
        requests.Session(),
        api_url=API,
        oauth_url=OAUTH,
        app_id="4242",
        app_secret=SECRET,
        tokens=tokens,
        steps=steps,
        clock=FakeClock(now).now,
        **options,  # type: ignore[arg-type]
    )
    return zalo, tokens, steps


def ok(data: dict[str, object]) -> dict[str, object]:
    return {"data": data, "error": 0, "message": "Success"}


def rotated() -> dict[str, object]:
    return {"access_token": "at-new", "refresh_token": "rt-new", "expires_in": "90000"}


def published_route(mocked: responses.RequestsMock) -> None:
    mocked.post(f"{API}/v2.0/article/create", json=ok({"token": "tok-1"}))
    mocked.post(f"{API}/v2.0/article/verify", json=ok({"id": "a1"}))
    mocked.get(f"{API}/v2.0/article/getdetail", json=ok({"id": "a1", "link_view": "https://z/a1"}))


def test_refresh_rotates_and_stores_the_new_pair(mocked: responses.RequestsMock) -> None:
    """A refresh sends the documented form and secret header, and stores the rotated pair."""
    zalo, tokens, _ = connector()
    mocked.post(REFRESH_URL, json=rotated())
    zalo.tokens.refresh()
    assert tokens.current() == TokenPair("at-new", "rt-new", DAY + timedelta(seconds=90000), DAY)
    sent = mocked.calls[0].request
    assert sent.headers["secret_key"] == SECRET and "Authorization" not in sent.headers
    assert parse_qs(str(sent.body)) == {
        "refresh_token": ["rt-old"],
        "app_id": ["4242"],
        "grant_type": ["refresh_token"],
    }


def test_token_due_within_margin_is_refreshed_before_the_call(
    mocked: responses.RequestsMock,
) -> None:
    """An access token expiring within the margin is refreshed first and the new one is sent bare."""
    zalo, _, _ = connector(expires_in=timedelta(minutes=30))
    mocked.post(REFRESH_URL, json=rotated())
    published_route(mocked)
    assert zalo.publish(POST).remote_id == "a1"
    assert mocked.calls[1].request.headers["access_token"] == "at-new"
    assert len([c for c in mocked.calls if c.request.url == REFRESH_URL]) == 1


def test_answer_without_access_token_keeps_the_stored_pair(mocked: responses.RequestsMock) -> None:
    """An OAuth error answered with HTTP 200 is an AuthProblem asking for re-consent; nothing is overwritten."""
    zalo, tokens, _ = connector()
    before = tokens.current()
    refusal = {"error_name": "Invalid refresh token", "error_description": "used or expired"}
    mocked.post(REFRESH_URL, json=refusal)
    with pytest.raises(AuthProblem, match="Invalid refresh token: used or expired") as caught:
        zalo.tokens.refresh()
    assert "re-consent" in str(caught.value) and "REFRESH_TOKEN" in str(caught.value)
    assert tokens.current() == before and tokens.replaced == 0


@pytest.mark.parametrize(
    "failure",
    [requests.ReadTimeout("read timed out"), requests.ConnectionError("reset")],
)
def test_refresh_network_failure_keeps_the_pair(
    mocked: responses.RequestsMock, failure: Exception
) -> None:
    """A refresh lost in the network is Transient and the stored pair stays for the next attempt."""
    zalo, tokens, _ = connector()
    before = tokens.current()
    mocked.post(REFRESH_URL, body=failure)
    with pytest.raises(Transient, match="stored pair is kept"):
        zalo.tokens.refresh()
    assert tokens.current() == before


def test_refresh_server_error_keeps_the_pair(mocked: responses.RequestsMock) -> None:
    """A 5xx from the OAuth host is Transient and overwrites nothing."""
    zalo, tokens, _ = connector()
    mocked.post(REFRESH_URL, status=502, body="bad gateway")
    with pytest.raises(Transient):
        zalo.tokens.refresh()
    assert tokens.replaced == 0


@pytest.mark.parametrize(
    ("code", "message", "kind"),
    [
        (-32, "Your OA reached limit call api", RateLimited),
        (-201, "title is invalid!", Rejected),
        (-210, "Parameter exceeds allowable limit", Rejected),
        (-248, "Violates our platform standards", Rejected),
        (-223, "Your OA has reach the limit quota create article", RateLimited),
        (-223, "Official Account has not authorized this API", AuthProblem),
        (-224, "The OA needs to upgrade OA Tier Package", AuthProblem),
        (-204, "Offical Account is disable", AuthProblem),
        (-211, "Out of quota", RateLimited),
        (-200, "Send message failed", Transient),
        (-999, "Something new", Rejected),
    ],
)
def test_error_codes_are_classified(
    mocked: responses.RequestsMock, code: int, message: str, kind: type[Exception]
) -> None:
    """An error arriving with HTTP 200 is classified by the research's table, keeping Zalo's message."""
    zalo, _, steps = connector()
    mocked.post(f"{API}/v2.0/article/create", json={"error": code, "message": message})
    with pytest.raises(kind, match=message) as caught:
        zalo.publish(POST)
    assert type(caught.value) is kind or issubclass(type(caught.value), kind)
    assert steps.load(POST.post_id) == {}


def test_quota_waits_a_day_and_rate_limit_has_no_estimate(mocked: responses.RequestsMock) -> None:
    """The article quota pauses the channel for a day; the per-minute limit (-32) names no
    time, so the publisher's short, growing pause applies."""
    zalo, _, _ = connector()
    create = f"{API}/v2.0/article/create"
    mocked.post(create, json={"error": -223, "message": "Your OA has reach the limit quota"})
    with pytest.raises(RateLimited) as quota:
        zalo.publish(POST)
    mocked.replace(responses.POST, create, json={"error": -32, "message": "limit call api"})
    with pytest.raises(RateLimited) as minute:
        zalo.publish(POST)
    assert quota.value.retry_after == timedelta(hours=24)
    assert minute.value.retry_after is None  # no estimate: the publisher's growing pause


def test_night_refusal_waits_until_six(mocked: responses.RequestsMock) -> None:
    """-234 (no sending at night) pauses until 06:00 Vietnam time."""
    zalo, _, _ = connector(now=NIGHT)
    mocked.post(
        f"{API}/v2.0/article/create", json={"error": -234, "message": "cannot be sent at night"}
    )
    with pytest.raises(RateLimited) as caught:
        zalo.publish(POST)
    assert caught.value.retry_after == timedelta(hours=6, minutes=30)


def test_rejected_token_is_refreshed_once_then_auth_problem(mocked: responses.RequestsMock) -> None:
    """A refused access token triggers one refresh and one repeat, then AuthProblem."""
    zalo, tokens, _ = connector()
    mocked.post(REFRESH_URL, json=rotated())
    mocked.post(
        f"{API}/v2.0/article/create", json={"error": -216, "message": "Access token is invalid"}
    )
    with pytest.raises(AuthProblem, match="-216") as caught:
        zalo.publish(POST)
    urls = [call.request.url for call in mocked.calls]
    assert urls.count(REFRESH_URL) == 1 and urls.count(f"{API}/v2.0/article/create") == 2
    assert "after a token refresh" in str(caught.value)
    assert tokens.current() is not None and tokens.current().access_token == "at-new"  # type: ignore[union-attr]


def test_rejected_token_then_success_after_refresh(mocked: responses.RequestsMock) -> None:
    """-124 once, a refresh, and the repeated call goes through with the new token."""
    zalo, _, _ = connector()
    mocked.post(REFRESH_URL, json=rotated())
    create = f"{API}/v2.0/article/create"
    mocked.post(create, json={"error": -124, "message": "Access token invalid"})
    mocked.post(create, json=ok({"token": "tok-1"}))
    mocked.post(f"{API}/v2.0/article/verify", json=ok({"id": "a1"}))
    mocked.get(f"{API}/v2.0/article/getdetail", json=ok({"link_view": "https://z/a1"}))
    assert zalo.publish(POST).remote_id == "a1"
    creates = [c for c in mocked.calls if c.request.url == create]
    assert [c.request.headers["access_token"] for c in creates] == ["at-old", "at-new"]


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ({"body": requests.ReadTimeout("read timed out")}, Ambiguous),
        ({"body": requests.ConnectionError("Connection reset by peer")}, Ambiguous),
        ({"status": 503, "body": "unavailable"}, Ambiguous),
        ({"body": requests.ConnectTimeout("connect timed out")}, Transient),
    ],
)
def test_create_failures_after_sending_are_ambiguous(
    mocked: responses.RequestsMock, answer: dict[str, object], kind: type[Exception]
) -> None:
    """A timeout, reset or 5xx once create was sent is Ambiguous (never retried); a connect timeout is Transient."""
    zalo, _, steps = connector()
    mocked.post(f"{API}/v2.0/article/create", **answer)
    with pytest.raises(kind) as caught:
        zalo.publish(POST)
    assert type(caught.value) is kind
    assert len(mocked.calls) == 1 and steps.load(POST.post_id) == {}


def test_verify_timeout_is_transient(mocked: responses.RequestsMock) -> None:
    """verify is idempotent: a timeout there is a plain Transient, and the token stays saved."""
    zalo, _, steps = connector()
    mocked.post(f"{API}/v2.0/article/create", json=ok({"token": "tok-1"}))
    mocked.post(f"{API}/v2.0/article/verify", body=requests.ReadTimeout("slow"))
    with pytest.raises(Transient) as caught:
        zalo.publish(POST)
    assert not isinstance(caught.value, Ambiguous)
    assert steps.load(POST.post_id) == {"token": "tok-1"}


def test_processing_until_the_verify_budget_is_spent(mocked: responses.RequestsMock) -> None:
    """-214 is Transient until verify_attempts are used up, then Ambiguous; create is sent once."""
    zalo, _, steps = connector(verify_attempts=2)
    mocked.post(f"{API}/v2.0/article/create", json=ok({"token": "tok-1"}))
    mocked.post(
        f"{API}/v2.0/article/verify", json={"error": -214, "message": "Article is being processed"}
    )
    with pytest.raises(Transient, match="verification 1 of 2"):
        zalo.publish(POST)
    with pytest.raises(Ambiguous, match="token is kept"):
        zalo.publish(POST)
    assert len([c for c in mocked.calls if str(c.request.url).endswith("/create")]) == 1
    assert steps.load(POST.post_id)["verify_tries"] == "2"


def test_article_body_follows_the_documented_shape(mocked: responses.RequestsMock) -> None:
    """create gets an NFC, trimmed title, a shown photo cover and HTML paragraphs from the text."""
    zalo, _, steps = connector()
    published_route(mocked)
    published = zalo.publish(POST)
    sent = json.loads(mocked.calls[0].request.body or b"{}")
    assert sent == {
        "type": "normal",
        "title": "Tỉnh triển khai chuyển đổi số",
        "author": "Sở KH&CN",
        "description": "Tóm tắt",
        "cover": {"cover_type": "photo", "photo_url": POST.cover, "status": "show"},
        "body": [
            {"type": "text", "content": "<p>Dòng một</p>"},
            {"type": "text", "content": "<p>Dòng &lt;hai&gt;</p>"},
        ],
        "status": "show",
        "comment": "show",
    }
    assert (published.remote_id, published.url) == ("a1", "https://z/a1")
    assert steps.load(POST.post_id) == {"token": "tok-1", "article_id": "a1"}


def test_missing_cover_is_rejected_without_a_request(mocked: responses.RequestsMock) -> None:
    """Zalo requires a cover, so a post without one fails before anything is sent."""
    zalo, _, _ = connector()
    with pytest.raises(Rejected, match="cover"):
        zalo.publish(OutgoingPost(post_id=1, text="x", title="t"))
    assert len(mocked.calls) == 0


def test_secrets_never_appear_in_errors_or_repr(mocked: responses.RequestsMock) -> None:
    """The app secret and tokens stay out of reprs and of messages even when Zalo echoes them."""
    zalo, tokens, _ = connector()
    echo = f"bad token at-old with {SECRET}"
    mocked.post(f"{API}/v2.0/article/create", json={"error": -201, "message": echo})
    with pytest.raises(Rejected) as rejected:
        zalo.publish(POST)
    mocked.post(
        REFRESH_URL, json={"error_name": "Invalid", "error_description": "rt-old " + SECRET}
    )
    with pytest.raises(AuthProblem) as refused:
        zalo.tokens.refresh()
    shown = [str(rejected.value), str(refused.value), repr(zalo), repr(tokens.current())]
    for secret in (SECRET, "at-old", "rt-old"):
        assert not any(secret in text for text in shown), secret


def test_broadcast_is_skipped_in_quiet_hours(mocked: responses.RequestsMock) -> None:
    """At 23:30 in Vietnam the article is published and the broadcast skipped with a note."""
    zalo, _, steps = connector(now=NIGHT, broadcast=True)
    published_route(mocked)
    assert zalo.publish(POST).remote_id == "a1"
    assert not any("/oa/message" in str(c.request.url) for c in mocked.calls)
    assert steps.load(POST.post_id)["broadcast"].startswith("skipped: quiet hours")


def test_broadcast_sends_the_article_once_in_daytime(mocked: responses.RequestsMock) -> None:
    """In daytime the article id is broadcast in a media template and the message id saved, once."""
    zalo, _, steps = connector(broadcast=True)
    published_route(mocked)
    mocked.post(f"{API}/v2.0/oa/message", json=ok({"message_id": "m9"}))
    zalo.publish(POST)
    zalo.publish(POST)
    messages = [c for c in mocked.calls if str(c.request.url).endswith("/oa/message")]
    assert len(messages) == 1
    payload = json.loads(messages[0].request.body or b"{}")["message"]["attachment"]["payload"]
    assert payload["elements"] == [{"media_type": "article", "attachment_id": "a1"}]
    assert steps.load(POST.post_id)["message_id"] == "m9"


def test_find_existing_uses_the_saved_article_id(mocked: responses.RequestsMock) -> None:
    """A post whose article id is saved is found without searching the OA."""
    zalo, _, steps = connector()
    steps.save(POST.post_id, "article_id", "a5")
    mocked.get(f"{API}/v2.0/article/getdetail", json=ok({"link_view": "https://z/a5"}))
    assert zalo.find_existing(POST) is not None
    assert not any("getslice" in str(c.request.url) for c in mocked.calls)


def test_check_without_token_says_how_to_seed() -> None:
    """With no stored pair, check names the environment variable to set."""
    zalo = ZaloConnector(
        requests.Session(),
        api_url=API,
        oauth_url=OAUTH,
        app_id="1",
        app_secret=SECRET,
        tokens=InMemoryTokenStore(),
        steps=InMemoryStepStore(),
        clock=FakeClock(DAY).now,
        channel="zalo_tinh",
    )
    health = zalo.check()
    assert not health.ok and "SYNDICATOR_CHANNELS__ZALO_TINH__REFRESH_TOKEN" in health.detail


def test_check_reports_a_refused_token(mocked: responses.RequestsMock) -> None:
    """check is not ok when getoa keeps refusing the token after a refresh."""
    zalo, _, _ = connector()
    mocked.post(REFRESH_URL, json=rotated())
    mocked.get(f"{API}/v2.0/oa/getoa", json={"error": -216, "message": "Access token is invalid"})
    health = zalo.check()
    assert not health.ok and "-216" in health.detail and health.expires_at is not None


def test_made_before_the_attempt_is_exact_at_the_clock_slack() -> None:
    """An article stamped exactly the slack before the attempt may still be ours (Zalo's clock
    may run behind); one millisecond earlier it is older, and ends find_existing's search."""
    edge = int((DAY - CLOCK_SLACK).timestamp() * 1000)
    assert not made_before({"create_date": edge}, DAY)
    assert made_before({"create_date": edge - 1}, DAY)
    assert not made_before({"create_date": str(edge - 1)}, DAY)  # not epoch ms: unknown age
    assert not made_before({"create_date": edge - 1}, None)
