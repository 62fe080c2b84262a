"""Versioned schema migrations (Alembic), applied in place by `syndicator db upgrade` and at start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest version; returns (version before, version after)."""
    config = _config(engine)
    before = current_version(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, head_version(engine)


def current_version(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_version(engine: Engine) -> str:
    head = ScriptDirectory.from_config(_config(engine)).get_current_head()
    if head is None:
        raise RuntimeError("storage/migrations/versions holds no migration")
    return head


def is_current(engine: Engine) -> bool:
    return current_version(engine) == head_version(engine)
