"""`/reach`, for every signed-in role: what syndication brought back over `?since=` ("30d",
"12w"; 30 days when not given): the top posts (`?by=` a counter, engagement by default), totals
per portal, category and channel, engagement by local hour and weekday, and the pacing windows
they suggest. A `since` or `by` the page does not know is a 400 page, never a 500."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from syndicator.durations import format_duration
from syndicator.services import reach as service
from syndicator.services import users
from syndicator.web.guard import signed_in, web
from syndicator.web.routes.report import BadPeriod, period_asked

router = APIRouter()
SignedIn = Annotated[users.User, Depends(signed_in)]


@router.get("/reach")
def reach_page(request: Request, user: SignedIn, since: str = "", by: str = "") -> Response:
    site = web(request)
    ranked = by or "engagement"
    try:
        length = period_asked(since) if since else service.DEFAULT_SINCE
    except BadPeriod:
        return _page(request, user, since, ranked, 400, bad_since=since)
    if ranked not in service.TOP_BY:
        return _page(request, user, since, ranked, 400, bad_by=True)
    summary = service.reach_summary(site.app, length, ranked)
    charts = service.charts(summary, request.state.lang)
    return _page(request, user, since, ranked, 200, summary=summary, charts=charts)


def _page(
    request: Request, user: users.User, since: str, by: str, status: int, **shown: Any
) -> Response:
    site = web(request)
    fmt = service.formats(request.state.lang, site.app.settings.timezone)
    shown.setdefault("summary", None)
    shown.setdefault("charts", None)
    shown.setdefault("bad_since", None)
    shown.setdefault("bad_by", False)
    return site.pages.render(
        request, "reach.html", status, user=user, since=since, by=by,
        usual=format_duration(service.DEFAULT_SINCE), top_by=service.TOP_BY,
        counters=service.COUNTERS, timezone=site.app.settings.timezone, fmt=fmt,
        fmt_number=fmt.number, least_measured=service.MIN_MEASURED, **shown,
    )  # fmt: skip
