"""`/audit`, for admins only: the audit trail of admin actions, newest first, filtered by who
did them and by action, 50 a page (keyset: `?before=` the last event's id)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from syndicator.services import audit, users
from syndicator.web.guard import require, signed_in, web
from syndicator.web.paging import Before, page_link

router = APIRouter()


@router.get("/audit")
def audit_page(
    request: Request,
    user: Annotated[users.User, Depends(signed_in)],
    actor: Annotated[str, Query(max_length=200)] = "",
    action: Annotated[str, Query(max_length=50)] = "",
    before: Before = None,
) -> Response:
    require(user, "manage_users")
    site = web(request)
    chosen = {"actor": actor, "action": action}
    error, page = None, audit.AuditPage((), None)
    try:
        wanted = audit.AuditFilter(actor=actor or None, action=action or None)
        page = audit.admin_events(site.app, wanted, audit.PAGE, before)
    except audit.UnknownAction as unknown:
        error = str(unknown)
    return site.pages.render(
        request,
        "audit.html",
        400 if error else 200,
        user=user,
        rows=page.rows,
        chosen=chosen,
        actors=audit.admin_event_actors(site.app),
        actions=audit.ADMIN_ACTIONS,
        error=error,
        following=page_link("/audit", chosen, page.older) if page.older else None,
        first=page_link("/audit", chosen, None) if before else None,
    )
