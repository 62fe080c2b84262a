"""`/`: the review queue, newest first, filtered by status, feed, channel, reasons to check and
words of the title, a page at a time; `/queue/bulk` approves or rejects the posts ticked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response

from syndicator.services import queue, users
from syndicator.services.names import UnknownName
from syndicator.web.guard import require, signed_in, web
from syndicator.web.paging import Before, page_link

router = APIRouter()
PAGE = 50


@router.get("/")
def queue_page(
    request: Request,
    user: Annotated[users.User, Depends(signed_in)],
    status: str = "",
    feed: str = "",
    channel: str = "",
    flagged: str = "",
    q: Annotated[str, Query(max_length=200)] = "",
    before: Before = None,
) -> Response:
    site = web(request)
    chosen = {"status": status, "feed": feed, "channel": channel, "flagged": flagged, "q": q}
    error, rows = None, []
    try:
        rows = queue.list_posts(
            site.app,
            status or None,
            feed or None,
            channel or None,
            PAGE + 1,
            before,
            flagged=bool(flagged),
            search=q.strip() or None,
        )
    except UnknownName as unknown:
        error = str(unknown)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    following = page_link("/", chosen, rows[-1].id) if more else None
    return site.pages.render(
        request,
        "queue.html",
        400 if error else 200,
        user=user,
        rows=rows,
        chosen=chosen,
        statuses=queue.STATUSES,
        feeds=[(f.id, f.name) for f in site.app.feeds()],
        channels=sorted(site.app.settings.channels),
        error=error,
        following=following,
        first=page_link("/", chosen, None) if before else None,
    )


@router.post("/queue/bulk")
def bulk(
    request: Request,
    user: Annotated[users.User, Depends(signed_in)],
    action: Annotated[str, Form()],
    post: Annotated[list[str] | None, Form()] = None,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Approve (each at the version the list showed) or reject the posts ticked; the page
    then says what happened to each."""
    if action not in ("approve", "reject"):
        raise HTTPException(400)
    require(user, action)
    seen = dict(_seen(value) for value in post or [])
    app = web(request).app
    if action == "approve":
        results = queue.approve_seen(app, seen, user.name)
    else:
        results = queue.reject(app, list(seen), user.name, reason)
    return web(request).pages.render(
        request, "bulk.html", user=user, action=action, results=results
    )


def _seen(value: str) -> tuple[int, int]:
    """A ticked box's value, "post id:version"."""
    post_id, _, version = value.partition(":")
    if not (post_id.isdigit() and version.isdigit()):
        raise HTTPException(400)
    return int(post_id), int(version)
