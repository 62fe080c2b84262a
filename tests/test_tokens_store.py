"""Stored OAuth pairs: encrypted at rest, replaced atomically, never silently reset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.models import ChannelToken
from storage.session import reading
from storage.tokens import SqlTokenStore, TokenKeyMismatch
from syndicator.keys import derived_fernet

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Pair:
    access_token: str
    refresh_token: str
    expires_at: datetime


def store(engine: Engine, tmp_path: Path, key: str = "k" * 40) -> SqlTokenStore:
    return SqlTokenStore(
        engine,
        "zalo",
        derived_fernet(key.encode(), "tokens"),
        tmp_path / "zalo.lock",
        Pair,
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
    with pytest.raises(TokenKeyMismatch, match="restore the key"):
        store(engine, tmp_path, key="x" * 40).current()
    assert store(engine, tmp_path).current().refresh_token == "RT"
