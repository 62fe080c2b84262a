"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, a settable clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from ipaddress import ip_network

import pytest
from sqlalchemy import Engine, create_engine, text

from storage import migrate
from storage.engine import make_engine
from syndicator.http import build_session
from syndicator.ingest.fetch import Fetcher
from syndicator.ingest.parse import parse_feed
from syndicator.ingest.poller import Poller
from syndicator.records import FeedParser
from syndicator.settings_models import PollingSettings

# Test servers listen on loopback, which feeds may reach only when settings allow it.
LOOPBACK = [ip_network("127.0.0.0/8"), ip_network("::1")]

PG_ADMIN_URL = os.environ.get(
    "SYNDICATOR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


class FakeClock:
    """A clock the test sets and advances; nothing sleeps."""

    def __init__(self, start: datetime = datetime(2026, 11, 1, tzinfo=UTC)) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


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


def make_poller(
    engine: Engine, *, workers: int = 2, per_host: int = 2, parse: FeedParser = parse_feed
) -> Poller:
    """A Poller over real HTTP with default limits, on a fake clock (parsing in-process unless
    `parse` says otherwise), allowed to reach the loopback test servers."""
    polling = PollingSettings(workers=workers, per_host=per_host, allow_networks=LOOPBACK)
    fetcher = Fetcher(
        build_session(user_agent="syndicator-tests", pool_size=workers),
        timeout=polling.timeout,
        connect_timeout=polling.connect_timeout,
        max_bytes=polling.max_bytes,
        clock=FakeClock(),
        allow_networks=polling.allow_networks,
    )
    return Poller(
        engine=engine,
        fetcher=fetcher,
        clock=FakeClock(),
        polling=polling,
        timezone="Asia/Ho_Chi_Minh",
        parse=parse,
    )
