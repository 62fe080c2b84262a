"""A fake Zalo OA Open API and OAuth v4 server on 127.0.0.1, shaped as research/zalo-oa.md says.

    with FakeZalo() as zalo:
        store = InMemoryTokenStore(zalo.seed_pair(expires_at))
        connector = ZaloConnector(..., api_url=zalo.url, oauth_url=zalo.url, ...)
        zalo.fail_next(1, "timeout_after_create")

Tokens rotate for real: each refresh returns a new pair and invalidates the old refresh and
access tokens, so a refresh token used twice is refused. Errors come with HTTP 200 and
`error != 0` (the OAuth host answers `error_name`/`error_description` instead). Faults queue in
order; each applies to the next request it fits. Also here: in-memory token and step stores.

Engagement (issue #14): getdetail and getslice show an article's `total_view` (set with
`set_views`); no endpoint gives its shares or comments. A "rate_limit" fault (-32) hits the next
getdetail.
"""

from __future__ import annotations

import io
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors.zalo.tokens import TokenPair
from tests.helpers.httpserver import LocalServer, Reply, _Dispatcher, stopping

APP_SECRET = "app-secret-XYZ"  # fake; tests check it never leaks
FAULTS = {
    "http_500",
    "timeout_after_create",
    "expired_token",
    "refresh_without_access_token",
    "quota",
    "rate_limit",
}
_OAUTH_FAULTS = {"http_500", "refresh_without_access_token"}
_API_FAULTS = {"http_500", "expired_token"}
_CREATE_FAULTS = _API_FAULTS | {"quota", "timeout_after_create"}
_DETAIL_FAULTS = _API_FAULTS | {"rate_limit"}


class InMemoryTokenStore:
    """TokenStore in memory: a threading.Lock for `refreshing`, compare-and-swap `replace`."""

    def __init__(self, pair: TokenPair | None = None) -> None:
        self._pair, self._lock, self._data = pair, threading.Lock(), threading.Lock()
        self.replaced = 0

    def current(self) -> TokenPair | None:
        with self._data:
            return self._pair

    def seed(self, pair: TokenPair) -> bool:
        with self._data:
            if self._pair is not None:
                return False
            self._pair = pair
            return True

    @contextmanager
    def refreshing(self) -> Iterator[None]:
        with self._lock:
            yield

    def replace(self, old_refresh_token: str, new: TokenPair) -> None:
        with self._data:
            if self._pair is None or self._pair.refresh_token != old_refresh_token:
                raise LookupError("the refresh token is no longer current")
            self._pair, self.replaced = new, self.replaced + 1


class InMemoryStepStore:
    """StepStore in memory (save overwrites)."""

    def __init__(self) -> None:
        self.steps: dict[int, dict[str, str]] = {}

    def load(self, post_id: int) -> dict[str, str]:
        return dict(self.steps.get(post_id, {}))

    def save(self, post_id: int, step: str, value: str) -> None:
        self.steps.setdefault(post_id, {})[step] = value


@dataclass
class Article:
    id: str
    token: str
    body: dict[str, Any]
    created_ms: int
    verify_calls: int = 0
    link_view: str = field(default="")
    views: int = 0  # total_view


class _BodyKeeper(_Dispatcher):
    """The test server's dispatcher, keeping the request body as `request.body`."""

    body = b""

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        real, self.rfile = self.rfile, io.BytesIO(self.body)
        try:
            super()._dispatch()
        finally:
            self.rfile = real


def _body(request: BaseHTTPRequestHandler) -> bytes:
    return bytes(getattr(request, "body", b""))


def _json(request: BaseHTTPRequestHandler, answer: dict[str, Any], status: int = 200) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8", "X-RateLimit-Remain": "3999"}
    Reply(json.dumps(answer, ensure_ascii=False).encode(), status, headers)(request)


def _error(request: BaseHTTPRequestHandler, code: int, message: str) -> None:
    _json(request, {"error": code, "message": message})


def _ok(request: BaseHTTPRequestHandler, data: dict[str, Any]) -> None:
    _json(request, {"data": data, "error": 0, "message": "Success"})


