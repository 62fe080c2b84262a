"""Signing in: checking a name and password under the login rate limit, and the one-time link
that creates the first admin while no user exists.

The rate limit's rules are in user_rules.py; passwords are checked in credentials.py.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import structlog

from storage import users as store
from storage.admin_events import record_admin_event
from storage.models import AppUser, SetupLink
from storage.session import reading, writing
from storage.states import Role
from syndicator.errors import SyndicatorError
from syndicator.services.credentials import digest, hash_password, needs_rehash, password_matches
from syndicator.services.user_rules import (
    NAME_MAX,
    WINDOW,
    UserError,
    check_password,
    checked_name,
    name_key,
    throttled_for,
)
from syndicator.services.users import User, insert_user, user_from_row

if TYPE_CHECKING:
    from sqlmodel import Session

    from syndicator.app import App

log = structlog.get_logger("syndicator.services.sign_in")

LINK_LIFETIME = timedelta(hours=1)
FIRST_ADMIN = "first_admin"  # setup_link.purpose
ADDRESS_MAX = 64


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


def authenticate(app: App, name: str, password: str, address: str) -> User:
    """The user, when the name and password match an enabled user and the name is not
    throttled; LoginThrottled or LoginRefused otherwise."""
    row = verified_password(app, name, password, address)
    with writing(app.migrated_engine()) as session:
        forget_failures(session, name, address)
        user = _logged_in(session, row.id or 0, password, app.clock.now())
    log.info("user.logged_in", name=user.name, address=address[:ADDRESS_MAX])
    return user


def verified_password(app: App, name: str, password: str, address: str) -> AppUser:
    """The enabled user's row when the password is theirs, under the login rate limit (also
    what a password change checks the current password with); LoginThrottled or LoginRefused
    otherwise. Each try counts as a failure until the caller's `forget_failures`, so parallel
    tries cannot pass the limit."""
    key, address = _limited(name, address)
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
    verified = password_matches(row.password_hash if row else None, password)
    if row is None or not verified or row.disabled_at is not None:
        log.warning("user.login_refused", name=known, address=address)
        raise LoginRefused()
    return row


def forget_failures(session: Session, name: str, address: str) -> None:
    """A proven password forgets the name's failed tries from that address (in the caller's
    transaction, beside what the password unlocks)."""
    store.clear_failures(session, *_limited(name, address))


def _limited(name: str, address: str) -> tuple[str, str]:
    """The name's key and the address as the rate limit stores them (cut to their columns)."""
    return name_key(name)[:NAME_MAX], address[:ADDRESS_MAX]


def _logged_in(session: Session, user_id: int, password: str, now: datetime) -> User:
    """Set last_login_at, and redo the hash if argon2's parameters changed since it was made."""
    row = session.get(AppUser, user_id)
    if row is None:  # users are never deleted; a database edited by hand
        raise LoginRefused()
    row.last_login_at = now
    if needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
    session.add(row)
    return user_from_row(row)


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
                token_digest=digest(token),
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
        link = store.link_by_digest(session, digest(token))
        return _usable(link, app.clock.now()) and not store.any_user(session)


def create_first_admin(app: App, token: str, name: str, password: str) -> User:
    """The first admin, from a valid, unexpired, unused link while no user exists; the link is
    used in the same transaction. UserError otherwise."""
    clean = checked_name(name)
    check_password(password, clean)
    hashed = hash_password(password)
    now = app.clock.now()
    with writing(app.migrated_engine()) as session:
        store.lock(session)
        link = store.link_by_digest(session, digest(token))
        if not _usable(link, now) or link is None or not store.use_link(session, link.id or 0, now):
            raise UserError(
                "Liên kết không hợp lệ, đã dùng hoặc đã hết hạn / "
                "The link is not valid, was used already, or has expired."
            )
        if store.any_user(session):
            raise UserError(
                "Đã có người dùng; hãy đăng nhập / Users exist already; sign in instead."
            )
        user = insert_user(session, clean, Role.ADMIN, hashed, now)
        record_admin_event(session, now, user.name, FIRST_ADMIN, user.name, "setup link")
    log.info("user.added", name=user.name, role=str(user.role), by="setup link")
    return user


def _usable(link: SetupLink | None, now: datetime) -> bool:
    return (
        link is not None
        and link.purpose == FIRST_ADMIN
        and link.used_at is None
        and now < link.expires_at
    )
