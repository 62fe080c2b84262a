"""`/posts/{id}`: the post as it will appear, why it waits, its history, and the actions the
user's role allows (each one a services.queue call with the user's name as actor)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from syndicator.errors import SyndicatorError
from syndicator.services import queue, users
from syndicator.services import reach as reach_service
from syndicator.services.posts import CARD_STYLESHEET, Card, card
from syndicator.web.guard import require, signed_in, web
from syndicator.web.labels import DONE

router = APIRouter()
SignedIn = Annotated[users.User, Depends(signed_in)]


@dataclass(frozen=True)
class PreviewCard:
    """What templates/_preview.html draws for one channel's post: its card (the template the
    sandbox's HTML files share) and its status."""

    view: Card
    status: str


def preview_cards(post: queue.PostDetail) -> list[PreviewCard]:
    """The post's card first, then the same item's posts on its other channels."""
    own = [(post.id, post.channel, post.status, post.preview)]
    others = [(o.post_id, o.channel, o.status, o.preview) for o in post.other_channels]
    return [
        PreviewCard(card(post_id, channel, shown, post.title), status)
        for post_id, channel, status, shown in own + others
    ]


@router.get("/cards/card.css", include_in_schema=False)
def card_stylesheet() -> FileResponse:
    """The cards' stylesheet, kept beside their template (the sandbox's files inline it)."""
    return FileResponse(CARD_STYLESHEET, media_type="text/css")


@router.get("/posts/{post_id}")
def post_page(request: Request, post_id: int, user: SignedIn, done: str = "") -> Response:
    notice = DONE.get(done)
    return _page(request, post_id, user, notice=notice)


@router.post("/posts/{post_id}/edit")
def edit(request: Request, post_id: int, user: SignedIn, text: Annotated[str, Form()]) -> Response:
    require(user, "edit")
    try:
        queue.edit(web(request).app, post_id, user.name, text)
    except SyndicatorError as refused:
        return _page(request, post_id, user, 409, error=str(refused), draft=text)
    return _done(post_id, "edited")


@router.post("/posts/{post_id}/approve")
def approve(
    request: Request, post_id: int, user: SignedIn, version: Annotated[int, Form()]
) -> Response:
    require(user, "approve")
    (result,) = queue.approve(web(request).app, [post_id], user.name, version)
    if result.error:
        return _page(request, post_id, user, 409, error=result.error)
    return _done(post_id, "approved")


@router.post("/posts/{post_id}/reject")
def reject(
    request: Request, post_id: int, user: SignedIn, reason: Annotated[str, Form()] = ""
) -> Response:
    require(user, "reject")
    (result,) = queue.reject(web(request).app, [post_id], user.name, reason)
    if result.error:
        return _page(request, post_id, user, 409, error=result.error)
    return _done(post_id, "rejected")


def _page(
    request: Request,
    post_id: int,
    user: users.User,
    status_code: int = 200,
    draft: str | None = None,
    **context: object,
) -> Response:
    site = web(request)
    detail = queue.show_post(site.app, post_id)
    may = {action: users.can(user, action) for action in ("edit", "approve", "reject")}
    text = draft if draft is not None or not may["edit"] else queue.text_to_edit(site.app, post_id)
    context.setdefault("notice", None)
    context.setdefault("error", None)
    return site.pages.render(
        request, "post.html", status_code, user=user, post=detail, may=may, text=text,
        cards=preview_cards(detail), **_reach(request, detail), **context,
    )  # fmt: skip


def _reach(request: Request, detail: queue.PostDetail) -> dict[str, object]:
    """A published post's counters by age and its sparkline (issue #14); nothing before."""
    if detail.status != "published":
        return {"reach": None, "sparkline": None}
    app, language = web(request).app, request.state.lang
    found = reach_service.post_reach(app, detail.id)
    number = reach_service.formats(language, app.settings.timezone).number
    spark = reach_service.sparkline(found, language)
    return {
        "reach": found,
        "sparkline": spark,
        "counters": reach_service.COUNTERS,
        "fmt_number": number,
    }


def _done(post_id: int, what: str) -> Response:
    return RedirectResponse(f"/posts/{post_id}?done={what}", status_code=303)
