"""The master key: SYNDICATOR_SECRET_KEY, or a random one written once to var/secret.key.

Per-purpose keys are derived from it with HKDF (stored tokens, admin sessions), so one secret
serves all and none is reused for two jobs. A wrong or missing key is a clear start-up error,
never a silent reset of what it protects.
"""

from __future__ import annotations

import base64
import os
import secrets
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

import structlog
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from syndicator.errors import ConfigError

ENV = "SYNDICATOR_SECRET_KEY"
MIN_LENGTH = 32
log = structlog.get_logger("syndicator.ops.keys")


def master_key(key_file: Path, environ: Mapping[str, str] = os.environ) -> bytes:
    """The environment's key, else the key file's, else a new random key written to the file."""
    given = environ.get(ENV)
    if given is not None:
        if len(given) < MIN_LENGTH:
            raise ConfigError(
                f"{ENV} has {len(given)} characters; use at least {MIN_LENGTH} "
                f"(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return given.encode("utf-8")
    if key_file.exists():
        return _read_key_file(key_file)
    return _write_new_key(key_file)


def _read_key_file(path: Path) -> bytes:
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{path} is readable by others; run `chmod 600 {path}`")
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        # Never replaced silently: a new key would make every stored token unreadable.
        raise ConfigError(
            f"{path} is empty; restore it from your backup (stored tokens cannot be read "
            f"without it), or, if no channel token was ever stored, delete it and a new key "
            f"is written on the next start"
        )
    if len(key) < MIN_LENGTH:
        raise ConfigError(
            f"{path} holds a key shorter than {MIN_LENGTH} characters; restore it "
            f"from your backup (stored tokens cannot be read without it)"
        )
    return key.encode("utf-8")


def _write_new_key(path: Path) -> bytes:
    """Written whole and synced to disk before anything is encrypted with it: the key goes to a
    private temporary file, is fsynced, then linked into place (which never replaces a key
    another process wrote first) and the folder is fsynced, so a power cut leaves either no
    key file or a complete one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(key + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    except FileExistsError:
        return _read_key_file(path)  # another process started at the same moment and won
    finally:
        os.unlink(temporary)
    _fsync_folder(path.parent)
    log.warning(
        "secret_key.created",
        path=str(path),
        note=f"no {ENV} was set; back this file up with the database",
    )
    return key.encode("utf-8")


def _fsync_folder(folder: Path) -> None:
    """Make the new directory entry durable (a synced file can still vanish from its folder)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def derived_key(master: bytes, purpose: str) -> bytes:
    """32 bytes for one purpose ("tokens", "sessions"), derived from the master key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"syndicator/{purpose}".encode()
    ).derive(master)


def derived_fernet(master: bytes, purpose: str) -> Fernet:
    """A Fernet key for one purpose ("tokens"), derived from the master key."""
    return Fernet(base64.urlsafe_b64encode(derived_key(master, purpose)))
