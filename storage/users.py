"""Queries for users, one-time set-up links, failed logins and API tokens.

Takes plain values (names already normalized, digests already made): the rules live in
syndicator/services/users.py.
"""

from __future__ import annotations

import zlib
from datetime import datetime

from sqlalchemy import delete, func, text, update
from sqlmodel import Session, col, select

from storage.models import ApiToken, AppUser, LoginFailure, SetupLink

_USERS_LOCK = zlib.crc32(b"syndicator-users")


def lock(session: Session, key: str = "") -> None:
    """Serialize writers of the users tables (or of one login name) until the transaction ends.
    SQLite's writing transaction holds the whole file already; PostgreSQL takes an advisory
    lock, so two first admins, or a sixth failure racing a fifth, cannot both pass a check."""
    if session.get_bind().dialect.name == "postgresql":
        number = zlib.crc32(key.encode("utf-8"), _USERS_LOCK)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": number})


def any_user(session: Session) -> bool:
    return session.exec(select(AppUser.id).limit(1)).first() is not None


def by_key(session: Session, name_key: str) -> AppUser | None:
    return session.exec(select(AppUser).where(AppUser.name_key == name_key)).first()


def all_users(session: Session) -> list[AppUser]:
    return list(session.exec(select(AppUser).order_by(col(AppUser.name_key))))


def failures_since(session: Session, name: str, since: datetime) -> list[tuple[str, datetime]]:
    """(address, at) of the name's failed logins after `since`, newest first."""
    query = (
        select(LoginFailure.address, LoginFailure.at)
        .where(LoginFailure.name == name, col(LoginFailure.at) > since)
        .order_by(col(LoginFailure.at).desc())
    )
    return [(address, at) for address, at in session.exec(query)]


def add_failure(session: Session, name: str, address: str, at: datetime) -> None:
    session.add(LoginFailure(name=name, address=address, at=at))


def clear_failures(session: Session, name: str, address: str) -> None:
    session.execute(
        delete(LoginFailure).where(
            col(LoginFailure.name) == name, col(LoginFailure.address) == address
        )
    )


def forget_failures_before(session: Session, moment: datetime) -> None:
    """Failures older than the rate limit's window count for nothing: the table stays small."""
    session.execute(delete(LoginFailure).where(col(LoginFailure.at) <= moment))


def add_link(session: Session, link: SetupLink) -> None:
    session.add(link)


def link_by_digest(session: Session, digest: str) -> SetupLink | None:
    return session.exec(select(SetupLink).where(SetupLink.token_digest == digest)).first()


def use_link(session: Session, link_id: int, now: datetime) -> bool:
    """Mark the link used unless it already is (compare-and-set): True when this call used it."""
    done = session.execute(
        update(SetupLink)
        .where(col(SetupLink.id) == link_id, col(SetupLink.used_at).is_(None))
        .values(used_at=now)
    )
    return bool(getattr(done, "rowcount", 0) == 1)


def count_active(session: Session, role: str) -> int:
    """Users with `role` who are not disabled."""
    query = select(func.count()).where(AppUser.role == role, col(AppUser.disabled_at).is_(None))
    return int(session.exec(query).one())


def add_api_token(session: Session, token: ApiToken) -> None:
    session.add(token)


def api_token_by_digest(session: Session, digest: str) -> ApiToken | None:
    return session.exec(select(ApiToken).where(ApiToken.token_digest == digest)).first()


def user_api_tokens(session: Session, user_id: int) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id))
    return list(session.exec(query))


def revoke_api_token(session: Session, token_id: int, now: datetime) -> bool:
    """Mark the token revoked unless it already is (compare-and-set): True when this call did."""
    done = session.execute(
        update(ApiToken)
        .where(col(ApiToken.id) == token_id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return bool(getattr(done, "rowcount", 0) == 1)


def touch_api_token(session: Session, token_id: int, now: datetime) -> None:
    session.execute(update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=now))
