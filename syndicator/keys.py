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
from collections.abc import Mapping
from pathlib import Path

import structlog
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from syndicator.errors import ConfigError

ENV = "SYNDICATOR_SECRET_KEY"
MIN_LENGTH = 32
log = structlog.get_logger("syndicator.keys")


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
    if len(key) < MIN_LENGTH:
        raise ConfigError(
            f"{path} holds a key shorter than {MIN_LENGTH} characters; restore it "
            f"from your backup (stored tokens cannot be read without it)"
        )
    return key.encode("utf-8")


def _write_new_key(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    log.warning(
        "secret_key.created",
        path=str(path),
        note=f"no {ENV} was set; back this file up with the database",
    )
    return key.encode("utf-8")


def derived_fernet(master: bytes, purpose: str) -> Fernet:
    """A Fernet key for one purpose ("tokens", "sessions"), derived from the master key."""
    raw = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"syndicator/{purpose}".encode()
    ).derive(master)
    return Fernet(base64.urlsafe_b64encode(raw))
