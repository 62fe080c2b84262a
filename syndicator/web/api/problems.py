"""How the API refuses: always JSON `{"error": "..."}` with the service's message, never a page.

The API is a sub-application with its own handlers, so an unknown path, a wrong method or a
malformed request under /api/v1 answers JSON too.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from syndicator.services.names import UnknownName
from syndicator.services.queue import PostNotFound

NO_TOKEN = {"WWW-Authenticate": "Bearer"}
BAD_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class ApiProblem(Exception):
    """A refusal with its HTTP status, message and headers."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, dict(headers or {})


def install(api: FastAPI) -> None:
    for kind in (ApiProblem, PostNotFound, UnknownName, RequestValidationError, HTTPException):
        api.add_exception_handler(kind, answer)


def error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=dict(headers or {}))


async def answer(_: Request, problem: Exception) -> Response:
    """The refusal as JSON: an unknown post 404, an unknown feed or channel 400, a query or
    body the operation does not accept 400 naming each wrong field."""
    if isinstance(problem, ApiProblem):
        return error(problem.status, problem.message, problem.headers)
    if isinstance(problem, PostNotFound):
        return error(404, str(problem))
    if isinstance(problem, RequestValidationError):
        parts = [f"{_where(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in problem.errors()]
        return error(400, "; ".join(parts) or "invalid request")
    if isinstance(problem, HTTPException):
        return error(problem.status_code, str(problem.detail), problem.headers)
    return error(400, str(problem))  # UnknownName: a filter naming no feed or channel


def _where(location: object) -> str:
    """`query.limit`, `body.version`: where in the request the wrong value is."""
    parts = [str(part) for part in location] if isinstance(location, (list, tuple)) else []
    return ".".join(parts) or "request"
