"""Who may do what: the signed-in user, the permission an action needs, the form token.

Raised here, answered by the handlers in syndicator/web/errors.py: anonymous → the login page,
not permitted or a missing form token → 403, and the request changes nothing.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request

from syndicator.services import passwords, users
from syndicator.web.pages import Pages
from syndicator.web.sessions import Session, SessionCodec, anonymous

if TYPE_CHECKING:
    from syndicator.app import App


class LoginRequired(Exception):
    """No one is signed in (or the session ran out)."""


class NotPermitted(Exception):
    """The signed-in user's role does not allow the action."""


class FormRefused(Exception):
    """A POST without this session's form token: possibly forged by another site."""


@dataclass(frozen=True)
class Web:
    """What every request needs: the composition root's App, the pages, the cookie codec."""

    app: App
    pages: Pages
    codec: SessionCodec


def web(request: Request) -> Web:
    found: Web = request.app.state.web
    return found


def session(request: Request) -> Session:
    current: Session = request.state.session
    return current


def signed_in(request: Request) -> users.User:
    """The user of this session (LoginRequired when none, when they are disabled, or when
    their password changed after the session started: it is replaced by an ended one)."""
    current, site = session(request), web(request)
    user = users.get_user(site.app, current.user_id) if current.user_id is not None else None
    if user is not None and passwords.ended_by_password_change(user, current.started):
        request.state.session = anonymous(site.app.clock.now(), expired=True)
        user = None
    if user is None:
        raise LoginRequired
    return user


def require(user: users.User, action: str) -> None:
    if not users.can(user, action):
        raise NotPermitted(action)


async def form_token_checked(request: Request) -> None:
    """Every POST carries this session's form token, or is refused before anything runs."""
    if request.method != "POST":
        return
    sent = (await request.form()).get("csrf")
    expected = session(request).csrf
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise FormRefused
