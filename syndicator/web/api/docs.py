"""`/api/v1/docs`: the OpenAPI schema as a plain server-rendered page.

FastAPI's Swagger UI and ReDoc load their scripts from a CDN and run inline script, which the
site's CSP forbids (and a server in a provincial office may not reach a CDN). This page lists
the same operations from the same schema with no script at all; `/api/v1/openapi.json` is the
machine-readable form for tools.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

router = APIRouter(include_in_schema=False)
ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
)
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Field:
    name: str
    where: str  # query, path, body
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    fields: tuple[Field, ...]
    answers: tuple[tuple[str, str], ...]  # (status code, description)


@router.get("/docs", response_class=HTMLResponse)
def docs_page(request: Request) -> HTMLResponse:
    schema = request.app.openapi()
    prefix = str(request.scope.get("root_path", "")).rstrip("/")
    html = ENV.get_template("api_docs.html").render(
        title=schema["info"]["title"],
        version=schema["info"]["version"],
        prefix=prefix,
        operations=list(operations(schema, prefix)),
    )
    return HTMLResponse(html)


def operations(schema: Mapping[str, Any], prefix: str) -> Iterator[Operation]:
    """Every operation of the schema, in its order, with its parameters and body fields."""
    components = schema.get("components", {}).get("schemas", {})
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield _operation(method, prefix + path, item[method], components)


def _operation(
    method: str, path: str, spec: Mapping[str, Any], components: Mapping[str, Any]
) -> Operation:
    fields = [_parameter(p) for p in spec.get("parameters", [])]
    body = spec.get("requestBody", {}).get("content", {}).get("application/json", {})
    fields += _body_fields(_resolved(body.get("schema", {}), components))
    answers = tuple((str(code), a.get("description", "")) for code, a in spec["responses"].items())
    return Operation(
        method=method.upper(),
        path=path,
        summary=spec.get("summary", ""),
        description=spec.get("description", ""),
        fields=tuple(fields),
        answers=tuple(sorted(answers)),
    )


def _parameter(spec: Mapping[str, Any]) -> Field:
    schema = spec.get("schema", {})
    return Field(
        spec["name"],
        spec["in"],
        _type(schema),
        bool(spec.get("required")),
        spec.get("description", schema.get("description", "")),
    )


def _body_fields(schema: Mapping[str, Any]) -> list[Field]:
    required = set(schema.get("required", []))
    return [
        Field(name, "body", _type(spec), name in required, spec.get("description", ""))
        for name, spec in schema.get("properties", {}).items()
    ]


def _resolved(schema: Mapping[str, Any], components: Mapping[str, Any]) -> Mapping[str, Any]:
    reference = schema.get("$ref", "")
    found: Mapping[str, Any] = components.get(reference.rpartition("/")[2], schema)
    return found


def _type(schema: Mapping[str, Any]) -> str:
    """`integer`, `string or null`, `one of: a, b`: a type as a person reads it."""
    if "enum" in schema:
        return "one of: " + ", ".join(map(str, schema["enum"]))
    if "anyOf" in schema:
        return " or ".join(_type(option) for option in schema["anyOf"])
    return str(schema.get("type", "object"))
