"""`/account`: the signed-in user (any role) changes their own password. The passwords service
checks the current one under the login rate limit; the user gets a fresh session, and their
other sessions end."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from syndicator.services import passwords, sign_in, users
from syndicator.web import sessions
from syndicator.web.guard import signed_in, web
from syndicator.web.labels import N_
from syndicator.web.routes.login import minutes_to_wait

router = APIRouter()
SignedIn = Annotated[users.User, Depends(signed_in)]
Field = Annotated[str, Form()]


@router.get("/account")
def account_page(request: Request, user: SignedIn, done: bool = False) -> Response:
    return _page(request, user, done=done)


@router.post("/account/password")
def change_password(
    request: Request,
    user: SignedIn,
    current_password: Field,
    new_password: Field,
    new_password_again: Field,
) -> Response:
    site = web(request)
    if new_password != new_password_again:
        return _page(request, user, 400, error=N_("The two new passwords differ."))
    address = request.client.host if request.client else "unknown"
    try:
        passwords.change_own_password(site.app, user.name, current_password, new_password, address)
    except sign_in.LoginThrottled as throttled:
        minutes = minutes_to_wait(throttled.retry_after)
        response = _page(request, user, 429, wait=minutes)
        response.headers["Retry-After"] = str(minutes * 60)
        return response
    except sign_in.LoginRefused:
        return _page(request, user, 400, error=N_("The current password is wrong."))
    except users.UserError as refused:
        return _page(request, user, 400, error=str(refused))
    # A fresh session, as signing in gives, started at or after the change: it stays on.
    request.state.session = sessions.signed_in(user.id, site.app.clock.now())
    return RedirectResponse("/account?done=1", status_code=303)


def _page(
    request: Request, user: users.User, status_code: int = 200, **context: object
) -> Response:
    for key, empty in (("error", None), ("done", False), ("wait", None)):
        context.setdefault(key, empty)
    return web(request).pages.render(request, "account.html", status_code, user=user, **context)
