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
from structlog.testing import capture_logs

from connectors.base import (
    Ambiguous,
    AuthProblem,
    OutgoingPost,
    RateLimited,
    Rejected,
    Transient,
)
from connectors.zalo import errors as zalo_errors
from connectors.zalo.article import CLOCK_SLACK, made_before
from connectors.zalo.client import TokenPair, ZaloConnector
from connectors.zalo.tokens import ZaloTokens, redact
from tests.helpers.clock import FakeClock
from tests.helpers.fake_zalo import InMemoryStepStore, InMemoryTokenStore

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
    *,
    now: datetime = DAY,
    expires_in: timedelta = timedelta(hours=20),
    seeded: bool = True,
    **options: object,
) -> tuple[ZaloConnector, InMemoryTokenStore, InMemoryStepStore]:
    """A connector on fake stores, holding a pair that expires in `expires_in` unless not
    `seeded` (no refresh token given yet)."""
    pair = TokenPair("at-old", "rt-old", now + expires_in) if seeded else None
    tokens = InMemoryTokenStore(pair)
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
    ("status", "kind"), [(500, Transient), (599, Transient), (499, AuthProblem)]
)
def test_refresh_in_doubt_from_http_500_refused_below_it(
    mocked: responses.RequestsMock, status: int, kind: type[Exception]
) -> None:
    """HTTP 500 is the first status that may mean the refresh reached Zalo (in doubt, Transient:
    no re-consent asked for); a 4xx is a refusal (AuthProblem). Either way the pair is kept."""
    zalo, tokens, _ = connector()
    before = tokens.current()
    mocked.post(REFRESH_URL, status=status, body="<html>Internal Server Error</html>")
    with pytest.raises(kind, match="stored pair is kept"):
        zalo.tokens.refresh()
    assert tokens.current() == before and tokens.replaced == 0


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
    zalo, _, _ = connector(seeded=False, channel="zalo_tinh")
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


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        ((21, 59, 59, 999999), False),
        ((22, 0, 0, 0), True),
        ((5, 59, 59, 999999), True),
        ((6, 0, 0, 0), False),
    ],
)
def test_quiet_hours_run_from_ten_at_night_to_six_in_the_morning_vietnam_time(
    local: tuple[int, int, int, int], quiet: bool
) -> None:
    """22:00 is the first quiet instant and 06:00 the first allowed one (UTC+7)."""
    hour, minute, second, micro = local
    at = datetime(2026, 11, 2, hour, minute, second, micro, tzinfo=zalo_errors.VIETNAM)
    assert zalo_errors.in_quiet_hours(at.astimezone(UTC)) is quiet


def test_until_morning_counts_to_six_sharp_and_from_six_to_the_next_six() -> None:
    """The wait ends at 06:00:00.000000 local, whatever the seconds now; at 06:00 it is a day."""
    night = datetime(2026, 11, 2, 22, 0, 30, 500000, tzinfo=zalo_errors.VIETNAM)
    assert zalo_errors.until_morning(night) == timedelta(hours=7, minutes=59, seconds=29.5)
    six = datetime(2026, 11, 3, 6, 0, tzinfo=zalo_errors.VIETNAM)
    assert zalo_errors.until_morning(six) == timedelta(days=1)


REFUSAL_TAIL = (
    "; the stored pair is kept. If the refresh token was used or is older than 3 months,"
    " re-consent the OA (API Explorer → OA Access Token) and set"
    " SYNDICATOR_CHANNELS__ZALO__REFRESH_TOKEN once"
)


