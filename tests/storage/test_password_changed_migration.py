"""Migration 0010 (app_user.password_changed_at) on both databases: users stored under 0009
keep everything and have no change time; going back drops the column and keeps the users; the
time comes back to the microsecond (a session is compared with it)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, inspect, text
from sqlmodel import select

from storage import migrate
from storage.models import AppUser
from storage.session import reading, writing
from tests.helpers.migrations import migrate_to

T = datetime(2026, 12, 3, 2, 15, 30, 123456, tzinfo=UTC)


def columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("app_user")}


def test_users_of_0009_upgrade_with_no_change_time_and_back(engine: Engine) -> None:
    """A user stored under 0009 upgrades with no change time (no session of theirs ends);
    downgrading drops the column and keeps the user."""
    migrate_to(engine, "0009", down=True)
    assert "password_changed_at" not in columns(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO app_user (name, name_key, role, password_hash, created_at) "
                "VALUES ('Nguyễn Thị An', 'nguyễn thị an', 'editor', '$argon2id$x', :at)"
            ),
            {"at": T.replace(tzinfo=None) if engine.dialect.name == "sqlite" else T},
        )
    assert migrate.upgrade(engine) == ("0009", migrate.HEAD)
    with reading(engine) as session:
        row = session.exec(select(AppUser)).one()
    assert (row.name, row.password_hash, row.password_changed_at) == (
        "Nguyễn Thị An",
        "$argon2id$x",
        None,
    )
    migrate_to(engine, "0009", down=True)
    assert "password_changed_at" not in columns(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM app_user")).scalar() == "Nguyễn Thị An"
    migrate_to(engine, "head")


def test_the_change_time_keeps_its_microseconds(engine: Engine) -> None:
    """The change time comes back as stored, to the microsecond, aware UTC."""
    with writing(engine) as session:
        session.add(
            AppUser(
                name="an",
                name_key="an",
                role="editor",
                password_hash="$argon2id$x",
                created_at=T,
                password_changed_at=T,
            )
        )
    with reading(engine) as session:
        assert session.exec(select(AppUser.password_changed_at)).one() == T
