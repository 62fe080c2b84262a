"""Who calls the API: the user of the bearer token (never a session cookie), and what their role
allows (the same table as the pages: users.can)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from syndicator.services import api_tokens, users
from syndicator.web.api.problems import BAD_TOKEN, NO_TOKEN, ApiProblem

if TYPE_CHECKING:
    from syndicator.app import App

bearer = HTTPBearer(
    auto_error=False,
    description="`Authorization: Bearer <token>`; `syndicator users token create NAME "
    "--name LABEL` makes a token, which acts with its user's role.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def the_app(request: Request) -> App:
    found: App = request.app.state.app
    return found


def token_user(request: Request, credentials: Credentials) -> users.User:
    """The enabled user whose unrevoked token the request carries; 401 otherwise."""
    if credentials is None:
        raise ApiProblem(
            401, "Cần mã API (Authorization: Bearer) / An API token is required.", NO_TOKEN
        )
    user = api_tokens.user_for_api_token(the_app(request), credentials.credentials)
    if user is None:
        raise ApiProblem(
            401,
            "Mã API không hợp lệ hoặc đã bị thu hồi / The API token is not valid or is revoked.",
            BAD_TOKEN,
        )
    return user


def permitted(action: str) -> Callable[[users.User], users.User]:
    """A dependency: the token's user, when their role allows `action`; 403 otherwise."""

    def check(user: Annotated[users.User, Depends(token_user)]) -> users.User:
        if not users.can(user, action):
            raise ApiProblem(
                403,
                f"Vai trò {user.role} không được phép: {action} / "
                f"The role {user.role} does not allow: {action}.",
            )
        return user

    return check


Viewer = Annotated[users.User, Depends(permitted("view"))]
Editor = Annotated[users.User, Depends(permitted("edit"))]
Approver = Annotated[users.User, Depends(permitted("approve"))]
Rejecter = Annotated[users.User, Depends(permitted("reject"))]
