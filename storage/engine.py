"""Build the database engine: SQLite in WAL mode with a busy timeout and foreign keys, or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 10  # an unreachable server is an error in seconds, not a hang
WRITE_OPTION = "syndicator_write"
# What the migrations, locks and tests cover: a backend and the one driver installed for it.
SUPPORTED = ("sqlite+pysqlite", "postgresql+psycopg")
EXAMPLES = "sqlite:///var/syndicator.db or postgresql+psycopg://user@host/dbname"


class DatabaseUrlError(ValueError):
    """The database URL is malformed, names an unsupported database, or cannot be used."""


def check_url(url: str) -> URL:
    """The parsed URL, or DatabaseUrlError saying what is supported (never the password)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # Not echoed: the text may hold a password.
        raise DatabaseUrlError(f"not a database URL; write {EXAMPLES}") from None
    backend = parsed.get_backend_name()
    try:
        kind = f"{backend}+{parsed.get_driver_name()}"  # loads the dialect's default driver
    except ArgumentError:  # NoSuchModuleError: no such database at all ("https://...")
        kind = backend
    if kind not in SUPPORTED:
        raise DatabaseUrlError(f"{masked(parsed)}: {kind} is not supported; write {EXAMPLES}")
    return parsed


def masked(url: str | URL) -> str:
    """The URL as it may be shown: the password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(the database URL)"


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get their folder created and safe pragmas on every connection.

    Raises DatabaseUrlError for a URL that is not SQLite or PostgreSQL (psycopg), and for a
    SQLite file whose folder cannot be created.
    """
    parsed = check_url(url)
    if parsed.get_backend_name() != "sqlite":
        timeout = (
            {} if "connect_timeout" in parsed.query else {"connect_timeout": PG_CONNECT_TIMEOUT_S}
        )
        return create_engine(
            url, pool_pre_ping=True, pool_size=5, max_overflow=10, connect_args=timeout
        )
    if parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except (OSError, ValueError) as error:  # ValueError: a NUL in the path
            reason = getattr(error, "strerror", None) or str(error)
            raise DatabaseUrlError(
                f"{masked(parsed)}: cannot create the folder {folder} ({reason})"
            ) from None
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN; we issue it ourselves (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # A writing transaction takes the write lock at BEGIN, so two writers queue on busy_timeout
    # instead of one failing when it upgrades its read lock; readers stay lock-free under WAL.
    mode = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if mode else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
