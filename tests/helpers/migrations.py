"""Moving a test database's schema to a given revision, as `db upgrade` would."""

from __future__ import annotations

from sqlalchemy import Engine

from storage import migrate


def migrate_to(engine: Engine, revision: str, *, down: bool = False) -> None:
    """Move the schema to `revision` with Alembic itself (down with `down=True`)."""
    from alembic import command

    config = migrate._config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
