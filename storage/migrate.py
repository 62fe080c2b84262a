"""Versioned schema migrations (Alembic), applied in place by `syndicator db upgrade` and at start.

Alembic is imported only when there is something to do: a current database costs one query,
not the ten megabytes Alembic and Mako take in memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions; tests/test_storage.py keeps the two in step.
HEAD = "0015"
VERSION_TABLE = "alembic_version"
# PostgreSQL advisory lock key ("SYNDMIGR"): several workers starting on one database at once
# (issue #15) migrate one at a time; the others wait, then find the schema current.
MIGRATION_LOCK = 0x5359_4E44_4D49_4752


def _config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest version; returns (version before, version after)."""
    before = current_version(engine)
    if before == HEAD:
        return before, HEAD
    from alembic import command

    config = _config(engine)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # held until this transaction ends
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")  # reads the version again, under the lock
    return before, current_version(engine) or HEAD


def current_version(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def head_version(engine: Engine) -> str:
    """The newest revision according to the migration scripts themselves."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config(engine)).get_current_head()
    if head is None:
        raise RuntimeError("storage/migrations/versions holds no migration")
    return head


def is_current(engine: Engine) -> bool:
    return current_version(engine) == HEAD
