"""Users and their roles: what the admin page and `syndicator users` call to add, list, change
and disable the people who sign in.

Signing in and the first-admin link are in sign_in.py, API tokens in api_tokens.py, how
passwords are hashed in credentials.py; name and password rules in user_rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import structlog

from storage import users as store
from storage.admin_events import record_admin_event
from storage.models import AppUser
from storage.session import reading, writing
from storage.states import Permission as Permission
from storage.states import Role as Role
from storage.states import can as role_can
from syndicator.services.credentials import hash_password
from syndicator.services.user_rules import UserError as UserError
from syndicator.services.user_rules import check_password, checked_name, name_key

if TYPE_CHECKING:
    from sqlmodel import Session

    from syndicator.app import App

log = structlog.get_logger("syndicator.services.users")


@dataclass(frozen=True)
class User:
    """A person who signs in; equal by id, name and role (the times are for listings)."""

    id: int
    name: str
    role: Role
    created_at: datetime | None = field(default=None, compare=False)
    last_login_at: datetime | None = field(default=None, compare=False)
    disabled_at: datetime | None = field(default=None, compare=False)
    password_changed_at: datetime | None = field(default=None, compare=False)


def has_users(app: App) -> bool:
    with reading(app.migrated_engine()) as session:
        return store.any_user(session)


def add_user(app: App, name: str, role: Role | str, password: str, *, by: str = "shell") -> User:
    """A new user (UserError: a bad name, role or password, or the name taken)."""
    clean, known_role = checked_name(name), _role(role)
    check_password(password, clean)
    hashed = hash_password(password)
    with writing(app.migrated_engine()) as session:
        store.lock(session)
        user = insert_user(session, clean, known_role, hashed, app.clock.now())
        record_admin_event(session, app.clock.now(), by, "user_add", user.name, str(user.role))
    log.info("user.added", name=user.name, role=str(user.role), by=by)
    return user


def list_users(app: App) -> list[User]:
    """Every user, disabled ones included (with `disabled_at`), by name."""
    with reading(app.migrated_engine()) as session:
        return [user_from_row(row) for row in store.all_users(session)]


def set_role(app: App, name: str, role: Role | str, by: str) -> User:
    """Give the user another role (UserError: no such user, an unknown role, or the last
    enabled admin losing the role)."""
    known_role = _role(role)
    with writing(app.migrated_engine()) as session:
        store.lock(session)
        row = existing_user_row(session, name)
        if known_role != Role.ADMIN:
            _keep_an_admin(session, row)
        before, row.role = row.role, known_role
        session.add(row)
        user = user_from_row(row)
        change = f"{before} -> {user.role}"
        record_admin_event(session, app.clock.now(), by, "user_role", user.name, change)
    log.info("user.role_changed", name=user.name, role=str(user.role), before=before, by=by)
    return user


def disable_user(app: App, name: str, by: str) -> User:
    """Disable the user: no more sign-in, and their sessions end at the next request. Never
    deleted (the audit trail names them). UserError: no such user, or the last enabled admin."""
    with writing(app.migrated_engine()) as session:
        store.lock(session)
        row = existing_user_row(session, name)
        if row.disabled_at is None:
            _keep_an_admin(session, row)
            row.disabled_at = now = app.clock.now()
            session.add(row)
            record_admin_event(session, now, by, "user_disable", row.name)
        user = user_from_row(row)
    log.info("user.disabled", name=user.name, by=by)
    return user


def get_user(app: App, user_id: int) -> User | None:
    """The user, or None when there is none or it is disabled (a session must end)."""
    with reading(app.migrated_engine()) as session:
        row = session.get(AppUser, user_id)
    return None if row is None or row.disabled_at is not None else user_from_row(row)


def can(user: User, action: Permission | str) -> bool:
    """Whether the user's role allows `action` (storage.states.ROLE_PERMISSIONS)."""
    return role_can(user.role, action)


def existing_user_row(session: Session, name: str) -> AppUser:
    """The user's row, looked up as names are (case and spacing aside); UserError if none."""
    row = store.by_key(session, name_key(name))
    if row is None:
        raise UserError(f"Không có người dùng “{name}” / There is no user “{name}”.")
    return row


def insert_user(session: Session, name: str, role: Role, hashed: str, now: datetime) -> User:
    """Add a user with a checked name and a hashed password (UserError: the name is taken)."""
    if store.by_key(session, name_key(name)) is not None:
        raise UserError(f"Tên “{name}” đã có người dùng / The name “{name}” is taken.")
    row = AppUser(
        name=name, name_key=name_key(name), role=role, password_hash=hashed, created_at=now
    )
    session.add(row)
    session.flush()
    return user_from_row(row)


def user_from_row(row: AppUser) -> User:
    return User(
        id=row.id or 0,
        name=row.name,
        role=Role(row.role),
        created_at=row.created_at,
        last_login_at=row.last_login_at,
        disabled_at=row.disabled_at,
        password_changed_at=row.password_changed_at,
    )


def _keep_an_admin(session: Session, row: AppUser) -> None:
    """UserError when `row` is the last enabled admin: someone must be able to manage users."""
    if (
        row.role == Role.ADMIN
        and row.disabled_at is None
        and store.count_active(session, "admin") <= 1
    ):
        raise UserError(
            "Phải còn ít nhất một quản trị viên / There must remain at least one administrator."
        )


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        roles = ", ".join(Role)
        raise UserError(
            f"Vai trò không hợp lệ: {role} (chọn {roles}) / Unknown role: {role} (one of {roles})."
        ) from None
