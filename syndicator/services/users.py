"""Users, roles and signing in: what the admin page and `syndicator users` call.

Passwords are hashed with argon2 (HASHER) and never logged, stored or raised; set-up links and
API tokens are stored as SHA-256 digests only. Name and password rules, and the login rate limit,
are in syndicator/services/user_rules.py.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from storage import users as store
from storage.models import AppUser, SetupLink
from storage.session import reading, writing
from storage.states import Permission as Permission
from storage.states import Role as Role
from storage.states import can as role_can
from syndicator.errors import SyndicatorError
from syndicator.services.user_rules import (
    NAME_MAX,
    WINDOW,
    check_password,
    checked_name,
    name_key,
    normalized_password,
    throttled_for,
)
from syndicator.services.user_rules import UserError as UserError

if TYPE_CHECKING:
    from sqlmodel import Session

    from syndicator.app import App

log = structlog.get_logger("syndicator.services.users")

# argon2id with the library's current parameters; a hash made under older ones is redone at
# the next successful login.
HASHER = PasswordHasher()
LINK_LIFETIME = timedelta(hours=1)
FIRST_ADMIN = "first_admin"  # setup_link.purpose
ADDRESS_MAX = 64


@dataclass(frozen=True)
class User:
    """A person who signs in; equal by id, name and role (the times are for listings)."""

    id: int
    name: str
    role: Role
    created_at: datetime | None = field(default=None, compare=False)
    last_login_at: datetime | None = field(default=None, compare=False)
    disabled_at: datetime | None = field(default=None, compare=False)


class LoginRefused(SyndicatorError):
    """Wrong name or password: one message for both, so a name cannot be probed."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or "Sai tên đăng nhập hoặc mật khẩu / Wrong name or password.")


class LoginThrottled(LoginRefused):
    """Too many failed logins for this name: refused, without checking, for `retry_after`."""

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
        super().__init__(
            f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {minutes} phút / "
            f"Too many failed logins; try again in {minutes} min."
        )


def has_users(app: App) -> bool:
    with reading(app.migrated_engine()) as session:
        return store.any_user(session)


def add_user(app: App, name: str, role: Role | str, password: str, *, by: str = "shell") -> User:
    """A new user (UserError: a bad name, role or password, or the name taken)."""
    clean, known_role = checked_name(name), _role(role)
    check_password(password, clean)
    hashed = HASHER.hash(normalized_password(password))
    with writing(app.migrated_engine()) as session:
        store.lock(session)
        user = _insert(session, clean, known_role, hashed, app.clock.now())
    log.info("user.added", name=user.name, role=str(user.role), by=by)
    return user


def list_users(app: App) -> list[User]:
    """Every user, disabled ones included (with `disabled_at`), by name."""
    with reading(app.migrated_engine()) as session:
        return [_user(row) for row in store.all_users(session)]


def get_user(app: App, user_id: int) -> User | None:
    """The user, or None when there is none or it is disabled (a session must end)."""
    with reading(app.migrated_engine()) as session:
        row = session.get(AppUser, user_id)
    return None if row is None or row.disabled_at is not None else _user(row)


def can(user: User, action: Permission | str) -> bool:
    """Whether the user's role allows `action` (storage.states.ROLE_PERMISSIONS)."""
    return role_can(user.role, action)


def authenticate(app: App, name: str, password: str, address: str) -> User:
    """The user, when the name and password match an enabled user and the name is not
    throttled; LoginThrottled or LoginRefused otherwise. Each try counts as a failure until
    the password proves right, so parallel tries cannot pass the limit."""
    key, address = name_key(name)[:NAME_MAX], address[:ADDRESS_MAX]
    now, engine = app.clock.now(), app.migrated_engine()
    with writing(engine) as session:
        store.lock(session, key)
        store.forget_failures_before(session, now - WINDOW)
        wait = throttled_for(store.failures_since(session, key, now - WINDOW), address, now)
        if wait is None:
            store.add_failure(session, key, address, now)
        row = store.by_key(session, key)
    known = row.name if row is not None else None  # a typed name may be a password: not logged
    if wait is not None:
        seconds = int(wait.total_seconds())
        log.warning("user.login_throttled", name=known, address=address, retry_after=seconds)
        raise LoginThrottled(wait)
    verified = _verified(row.password_hash if row else None, password)
    if row is None or not verified or row.disabled_at is not None:
        log.warning("user.login_refused", name=known, address=address)
        raise LoginRefused()
    with writing(engine) as session:
        store.clear_failures(session, key, address)
        user = _logged_in(session, row.id or 0, password, now)
    log.info("user.logged_in", name=user.name, address=address)
    return user


