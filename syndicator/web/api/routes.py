"""The operations: each one a services call with the token's user as actor, answered as JSON.

Refusals (syndicator/web/api/problems.py): no or a bad token 401, a role without the
permission 403, an unknown post 404, an unknown filter 400, a refused action (a stale version,
an empty reason, a post no longer waiting) 409 with the service's message.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from syndicator.errors import SyndicatorError
from syndicator.services import channels, feeds, queue
from syndicator.web.api import models
from syndicator.web.api.auth import Approver, Editor, Rejecter, Viewer, the_app
from syndicator.web.api.problems import ApiProblem
from syndicator.web.paging import MAX_ID

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": models.Error, "description": what}
    for code, what in {
        400: "An unknown filter or a malformed request.",
        401: "No API token, or one that is not valid, revoked, or whose user is disabled.",
        403: "The token's role does not allow the operation.",
    }.items()
}
ACTION_ERRORS: dict[int | str, dict[str, object]] = ERRORS | {
    404: {"model": models.Error, "description": "No post has that id."},
    409: {"model": models.Error, "description": "Refused: e.g. the post changed since."},
}
router = APIRouter(responses=ERRORS)
Status = Annotated[
    str | None,
    Query(description="One of the post states.", json_schema_extra={"enum": list(queue.STATUSES)}),
]


@router.get("/queue", tags=["queue"], summary="List the queue")
def list_queue(
    request: Request,
    _: Viewer,
    status: Status = None,
    feed: Annotated[str | None, Query(description="A feed's id from the settings.")] = None,
    channel: Annotated[str | None, Query(description="A channel's name.")] = None,
    flagged: Annotated[
        bool,
        Query(
            description="Only posts waiting for review with a reason to check besides the "
            'feed\'s `review = "required"` (rows whose `to_check` is not empty).'
        ),
    ] = False,
    search: Annotated[str | None, Query(max_length=200, description="Title words.")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Posts per page.")] = 50,
    before_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="The previous page's `next_before_id`."),
    ] = None,
) -> models.QueuePage:
    """Posts, newest first, filtered; a page of `limit` at a time (needs `view`)."""
    if status is not None and status not in queue.STATUSES:
        known = ", ".join(queue.STATUSES)
        raise ApiProblem(400, f"unknown status {status!r}; known statuses: {known}")
    rows = queue.list_posts(
        the_app(request),
        status,
        feed,
        channel,
        limit + 1,
        before_id,
        flagged=flagged,
        search=search,
    )
    following = rows[limit - 1].id if len(rows) > limit else None
    return models.QueuePage(posts=rows[:limit], next_before_id=following)


@router.get("/posts/{post_id}", tags=["posts"], summary="Read a post", responses=ACTION_ERRORS)
def get_post(request: Request, post_id: int, _: Viewer) -> models.PostDetail:
    """One post as it will appear, why it waits, and its history (needs `view`)."""
    return models.PostDetail.model_validate(queue.show_post(the_app(request), post_id))


@router.post(
    "/posts/{post_id}/approve", tags=["posts"], summary="Approve a post", responses=ACTION_ERRORS
)
def approve_post(
    request: Request, post_id: int, body: models.Approval, user: Approver
) -> models.PostDetail:
    """Approve the post at the version seen; 409 when it changed since (needs `approve`)."""
    (result,) = queue.approve(the_app(request), [post_id], user.name, body.version)
    return _after(request, post_id, result.error)


@router.post(
    "/posts/{post_id}/reject", tags=["posts"], summary="Reject a post", responses=ACTION_ERRORS
)
def reject_post(
    request: Request, post_id: int, body: models.Rejection, user: Rejecter
) -> models.PostDetail:
    """Reject the post with a reason (needs `reject`)."""
    (result,) = queue.reject(the_app(request), [post_id], user.name, body.reason)
    return _after(request, post_id, result.error)


@router.post(
    "/posts/{post_id}/edit", tags=["posts"], summary="Edit a post's text", responses=ACTION_ERRORS
)
def edit_post(request: Request, post_id: int, body: models.Edit, user: Editor) -> models.PostDetail:
    """Replace the post's text; it waits for approval again, at a new version (needs `edit`)."""
    refused = None
    try:
        queue.edit(the_app(request), post_id, user.name, body.text)
    except queue.PostNotFound:
        raise
    except SyndicatorError as error:
        refused = str(error)
    return _after(request, post_id, refused)


@router.get("/feeds", tags=["feeds"], summary="List the feeds")
def list_feeds(request: Request, _: Viewer) -> models.Feeds:
    """Every configured feed's state: last success, last error, recent items (needs `view`)."""
    return models.Feeds(feeds=feeds.feed_report(the_app(request)))


@router.get("/channels", tags=["channels"], summary="List the channels")
def list_channels(request: Request, _: Viewer) -> models.Channels:
    """Every channel: token status and expiry, pause and why, last error (needs `view`; asks
    each enabled platform about its token)."""
    return models.Channels(channels=channels.channel_report(the_app(request)))


def _after(request: Request, post_id: int, refused: str | None) -> models.PostDetail:
    """The post as it is now (404 when there is none), or 409 with why the action was refused."""
    detail = queue.show_post(the_app(request), post_id)
    if refused is not None:
        raise ApiProblem(409, refused)
    return models.PostDetail.model_validate(detail)
