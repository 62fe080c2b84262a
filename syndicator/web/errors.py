"""How refusals look: anonymous → the login page; forbidden, forged or missing → a plain page."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from syndicator.services.queue import PostNotFound
from syndicator.web.guard import FormRefused, LoginRequired, NotPermitted, session, web
from syndicator.web.labels import N_


def install(site: FastAPI) -> None:
    site.add_exception_handler(LoginRequired, to_login)
    site.add_exception_handler(NotPermitted, not_permitted)
    site.add_exception_handler(FormRefused, form_refused)
    site.add_exception_handler(PostNotFound, not_found)
    site.add_exception_handler(HTTPException, http_error)


async def to_login(request: Request, _: Exception) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    query = {"next": here} | ({"expired": "1"} if session(request).expired else {})
    return RedirectResponse("/login?" + urlencode(query), status_code=303)


async def not_permitted(request: Request, _: Exception) -> Response:
    message = N_("Your role does not allow this action.")
    return problem(request, 403, message)


async def form_refused(request: Request, _: Exception) -> Response:
    message = N_(
        "This form has expired or did not come from this site. Reload the page and try again."
    )
    return problem(request, 403, message)


async def not_found(request: Request, _: Exception) -> Response:
    return problem(request, 404, N_("There is no such page or post."))


async def http_error(request: Request, error: Exception) -> Response:
    status = error.status_code if isinstance(error, HTTPException) else 500
    if status == 404:
        return await not_found(request, error)
    return problem(request, status, N_("The request could not be handled."))


def problem(request: Request, status: int, message: str) -> Response:
    return web(request).pages.render(request, "problem.html", status, message=message)
