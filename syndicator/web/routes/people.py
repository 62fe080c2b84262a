"""`/users`, for admins only: the users, adding one, changing a role or a password, disabling
one. The users service refuses what would leave no enabled admin."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from syndicator.services import passwords, users
from syndicator.web.guard import require, signed_in, web
from syndicator.web.labels import USER_DONE

router = APIRouter()
SignedIn = Annotated[users.User, Depends(signed_in)]
Field = Annotated[str, Form()]


@router.get("/users")
def users_page(request: Request, user: SignedIn, done: str = "", name: str = "") -> Response:
    require(user, "manage_users")
    return _page(request, user, done=USER_DONE.get(done), name=name)


@router.post("/users")
def add(request: Request, user: SignedIn, name: Field, role: Field, password: Field) -> Response:
    require(user, "manage_users")
    try:
        added = users.add_user(web(request).app, name, role, password, by=user.name)
    except users.UserError as refused:
        return _page(request, user, 409, error=str(refused), draft={"name": name, "role": role})
    return _done("added", added.name)


@router.post("/users/role")
def change_role(request: Request, user: SignedIn, name: Field, role: Field) -> Response:
    require(user, "manage_users")
    try:
        changed = users.set_role(web(request).app, name, role, by=user.name)
    except users.UserError as refused:
        return _page(request, user, 409, error=str(refused))
    return _done("role", changed.name)


@router.post("/users/disable")
def disable(request: Request, user: SignedIn, name: Field) -> Response:
    require(user, "manage_users")
    try:
        disabled = users.disable_user(web(request).app, name, by=user.name)
    except users.UserError as refused:
        return _page(request, user, 409, error=str(refused))
    return _done("disabled", disabled.name)


@router.post("/users/password")
def set_password(request: Request, user: SignedIn, name: Field, password: Field) -> Response:
    """A new password for another user (their sessions end); one's own is changed on
    /account, with the current password."""
    require(user, "manage_users")
    try:
        changed = passwords.set_password(web(request).app, name, password, by=user.name)
    except users.UserError as refused:
        return _page(request, user, 409, error=str(refused))
    return _done("password", changed.name)


def _page(
    request: Request, user: users.User, status_code: int = 200, **context: object
) -> Response:
    site = web(request)
    for key, empty in (("error", None), ("done", None), ("name", ""), ("draft", {})):
        context.setdefault(key, empty)
    return site.pages.render(
        request,
        "users.html",
        status_code,
        user=user,
        people=users.list_users(site.app),
        roles=list(users.Role),
        **context,
    )


def _done(what: str, name: str) -> Response:
    return RedirectResponse("/users?" + urlencode({"done": what, "name": name}), status_code=303)
