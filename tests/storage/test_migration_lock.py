"""Several workers starting on one PostgreSQL database at once (issue #15): the schema is
migrated under an advisory lock, so one migrates and the others wait, then find it current;
nothing is created while another holds the lock."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from storage import migrate
from storage.engine import make_engine

Place = tuple[str, str]  # (the admin URL, an empty schema): conftest's empty_postgres_schema


def engine_on(place: Place, *options: str) -> Engine:
    admin_url, schema = place
    settings = "%20".join([f"-csearch_path%3D{schema}", *options])
    return make_engine(f"{admin_url}?options={settings}")


def test_a_worker_waits_for_the_one_migrating(empty_postgres_schema: Place) -> None:
    """While another session holds the migration lock, upgrading waits for it (here until a
    lock_timeout of 0.3 s ends the wait) and creates nothing; once released, it migrates."""
    holder = create_engine(empty_postgres_schema[0])
    waiting = engine_on(empty_postgres_schema, "-clock_timeout%3D300")
    try:
        with holder.connect() as held:
            held.execute(text("SELECT pg_advisory_lock(:k)"), {"k": migrate.MIGRATION_LOCK})
            with pytest.raises(OperationalError, match="lock timeout"):
                migrate.upgrade(waiting)
            assert inspect(waiting).get_table_names() == []
            held.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": migrate.MIGRATION_LOCK})
        assert migrate.upgrade(waiting) == (None, migrate.HEAD)
    finally:
        waiting.dispose()
        holder.dispose()


def test_four_workers_starting_at_once_migrate_once(empty_postgres_schema: Place) -> None:
    """Four upgrades released together on an empty schema: none fails (without the lock they
    block one another on the tables they each create), the schema is current."""
    # A wait longer than a migration takes fails instead of hanging (as without the lock).
    engines = [engine_on(empty_postgres_schema, "-clock_timeout%3D30000") for _ in range(4)]
    start = threading.Barrier(len(engines))
    results: list[tuple[str | None, str]] = []
    errors: list[BaseException] = []

    def upgrade(engine: Engine) -> None:
        start.wait()
        try:
            results.append(migrate.upgrade(engine))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=upgrade, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert errors == [] and len(results) == 4
    assert all(after == migrate.HEAD for _, after in results)
    assert migrate.current_version(engine_on(empty_postgres_schema)) == migrate.HEAD
