"""A fake Facebook Graph API on 127.0.0.1: the documented request and answer shapes, in memory.

    with FakeGraph(page_id="1234", token="PAGE-TOKEN") as fake:
        connector = FacebookConnector(..., graph_url=fake.url, api_version=fake.version, ...)
        fake.fail_next(1, "timeout_after_create")
        ...; assert len(fake.posts) == 1

Endpoints (research/facebook-graph.md): POST /{v}/{page}/feed and /{v}/{page}/photos,
GET /{v}/{page}/published_posts, /{v}/debug_token, /{v}/me and /{v}/me/permissions. The token is
checked on every call (wrong → 190, expired → 190/463), and appsecret_proof when an app secret is
set. Posting the same content as the Page's latest post answers 506, as Facebook does. Faults
queued with `fail_next` hit the next publish requests (feed or photos). Thread-safe.

published_posts answers newest first, honours `since`, `limit` and `fields` (one level of
`attachments{...}`), and pages with cursors as Graph does (research/facebook-graph.md §1,
developers.facebook.com/docs/graph-api/results): `paging.cursors.{before,after}`, and `next` (a
full URL carrying the token) only when more posts follow. A photo post shows its caption as
`message` (trimmed), a photo attachment and a re-hosted `full_picture`: neither our link nor
the picture's URL survives.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from tests.helpers import httpserver
from tests.helpers.httpserver import LocalServer, stopping

FAULTS = (
    "http_500",
    "timeout_after_create",
    "rate_limit",
    "expired_token",
    "policy_block",
    "duplicate",
    "invalid",
)
_ERRORS: dict[str, tuple[int, dict[str, object]]] = {
    "http_500": (500, {"code": 2, "is_transient": True,
                       "message": "An unexpected error has occurred. Please retry your request later."}),
    "rate_limit": (403, {"code": 4, "is_transient": True,
                         "message": "(#4) Application request limit reached"}),
    "expired_token": (400, {"code": 190, "error_subcode": 463,
                            "message": "Error validating access token: Session has expired."}),
    "wrong_token": (400, {"code": 190, "message": "Invalid OAuth access token - Cannot parse access token"}),
    "bad_proof": (400, {"code": 100, "message": "Invalid appsecret_proof provided in the API argument"}),
    "policy_block": (400, {"code": 368, "error_subcode": 1390008,
                           "message": "It looks like you were misusing this feature by going too fast."}),
    "duplicate": (400, {"code": 506, "message": "(#506) Duplicate status message"}),
    "invalid": (400, {"code": 100, "message": "(#100) Invalid parameter"}),
    "bad_limit": (400, {"code": 100, "message": "(#100) The parameter limit must be at most 100"}),
    "bad_cursor": (400, {"code": 100, "message": "(#100) Invalid cursor"}),
}  # fmt: skip
DEFAULT_FIELDS = "id,created_time,message"  # what published_posts shows without `fields`
DEFAULT_TOKEN = "PAGE-TOKEN-fake-0123456789"
FULL_APP_USAGE = json.dumps({"call_count": 100, "total_cputime": 12, "total_time": 15})


@dataclass(frozen=True)
class FakePost:
    """One post on the fake Page."""

    id: str
    message: str
    link: str | None
    created_time: datetime
    photo_url: str | None = None


class _KeepingBody(httpserver._Dispatcher):
    """The test server's dispatcher, keeping a POST's form body for the handler to read."""

    body: bytes = b""

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        del self.headers["Content-Length"]  # read here; the base class must not wait for it
        super()._dispatch()


class FakeGraph:
    """A started-on-enter Graph API fake for one Page, with fault injection."""

    def __init__(
        self,
        *,
        page_id: str = "1234567890",
        token: str = DEFAULT_TOKEN,
        version: str = "v25.0",
        app_secret: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.page_id, self.token, self.version = page_id, token, version
        self.app_secret, self.clock = app_secret, clock
        self.scopes = ["pages_manage_posts", "pages_read_engagement", "pages_show_list"]
        self.expires_at = 0  # debug_token: 0 = never
        self.token_expired = False
        self.usage_headers: dict[str, str] = {}  # sent with every answer
        self._posts: list[FakePost] = []
        self._faults: list[str] = []
        self._lock = threading.Lock()
        self.server = LocalServer()
        self.server._server.RequestHandlerClass = _KeepingBody
        prefix = f"/{version}"
        self.server.route(f"{prefix}/{page_id}/feed", self._publish)
        self.server.route(f"{prefix}/{page_id}/photos", self._publish)
        self.server.route(f"{prefix}/{page_id}/published_posts", self._published_posts)
        self.server.route(f"{prefix}/debug_token", self._debug_token)
        self.server.route(f"{prefix}/me", self._me)
        self.server.route(f"{prefix}/me/permissions", self._permissions)

    @property
    def url(self) -> str:
        """The graph_url to give the connector (no version, no trailing slash)."""
        return self.server.url("").rstrip("/")

    @property
    def posts(self) -> list[FakePost]:
        with self._lock:
            return list(self._posts)

    def fail_next(self, n: int, kind: str) -> None:
        """Make the next `n` publish requests fail as `kind` (one of FAULTS)."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULTS)}")
        with self._lock:
            self._faults.extend([kind] * n)

    def add_post(
        self,
        message: str,
        link: str | None,
        created_time: datetime,
        photo_url: str | None = None,
    ) -> FakePost:
        """Put a post on the Page directly (made by someone else, or earlier)."""
        with self._lock:
            return self._store(message.strip(), link, created_time, photo_url)

    def __enter__(self) -> FakeGraph:
        self.server.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.server.stop()

    # -- handlers (run in server threads) ---------------------------------------------------

    def _publish(self, request: BaseHTTPRequestHandler) -> None:
        form = _fields(getattr(request, "body", b"").decode())
        if self._refused(request, form):
            return
        photo = request.path.split("?", 1)[0].endswith("/photos")
        message = form.get("caption" if photo else "message", "").strip()
        link = None if photo else form.get("link")
        with self._lock:
            fault = self._faults.pop(0) if self._faults else None
            if (
                fault is None
                and self._posts
                and (self._posts[-1].message, self._posts[-1].link) == (message, link)
            ):
                fault = "duplicate"
            if fault in (None, "timeout_after_create"):
                post = self._store(message, link, self.clock(), form.get("url") if photo else None)
        if fault == "timeout_after_create":
            stopping(request).wait(60)  # past any client timeout; ends when the server stops
            request.close_connection = True
            return
        if fault is not None:
            self._error(request, fault)
            return
        answer = {"id": post.id.split("_", 1)[1], "post_id": post.id} if photo else {"id": post.id}
        self._json(request, 200, answer)

    def _published_posts(self, request: BaseHTTPRequestHandler) -> None:
        query = _fields(urlsplit(request.path).query)
        if self._refused(request, query):
            return
        limit = int(query.get("limit", "25"))
        if limit > 100:
            self._error(request, "bad_limit")
            return
        since = int(query.get("since", "0"))
        with self._lock:
            shown = [p for p in reversed(self._posts) if p.created_time.timestamp() >= since]
        start = 0
        if "after" in query:
            ids = [post.id for post in shown]
            after = _uncursor(query["after"])
            if after not in ids:
                self._error(request, "bad_cursor")
                return
            start = ids.index(after) + 1
        page = shown[start : start + limit]
        fields = _selection(query.get("fields", DEFAULT_FIELDS))
        answer: dict[str, object] = {"data": [_as_row(post, fields) for post in page]}
        if page:
            cursors = {"before": _cursor(page[0].id), "after": _cursor(page[-1].id)}
            paging: dict[str, object] = {"cursors": cursors}
            if start + limit < len(shown):
                following = {**query, "after": cursors["after"]}
                following.pop("appsecret_proof", None)  # Graph's links carry the token only
                paging["next"] = f"{self.url}{urlsplit(request.path).path}?{urlencode(following)}"
            answer["paging"] = paging
        self._json(request, 200, answer)

    def _debug_token(self, request: BaseHTTPRequestHandler) -> None:
        query = _fields(urlsplit(request.path).query)
        if self._refused(request, query):
            return
        if query.get("input_token") != self.token:
            error = {"code": 190, "message": "Invalid OAuth access token."}
            self._json(request, 200, {"data": {"is_valid": False, "error": error, "scopes": []}})
            return
        data = {
            "app_id": "100200300", "type": "PAGE", "application": "Syndicator",
            "expires_at": self.expires_at, "data_access_expires_at": 0, "is_valid": True,
            "issued_at": 1_700_000_000, "scopes": list(self.scopes),
            "profile_id": self.page_id, "user_id": "987654321",
        }  # fmt: skip
        self._json(request, 200, {"data": data})

    def _me(self, request: BaseHTTPRequestHandler) -> None:
        if not self._refused(request, _fields(urlsplit(request.path).query)):
            self._json(request, 200, {"id": self.page_id, "name": "Cổng thông tin tỉnh"})

    def _permissions(self, request: BaseHTTPRequestHandler) -> None:
        if not self._refused(request, _fields(urlsplit(request.path).query)):
            rows = [{"permission": name, "status": "granted"} for name in self.scopes]
            self._json(request, 200, {"data": rows})

    # -- helpers ----------------------------------------------------------------------------

    def _refused(self, request: BaseHTTPRequestHandler, fields: Mapping[str, str]) -> bool:
        """Answer a token or proof error and say so; False when the call may go on."""
        token = fields.get("access_token")
        if token != self.token:
            self._error(request, "wrong_token")
            return True
        if self.token_expired:
            self._error(request, "expired_token")
            return True
        if self.app_secret is not None:
            proof = hmac.new(self.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
            if fields.get("appsecret_proof") != proof:
                self._error(request, "bad_proof")
                return True
        return False

    def _store(
        self, message: str, link: str | None, created: datetime, photo_url: str | None
    ) -> FakePost:
        """Add a post (the caller holds the lock)."""
        post = FakePost(f"{self.page_id}_{len(self._posts) + 1}", message, link, created, photo_url)
        self._posts.append(post)
        return post

    def _error(self, request: BaseHTTPRequestHandler, kind: str) -> None:
        status, error = _ERRORS[kind]
        body = {"error": {"type": "OAuthException", "fbtrace_id": "AbCdEf123", **error}}
        extra = {"X-App-Usage": FULL_APP_USAGE} if kind == "rate_limit" else {}
        self._json(request, status, body, extra)

    def _json(
        self,
        request: BaseHTTPRequestHandler,
        status: int,
        payload: object,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        with self._lock:
            headers.update(self.usage_headers)
        headers.update(extra or {})
        httpserver.Reply(json.dumps(payload).encode(), status, headers)(request)


def _fields(encoded: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(encoded, keep_blank_values=True).items()}


def _cursor(post_id: str) -> str:
    return base64.urlsafe_b64encode(post_id.encode()).decode()


def _uncursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return ""


def _selection(fields: str) -> dict[str, set[str] | None]:
    """`id,message,attachments{url,media_type}` → {"id": None, ..., "attachments": {...}}."""
    chosen: dict[str, set[str] | None] = {}
    for name, inner in re.findall(r"(\w+)(?:\{([^}]*)\})?", fields):
        chosen[name] = {part.strip() for part in inner.split(",")} if inner else None
    return chosen


def _as_row(post: FakePost, fields: Mapping[str, set[str] | None]) -> dict[str, object]:
    """A published_posts row as Graph shows it, with only the fields asked for."""
    fbid = post.id.split("_", 1)[1]
    row: dict[str, object] = {
        "id": post.id,
        "created_time": post.created_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "message": post.message,
        "permalink_url": f"https://www.facebook.com/{post.id}",
    }
    attachment: dict[str, object] | None = None
    if post.link:
        shim = f"https://l.facebook.com/l.php?u={quote(post.link, safe='')}&h=AT0fake"
        attachment = {"media_type": "link", "type": "share", "unshimmed_url": post.link}
        attachment["url"] = shim
    elif post.photo_url:
        picture = f"https://scontent.xx.fbcdn.net/v/t39.30808-6/{fbid}_n.jpg?_nc_cat=1"
        photo = f"https://www.facebook.com/photo.php?fbid={fbid}&set=a.1&type=3"
        attachment = {"media_type": "photo", "type": "photo", "url": photo}
        attachment["media"] = {"image": {"src": picture, "height": 720, "width": 960}}
        attachment["target"] = {"id": fbid, "url": photo}
        row["full_picture"] = picture
    if attachment is not None:
        inner = fields.get("attachments")
        shown = (
            attachment if inner is None else {k: attachment[k] for k in inner & attachment.keys()}
        )
        row["attachments"] = {"data": [shown]}
    if not post.message:
        del row["message"]  # Graph leaves out an empty message
    return {name: row[name] for name in fields if name in row}
