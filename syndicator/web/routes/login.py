"""Sign in and sign out. Wrong answers and the rate limit are the sign-in service's decisions."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from syndicator.services import sign_in
from syndicator.web import sessions
from syndicator.web.guard import web
from syndicator.web.labels import N_

router = APIRouter()


@router.get("/login")
def login_page(request: Request, next: str = "/", expired: bool = False) -> Response:
    return web(request).pages.render(request, "login.html", next=safe_next(next), expired=expired)


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    site = web(request)
    address = request.client.host if request.client else "unknown"
    try:
        user = sign_in.authenticate(site.app, name, password, address)
    except sign_in.LoginThrottled as throttled:
        minutes = minutes_to_wait(throttled.retry_after)
        response = site.pages.render(
            request, "login.html", 429, next=safe_next(next), expired=False, wait=minutes
        )
        response.headers["Retry-After"] = str(minutes * 60)
        return response
    except sign_in.LoginRefused:
        message = N_("Wrong name or password.")
        return site.pages.render(
            request, "login.html", 401, next=safe_next(next), expired=False, error=message
        )
    request.state.session = sessions.signed_in(user.id, site.app.clock.now())
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.state.session = sessions.anonymous(web(request).app.clock.now())
    return RedirectResponse("/login", status_code=303)


def safe_next(target: str) -> str:
    """Only a path on this site: never another host (`//evil`, `https://evil`)."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def minutes_to_wait(retry_after: timedelta) -> int:
    """Whole minutes to wait, at least one."""
    return max(1, math.ceil(retry_after.total_seconds() / 60))
