"""`create_api(app)`: the JSON API as its own FastAPI application, mounted at /api/v1.

A sub-application rather than routes of the site: the site's form-token check (an app-wide
dependency of the pages) never runs here, since the API reads no session cookie and a bearer
token cannot be sent by another site's form; its refusals are JSON even for an unknown path;
and its OpenAPI schema lists only the API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from syndicator.web.api import docs, problems, routes

if TYPE_CHECKING:
    from syndicator.app import App

PREFIX = "/api/v1"
DESCRIPTION = (
    "The review queue for scripts: list, read, approve, reject and edit posts; feeds and "
    "channels. Authorize with `Authorization: Bearer <token>` "
    "(`syndicator users token create NAME --name LABEL`)."
)


class Api(FastAPI):
    """FastAPI, with a schema that says what the API answers: a malformed request is 400 with
    `{"error": ...}` (problems.py), never FastAPI's 422."""

    def openapi(self) -> dict[str, Any]:
        schema = super().openapi()
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                operation.get("responses", {}).pop("422", None)
        for unused in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(unused, None)
        return schema


def operation_id(route: APIRoute) -> str:
    """`list_queue`, `approve_post`: the function's name, for generated clients."""
    return route.name


def create_api(app: App) -> FastAPI:
    api = Api(
        title="Syndicator API",
        version="1",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc need a CDN and inline script: docs.py instead
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    api.state.app = app
    problems.install(api)
    api.include_router(routes.router)
    api.include_router(docs.router)
    return api
