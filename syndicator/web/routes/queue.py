"""`/`: the review queue, newest first, filtered by status, feed and channel, a page at a time."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from syndicator.services import queue, users
from syndicator.services.names import UnknownName
from syndicator.web.guard import signed_in, web

router = APIRouter()
PAGE = 50


@router.get("/")
def queue_page(
    request: Request,
    user: Annotated[users.User, Depends(signed_in)],
    status: str = "",
    feed: str = "",
    channel: str = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    site = web(request)
    chosen = {"status": status, "feed": feed, "channel": channel}
    error, rows = None, []
    try:
        rows = queue.list_posts(
            site.app, status or None, feed or None, channel or None, PAGE + 1, before
        )
    except UnknownName as unknown:
        error = str(unknown)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    following = _page_link(chosen, rows[-1].id) if more else None
    return site.pages.render(
        request,
        "queue.html",
        400 if error else 200,
        user=user,
        rows=rows,
        chosen=chosen,
        statuses=queue.STATUSES,
        feeds=[(f.id, f.name) for f in site.app.settings.feeds],
        channels=sorted(site.app.settings.channels),
        error=error,
        following=following,
        first=_page_link(chosen, None) if before else None,
    )


def _page_link(chosen: dict[str, str], before: int | None) -> str:
    query = {key: value for key, value in chosen.items() if value}
    if before is not None:
        query["before"] = str(before)
    return "/?" + urlencode(query)
