"""Platform secrets never follow a redirect, and API base URLs must be https (loopback excepted).

Each test points a connector at a loopback server answering 307 to a second one, the trap, which
records whatever reaches it: the token, Zalo's `secret_key` header or the refresh token would
arrive there if a redirect were followed (requests keeps custom headers and, on a 307, the body).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from pydantic import ValidationError

from connectors.base import AuthProblem, ConnectorError, OutgoingPost
from connectors.facebook.client import FacebookConnector
from connectors.facebook.settings import FacebookSettings
from connectors.settings import ChannelSettings
from connectors.zalo.client import TokenPair, ZaloConnector
from connectors.zalo.settings import ZaloSettings
from syndicator.config import load_settings
from syndicator.errors import ConfigError
from tests.helpers.clock import FakeClock
from tests.helpers.fake_zalo import InMemoryStepStore, InMemoryTokenStore
from tests.helpers.httpserver import LocalServer, redirect

NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
PAGE, TOKEN, SECRET = "1234567890", "EAAB-page-token-0123456789", "app-secret-XYZ"
LINK = "https://skhcn.quangtri.gov.vn/tin-tuc/bai-viet.html?id=12"
FACEBOOK_PATHS = [f"/v25.0/{PAGE}/{edge}" for edge in ("feed", "published_posts")]
ZALO_PATHS = ["/v4/oa/access_token", "/v2.0/article/create", "/v2.0/oa/getoa"]
MODELS: dict[str, type[ChannelSettings]] = {
    "graph_url": FacebookSettings,
    "api_url": ZaloSettings,
    "oauth_url": ZaloSettings,
}


@pytest.fixture
def trap() -> Iterator[LocalServer]:
    """Where the redirects point: it must never see a request."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def api(trap: LocalServer) -> Iterator[LocalServer]:
    """A platform API that answers every call with 307 to the same path on the trap."""
    with LocalServer() as server:
        for path in FACEBOOK_PATHS + ZALO_PATHS:
            server.route(path, redirect(trap.url(path), 307))
        yield server


def facebook(api: LocalServer) -> FacebookConnector:
    return FacebookConnector(
        requests.Session(),
        graph_url=api.url("").rstrip("/"),
        api_version="v25.0",
        page_id=PAGE,
        page_token=TOKEN,
        app_secret=SECRET,
        timeout=5,
        clock=FakeClock(NOW).now,
    )


def zalo(api: LocalServer, expires_at: datetime) -> tuple[ZaloConnector, InMemoryTokenStore]:
    store = InMemoryTokenStore(TokenPair("at-0", "rt-0", expires_at))
    connector = ZaloConnector(
        requests.Session(),
        api_url=api.url(""),
        oauth_url=api.url(""),
        app_id="4242",
        app_secret=SECRET,
        tokens=store,
        steps=InMemoryStepStore(),
        clock=FakeClock(NOW).now,
        timeout=5,
    )
    return connector, store


def test_facebook_calls_never_follow_a_redirect(api: LocalServer, trap: LocalServer) -> None:
    """Publishing and looking up stop at the 307 (AuthProblem naming graph_url): the trap
    receives neither the token nor the post."""
    post = OutgoingPost(1, "Khai mạc Techfest Quảng Trị 2026", LINK, claimed_at=NOW)
    connector = facebook(api)
    for call in (connector.publish, connector.find_existing):
        with pytest.raises(ConnectorError) as raised:
            call(post)
        assert trap.seen == []
        assert isinstance(raised.value, AuthProblem)
        assert "HTTP 307" in str(raised.value) and "channels.facebook.graph_url" in str(
            raised.value
        )
    assert [seen.path.split("?")[0] for seen in api.seen] == FACEBOOK_PATHS


def test_zalo_refresh_never_follows_a_redirect(api: LocalServer, trap: LocalServer) -> None:
    """The token refresh stops at the 307: the trap never receives the secret_key header or
    the refresh token, and the stored pair is kept."""
    connector, store = zalo(api, NOW + timedelta(minutes=5))  # due: refreshed before a call
    with pytest.raises(AuthProblem) as raised:
        connector.tokens.refresh()
    assert trap.seen == []
    assert "check channels.zalo.oauth_url" in str(raised.value)
    assert "127.0.0.1" in str(raised.value) and SECRET not in str(raised.value)
    assert store.current() == TokenPair("at-0", "rt-0", NOW + timedelta(minutes=5))


def test_zalo_api_calls_never_follow_a_redirect(api: LocalServer, trap: LocalServer) -> None:
    """An article create answered 307 stops there (AuthProblem naming api_url): the trap never
    receives the access token or the article."""
    connector, _ = zalo(api, NOW + timedelta(hours=20))
    article = OutgoingPost(
        2, "Nội dung", title="Khai mạc Techfest Quảng Trị 2026", cover=f"{LINK}&anh=1"
    )
    with pytest.raises(AuthProblem) as raised:
        connector.publish(article)
    assert trap.seen == []
    assert "check channels.zalo.api_url" in str(raised.value)
    assert not connector.check().ok
    assert trap.seen == []


@pytest.mark.parametrize(
    "url",
    [
        "https://graph.facebook.com",
        "HTTPS://graph.facebook.com",
        "http://127.0.0.1:8080",
        "http://127.45.6.7",
        "http://[::1]:9000",
        "http://localhost:8080",
    ],
)
@pytest.mark.parametrize("key", ["graph_url", "api_url", "oauth_url"])
def test_api_urls_are_https_or_loopback(key: str, url: str) -> None:
    """https anywhere; plain http only to a loopback host (the fakes in tests)."""
    MODELS[key].model_validate({key: url})


@pytest.mark.parametrize(
    "url",
    [
        "http://graph.facebook.com",
        "http://10.0.0.5:8080",
        "http://128.0.0.1",
        "http://localhost.example.vn",
        "http://[::2]",
    ],
)
@pytest.mark.parametrize("key", ["graph_url", "api_url", "oauth_url"])
def test_plain_http_elsewhere_is_refused(key: str, url: str) -> None:
    """Plain http to any other host would carry tokens in the clear: refused."""
    with pytest.raises(ValidationError, match="must be an https URL"):
        MODELS[key].model_validate({key: url})


def test_plain_http_api_url_is_one_config_line(tmp_path: Path) -> None:
    """In settings.toml, the error is one line naming the key and the fix."""
    path = tmp_path / "settings.toml"
    path.write_text('[channels.zalo]\napi_url = "http://openapi.zalo.me"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(path, environ={})
    message = str(raised.value)
    assert "channels.zalo.api_url: 'http://openapi.zalo.me' must be an https URL" in message
    assert "\n" not in message