def first_admin_link(app: App) -> str | None:
    """A one-time token (valid LINK_LIFETIME) to create the first admin, while no user exists;
    the web page makes it `/setup/<token>`. Only its digest is stored."""
    now = app.clock.now()
    with writing(app.migrated_engine()) as session:
        store.lock(session)
        if store.any_user(session):
            return None
        token = secrets.token_urlsafe(32)
        store.add_link(
            session,
            SetupLink(
                token_digest=_digest(token),
                purpose=FIRST_ADMIN,
                created_at=now,
                expires_at=now + LINK_LIFETIME,
            ),
        )
    log.info("user.setup_link_created", expires_at=now + LINK_LIFETIME)
    return token


def setup_link_valid(app: App, token: str) -> bool:
    """Whether the first-admin link can still be used (for the page to show its form)."""
    with reading(app.migrated_engine()) as session:
        link = store.link_by_digest(session, _digest(token))
        return _usable(link, app.clock.now()) and not store.any_user(session)


def create_first_admin(app: App, token: str, name: str, password: str) -> User:
    """The first admin, from a valid, unexpired, unused link while no user exists; the link is
    used in the same transaction. UserError otherwise."""
    clean = checked_name(name)
    check_password(password, clean)
    hashed = HASHER.hash(normalized_password(password))
    now = app.clock.now()
    with writing(app.migrated_engine()) as session:
        store.lock(session)
        link = store.link_by_digest(session, _digest(token))
        if not _usable(link, now) or link is None or not store.use_link(session, link.id or 0, now):
            raise UserError(
                "Liên kết không hợp lệ, đã dùng hoặc đã hết hạn / "
                "The link is not valid, was used already, or has expired."
            )
        if store.any_user(session):
            raise UserError(
                "Đã có người dùng; hãy đăng nhập / Users exist already; sign in instead."
            )
        user = _insert(session, clean, Role.ADMIN, hashed, now)
    log.info("user.added", name=user.name, role=str(user.role), by="setup link")
    return user


def _usable(link: SetupLink | None, now: datetime) -> bool:
    return (
        link is not None
        and link.purpose == FIRST_ADMIN
        and link.used_at is None
        and now < link.expires_at
    )


def _insert(session: Session, name: str, role: Role, hashed: str, now: datetime) -> User:
    if store.by_key(session, name_key(name)) is not None:
        raise UserError(f"Tên “{name}” đã có người dùng / The name “{name}” is taken.")
    row = AppUser(
        name=name, name_key=name_key(name), role=role, password_hash=hashed, created_at=now
    )
    session.add(row)
    session.flush()
    return _user(row)


def _logged_in(session: Session, user_id: int, password: str, now: datetime) -> User:
    """Set last_login_at, and redo the hash if argon2's parameters changed since it was made."""
    row = session.get(AppUser, user_id)
    if row is None:  # users are never deleted; a database edited by hand
        raise LoginRefused()
    row.last_login_at = now
    if HASHER.check_needs_rehash(row.password_hash):
        row.password_hash = HASHER.hash(normalized_password(password))
    session.add(row)
    return _user(row)


def _verified(hashed: str | None, password: str) -> bool:
    """Whether the password matches; without a hash (no such user) one is checked anyway, so
    an unknown name takes as long as a wrong password."""
    try:
        return HASHER.verify(hashed or _stand_in_hash(), normalized_password(password))
    except (VerificationError, InvalidHashError):
        return False


@cache
def _stand_in_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(16))


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        roles = ", ".join(Role)
        raise UserError(
            f"Vai trò không hợp lệ: {role} (chọn {roles}) / Unknown role: {role} (one of {roles})."
        ) from None


def _user(row: AppUser) -> User:
    return User(
        id=row.id or 0,
        name=row.name,
        role=Role(row.role),
        created_at=row.created_at,
        last_login_at=row.last_login_at,
        disabled_at=row.disabled_at,
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
