"""Sessions: one transaction per unit of work, and a writing transaction that locks SQLite up front."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session

from storage.engine import WRITE_OPTION


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for queries; nothing it does is committed."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        session.connection(execution_options={WRITE_OPTION: True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def reading_snapshot(engine: Engine) -> Iterator[Session]:
    """A read-only session whose queries all see the database as of its first one, so that
    several queries add up (a report): REPEATABLE READ, READ ONLY on PostgreSQL, where each
    statement otherwise sees its own moment; SQLite's read transaction is one snapshot already."""
    with Session(engine, expire_on_commit=False) as session:
        if engine.dialect.name == "postgresql":
            options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
            session.connection(execution_options=options)
        yield session
