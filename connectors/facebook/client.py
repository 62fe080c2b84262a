"""Facebook Page connector: publish through the Graph API, find a post again, check the token.

research/facebook-graph.md is the source for every endpoint, field and error used here. The
token travels in the form body (POST) or the query (GET) and is never put in a message: network
errors are re-raised `from None` with the token, its proof and the app secret redacted.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

import requests

from connectors.base import (
    Ambiguous,
    AuthProblem,
    ConnectorError,
    Engagement,
    Health,
    OutgoingPost,
    Published,
    RateLimited,
    Rejected,
    Transient,
    redirect_refused,
)
from connectors.facebook.engagement import (
    COUNTER_FIELDS,
    INSIGHT_METRICS,
    READ_USAGE_LIMIT,
    USAGE_READING_LIFE,
    counter_fields,
    counters_of,
    insight_value,
)
from connectors.facebook.errors import (
    PERMISSION,
    DuplicatePost,
    MetricRefused,
    classify,
    metric_refusal,
    nothing_sent,
    parse_error,
    throttle_estimate,
    token_fix,
    usage_percent,
    usage_wait,
)

REQUIRED_PERMISSIONS = ("pages_manage_posts", "pages_read_engagement")
FIND_FIELDS = "id,created_time,message,permalink_url,attachments{media_type,unshimmed_url,url}"
FIND_SLACK = timedelta(seconds=60)  # our clock against Facebook's
FIND_LIMIT = 25  # posts per page
FIND_PAGES = 10  # pages read back before answering "cannot tell yet"
_PAGING_AUTH = ("access_token", "appsecret_proof")  # a `next` link's; we send our own
EXPIRY_WARNING = timedelta(days=7)
_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid)$", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_POST_ID = re.compile(r"[0-9]+(_[0-9]+)?")  # "{page-id}_{post-id}", or a photo's id


class FacebookConnector:
    """Publishes OutgoingPosts to one Facebook Page (feed or photo posts)."""

    def __init__(
        self,
        session: requests.Session,
        *,
        graph_url: str,
        api_version: str,
        page_id: str,
        page_token: str,
        app_secret: str | None,
        timeout: float = 30.0,
        clock: Callable[[], datetime],
        channel: str = "facebook",
    ) -> None:
        self._session = session
        self._base = f"{graph_url.rstrip('/')}/{api_version.strip('/')}"
        self.page_id = page_id
        self._token = page_token
        self._secret = app_secret
        self._timeout = timeout
        self._clock = clock
        self.channel = channel
        self._paused_until: datetime | None = None
        self._usage: tuple[float, datetime] | None = None  # the last answer's usage, and when
        self._pause_lock = threading.Lock()  # one connector may serve several publish threads

    def __repr__(self) -> str:
        return f"FacebookConnector(page_id={self.page_id!r}, api={self._base!r})"

    @property
    def _env_name(self) -> str:
        return f"SYNDICATOR_CHANNELS__{self.channel.upper()}__PAGE_TOKEN"

    # -- the contract ---------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> Published:
        """Create the post; a 506 duplicate is answered by the post already on the Page, if any."""
        pause = self.usage_pause()
        if pause is not None:
            raise RateLimited("Facebook usage at its limit: waiting before the next post", pause)
        try:
            answer = self._send_post(post)
        except DuplicatePost as error:
            return self._resolve_duplicate(post, error)
        remote_id = str(answer.get("post_id") or answer.get("id") or "")
        if not remote_id:
            raise Ambiguous("Facebook answered without a post id")
        return Published(remote_id=remote_id, url=f"https://www.facebook.com/{remote_id}")

    def find_existing(self, post: OutgoingPost) -> Published | None:
        """The post on the Page made for `post` since its claim (less a minute), or None once
        the Page's posts have been read back past that time. Raises Transient ("cannot tell
        yet") when FIND_PAGES pages hold only newer posts. Without a claim time, only the
        latest page is read."""
        if post.claimed_at is None:
            return self._search(post, None, pages=1)
        return self._search(post, post.claimed_at - FIND_SLACK, pages=FIND_PAGES)

    def check(self) -> Health:
        """Token validity, expiry, page and permissions, from /debug_token; network errors raise."""
        try:
            answer = self._call("GET", "debug_token", {"input_token": self._token})
        except AuthProblem as problem:
            return Health(ok=False, detail=str(problem))
        data = answer.get("data")
        return self._health(data if isinstance(data, dict) else {})

    def usage_pause(self) -> timedelta | None:
        """How long the usage headers (or a throttling error) ask us to keep still, or None."""
        with self._pause_lock:
            if self._paused_until is None:
                return None
            left = self._paused_until - self._clock()
            if left <= timedelta(0):
                self._paused_until = None
                return None
            return left

    # -- engagement (connectors.base.ReadsEngagement) ---------------------------------------

    def engagement(self, remote_id: str, metrics: frozenset[str]) -> Engagement:
        """The post's counters among `metrics`: reactions, comments and shares in one call,
        then each insight in a call of its own. A metric refused for a permission (or an
        insight Graph refuses) goes to `refused` and the others are still read. Yields to
        publishing: RateLimited, with nothing sent, while usage is high (_yield_to_publishing)."""
        if not _POST_ID.fullmatch(remote_id):
            raise Rejected(f"{remote_id!r} is not a Graph post id")
        self._yield_to_publishing()
        found: dict[str, int | None] = {}
        refused: dict[str, str] = {}
        fields = counter_fields(metrics)
        if fields:
            try:
                answer = self._call("GET", remote_id, {"fields": fields}, refused_by=PERMISSION)
                found.update(counters_of(answer, metrics))
            except MetricRefused as why:
                refused.update(dict.fromkeys(COUNTER_FIELDS.keys() & metrics, str(why)))
        for name, insight in INSIGHT_METRICS.items():
            if name not in metrics:
                continue
            try:
                query = {"metric": insight}
                answer = self._call("GET", f"{remote_id}/insights", query, refused_by=PERMISSION)
                found[name] = insight_value(answer, insight)
            except MetricRefused as why:
                refused[name] = str(why)
            except Rejected as why:  # #100 "must be a valid insights metric": Meta dropped it
                refused[name] = f"Facebook refused the insight {insight}: {why}"
        return Engagement(**found, refused=refused)

    def _yield_to_publishing(self) -> None:
        """Raise RateLimited while publishing needs the quota: a usage pause, or the last
        answer's usage at READ_USAGE_LIMIT or more (for USAGE_READING_LIFE at most)."""
        pause = self.usage_pause()
        if pause is not None:
            raise RateLimited("Facebook usage at its limit: reads wait for publishing", pause)
        with self._pause_lock:
            reading = self._usage
        if reading is None or reading[0] < READ_USAGE_LIMIT:
            return
        left = reading[1] + USAGE_READING_LIFE - self._clock()
        if left > timedelta(0):
            raise RateLimited(
                f"Facebook usage at {reading[0]:.0f} %: engagement reads leave the rest to "
                f"publishing (they stop at {READ_USAGE_LIMIT:.0f} %)",
                left,
            )

    # -- publishing -------------------------------------------------------------------------

    def _send_post(self, post: OutgoingPost) -> dict[str, Any]:
        if post.photo:
            if not post.cover:
                raise Rejected("a photo post needs a cover image URL")
            return self._call(
                "POST", f"{self.page_id}/photos", {"url": post.cover, "caption": post.text}
            )
        fields = {"message": post.text}
        if post.link:
            fields["link"] = post.link
        return self._call("POST", f"{self.page_id}/feed", fields)

    def _resolve_duplicate(self, post: OutgoingPost, error: DuplicatePost) -> Published:
        """506 means the same content is the Page's latest: most likely an earlier attempt of ours."""
        try:
            found = self._search(post, None, pages=1)  # 506: the same content is the latest
        except ConnectorError as lookup:
            raise Ambiguous(f"{error}; the Page could not be searched: {lookup}") from None
        if found is None:
            raise error
        return found

    # -- finding ----------------------------------------------------------------------------

    def _search(self, post: OutgoingPost, since: datetime | None, pages: int) -> Published | None:
        """Read published_posts newest first, page after page, until the post, a post older
        than `since`, the last page, or `pages` pages."""
        first = {"fields": FIND_FIELDS, "limit": str(FIND_LIMIT)}
        if since is not None:
            first["since"] = str(int(since.timestamp()))
        query = first
        for _ in range(pages):
            answer = self._call("GET", f"{self.page_id}/published_posts", query)
            rows = [row for row in _list(answer.get("data")) if isinstance(row, dict)]
            for row in rows:
                if _is_recent(row, since) and _matches(row, post):
                    remote_id = str(row.get("id", ""))
                    url = row.get("permalink_url") or f"https://www.facebook.com/{remote_id}"
                    return Published(remote_id=remote_id, url=str(url))
            following = _next_page(answer.get("paging"))
            if following is None or any(not _is_recent(row, since) for row in rows):
                return None
            query = {**first, **following}
        if since is None:
            return None
        raise Transient(
            f"cannot tell yet: the Page's {pages * FIND_LIMIT} latest posts are all newer than "
            f"{since:%Y-%m-%d %H:%M:%S} UTC and none is this post; ask again later"
        )

    # -- health -----------------------------------------------------------------------------

    def _health(self, data: Mapping[str, Any]) -> Health:
        fix = token_fix(self._env_name)
        if data.get("is_valid") is not True:
            error = data.get("error")
            said = error.get("message") if isinstance(error, dict) else None
            reason = self._redact(str(said or "the token is not valid"))
            return Health(ok=False, detail=f"page token invalid: {reason}; {fix}")
        expires_at = _timestamp(data.get("expires_at"))
        scopes = data.get("scopes")
        scopes = scopes if isinstance(scopes, list) else []
        missing = tuple(name for name in REQUIRED_PERMISSIONS if name not in scopes)
        profile = str(data.get("profile_id") or "")
        if profile and profile != self.page_id:
            detail = f"the token is for page {profile}, not page {self.page_id}; {fix}"
            return Health(False, detail, expires_at, missing)
        if missing:
            detail = f"permission missing: {', '.join(missing)}; grant it to the app, then {fix}"
            return Health(False, detail, expires_at, missing)
        if expires_at is not None and expires_at - self._clock() < EXPIRY_WARNING:
            detail = f"token valid but expires {expires_at:%Y-%m-%d %H:%M} UTC; {fix} before then"
            return Health(True, detail, expires_at)
        return Health(True, "token valid with the permissions needed", expires_at)

    # -- HTTP -------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        fields: Mapping[str, str],
        *,
        refused_by: frozenset[int] = frozenset(),
    ) -> dict[str, Any]:
        """One Graph request; the decoded answer, or a classified error (MetricRefused for an
        error code in `refused_by`)."""
        write = method == "POST"
        sent = {**fields, **self._auth()}
        url = f"{self._base}/{path}"
        try:
            if write:
                response = self._session.post(
                    url, data=sent, timeout=self._timeout, allow_redirects=False
                )
            else:
                response = self._session.get(
                    url, params=sent, timeout=self._timeout, allow_redirects=False
                )
        except requests.RequestException as error:
            raise self._network_error(error, write=write) from None
        if 300 <= response.status_code < 400:
            raise redirect_refused(
                "Facebook",
                response.status_code,
                response.headers.get("Location"),
                f"channels.{self.channel}.graph_url",
            )
        self._note_usage(response.headers)
        try:
            body: object = response.json()
        except ValueError:
            body = None
        if response.status_code < 400 and isinstance(body, dict) and "error" not in body:
            return body
        said = parse_error(body)
        if said is not None:
            said = replace(said, message=self._redact(said.message))
            if said.code in refused_by:
                raise metric_refusal(said, self._env_name)
        found = classify(
            response.status_code,
            said,
            throttle_estimate(response.headers),
            write=write,
            env_name=self._env_name,
        )
        if isinstance(found, RateLimited) and found.retry_after:
            self._pause_for(found.retry_after)  # without an estimate, the publisher's pause
        raise found

    def _auth(self) -> dict[str, str]:
        auth = {"access_token": self._token}
        if self._secret:
            auth["appsecret_proof"] = appsecret_proof(self._secret, self._token)
        return auth

    def _note_usage(self, headers: Mapping[str, str]) -> timedelta | None:
        with self._pause_lock:
            self._usage = (usage_percent(headers), self._clock())
        wait = usage_wait(headers)
        if wait is not None:
            self._pause_for(wait)
        return wait

    def _pause_for(self, wait: timedelta) -> None:
        until = self._clock() + wait
        with self._pause_lock:
            if self._paused_until is None or until > self._paused_until:
                self._paused_until = until

    def _network_error(self, error: requests.RequestException, *, write: bool) -> ConnectorError:
        """Nothing sent (refused, DNS, connect timeout, TLS) → Transient; maybe sent → Ambiguous."""
        kind = type(error).__name__
        detail = self._redact(f"{kind}: {error}")
        if nothing_sent(error):
            return Transient(f"Facebook not reached ({detail})")
        if not write:
            return Transient(f"no answer from Facebook ({detail})")
        return Ambiguous(f"no answer from Facebook after sending ({detail})")

    def _redact(self, text: str) -> str:
        secrets: Iterable[str] = (self._token, quote_plus(self._token))
        if self._secret:
            proof = appsecret_proof(self._secret, self._token)
            secrets = (*secrets, self._secret, quote_plus(self._secret), proof)
        for secret in secrets:
            if secret:
                text = text.replace(secret, "[redacted]")
        return text


