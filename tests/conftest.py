"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, a settable clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from storage import migrate
from storage.engine import make_engine
from tests.helpers.clock import FakeClock

PG_ADMIN_URL = os.environ.get(
    "SYNDICATOR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _postgres_reachable() -> bool:
    probe = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with probe.connect():
            return True
    except Exception:
        return False
    finally:
        probe.dispose()


POSTGRES = _postgres_reachable()


def require_postgres() -> None:
    if not POSTGRES:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}; .ci/run must start it")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}")


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A migrated engine on a schema of its own, dropped afterwards."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def empty_postgres_schema() -> Iterator[tuple[str, str]]:
    """(the admin URL, the name of an empty schema of its own), dropped afterwards: for what
    must start before any migration (the migration lock)."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield PG_ADMIN_URL, schema
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The same test on both databases the product supports."""
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """A test that configures logging must not leave its stream behind for the next one."""
    yield
    import structlog

    structlog.reset_defaults()
