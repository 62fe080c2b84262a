"""`/channels`: each channel's token, pause and last error, for everyone; resuming a paused
channel, for admins."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from syndicator.errors import SyndicatorError
from syndicator.services import channels, users
from syndicator.services.tokens import token_status
from syndicator.web.guard import require, signed_in, web

router = APIRouter()
SignedIn = Annotated[users.User, Depends(signed_in)]


@router.get("/channels")
def channels_page(request: Request, user: SignedIn, resumed: str = "") -> Response:
    return _page(request, user, resumed=resumed or None)


@router.post("/channels/check")
def check_now(request: Request, user: SignedIn) -> Response:
    """Ask every platform about its token now, rather than show the last few minutes' check."""
    token_status(web(request).app)
    return RedirectResponse("/channels", status_code=303)


@router.post("/channels/{name}/resume")
def resume(request: Request, name: str, user: SignedIn) -> Response:
    require(user, "resume_channels")
    try:
        channels.resume_channel(web(request).app, name, by=user.name)
    except SyndicatorError as refused:
        return _page(request, user, 409, error=str(refused))
    return RedirectResponse(f"/channels?{urlencode({'resumed': name})}", status_code=303)


def _page(
    request: Request, user: users.User, status_code: int = 200, **context: object
) -> Response:
    site = web(request)
    context.setdefault("error", None)
    context.setdefault("resumed", None)
    rows = channels.channel_report(site.app)
    return site.pages.render(request, "channels.html", status_code, user=user, rows=rows, **context)
