"""Changing a password: an admin sets another user's (the users page, `syndicator users
passwd`), or a signed-in user changes their own after proving the current one.

Either way the user's sessions that began before the change end: sessions are signed cookies
with nothing on the server to delete, so the change time is stored (app_user
.password_changed_at) and the web guard ends a session that started before it
(`ended_by_password_change`). The new password follows user_rules.check_password; the change
and its admin event are one transaction; neither the password nor its hash is logged.

A disabled user's password cannot be set: they cannot sign in, and nothing re-enables a user
(a disabled user who comes back is added again under a new name, as with API tokens).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import structlog

from storage import users as store
from storage.admin_events import record_admin_event
from storage.session import writing
from storage.states import AdminAction
from syndicator.services import sign_in
from syndicator.services.credentials import hash_password
from syndicator.services.user_rules import UserError, check_password
from syndicator.services.users import User, existing_user_row, user_from_row

if TYPE_CHECKING:
    from sqlmodel import Session

    from storage.models import AppUser
    from syndicator.app import App

log = structlog.get_logger("syndicator.services.passwords")

ACTION = AdminAction.USER_PASSWORD
SET_BY_ADMIN = "set by admin"
CHANGED_BY_USER = "changed by the user"


def set_password(app: App, name: str, password: str, *, by: str = "shell") -> User:
    """Give the user a new password, as an admin (`by`) does; their sessions end. UserError:
    no such user, a disabled one, or a password the rules refuse."""
    check_password(password, name)
    hashed = hash_password(password)
    with writing(app.migrated_engine()) as session:
        store.lock(session)
        row = existing_user_row(session, name)
        if row.disabled_at is not None:
            raise UserError(
                f"Người dùng “{row.name}” đã bị khóa / The user “{row.name}” is disabled."
            )
        now = app.clock.now()
        user = _new_password(session, row, hashed, now)
        record_admin_event(session, now, by, ACTION, user.name, SET_BY_ADMIN)
    log.info("user.password_set", name=user.name, by=by)
    return user


def change_own_password(app: App, name: str, current: str, new: str, address: str) -> User:
    """The signed-in user's new password, once the current one proves right under the login
    rate limit (a wrong one counts as a failed login from `address`); their other sessions
    end. UserError: the new password breaks the rules (checked first, so a mistyped new
    password costs no try); sign_in.LoginThrottled or LoginRefused: the current one."""
    check_password(new, name)
    hashed = hash_password(new)
    proven = sign_in.verified_password(app, name, current, address)
    with writing(app.migrated_engine()) as session:
        store.lock(session)
        row = existing_user_row(session, proven.name)
        if row.disabled_at is not None:  # disabled between the check and now
            raise sign_in.LoginRefused()
        sign_in.forget_failures(session, name, address)
        now = app.clock.now()
        user = _new_password(session, row, hashed, now)
        record_admin_event(session, now, user.name, ACTION, user.name, CHANGED_BY_USER)
    log.info("user.password_changed", name=user.name, address=address)
    return user


def ended_by_password_change(user: User, session_started: datetime) -> bool:
    """Whether a session that started at `session_started` ended when the password changed:
    one started before the change has; one started at that very moment (the new session of
    the user who changed it) has not."""
    changed = user.password_changed_at
    return changed is not None and session_started < changed


def _new_password(session: Session, row: AppUser, hashed: str, now: datetime) -> User:
    row.password_hash = hashed
    row.password_changed_at = now
    session.add(row)
    return user_from_row(row)
