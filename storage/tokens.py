"""A channel's rotating OAuth pair, encrypted at rest, with a refresh lock across processes.

Implements the TokenStore the Zalo connector expects (connectors/zalo/tokens.py) without
importing it: the pair is handed over as any object with access_token, refresh_token and
expires_at, and built back with the `make_pair` callable the domain passes in.
"""

from __future__ import annotations

import fcntl
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Engine, text

from storage.models import ChannelToken
from storage.session import reading, writing


class TokenKeyMismatch(Exception):
    """The stored tokens were encrypted under another master key."""


class SqlTokenStore:
    """One channel's pair in the channel_token table."""

    def __init__(
        self,
        engine: Engine,
        channel: str,
        fernet: Fernet,
        lock_file: Path,
        make_pair: Callable[[str, str, datetime], Any],
        clock_now: Callable[[], datetime],
    ) -> None:
        self.engine, self.channel, self.fernet = engine, channel, fernet
        self.lock_file, self.make_pair, self.now = lock_file, make_pair, clock_now
        self._thread_lock = threading.Lock()

    def current(self) -> Any:
        with reading(self.engine) as session:
            row = session.get(ChannelToken, self.channel)
        if row is None:
            return None
        return self.make_pair(
            self._open(row.access_token_enc), self._open(row.refresh_token_enc), row.expires_at
        )

    def seed(self, pair: Any) -> bool:
        """Store a first pair (from the operator's refresh token) unless one is stored already."""
        with writing(self.engine) as session:
            if session.get(ChannelToken, self.channel) is not None:
                return False
            session.add(self._row(pair))
        return True

    def replace(self, old_refresh_token: str, new: Any) -> None:
        """Retire the pair holding `old_refresh_token` and store `new`, in one transaction."""
        with writing(self.engine) as session:
            row = session.get(ChannelToken, self.channel)
            if row is None or self._open(row.refresh_token_enc) != old_refresh_token:
                raise LookupError(f"the {self.channel} token pair changed meanwhile")
            fresh = self._row(new)
            row.access_token_enc, row.refresh_token_enc = (
                fresh.access_token_enc,
                fresh.refresh_token_enc,
            )
            row.expires_at, row.updated_at = fresh.expires_at, fresh.updated_at
            session.add(row)

    @contextmanager
    def refreshing(self) -> Iterator[None]:
        """Held for a whole refresh: a thread lock, plus a lock other processes see (an advisory
        lock on PostgreSQL, a file lock beside SQLite). It is held as long as the request takes."""
        with self._thread_lock:
            if self.engine.dialect.name == "postgresql":
                with self.engine.connect() as connection:
                    key = zlib.crc32(f"syndicator-token-{self.channel}".encode())
                    connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
                    try:
                        yield
                    finally:
                        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                return
            self.lock_file.parent.mkdir(parents=True, exist_ok=True)
            with self.lock_file.open("a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def _row(self, pair: Any) -> ChannelToken:
        return ChannelToken(
            channel=self.channel,
            access_token_enc=self._seal(pair.access_token),
            refresh_token_enc=self._seal(pair.refresh_token),
            expires_at=pair.expires_at,
            updated_at=self.now(),
        )

    def _seal(self, value: str) -> str:
        return self.fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def _open(self, sealed: str) -> str:
        try:
            return self.fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise TokenKeyMismatch(
                f"the stored {self.channel} tokens cannot be decrypted with this "
                "SYNDICATOR_SECRET_KEY: restore the key they were saved with (var/secret.key "
                "or the environment); the tokens were left untouched"
            ) from None
