"""Storage: migrations upgrade in place, SQLite pragmas, aware times, batched lookups, on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, Table, inspect, text
from sqlmodel import Session

from storage import items as item_store
from storage import migrate
from storage.engine import make_engine
from storage.models import FeedState
from storage.search_text import stored_search_text
from storage.session import reading, writing
from syndicator.ingest import harvest as ingest
from syndicator.ingest.dedup import digest, title_digest
from syndicator.ingest.normalize.text import title_key
from tests.helpers.long_items import LONG_TITLE, POLLING, harvest, long_article
from tests.helpers.migrations import migrate_to
from tests.helpers.rows import item_row

T0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
MIGRATED_TITLE = "Hội nghị sơ kết công tác chuyển đổi số quý III năm 2026"  # key fits VARCHAR(64)


def add_item(session: Session, n: int, source_key: str, url_key: str | None = None) -> int:
    """Store item n with one source from feed "a", through the bulk insert path ingest uses."""
    row = item_row(n, url_key)
    (item_id,) = item_store.insert_items(session, [row])
    item_store.insert_sources(session, [source(item_id, "a", source_key)])
    return item_id


def source(item_id: int, feed_id: str, key: str) -> dict[str, object]:
    return {
        "item_id": item_id,
        "feed_id": feed_id,
        "source_key": key,
        "guid": None,
        "link": None,
        "seen_at": T0,
    }


def test_upgrade_creates_schema_and_is_idempotent(tmp_path) -> None:
    """`db upgrade` on an empty file creates every table; a second run changes nothing."""
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'new.db'}")
    before, after = migrate.upgrade(engine)
    assert before is None and after == migrate.head_version(engine)
    assert {"feed_state", "item", "item_source", "tombstone"} <= set(
        inspect(engine).get_table_names()
    )
    assert migrate.upgrade(engine) == (after, after)
    assert migrate.is_current(engine)


def test_head_constant_matches_the_scripts(tmp_path) -> None:
    """storage.migrate.HEAD names the newest migration script (update it with each migration)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    assert migrate.head_version(engine) == migrate.HEAD


def test_models_match_migrations(engine: Engine) -> None:
    """The migrations build exactly the tables the models describe (no forgotten migration)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


@pytest.mark.parametrize("url", ["sqlite://", "postgresql+psycopg://"])
def test_models_make_the_open_alert_index_partial(url: str) -> None:
    """Tables created from the models get the open alerts' unique index with its WHERE on both
    databases, as migration 0004 creates it (PostgreSQL's form is attached at creation, not at
    import)."""
    from sqlalchemy import create_mock_engine
    from sqlmodel import SQLModel

    statements: list[str] = []

    def record(sql: Any, *_args: Any, **_kw: Any) -> None:
        statements.append(str(sql.compile(dialect=engine.dialect)).strip())

    engine = create_mock_engine(url, record)
    alert = SQLModel.metadata.tables["alert"]
    SQLModel.metadata.create_all(engine, tables=[alert], checkfirst=False)
    index = [sql for sql in statements if "uq_alert_open_key" in sql]
    assert len(index) == 1
    assert index[0].startswith("CREATE UNIQUE INDEX uq_alert_open_key ON alert")
    assert index[0].endswith("WHERE resolved_at IS NULL")


def test_sqlite_pragmas(sqlite_engine: Engine) -> None:
    """SQLite runs in WAL mode with foreign keys and a busy timeout."""
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_times_come_back_aware_utc(engine: Engine) -> None:
    """A time stored in +07:00 comes back as the same instant, aware, in UTC."""
    local = datetime(2026, 11, 1, 10, 0, tzinfo=UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")
    )
    with writing(engine) as session:
        session.add(FeedState(feed_id="a", url="https://a.vn/rss", next_poll_at=local))
    with reading(engine) as session:
        stored = session.get(FeedState, "a")
    assert stored is not None and stored.next_poll_at == local
    assert stored.next_poll_at.tzinfo == UTC


def test_naive_time_is_refused(engine: Engine) -> None:
    """A naive datetime never reaches the database, where it would be read as UTC."""
    with pytest.raises(Exception, match="naive datetime"), writing(engine) as session:
        session.add(FeedState(feed_id="a", url="u", next_poll_at=datetime(2026, 1, 1)))


def test_failed_transaction_leaves_nothing(engine: Engine) -> None:
    """A unit of work that raises midway is rolled back whole."""
    with pytest.raises(RuntimeError), writing(engine) as session:
        add_item(session, 1, "k1")
        raise RuntimeError("crash midway")
    with reading(engine) as session:
        assert item_store.count_items(session) == 0


def test_batched_lookups(engine: Engine) -> None:
    """Source keys, URL keys, title keys and tombstones are found in batches, with their feeds."""
    with writing(engine) as session:
        item_id = add_item(session, 1, "k1", url_key="u1")
        item_store.insert_sources(session, [source(item_id, "b", "k9")])
        item_store.add_tombstones(session, ["src:gone", "src:gone"], "removed", T0)
    with reading(engine) as session:
        assert item_store.existing_source_keys(session, "a", {"k1", "k2"}) == {"k1"}
        assert item_store.existing_source_keys(session, "b", {"k1"}) == set()
        (found,) = item_store.items_by_url_keys(session, {"u1", "u2"})
        assert found[0] == item_id and found[4] == frozenset({"a", "b"})
        assert item_store.items_by_title_keys(session, {"tin so 1"}, T0, T0 + timedelta(hours=1))
        assert not item_store.items_by_title_keys(
            session, {"tin so 1"}, T0 + timedelta(hours=1), T0 + timedelta(hours=2)
        )
        assert item_store.tombstoned(session, {"src:gone", "src:other"}) == {"src:gone"}


def test_lookup_chunks_beyond_parameter_limits(engine: Engine) -> None:
    """Lookups with more keys than one statement may bind still answer correctly."""
    keys = {f"k{n}" for n in range(2_500)}
    with writing(engine) as session:
        add_item(session, 1, "k2499")
    with reading(engine) as session:
        assert item_store.existing_source_keys(session, "a", keys) == {"k2499"}


def test_source_unique_per_feed(engine: Engine) -> None:
    """The database itself refuses a second source with the same key for one feed."""
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), writing(engine) as session:
        for n in (1, 2):
            add_item(session, n, "same")


def test_postgres_uses_its_own_schema(postgres_engine: Engine) -> None:
    """Each PostgreSQL test runs in a schema of its own, so tests cannot see each other's rows."""
    with postgres_engine.connect() as connection:
        assert connection.execute(text("select current_schema()")).scalar().startswith("t_")