@pytest.mark.parametrize(
    ("answer", "head"),
    [
        (
            {"error_name": "Invalid refresh token", "error_description": "used or expired",
             "error": "invalid_grant", "message": "ignored", "error_reason": "rotated"},
            "Invalid refresh token: used or expired (rotated)",
        ),
        (
            {"error": "invalid_grant", "message": "Refresh token đã hết hạn"},
            "invalid_grant: Refresh token đã hết hạn",
        ),
        ({"expires_in": "90000"}, "no access_token in the answer: "),
    ],
)  # fmt: skip
def test_a_refusal_quotes_zalos_words_and_says_how_to_re_consent(
    mocked: responses.RequestsMock, answer: dict[str, str], head: str
) -> None:
    """The AuthProblem quotes Zalo's error name, description and reason (the documented names
    first, the OAuth ones else) and ends with the re-consent steps; it is logged as refused."""
    zalo, _, _ = connector()
    mocked.post(REFRESH_URL, json=answer)
    with capture_logs() as logs, pytest.raises(AuthProblem) as caught:
        zalo.tokens.refresh()
    assert str(caught.value) == f"Zalo refused the token refresh: {head}{REFUSAL_TAIL}"
    assert {"event": "token.refresh_refused", "status": "refused", "channel": "zalo"}.items() <= (
        logs[-1].items()
    )
    assert logs[-1]["error"] == head.split(":")[0]


def test_a_long_refusal_is_cut_to_400_characters_before_the_re_consent_steps(
    mocked: responses.RequestsMock,
) -> None:
    """Zalo's own words are capped at 400 characters; the steps after them are never cut."""
    zalo, _, _ = connector()
    mocked.post(REFRESH_URL, json={"error_name": "Lỗi", "error_description": "chi tiết " * 80})
    with pytest.raises(AuthProblem) as caught:
        zalo.tokens.refresh()
    text = str(caught.value)
    assert text.endswith(REFUSAL_TAIL) and len(text) == 400 + len(REFUSAL_TAIL)


def test_an_in_doubt_refresh_is_logged_with_what_failed(mocked: responses.RequestsMock) -> None:
    """The operator's log names the failed refresh, its channel and the cause."""
    zalo, _, _ = connector()
    mocked.post(REFRESH_URL, status=503, body="busy")
    with capture_logs() as logs, pytest.raises(Transient):
        zalo.tokens.refresh()
    assert logs[-1] == {
        "event": "token.refresh_failed",
        "log_level": "warning",
        "status": "in_doubt",
        "channel": "zalo",
        "error": "HTTP 503",
    }


def test_without_a_stored_pair_the_error_says_how_to_seed_one() -> None:
    """No pair yet: the AuthProblem names the variable and where the token comes from."""
    zalo, _, _ = connector(seeded=False)
    with pytest.raises(AuthProblem) as caught:
        zalo.tokens.access_token()
    assert str(caught.value) == (
        "no Zalo token: set SYNDICATOR_CHANNELS__ZALO__REFRESH_TOKEN once (API Explorer → OA"
        " Access Token); the database keeps the rotating pair afterwards"
    )


def test_a_token_already_replaced_by_another_worker_is_not_refreshed_again(
    mocked: responses.RequestsMock,
) -> None:
    """Zalo refused a token another worker has since replaced: the stored one is handed out and
    the single-use refresh token is not spent."""
    zalo, tokens, _ = connector()
    assert zalo.tokens.refresh_rejected("at-older") == "at-old"
    assert not mocked.calls and tokens.replaced == 0


@pytest.mark.parametrize(
    ("code", "message", "kind", "wait"),
    [
        (-214, "Media đang được xử lý", zalo_errors.StillProcessing, None),
        (-223, "Your OA has reach the QUOTA create article", RateLimited, timedelta(hours=24)),
        (-223, "Exceeded the LIMIT of articles", RateLimited, timedelta(hours=24)),
        (-223, "Official Account has not authorized this API", AuthProblem, None),
        (-211, "Out of quota", RateLimited, timedelta(hours=24)),
        (-218, "Vượt hạn mức", RateLimited, timedelta(hours=24)),
        (-234, "cannot be sent at night", RateLimited, timedelta(hours=6, minutes=30)),
    ],
)
def test_zalo_error_table_kinds_waits_and_words(
    code: int, message: str, kind: type[Exception], wait: timedelta | None
) -> None:
    """Each code's kind and wait (a -223 is a quota when Zalo's words say quota or limit, in any
    case); the error keeps Zalo's code and words."""
    found = zalo_errors.classify(code, message, NIGHT)
    assert type(found) is kind
    assert str(found).startswith(f"Zalo error {code}: {message}")
    assert getattr(found, "retry_after", None) == wait


