"""The pages every signed-in user may read: published posts and alerts (the feeds: feeds.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from syndicator.services import alerts, published, users
from syndicator.web.guard import signed_in, web
from syndicator.web.paging import Before

router = APIRouter()
SignedIn = Annotated[users.User, Depends(signed_in)]
PAGE = 50


@router.get("/published")
def published_page(request: Request, user: SignedIn, before: Before = None) -> Response:
    site = web(request)
    rows = published.published_posts(site.app, PAGE + 1, before)
    shown = rows[:PAGE]
    return site.pages.render(
        request,
        "published.html",
        user=user,
        rows=shown,
        following=f"/published?before={shown[-1].id}" if len(rows) > PAGE else None,
        first="/published" if before is not None else None,
    )


@router.get("/alerts")
def alerts_page(request: Request, user: SignedIn) -> Response:
    site = web(request)
    rows = sorted(alerts.list_alerts(site.app), key=lambda alert: not alert.open)  # open first
    return site.pages.render(request, "alerts.html", user=user, rows=rows)
