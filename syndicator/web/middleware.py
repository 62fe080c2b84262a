"""Around every request: the session from its cookie (and back, refreshed), the language, and
the security headers on every response. The JSON API under /api/v1 reads no cookie (bearer
tokens only), so its requests get neither cookie, only the headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from syndicator.web import language
from syndicator.web.api.app import PREFIX as API_PREFIX
from syndicator.web.guard import web
from syndicator.web.sessions import COOKIE

# No inline script and no framing anywhere; images may come from the portals (cover photos).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


async def around(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    if _under_api(request.url.path):
        response = await call_next(request)
    else:
        response = await _with_cookies(request, call_next)
    response.headers.update(SECURITY_HEADERS)
    return response


def _under_api(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


async def _with_cookies(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """The page's response, with the session read from its cookie and written back, and the
    language asked for (`?lang=`) remembered."""
    site = web(request)
    request.state.session = site.codec.load(request.cookies.get(COOKIE), site.app.clock.now())
    asked = request.query_params.get("lang")
    request.state.lang = language.choose(
        asked, request.cookies.get(language.COOKIE), request.headers.get("accept-language")
    )
    response = await call_next(request)
    https = request.url.scheme == "https"
    # The route may have replaced the session (sign-in, sign-out): written back refreshed, so
    # the idle clock restarts at each request.
    response.set_cookie(
        COOKIE,
        site.codec.dump(request.state.session),
        httponly=True,
        samesite="lax",
        secure=https,
    )
    if asked in language.LANGUAGES:
        response.set_cookie(
            language.COOKIE,
            asked,
            max_age=LANGUAGE_COOKIE_AGE,
            httponly=True,
            samesite="lax",
            secure=https,
        )
    return response