@pytest.mark.parametrize("status", [300, 302, 399])
def test_a_redirect_from_the_oauth_host_is_not_followed_and_keeps_the_pair(
    mocked: responses.RequestsMock, status: int
) -> None:
    """A 3xx would carry the app secret and the refresh token elsewhere: the request is sent
    once, with the secret in its header and a timeout, and nothing is followed."""
    zalo, tokens, _ = connector()
    before = tokens.current()
    trap = "https://trap.example.net/steal"
    mocked.post(REFRESH_URL, status=status, headers={"Location": trap})
    mocked.post(trap, json=rotated())
    with pytest.raises(AuthProblem) as caught:
        zalo.tokens.refresh()
    assert str(caught.value) == (
        f"Zalo OAuth answered HTTP {status} (a redirect to trap.example.net); API calls never"
        " follow redirects, so nothing was sent on: check channels.zalo.oauth_url; the stored"
        " pair is kept"
    )
    (call,) = mocked.calls
    assert call.request.headers["secret_key"] == SECRET
    assert call.request.req_kwargs["timeout"] is not None
    assert tokens.current() == before and tokens.replaced == 0


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (200, Transient, "Zalo token refresh failed (an answer that is not JSON); the stored pair is kept"),
        (400, AuthProblem, "Zalo refused the token refresh: HTTP 400: ; the stored pair is kept"),
        (503, Transient, "Zalo token refresh failed (HTTP 503); the stored pair is kept"),
    ],
)  # fmt: skip
def test_an_answer_that_is_not_json_is_in_doubt_only_when_it_says_200(
    mocked: responses.RequestsMock, status: int, kind: type[Exception], words: str
) -> None:
    """A 200 that is not JSON may have spent the token (in doubt); a 4xx page is a refusal."""
    zalo, tokens, _ = connector()
    mocked.post(REFRESH_URL, status=status, body="<html>Cổng OAuth đang bảo trì</html>")
    with pytest.raises(kind) as caught:
        zalo.tokens.refresh()
    assert str(caught.value).startswith(words)
    assert tokens.replaced == 0


def test_a_lost_refresh_names_the_network_error(mocked: responses.RequestsMock) -> None:
    zalo, _, _ = connector()
    mocked.post(REFRESH_URL, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(Transient) as caught:
        zalo.tokens.refresh()
    assert str(caught.value) == "Zalo token refresh failed (ReadTimeout); the stored pair is kept"


@pytest.mark.parametrize(
    "answer",
    [
        {"access_token": "", "refresh_token": "rt-new", "expires_in": "90000"},
        {"refresh_token": "rt-new", "expires_in": "90000"},
        {"access_token": "at-new", "refresh_token": 12345, "expires_in": "90000"},
    ],
)
def test_an_answer_without_both_tokens_as_text_overwrites_nothing(
    mocked: responses.RequestsMock, answer: dict[str, object]
) -> None:
    zalo, tokens, _ = connector()
    before = tokens.current()
    mocked.post(REFRESH_URL, json=answer)
    with pytest.raises(AuthProblem):
        zalo.tokens.refresh()
    assert tokens.current() == before and tokens.replaced == 0


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [
        ("90000", timedelta(seconds=90000)),
        (3600, timedelta(hours=1)),
        ("soon", timedelta(hours=25)),
    ],
)
def test_the_new_access_token_lives_as_long_as_zalo_says_else_25_hours(
    mocked: responses.RequestsMock, expires_in: object, lifetime: timedelta
) -> None:
    zalo, tokens, _ = connector()
    mocked.post(REFRESH_URL, json={**rotated(), "expires_in": expires_in})
    pair = zalo.tokens.refresh()
    assert pair.expires_at == DAY + lifetime and pair.issued_at == DAY
    assert tokens.current() == pair


