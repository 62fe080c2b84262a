"""The first start: the one-time link `serve` prints opens this page to create the first admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from syndicator.services import sign_in, users
from syndicator.web import sessions
from syndicator.web.guard import web
from syndicator.web.labels import N_

router = APIRouter()


@router.get("/setup/{token}")
def setup_page(request: Request, token: str) -> Response:
    site = web(request)
    if users.has_users(site.app):
        return _already_done(request)
    if not sign_in.setup_link_valid(site.app, token):
        message = N_("This link is not valid, was used already, or has expired.")
        return site.pages.render(request, "problem.html", 410, message=message)
    return site.pages.render(request, "setup.html", token=token)


@router.post("/setup/{token}")
def setup(
    request: Request,
    token: str,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    password_again: Annotated[str, Form()],
) -> Response:
    site = web(request)
    if users.has_users(site.app):
        return _already_done(request)
    if password != password_again:
        error = N_("The two passwords differ.")
        return site.pages.render(request, "setup.html", 400, token=token, name=name, error=error)
    try:
        admin = sign_in.create_first_admin(site.app, token, name, password)
    except users.UserError as refused:
        return site.pages.render(
            request, "setup.html", 400, token=token, name=name, error=str(refused)
        )
    request.state.session = sessions.signed_in(admin.id, site.app.clock.now())
    return RedirectResponse("/", status_code=303)


def _already_done(request: Request) -> Response:
    message = N_("The first administrator exists already: sign in instead.")
    return web(request).pages.render(request, "problem.html", 410, message=message, login=True)
