"""The users tables' queries on both databases: failed logins in their window, a set-up link
used once by compare-and-set, and roles that fit their column."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from storage import users as store
from storage.models import AppUser, SetupLink
from storage.session import reading, writing
from storage.states import Role
from tests.helpers.posts import NOW


def test_failures_are_read_newest_first_within_the_window(engine: Engine) -> None:
    """Only failures after `since` are read, newest first; older ones can be forgotten, the
    boundary included."""
    with writing(engine) as session:
        for minutes, address in ((0, "a"), (5, "b"), (10, "a")):
            store.add_failure(session, "an", address, NOW + timedelta(minutes=minutes))
        store.add_failure(session, "binh", "a", NOW)
    with reading(engine) as session:
        found = store.failures_since(session, "an", NOW)
    assert found == [("a", NOW + timedelta(minutes=10)), ("b", NOW + timedelta(minutes=5))]
    with writing(engine) as session:
        store.forget_failures_before(session, NOW + timedelta(minutes=5))
        store.clear_failures(session, "an", "a")
    with reading(engine) as session:
        assert store.failures_since(session, "an", NOW - timedelta(days=1)) == []
        assert store.failures_since(session, "binh", NOW - timedelta(days=1)) == []


def test_a_link_is_used_once(engine: Engine) -> None:
    """The second use of a link changes nothing and says so."""
    link = SetupLink(token_digest="d" * 64, purpose="first_admin", created_at=NOW, expires_at=NOW)
    with writing(engine) as session:
        store.add_link(session, link)
        session.flush()
        link_id = link.id or 0
    with writing(engine) as session:
        store.lock(session)
        assert store.use_link(session, link_id, NOW)
        assert not store.use_link(session, link_id, NOW + timedelta(seconds=1))
    with reading(engine) as session:
        found = store.link_by_digest(session, "d" * 64)
        assert found is not None and found.used_at == NOW


def test_users_are_listed_by_name_and_counted_by_role(engine: Engine) -> None:
    """Every role fits app_user.role; disabled users do not count as active."""
    with writing(engine) as session:
        assert not store.any_user(session)
        for name, role in (("binh", Role.ADMIN), ("an", Role.APPROVER), ("chi", Role.ADMIN)):
            session.add(
                AppUser(name=name, name_key=name, role=role, password_hash="h", created_at=NOW)
            )
        session.flush()
        chi = store.by_key(session, "chi")
        assert chi is not None
        chi.disabled_at = NOW
        session.add(chi)
    with reading(engine) as session:
        assert [user.name for user in store.all_users(session)] == ["an", "binh", "chi"]
        assert store.count_active(session, Role.ADMIN) == 1
    assert max(map(len, Role)) <= 16