def appsecret_proof(app_secret: str, token: str) -> str:
    """HMAC-SHA256 of the token keyed with the app secret, lowercase hex (Graph "Secure Requests")."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def canonical_url(url: str) -> str:
    """A link in a comparable form: scheme and host lowercased, no fragment, no tracking
    parameters, no trailing slash; Facebook's l.facebook.com shim unwrapped."""
    parts = urlsplit(url.strip())
    if parts.hostname in ("l.facebook.com", "lm.facebook.com"):
        target = parse_qs(parts.query).get("u")
        if target:
            return canonical_url(target[0])
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, True) if not _TRACKING.match(k)])
    netloc = parts.netloc.lower()
    scheme = parts.scheme.lower()
    if (scheme, netloc[-3:]) == ("http", ":80") or (scheme, netloc[-4:]) == ("https", ":443"):
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), query, ""))


def _matches(row: Mapping[str, Any], post: OutgoingPost) -> bool:
    """The row shows the post's link (attachment or message). A photo post keeps neither our
    link nor our picture's URL (Facebook re-hosts it), only the caption, so it is recognised by
    its whole caption; a post without a link by its whole message."""
    message = str(row.get("message") or "")
    if post.link:
        wanted = canonical_url(post.link)
        if any(canonical_url(seen) == wanted for seen in _links_of(row, message)):
            return True
        if not post.photo:
            return False
    same_text = bool(post.text.strip()) and _comparable(message) == _comparable(post.text)
    return same_text and (not post.photo or _is_photo(row))


