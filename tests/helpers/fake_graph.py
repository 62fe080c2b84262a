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

Engagement (issue #14): GET /{v}/{post-id}?fields=reactions.summary(total_count).limit(0),
comments.summary(total_count).limit(0),shares answers the post's counters (`shares` left out when
nobody shared it, as Graph does), and GET /{v}/{post-id}/insights?metric=a,b the post insights
`{"data": [{"name", "period": "lifetime", "values": [{"value": N}], ...}]}`. Without
pages_read_engagement in `scopes` both answer (#10); without read_insights, insights do. A
metric Meta deprecated (post_impressions*) or never had answers (#100) "must be a valid insights
metric", and one bad metric fails the whole request. Faults queued with `fail_next_read` (#4,
#32, #613 throttling, a 500) hit the next engagement reads; a post removed with `delete_post`
answers (#100/33) "does not exist".

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
    "page_rate_limit": (400, {"code": 32, "message": "(#32) Page request limit reached"}),
    "custom_rate_limit": (400, {"code": 613, "error_subcode": 1996,
                                "message": "(#613) Calls to this api have exceeded the rate limit."}),
    "no_engagement_permission": (403, {"code": 10, "message":
        "(#10) This endpoint requires the 'pages_read_engagement' permission or the "
        "'Page Public Content Access' feature."}),
    "no_insights_permission": (403, {"code": 10, "message":
        "(#10) Application does not have permission for this action: read_insights"}),
    "invalid_metric": (400, {"code": 100, "message": "(#100) The value must be a valid insights metric"}),
    "no_metric": (400, {"code": 3001, "error_subcode": 1504028, "message": "Invalid query"}),
    "unknown_field": (400, {"code": 100,
                            "message": "(#100) Tried accessing nonexisting field on node type (PagePost)"}),
    "no_such_post": (400, {"code": 100, "error_subcode": 33, "message":
        "Unsupported get request. Object does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation."}),
}  # fmt: skip
READ_FAULTS = ("rate_limit", "page_rate_limit", "custom_rate_limit", "http_500")
# Post insights Meta still offers (2026), and those it dropped (an invalid metric error since
# 2025-11-15: "impressions" replaced by "views").
INSIGHTS = {
    "post_media_view": "views",
    "post_total_media_view_unique": "viewers",
    "post_clicks": "clicks",
}
DEPRECATED_INSIGHTS = ("post_impressions", "post_impressions_unique", "post_impressions_organic")
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
        self.scopes = [
            "pages_manage_posts",
            "pages_read_engagement",
            "pages_show_list",
            "read_insights",
        ]
        self.expires_at = 0  # debug_token: 0 = never
        self.token_expired = False
        self.usage_headers: dict[str, str] = {}  # sent with every answer
        self._posts: list[FakePost] = []
        self._faults: list[str] = []
        self._read_faults: list[str] = []
        self._counters: dict[str, dict[str, int]] = {}  # post id -> reactions, ..., views
        self._deleted: set[str] = set()
        self.reads: list[str] = []  # the engagement requests answered, "post:id" / "insights:id"
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

    def fail_next_read(self, n: int, kind: str) -> None:
        """Make the next `n` engagement reads fail as `kind` (one of READ_FAULTS)."""
        if kind not in READ_FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(READ_FAULTS)}")
        with self._lock:
            self._read_faults.extend([kind] * n)

    def set_counters(
        self,
        post_id: str,
        *,
        reactions: int = 0,
        comments: int = 0,
        shares: int = 0,
        views: int = 0,
        clicks: int = 0,
    ) -> None:
        """What people did with a post: its counters and insights from now on."""
        counts = {"reactions": reactions, "comments": comments, "shares": shares}
        counts |= {"views": views, "viewers": views * 3 // 4, "clicks": clicks}
        with self._lock:
            self._counters[post_id] = counts

    def delete_post(self, post_id: str) -> None:
        """Someone deleted the post on the Page: reading it answers (#100/33)."""
        with self._lock:
            self._deleted.add(post_id)

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

    def _post_counters(self, request: BaseHTTPRequestHandler, post_id: str) -> None:
        query = _fields(urlsplit(request.path).query)
        if self._read_refused(request, query, post_id, insights=False):
            return
        with self._lock:
            counts = dict(self._counters.get(post_id, {}))
            self.reads.append(f"post:{post_id}")
        answer: dict[str, object] = {"id": post_id}
        for part in _top_level(query.get("fields", "id")):
            name = re.split(r"[.{]", part, maxsplit=1)[0]
            if name == "shares":
                if counts.get("shares"):  # Graph leaves `shares` out of a post nobody shared
                    answer["shares"] = {"count": counts["shares"]}
            elif name in ("reactions", "comments"):
                edge: dict[str, object] = {"data": []}
                if ".summary(" in part:
                    edge["summary"] = {"total_count": counts.get(name, 0)}
                answer[name] = edge
            elif name != "id":
                self._error(request, "unknown_field")
                return
        self._json(request, 200, answer)

    def _insights(self, request: BaseHTTPRequestHandler, post_id: str) -> None:
        query = _fields(urlsplit(request.path).query)
        if self._read_refused(request, query, post_id, insights=True):
            return
        metrics = [name for name in query.get("metric", "").split(",") if name]
        if not metrics:
            self._error(request, "no_metric")
            return
        if any(name not in INSIGHTS for name in metrics):
            self._error(request, "invalid_metric")  # one bad metric fails them all
            return
        with self._lock:
            counts = dict(self._counters.get(post_id, {}))
            self.reads.append(f"insights:{post_id}")
        rows = [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": counts.get(INSIGHTS[name], 0)}],
                "title": f"Lifetime {INSIGHTS[name]}",
                "description": f"Lifetime: the post's {INSIGHTS[name]}.",
                "id": f"{post_id}/insights/{name}/lifetime",
            }
            for name in metrics
        ]
        self._json(request, 200, {"data": rows})

    def _read_refused(
        self,
        request: BaseHTTPRequestHandler,
        query: Mapping[str, str],
        post_id: str,
        *,
        insights: bool,
    ) -> bool:
        """Answer the token, a queued fault, a deleted post or a missing permission; False
        when the read may go on."""
        if self._refused(request, query):
            return True
        with self._lock:
            fault = self._read_faults.pop(0) if self._read_faults else None
            deleted = post_id in self._deleted
            scopes = set(self.scopes)
        if fault is None and deleted:
            fault = "no_such_post"
        elif fault is None and "pages_read_engagement" not in scopes:
            fault = "no_engagement_permission"
        elif fault is None and insights and "read_insights" not in scopes:
            fault = "no_insights_permission"
        if fault is not None:
            self._error(request, fault)
        return fault is not None

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
        prefix = f"/{self.version}/{post.id}"
        self.server.route(prefix, lambda request: self._post_counters(request, post.id))
        self.server.route(f"{prefix}/insights", lambda request: self._insights(request, post.id))
        return post

    def _error(self, request: BaseHTTPRequestHandler, kind: str) -> None:
        status, error = _ERRORS[kind]
        body = {"error": {"type": "OAuthException", "fbtrace_id": "AbCdEf123", **error}}
        throttled = kind in ("rate_limit", "page_rate_limit", "custom_rate_limit")
        extra = {"X-App-Usage": FULL_APP_USAGE} if throttled else {}
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


def _top_level(fields: str) -> list[str]:
    """`a.summary(x).limit(0),b{c,d},e` → its top-level parts (commas inside () and {} kept)."""
    parts, depth, current = [], 0, ""
    for char in fields:
        depth += {"(": 1, "{": 1, ")": -1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [part.strip() for part in [*parts, current] if part.strip()]


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
