"""The master key: from the environment or a private file, never silently replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicator.errors import ConfigError
from syndicator.keys import derived_fernet, master_key

KEY = "k" * 40


def test_environment_key_wins(tmp_path: Path) -> None:
    """SYNDICATOR_SECRET_KEY is used as given and no file is written."""
    assert master_key(tmp_path / "secret.key", {"SYNDICATOR_SECRET_KEY": KEY}) == KEY.encode()
    assert not (tmp_path / "secret.key").exists()


def test_short_environment_key_is_refused(tmp_path: Path) -> None:
    """A key under 32 characters stops start-up with the fix, and the key is not echoed."""
    with pytest.raises(ConfigError, match="at least 32") as error:
        master_key(tmp_path / "k", {"SYNDICATOR_SECRET_KEY": "short-secret"})
    assert "short-secret" not in str(error.value)


def test_first_start_writes_a_private_key_once(tmp_path: Path) -> None:
    """Without a key, one is written with mode 0600 and read back the same on the next start."""
    path = tmp_path / "var" / "secret.key"
    first = master_key(path, {})
    assert (path.stat().st_mode & 0o777) == 0o600 and len(first) >= 32
    assert master_key(path, {}) == first


def test_readable_key_file_is_refused(tmp_path: Path) -> None:
    """A key file others can read stops start-up and says how to fix it."""
    path = tmp_path / "secret.key"
    path.write_text(KEY)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        master_key(path, {})


def test_purposes_get_different_keys() -> None:
    """Tokens and sessions are encrypted under different derived keys; the wrong one cannot read."""
    from cryptography.fernet import InvalidToken

    tokens, sessions = (
        derived_fernet(KEY.encode(), "tokens"),
        derived_fernet(KEY.encode(), "sessions"),
    )
    sealed = tokens.encrypt(b"refresh-token")
    assert tokens.decrypt(sealed) == b"refresh-token"
    with pytest.raises(InvalidToken):
        sessions.decrypt(sealed)