def _comparable(text: str) -> str:
    """Text as Facebook may give it back: NFC, whitespace runs (and line ends) as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _is_photo(row: Mapping[str, Any]) -> bool:
    return any(
        isinstance(item, dict) and item.get("media_type") == "photo"
        for item in _list(_mapping(row.get("attachments")).get("data"))
    )


def _next_page(paging: object) -> dict[str, str] | None:
    """The query of the `next` page (Graph leaves `next` out on the last page, and an empty
    page may still have one), to send to our own base URL: never follow a link from an answer
    with the token."""
    link = _mapping(paging).get("next")
    if not isinstance(link, str) or not link:
        return None
    following = {k: v for k, v in parse_qsl(urlsplit(link).query) if k not in _PAGING_AUTH}
    after = _mapping(_mapping(paging).get("cursors")).get("after")
    if "after" not in following and isinstance(after, str) and after:
        following["after"] = after
    return following


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _links_of(row: Mapping[str, Any], message: str) -> list[str]:
    links = [
        str(item[key])
        for item in _list(_mapping(row.get("attachments")).get("data"))
        if isinstance(item, dict)
        for key in ("unshimmed_url", "url")
        if item.get(key)
    ]
    return links + [found.rstrip(".,;:!?)") for found in _URL_IN_TEXT.findall(message)]


def _is_recent(row: Mapping[str, Any], since: datetime | None) -> bool:
    if since is None:
        return True
    try:
        created = datetime.strptime(str(row.get("created_time")), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return True  # the query's `since` already filtered; an odd date is not a reason to miss
    return created >= since


def _timestamp(value: object) -> datetime | None:
    """A Unix time from /debug_token; 0 is taken to mean "never expires" (UNCONFIRMED)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, UTC)
    return None
