"""Changing passwords: an admin sets one, a user changes their own after proving the current one
under the login rate limit; the rules apply at their edge, one admin event is written with the
change (never the password), and the sessions started before the change end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import select
from structlog.testing import capture_logs

from storage.models import AppUser
from storage.session import reading
from syndicator.app import App
from syndicator.services import audit, credentials, passwords, sign_in, users
from syndicator.services.sign_in import LoginRefused, LoginThrottled
from syndicator.services.users import User, UserError
from tests.helpers.clock import FakeClock

OLD = "mật khẩu đủ dài 2026"
NEW = "Hoa sen nở giữa đầm 2027"
ADDRESS = "10.0.0.7"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # tests need no real cost


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(credentials, "HASHER", CHEAP)


@pytest.fixture
def an(app: App) -> User:
    users.add_user(app, "Quản trị", "admin", OLD, by="shell")
    return users.add_user(app, "Nguyễn Thị An", "editor", OLD, by="Quản trị")


def clock_of(app: App) -> FakeClock:
    assert isinstance(app.clock, FakeClock)
    return app.clock


def stored(app: App, name: str) -> AppUser:
    with reading(app.migrated_engine()) as session:
        return session.exec(select(AppUser).where(AppUser.name == name)).one()


def password_events(app: App) -> list[tuple[str, str, str, str | None]]:
    rows = reversed(audit.recent_admin_events(app))
    return [(r.actor, r.action, r.subject, r.detail) for r in rows if r.action == "user_password"]


def signs_in(app: App, password: str, address: str = "10.0.0.99") -> bool:
    try:
        sign_in.authenticate(app, "nguyễn thị an", password, address)
    except LoginRefused:
        return False
    return True


def test_admin_sets_a_password_and_writes_one_event(app: App, an: User) -> None:
    """The new password signs in and the old one no longer does; the change time is stored and
    one event names the admin, the user and how, never the password."""
    changed = passwords.set_password(app, "nguyễn thị an", NEW, by="Quản trị")
    assert changed == an and changed.password_changed_at == clock_of(app).now()
    row = stored(app, "Nguyễn Thị An")
    assert row.password_changed_at == clock_of(app).now() and row.password_hash.startswith(
        "$argon2id$"
    )
    assert password_events(app) == [("Quản trị", "user_password", "Nguyễn Thị An", "set by admin")]
    assert signs_in(app, NEW) and not signs_in(app, OLD)


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("Nguyễn Thị An", "Mật khẩu 12", "at least 12"),  # 11 letters, Vietnamese ones count once
        ("Nguyễn Thị An", "nguyễnthịan", "at least 12"),
        ("Nguyễn Thị An", "NGUYỄN THỊ AN", "must not be the name"),
        ("Trần Văn Bình", NEW, "no user “Trần Văn Bình”"),
    ],
)
def test_admin_is_refused_and_nothing_changes(
    app: App, an: User, name: str, password: str, message: str
) -> None:
    """A password the rules refuse, or an unknown user, changes nothing and writes no event."""
    with pytest.raises(UserError, match=message):
        passwords.set_password(app, name, password, by="Quản trị")
    assert stored(app, "Nguyễn Thị An").password_changed_at is None
    assert password_events(app) == [] and signs_in(app, OLD)


def test_twelve_letters_are_enough(app: App, an: User) -> None:
    """Twelve letters (Vietnamese ones counted once) pass; eleven did not (above)."""
    passwords.set_password(app, "Nguyễn Thị An", "Mật khẩu 123", by="Quản trị")
    assert signs_in(app, "Mật khẩu 123")


def test_a_disabled_users_password_is_not_set(app: App, an: User) -> None:
    """A disabled user cannot sign in and nothing re-enables one: setting their password is
    refused rather than silently useless."""
    users.disable_user(app, "Nguyễn Thị An", by="Quản trị")
    with pytest.raises(UserError, match="is disabled"):
        passwords.set_password(app, "Nguyễn Thị An", NEW, by="Quản trị")
    assert stored(app, "Nguyễn Thị An").password_changed_at is None and password_events(app) == []


def test_user_changes_their_own_password(app: App, an: User) -> None:
    """With the right current password the new one takes over, the change time is stored, one
    event names the user as actor and subject, and the failures from that address are
    forgotten (as a successful sign-in forgets them)."""
    for _ in range(4):
        assert not signs_in(app, "sai mật khẩu rồi", ADDRESS)
    clock_of(app).advance(minutes=1)
    changed = passwords.change_own_password(app, "Nguyễn Thị An", OLD, NEW, ADDRESS)
    assert changed.password_changed_at == clock_of(app).now()
    assert password_events(app) == [
        ("Nguyễn Thị An", "user_password", "Nguyễn Thị An", "changed by the user")
    ]
    for _ in range(4):  # four more from that address: the earlier four were forgotten
        assert not signs_in(app, "sai mật khẩu rồi", ADDRESS)
    assert signs_in(app, NEW, ADDRESS) and not signs_in(app, OLD)


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_failed_login(
    app: App, an: User
) -> None:
    """A wrong current password is refused like a wrong login, changes nothing, writes no
    event, and counts: after five from one address the right sign-in is throttled too."""
    for _ in range(5):
        with pytest.raises(LoginRefused) as refused:
            passwords.change_own_password(app, "Nguyễn Thị An", "sai mật khẩu rồi", NEW, ADDRESS)
        assert not isinstance(refused.value, LoginThrottled)
    assert stored(app, "Nguyễn Thị An").password_changed_at is None and password_events(app) == []
    with pytest.raises(LoginThrottled):
        sign_in.authenticate(app, "Nguyễn Thị An", OLD, ADDRESS)
    with pytest.raises(LoginThrottled):
        passwords.change_own_password(app, "Nguyễn Thị An", OLD, NEW, ADDRESS)
    assert signs_in(app, OLD)  # from another address


def test_a_refused_new_password_costs_no_try(app: App, an: User) -> None:
    """The new password's rules are checked before the current one: a too short new password
    is refused without counting a failed login."""
    for _ in range(6):
        with pytest.raises(UserError, match="at least 12"):
            passwords.change_own_password(app, "Nguyễn Thị An", OLD, "Mật khẩu 12", ADDRESS)
    assert signs_in(app, OLD, ADDRESS) and password_events(app) == []


T = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changed", "started", "ended"),
    [
        (None, T, False),
        (T, T, False),  # the session the change itself issued
        (T, T - timedelta(seconds=1), True),
        (T, T - timedelta(microseconds=1), True),
        (T, T + timedelta(seconds=1), False),
    ],
)
def test_sessions_started_before_the_change_end(
    changed: datetime | None, started: datetime, ended: bool
) -> None:
    """A session that began before the change ends, even by a microsecond; one that began at
    the change (the changer's fresh session) or after it stays."""
    user = User(3, "Nguyễn Thị An", users.Role.EDITOR, password_changed_at=changed)
    assert passwords.ended_by_password_change(user, started) is ended


def test_password_changes_never_reach_the_logs(app: App, an: User) -> None:
    """Both changes log their event in English with the names, never a password."""
    with capture_logs() as logs:
        passwords.set_password(app, "Nguyễn Thị An", NEW, by="Quản trị")
        with pytest.raises(LoginRefused):
            passwords.change_own_password(app, "Nguyễn Thị An", OLD, OLD + "x", ADDRESS)
        passwords.change_own_password(app, "Nguyễn Thị An", NEW, OLD + "x", ADDRESS)
    text = repr(logs)
    assert OLD not in text and NEW not in text
    found = [(e["event"], e["name"]) for e in logs if e["event"].startswith("user.password")]
    assert found == [
        ("user.password_set", "Nguyễn Thị An"),
        ("user.password_changed", "Nguyễn Thị An"),
    ]
