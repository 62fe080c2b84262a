"""API tokens: for scripts using the JSON API, acting with their user's role.

A token is shown once, when made; only its SHA-256 digest is stored (a 256-bit random token
needs no slow hash: it cannot be guessed from its digest). Logs name a token by its id as
`key_id` (a field named like "token" is redacted).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import structlog

from storage import users as store
from storage.admin_events import record_admin_event
from storage.models import ApiToken, AppUser
from storage.session import reading, writing
from syndicator.services.credentials import digest
from syndicator.services.user_rules import UserError
from syndicator.services.users import User, existing_user_row, user_from_row

if TYPE_CHECKING:
    from syndicator.app import App

log = structlog.get_logger("syndicator.services.api_tokens")

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
        owner = existing_user_row(session, user_name)
        if owner.disabled_at is not None:
            raise UserError(
                f"Người dùng “{owner.name}” đã bị khóa / The user “{owner.name}” is disabled."
            )
        row = ApiToken(
            user_id=owner.id or 0,
            name=label,
            token_digest=digest(token),
            created_at=app.clock.now(),
        )
        store.add_api_token(session, row)
        session.flush()
        detail = f"key_id={row.id} label={label}"
        record_admin_event(session, row.created_at, by, "api_token_create", owner.name, detail)
    log.info("user.api_token_created", name=owner.name, key_id=row.id, label=label, by=by)
    return token


def list_api_tokens(app: App, user_name: str) -> list[ApiTokenRow]:
    """The user's tokens, revoked ones included, oldest first (UserError: no such user)."""
    with reading(app.migrated_engine()) as session:
        owner = existing_user_row(session, user_name)
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
        detail = f"key_id={token_id}"
        record_admin_event(session, now, by, "api_token_revoke", revoked.user, detail)
    log.info("user.api_token_revoked", name=revoked.user, key_id=token_id, by=by)
    return revoked


def user_for_api_token(app: App, token: str) -> User | None:
    """The enabled user whose token this is, unless it is revoked; None otherwise."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > TOKEN_MAX:
        return None
    now, engine = app.clock.now(), app.migrated_engine()
    with reading(engine) as session:
        found = store.api_token_by_digest(session, digest(token))
        owner = session.get(AppUser, found.user_id) if found else None
    if found is None or found.revoked_at is not None or owner is None or owner.disabled_at:
        return None
    if found.last_used_at is None or now - found.last_used_at >= TOKEN_TOUCH_EVERY:
        with writing(engine) as session:
            store.touch_api_token(session, found.id or 0, now)
    return user_from_row(owner)


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