def test_upgrade_in_place_keeps_data(tmp_path) -> None:
    """A database made by the first release upgrades to the newest schema with its rows intact."""
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = migrate._config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO feed_state (feed_id, url, initialized, consecutive_failures, broken) "
                "VALUES ('skhcn', 'https://skhcn.gov.vn/rss', 1, 0, 0)"
            )
        )
    assert migrate.upgrade(engine) == ("0001", migrate.HEAD)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT url FROM feed_state")).scalar() == (
            "https://skhcn.gov.vn/rss"
        )
        assert connection.execute(text("SELECT count(*) FROM post")).scalar() == 0


def stored_title_keys(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT title, title_key FROM item ORDER BY id"))
        return [(title, key) for title, key in rows]


def test_title_keys_become_digests_in_place(engine: Engine) -> None:
    """Items stored under 0004, whose title_key was the readable normalized title, get the
    digest in place (more rows than one migration batch), and the same headline from another
    portal then joins the stored item instead of becoming a second one."""
    migrate_to(engine, "0004", down=True)
    titles = [f"Tin số {n}: hội nghị triển khai kế hoạch chuyển đổi số" for n in range(2_050)]
    titles[0] = MIGRATED_TITLE
    if engine.dialect.name == "sqlite":  # PostgreSQL under 0004 could hold no longer key
        titles[1] = LONG_TITLE
    rows = [
        {**item_row(n), "title": title, "title_key": title_key(title)}
        for n, title in enumerate(titles)
    ]
    with writing(engine) as session:
        ids = insert_items_as_in(session, rows)
        item_store.insert_sources(
            session, [source(item_id, "xa", f"k{n}") for n, item_id in enumerate(ids)]
        )
    assert migrate.upgrade(engine) == ("0004", migrate.HEAD)
    assert stored_title_keys(engine) == [(title, title_digest(title)) for title in titles]
    with engine.connect() as connection:  # and 0011 gave each its searched form
        texts = connection.execute(text("SELECT search_text FROM item ORDER BY id")).scalars()
        assert list(texts) == [stored_search_text(title) for title in titles]
    copies = [
        replace(long_article("tinh.gov.vn", n, published=T0 + timedelta(hours=6)), title=title)
        for n, title in enumerate(titles[:2])
    ]
    outcome = ingest.store(engine, harvest("tinh", copies), POLLING, 0)
    assert (outcome.new, outcome.duplicates) == (0, 2)
    with reading(engine) as session:
        assert item_store.count_items(session) == len(titles)


def insert_items_as_in(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Items inserted into the item table as the database has it now (an older schema)."""
    table = Table("item", MetaData(), autoload_with=session.connection())
    query = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    return [int(item_id) for item_id in session.connection().execute(query, rows).scalars()]


def test_downgrade_rebuilds_readable_title_keys(engine: Engine) -> None:
    """Going back to 0004 rebuilds the readable key from the title, cut to the old 64
    characters where PostgreSQL enforces them, and upgrading again restores the digest."""
    ingest.store(engine, harvest("sxd", [long_article("sxd.thainguyen.gov.vn", 1)]), POLLING, 0)
    migrate_to(engine, "0004", down=True)
    limit = 64 if engine.dialect.name == "postgresql" else None
    assert stored_title_keys(engine) == [(LONG_TITLE, title_key(LONG_TITLE)[:limit])]
    migrate_to(engine, "head")
    assert stored_title_keys(engine) == [(LONG_TITLE, digest(title_key(LONG_TITLE)[:limit]))]