@pytest.mark.parametrize(
    ("expires_in", "refreshed"),
    [(timedelta(hours=1), False), (timedelta(hours=1) - timedelta(seconds=1), True)],
)
def test_a_token_expiring_exactly_at_the_margin_is_kept_a_second_sooner_is_refreshed(
    mocked: responses.RequestsMock, expires_in: timedelta, refreshed: bool
) -> None:
    """The refresh margin (an hour) is the edge: a token with an hour left is still used."""
    zalo, _, _ = connector(expires_in=expires_in, refresh_margin=timedelta(hours=1))
    mocked.post(REFRESH_URL, json=rotated())
    assert zalo.tokens.access_token() == ("at-new" if refreshed else "at-old")
    assert len(mocked.calls) == int(refreshed)


def tokens_alone(store: InMemoryTokenStore, oauth_url: str = OAUTH) -> ZaloTokens:
    """ZaloTokens on its own, with its default channel name."""
    return ZaloTokens(
        requests.Session(),
        oauth_url=oauth_url,
        app_id="4242",
        app_secret=SECRET,
        store=store,
        clock=FakeClock(DAY).now,
        timeout=5,
        margin=timedelta(hours=1),
    )


def test_an_oauth_url_ending_in_a_slash_reaches_the_token_endpoint(
    mocked: responses.RequestsMock,
) -> None:
    """ "https://oauth.zalo.test/" and "https://oauth.zalo.test" call the same endpoint."""
    store = InMemoryTokenStore(TokenPair("at-old", "rt-old", DAY + timedelta(hours=20)))
    mocked.post(REFRESH_URL, json=rotated())
    assert tokens_alone(store, OAUTH + "/").refresh().access_token == "at-new"
    assert mocked.calls[0].request.url == REFRESH_URL


def test_a_refresh_without_a_stored_pair_says_how_to_seed_the_zalo_channel() -> None:
    """Asked to refresh before any pair is stored (`tokens refresh` on a new install): the
    message names the default channel's variable; nothing is sent; only the app secret is
    held."""
    tokens = tokens_alone(InMemoryTokenStore())
    with pytest.raises(AuthProblem) as caught:
        tokens.refresh()
    assert str(caught.value) == (
        "no Zalo token: set SYNDICATOR_CHANNELS__ZALO__REFRESH_TOKEN once (API Explorer → OA"
        " Access Token); the database keeps the rotating pair afterwards"
    )
    assert tokens.secrets() == (SECRET,) and tokens.channel == "zalo"


class ChangedMeanwhile(InMemoryTokenStore):
    """A store whose pair another writer changed during the exchange (not under its lock)."""

    def replace(self, old_refresh_token: str, new: TokenPair) -> None:
        raise LookupError("the refresh token is no longer current")


def test_a_store_changed_during_the_refresh_is_transient_and_says_so(
    mocked: responses.RequestsMock,
) -> None:
    """The exchange succeeded but the store no longer holds the pair it replaced: a Transient
    that says what happened and what is used from now on."""
    store = ChangedMeanwhile(TokenPair("at-old", "rt-old", DAY + timedelta(hours=20)))
    mocked.post(REFRESH_URL, json=rotated())
    with pytest.raises(Transient) as caught:
        tokens_alone(store).refresh()
    assert str(caught.value) == (
        "Zalo token store changed during a refresh (not under its lock?); "
        "the stored pair is used from now on"
    )


def test_redact_replaces_each_secret_with_three_stars() -> None:
    """Exactly "***" in place of each secret; an empty secret replaces nothing."""
    text = "Zalo trả lời: refresh token rt-old của ứng dụng app-secret-XYZ không hợp lệ"
    assert redact(text, ("rt-old", "", SECRET)) == (
        "Zalo trả lời: refresh token *** của ứng dụng *** không hợp lệ"
    )