class FakeZalo:
    """The OA and OAuth endpoints the connector uses, with articles kept in memory."""

    def __init__(
        self,
        *,
        app_id: str = "4242",
        app_secret: str = APP_SECRET,
        processing: int = 0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.server = LocalServer()
        self.server._server.RequestHandlerClass = _BodyKeeper
        self.app_id, self.app_secret, self.processing = app_id, app_secret, processing
        self.clock = clock  # stamps create_date
        self.stall = 30.0  # seconds a timeout_after_create answer waits (until the server stops)
        self.lock = threading.Lock()
        self._serial = itertools.count(1)
        self.access_tokens = {"at-0"}
        self.refresh_tokens = {"rt-0"}
        self.refused_refreshes: list[str] = []
        self.articles: list[Article] = []
        self.broadcasts: list[dict[str, Any]] = []
        self.faults: list[str] = []
        routes = {
            "/v4/oa/access_token": self._access_token,
            "/v2.0/article/create": self._create,
            "/v2.0/article/verify": self._verify,
            "/v2.0/article/getslice": self._getslice,
            "/v2.0/article/getdetail": self._getdetail,
            "/v2.0/oa/getoa": self._getoa,
            "/v2.0/oa/message": self._message,
        }
        for path, handler in routes.items():
            self.server.route(path, handler)

    def __enter__(self) -> FakeZalo:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url("")

    def hits(self, path: str) -> int:
        return self.server.hits(path)

    def seed_pair(self, expires_at: datetime) -> TokenPair:
        """The pair the operator seeded (valid at the fake)."""
        return TokenPair("at-0", "rt-0", expires_at)

    def fail_next(self, n: int, kind: str) -> None:
        """Queue `n` faults of `kind`; each hits the next request it applies to."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULTS)}")
        with self.lock:
            self.faults.extend([kind] * n)

    def add_article(self, title: str, created: datetime) -> Article:
        """Put an article on the OA directly (made by someone else, or earlier)."""
        body = {
            "type": "normal",
            "title": title,
            "cover": {"cover_type": "photo", "photo_url": "https://portal.example.gov.vn/a.jpg"},
            "body": [{"type": "text", "content": f"<p>{title}</p>"}],
            "status": "show",
        }
        with self.lock:
            serial = next(self._serial)
            made = Article(f"a{serial:08x}", f"tok-{serial}", body, int(created.timestamp() * 1000))
            made.link_view = f"https://zalo.me/article/{made.id}"
            self.articles.append(made)
        return made

    def set_views(self, article_id: str, views: int) -> None:
        """How many times the article was read, from now on (its `total_view`)."""
        with self.lock:
            found = next(a for a in self.articles if a.id == article_id)
            found.views = views

    def _fault(self, applies: set[str]) -> str | None:
        with self.lock:
            if self.faults and self.faults[0] in applies:
                return self.faults.pop(0)
        return None

    # -- OAuth ---------------------------------------------------------------------------------

    def _access_token(self, request: BaseHTTPRequestHandler) -> None:
        fault = self._fault(_OAUTH_FAULTS)
        if fault == "http_500":
            Reply(b"Internal Server Error", 500)(request)
            return
        form = {key: values[0] for key, values in parse_qs(_body(request).decode()).items()}
        if fault == "refresh_without_access_token":
            self._oauth_error(request, "Invalid refresh token", "refresh token is invalid")
            return
        if (
            request.headers.get("secret_key") != self.app_secret
            or form.get("app_id") != self.app_id
        ):
            self._oauth_error(request, "Invalid app secret", "app_id or secret_key is wrong")
            return
        used = form.get("refresh_token", "")
        with self.lock:
            if form.get("grant_type") != "refresh_token" or used not in self.refresh_tokens:
                self.refused_refreshes.append(used)
                valid = False
            else:
                serial, valid = next(self._serial), True
                self.refresh_tokens = {f"rt-{serial}"}
                self.access_tokens = {f"at-{serial}"}
        if not valid:
            self._oauth_error(request, "Invalid refresh token", "refresh token used or expired")
            return
        answer = {
            "access_token": f"at-{serial}",
            "refresh_token": f"rt-{serial}",
            "expires_in": "90000",
        }
        _json(request, answer)

    def _oauth_error(self, request: BaseHTTPRequestHandler, name: str, description: str) -> None:
        answer = {
            "error_name": name,
            "error_reason": "invalid_grant",
            "error_description": description,
            "ref_doc": "https://developers.zalo.me/docs/official-account",
        }
        _json(request, answer)

    # -- Open API ------------------------------------------------------------------------------

    def _authorized(self, request: BaseHTTPRequestHandler, applies: set[str]) -> str | None:
        """Answer a fault or a bad token and return None, else the fault left for the caller."""
        fault = self._fault(applies)
        if fault == "http_500":
            Reply(b"Internal Server Error", 500)(request)
            return None
        with self.lock:
            known = request.headers.get("access_token") in self.access_tokens
        if fault == "expired_token" or not known:
            _error(request, -216, "Access token is invalid")
            return None
        return fault or ""

    def _create(self, request: BaseHTTPRequestHandler) -> None:
        fault = self._authorized(request, _CREATE_FAULTS)
        if fault is None:
            return
        if fault == "quota":
            _error(request, -223, "Your OA has reach the limit quota create article")
            return
        body = json.loads(_body(request))
        cover = body.get("cover") or {}
        for name, ok in (
            ("type", body.get("type") == "normal"),
            ("title", 0 < len(body.get("title") or "") <= 150),
            ("author", len(body.get("author") or "") <= 50),
            ("description", len(body.get("description") or "") <= 300),
            (
                "cover",
                cover.get("cover_type") == "photo"
                and cover.get("status")
                and cover.get("photo_url"),
            ),
        ):
            if not ok:
                _error(request, -201, f"{name} is invalid!")
                return
        with self.lock:
            serial = next(self._serial)
            stamp = int(self.clock().timestamp() * 1000)
            created = Article(f"a{serial:08x}", f"tok-{serial}", body, stamp)
            created.link_view = f"https://zalo.me/article/{created.id}"
            self.articles.append(created)
        if fault == "timeout_after_create":
            stopping(request).wait(self.stall)
            request.close_connection = True
            return
        _ok(request, {"token": created.token})

    def _verify(self, request: BaseHTTPRequestHandler) -> None:
        if self._authorized(request, _API_FAULTS) is None:
            return
        token = json.loads(_body(request)).get("token")
        with self.lock:
            found = next((a for a in self.articles if a.token == token), None)
            if found is not None:
                found.verify_calls += 1
        if found is None:
            _error(request, -201, "token is invalid!")
        elif found.verify_calls <= self.processing:
            _error(request, -214, "Article is being processed")
        else:
            _ok(request, {"id": found.id})

    def _getslice(self, request: BaseHTTPRequestHandler) -> None:
        if self._authorized(request, _API_FAULTS) is None:
            return
        query = {key: values[0] for key, values in parse_qs(urlsplit(request.path).query).items()}
        if query.get("type") not in ("normal", "video"):
            _error(request, -201, "type accept only 2 value normal and video.")
            return
        offset, limit = int(query.get("offset", "0")), int(query.get("limit", "10"))
        if limit > 10:
            _error(request, -210, "Parameter exceeds allowable limit")
            return
        with self.lock:  # newest first (by create_date; the later made first on a tie)
            newest = sorted(reversed(self.articles), key=lambda a: a.created_ms, reverse=True)
        medias = [self._media(a) for a in newest[offset : offset + limit]]
        _ok(request, {"medias": medias, "total": len(newest)})

    def _media(self, a: Article) -> dict[str, Any]:
        return {
            "id": a.id,
            "type": "normal",
            "title": a.body["title"],
            "description": a.body.get("description", ""),
            "thumb": a.body["cover"]["photo_url"],
            "status": a.body.get("status", "hide"),
            "total_view": a.views,
            "create_date": a.created_ms,
        }

    def _getdetail(self, request: BaseHTTPRequestHandler) -> None:
        fault = self._authorized(request, _DETAIL_FAULTS)
        if fault is None:
            return
        if fault == "rate_limit":
            _error(request, -32, "Your application reached limit call api")
            return
        wanted = parse_qs(urlsplit(request.path).query).get("id", [""])[0]
        with self.lock:
            found = next((a for a in self.articles if a.id == wanted), None)
        if found is None:
            _error(request, -201, "id is invalid!")
            return
        _ok(
            request,
            {**self._media(found), "body": found.body["body"], "link_view": found.link_view},
        )

    def _getoa(self, request: BaseHTTPRequestHandler) -> None:
        if self._authorized(request, _API_FAULTS) is None:
            return
        oa = {"oa_id": "579745863508352884", "name": "Cổng TTĐT tỉnh", "oa_type": 4}
        _ok(request, {**oa, "is_verified": True, "package_name": "Gói Nâng cao"})

    def _message(self, request: BaseHTTPRequestHandler) -> None:
        if self._authorized(request, _API_FAULTS) is None:
            return
        body = json.loads(_body(request))
        elements = body["message"]["attachment"]["payload"]["elements"]
        with self.lock:
            self.broadcasts.append(body)
            serial = next(self._serial)
        _ok(request, {"message_id": f"m{serial}", "articles": len(elements)})
