"""`/report`, for every signed-in role: which portals went quiet and which required categories
are empty, over `?since=` ("30d", "12w"; the settings' report.period when not given), and the
same report to download as the printable HTML file, CSV or JSON. A `since` that is not a period
is a 400 page saying so in the reader's language, never a 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from syndicator.durations import format_duration, parse_duration
from syndicator.services import report as service
from syndicator.services import users
from syndicator.services.report import Report
from syndicator.web.guard import signed_in, web

router = APIRouter()
SignedIn = Annotated[users.User, Depends(signed_in)]
KINDS = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
LONGEST_WRITTEN = 20  # "365d" is 4 characters: anything much longer is not a period


class BadPeriod(ValueError):
    """`since` is not a duration longer than zero."""


@router.get("/report")
def report_page(request: Request, user: SignedIn, since: str = "") -> Response:
    site = web(request)
    try:
        report = _report(request, since)
    except BadPeriod:
        return _page(request, user, since, 400, view=None, downloads={})
    view = service.report_view(report, request.state.lang, site.app.settings.timezone)
    links = {kind: f"/report.{kind}" + _query(since) for kind in KINDS}
    return _page(request, user, since, 200, view=view, downloads=links)


@router.get("/report.{kind}")
def report_file(request: Request, user: SignedIn, kind: str, since: str = "") -> Response:
    """The report as a file to keep or send on: attached, named after the day it was made."""
    if kind not in KINDS:
        raise HTTPException(404)
    try:
        report = _report(request, since)
    except BadPeriod:
        return _page(request, user, since, 400, view=None, downloads={})
    day = report.generated_at.astimezone(web(request).pages.zone).date().isoformat()
    attached = f'attachment; filename="bao-cao-cong-thong-tin-{day}.{kind}"'
    body = _formatted(request, report, kind)
    return Response(body, media_type=KINDS[kind], headers={"Content-Disposition": attached})


def _report(request: Request, since: str) -> Report:
    app = web(request).app
    return service.build_report(app, period_asked(since) if since else app.settings.report.period)


def period_asked(since: str) -> timedelta:
    """A duration longer than zero, as the CLI's --since takes it, else BadPeriod."""
    if len(since) > LONGEST_WRITTEN:
        raise BadPeriod(since)
    try:
        period = parse_duration(since)
    except ValueError:
        raise BadPeriod(since) from None
    if period <= timedelta(0):
        raise BadPeriod(since)
    return period


def _formatted(request: Request, report: Report, kind: str) -> str:
    timezone = web(request).app.settings.timezone
    return service.render_report(report, kind, timezone, request.state.lang)


def _page(request: Request, user: users.User, since: str, status: int, **shown: Any) -> Response:
    """The report page; with status 400 it says the period was not understood."""
    site = web(request)
    return site.pages.render(
        request, "report.html", status, user=user, since=since,
        bad_since=since if status == 400 else None,
        usual=format_duration(site.app.settings.report.period), **shown,
    )  # fmt: skip


def _query(since: str) -> str:
    return f"?{urlencode({'since': since})}" if since else ""
