"""Stored OAuth pairs: encrypted at rest, replaced atomically, never silently reset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import responses
from sqlalchemy import Engine

from connectors.base import AuthProblem, Transient
from connectors.zalo.tokens import OAUTH_PATH, TokenPair, ZaloTokens
from storage.models import ChannelToken
from storage.session import reading
from storage.tokens import SqlTokenStore, TokenKeyMismatch
from syndicator.ops.keys import derived_fernet

NOW = datetime(2026, 11, 1, tzinfo=UTC)
OAUTH = "https://oauth.zaloapp.com"


@dataclass(frozen=True)
class Pair:
    access_token: str
    refresh_token: str
    expires_at: datetime


def store(
    engine: Engine, tmp_path: Path, key: str = "k" * 40, make_pair: type = Pair
) -> SqlTokenStore:
    return SqlTokenStore(
        engine,
        "zalo",
        derived_fernet(key.encode(), "tokens"),
        tmp_path / "zalo.lock",
        make_pair,
        lambda: NOW,
    )


def test_seed_current_and_encrypted_at_rest(engine: Engine, tmp_path: Path) -> None:
    """A seeded pair reads back whole, and the table holds no token in clear."""
    tokens = store(engine, tmp_path)
    assert tokens.current() is None
    assert tokens.seed(Pair("AT-secret", "RT-secret", NOW + timedelta(hours=25)))
    assert not tokens.seed(Pair("other", "other", NOW))  # never overwrites a stored pair
    assert tokens.current() == Pair("AT-secret", "RT-secret", NOW + timedelta(hours=25))
    with reading(engine) as session:
        row = session.get(ChannelToken, "zalo")
    assert row is not None and "secret" not in row.access_token_enc + row.refresh_token_enc


def test_replace_checks_the_old_refresh_token(engine: Engine, tmp_path: Path) -> None:
    """Replacing needs the current refresh token; a stale one changes nothing."""
    tokens = store(engine, tmp_path)
    tokens.seed(Pair("AT1", "RT1", NOW))
    with tokens.refreshing():
        tokens.replace("RT1", Pair("AT2", "RT2", NOW + timedelta(hours=25)))
    with pytest.raises(LookupError):
        tokens.replace("RT1", Pair("AT3", "RT3", NOW))
    assert tokens.current().refresh_token == "RT2"


def test_wrong_master_key_is_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    """Tokens saved under one key cannot be read under another, and are left untouched."""
    store(engine, tmp_path).seed(Pair("AT", "RT", NOW))
    with pytest.raises(TokenKeyMismatch) as refused:
        store(engine, tmp_path, key="x" * 40).current()
    assert str(refused.value) == (
        "the stored zalo tokens cannot be decrypted with this SYNDICATOR_SECRET_KEY: restore the"
        " key they were saved with (var/secret.key or the environment); the tokens were left"
        " untouched"
    )
    assert store(engine, tmp_path).current().refresh_token == "RT"


def sealed(engine: Engine) -> tuple[str, str]:
    """The stored pair as the table holds it: re-encrypting the same tokens would change it."""
    with reading(engine) as session:
        row = session.get(ChannelToken, "zalo")
    assert row is not None
    return row.access_token_enc, row.refresh_token_enc


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"json": {"access_token": "AT-new", "expires_in": "90000"}}, AuthProblem),
        ({"status": 500, "body": "<html>500 Internal Server Error</html>"}, Transient),
    ],
    ids=["no-refresh-token", "http-500"],
)
def test_a_refresh_without_a_new_pair_leaves_the_stored_pair(
    engine: Engine, tmp_path: Path, answer: dict[str, object], error: type[Exception]
) -> None:
    """Zalo answering a new access token without its refresh token (re-consent: AuthProblem),
    or HTTP 500 (in doubt: Transient), leaves the encrypted pair in the database untouched."""
    tokens = store(engine, tmp_path, make_pair=TokenPair)
    pair = TokenPair("AT-current", "RT-current", NOW + timedelta(minutes=30))
    tokens.seed(pair)
    before = sealed(engine)
    oauth = ZaloTokens(
        requests.Session(),
        oauth_url=OAUTH,
        app_id="4242",
        app_secret="app-secret-XYZ",
        store=tokens,
        clock=lambda: NOW,
        timeout=5.0,
        margin=timedelta(hours=1),
    )
    with responses.RequestsMock() as mocked:
        mocked.post(OAUTH + OAUTH_PATH, **answer)
        with pytest.raises(error, match="stored pair is kept"):
            oauth.access_token()
    assert sealed(engine) == before and tokens.current() == pair
