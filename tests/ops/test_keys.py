"""The master key: from the environment or a private file, never silently replaced."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from syndicator.errors import ConfigError
from syndicator.ops.keys import derived_fernet, master_key

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


def test_new_key_is_on_disk_before_it_is_returned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key file is fsynced with the whole key in it, then linked into place, then its folder
    is fsynced; all before master_key returns (so before any token is encrypted with it)."""
    folder = tmp_path / "var"
    path = folder / "secret.key"
    events: list[tuple[str, str]] = []
    real_fsync, real_link = os.fsync, os.link

    def fsync(descriptor: int) -> None:
        if stat.S_ISDIR(os.fstat(descriptor).st_mode):
            events.append(("fsync folder", ",".join(sorted(p.name for p in folder.iterdir()))))
        else:
            events.append(("fsync file", os.pread(descriptor, 200, 0).decode()))
        real_fsync(descriptor)

    def link(source: str, target: Path) -> None:
        events.append(("link", Path(target).name))
        real_link(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "link", link)
    key = master_key(path, {})
    assert events == [
        ("fsync file", key.decode() + "\n"),
        ("link", "secret.key"),
        ("fsync folder", "secret.key"),  # the temporary file is gone, the key is in place
    ]
    assert path.read_bytes() == key + b"\n"


def test_key_written_first_by_another_process_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two first starts at once: the one that links second reads the winner's key, never
    replaces it, and leaves no temporary file."""
    path = tmp_path / "secret.key"
    real_link = os.link

    def lose_the_race(source: str, target: Path) -> None:
        path.write_text(KEY + "\n")
        path.chmod(0o600)
        real_link(source, target)

    monkeypatch.setattr(os, "link", lose_the_race)
    assert master_key(path, {}) == KEY.encode()
    assert [p.name for p in tmp_path.iterdir()] == ["secret.key"]


def test_empty_key_file_is_refused_not_replaced(tmp_path: Path) -> None:
    """An empty key file (a crash while an older version wrote it) stops start-up with the fix;
    no new key is written over it, which would make stored tokens unreadable."""
    path = tmp_path / "secret.key"
    path.touch(mode=0o600)
    with pytest.raises(ConfigError, match="is empty; restore it from your backup"):
        master_key(path, {})
    assert path.read_bytes() == b""


def test_readable_key_file_is_refused(tmp_path: Path) -> None:
    """A key file others can read stops start-up and says how to fix it."""
    path = tmp_path / "secret.key"
    path.write_text(KEY)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        master_key(path, {})


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_key_file_private_to_its_owner_is_read(tmp_path: Path, mode: int) -> None:
    """0600, and the stricter 0400 (a key made read-only after its backup), are read."""
    path = tmp_path / "secret.key"
    path.write_text(KEY + "\n")
    path.chmod(mode)
    assert master_key(path, {}) == KEY.encode()


def test_group_readable_key_file_is_refused(tmp_path: Path) -> None:
    """A key file only its group can read (0640) is refused like a world-readable one."""
    path = tmp_path / "secret.key"
    path.write_text(KEY)
    path.chmod(0o640)
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
