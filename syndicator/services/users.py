"""Users, roles and signing in: what the admin page and `syndicator users` call.

Passwords are hashed with argon2 (HASHER) and never logged, stored or raised; set-up links and
API tokens are stored as SHA-256 digests only. Name and password rules, and the login rate limit,
are in syndicator/services/user_rules.py.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from storage import users as store
from storage.models import ApiToken, AppUser, SetupLink
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


def set_role(app: App, name: str, role: Role | str, by: str) -> User:
    """Give the user another role (UserError: no such user, an unknown role, or the last
    enabled admin losing the role)."""
    known_role = _role(role)
    with writing(app.migrated_engine()) as session:
        store.lock(session)
        row = _existing(session, name)
        if known_role != Role.ADMIN:
            _keep_an_admin(session, row)
        before, row.role = row.role, known_role
        session.add(row)
        user = _user(row)
    log.info("user.role_changed", name=user.name, role=str(user.role), before=before, by=by)
    return user


def disable_user(app: App, name: str, by: str) -> User:
    """Disable the user: no more sign-in, and their sessions end at the next request. Never
    deleted (the audit trail names them). UserError: no such user, or the last enabled admin."""
    with writing(app.migrated_engine()) as session:
        store.lock(session)
        row = _existing(session, name)
        if row.disabled_at is None:
            _keep_an_admin(session, row)
            row.disabled_at = app.clock.now()
            session.add(row)
        user = _user(row)
    log.info("user.disabled", name=user.name, by=by)
    return user


def _existing(session: Session, name: str) -> AppUser:
    row = store.by_key(session, name_key(name))
    if row is None:
        raise UserError(f"Không có người dùng “{name}” / There is no user “{name}”.")
    return row


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


# API tokens: for scripts using the JSON API, acting with their user's role. A token is shown
# once, when made; only its SHA-256 digest is stored (a 256-bit random token needs no slow
# hash: it cannot be guessed from its digest). Logs name a token by its id as `key_id` (a
# field named like "token" is redacted).
# The prefix makes a leaked token recognisable in a log or to a secret scanner.
TOKEN_PREFIX = "synd_"  # noqa: S105 (a prefix, not a secret)
TOKEN_NAME_MAX = 100
TOKEN_MAX = 200  # longer is not ours: refused without hashing
# last_used_at is written at most once a minute per token: a script's burst of calls is not a
# burst of writes to the database the daemon uses.
TOKEN_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiTokenRow:
    """A user's API token as listed: its id and label, never the token itself."""

    id: int
    user: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def create_api_token(app: App, user_name: str, token_name: str, by: str = "shell") -> str:
    """A new token for an enabled user, labelled `token_name` (UserError otherwise); returned
    this once, stored as its digest."""
    label = _token_label(token_name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with writing(app.migrated_engine()) as session:
        owner = _existing(session, user_name)
        if owner.disabled_at is not None:
            raise UserError(
                f"Người dùng “{owner.name}” đã bị khóa / The user “{owner.name}” is disabled."
            )
        row = ApiToken(
            user_id=owner.id or 0,
            name=label,
            token_digest=_digest(token),
            created_at=app.clock.now(),
        )
        store.add_api_token(session, row)
        session.flush()
    log.info("user.api_token_created", name=owner.name, key_id=row.id, label=label, by=by)
    return token


def list_api_tokens(app: App, user_name: str) -> list[ApiTokenRow]:
    """The user's tokens, revoked ones included, oldest first (UserError: no such user)."""
    with reading(app.migrated_engine()) as session:
        owner = _existing(session, user_name)
        return [_token_row(t, owner.name) for t in store.user_api_tokens(session, owner.id or 0)]


def revoke_api_token(app: App, token_id: int, by: str = "shell") -> ApiTokenRow:
    """Revoke the token: from now on it authorizes nothing (UserError: unknown or revoked)."""
    now = app.clock.now()
    with writing(app.migrated_engine()) as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise UserError(f"Không có mã API số {token_id} / There is no API token {token_id}.")
        if not store.revoke_api_token(session, token_id, now):
            raise UserError(
                f"Mã API số {token_id} đã bị thu hồi / API token {token_id} is revoked already."
            )
        owner = session.get(AppUser, row.user_id)
        revoked = replace(_token_row(row, owner.name if owner else "?"), revoked_at=now)
    log.info("user.api_token_revoked", name=revoked.user, key_id=token_id, by=by)
    return revoked


def user_for_api_token(app: App, token: str) -> User | None:
    """The enabled user whose token this is, unless it is revoked; None otherwise."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > TOKEN_MAX:
        return None
    now, engine = app.clock.now(), app.migrated_engine()
    with reading(engine) as session:
        found = store.api_token_by_digest(session, _digest(token))
        owner = session.get(AppUser, found.user_id) if found else None
    if found is None or found.revoked_at is not None or owner is None or owner.disabled_at:
        return None
    if found.last_used_at is None or now - found.last_used_at >= TOKEN_TOUCH_EVERY:
        with writing(engine) as session:
            store.touch_api_token(session, found.id or 0, now)
    return _user(owner)


def _token_label(name: str) -> str:
    label = " ".join(name.split())
    if not label or len(label) > TOKEN_NAME_MAX or not label.isprintable():
        raise UserError(
            f"Tên mã API gồm 1 đến {TOKEN_NAME_MAX} ký tự in được / "
            f"A token's name must be 1 to {TOKEN_NAME_MAX} printable characters."
        )
    return label


def _token_row(row: ApiToken, owner: str) -> ApiTokenRow:
    return ApiTokenRow(
        id=row.id or 0,
        user=owner,
        name=row.name,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )
