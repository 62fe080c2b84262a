"""Zalo Official Account connector: a post becomes an OA article (research/zalo-oa.md §2, §4).

Publishing is asynchronous and resumable: `create` answers a token, `verify` turns it into the
article id once Zalo has fetched the media (-214 until then), and an optional broadcast sends the
article to followers. Each result is saved in the StepStore before the next step, so a retry or a
restart resumes at the missing step and `create` is never sent twice for one post unless
find_existing, after an ambiguous create, found nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import requests
import structlog
from urllib3.exceptions import NewConnectionError

from connectors.base import (
    Ambiguous,
    AuthProblem,
    ConnectorError,
    Engagement,
    Health,
    OutgoingPost,
    Published,
    RateLimited,
    StepStore,
    Transient,
    redirect_refused,
)
from connectors.zalo.article import (
    article,
    broadcast,
    comparable,
    fitted,
    made_before,
    matching_id,
    text,
)
from connectors.zalo.errors import StillProcessing, TokenRejected, classify, in_quiet_hours
from connectors.zalo.limits import REFRESH_TOKEN_LIFETIME
from connectors.zalo.tokens import (
    TokenPair,
    TokenStore,
    ZaloTokens,
    redact,
    seed_detail,
)

__all__ = ["TokenPair", "TokenStore", "ZaloConnector"]

log = structlog.get_logger("connectors.zalo")
UNSENDABLE = (
    requests.exceptions.InvalidURL
    | requests.exceptions.MissingSchema
    | requests.exceptions.InvalidSchema
)

PAGE = 10  # getslice answers at most 10 articles per call
# Pages read back before find_existing answers "cannot tell yet": 400 articles, far more than an
# OA makes between an attempt and its reconcile at any real pace, and past the publisher's
# headroom of unsettled attempts (a burst of hundreds within CLOCK_SLACK still resolves).
SEARCH_PAGES = 40


class ZaloConnector:
    """publish / find_existing / check for one Zalo OA."""

    def __init__(
        self,
        session: requests.Session,
        *,
        api_url: str,
        oauth_url: str,
        app_id: str,
        app_secret: str,
        tokens: TokenStore,
        steps: StepStore,
        clock: Callable[[], datetime],
        timeout: float = 30.0,
        refresh_margin: timedelta = timedelta(hours=1),
        broadcast: bool = False,
        verify_attempts: int = 10,
        channel: str = "zalo",
    ) -> None:
        self._session, self._api_url = session, api_url.rstrip("/")
        self._steps, self._clock, self._timeout = steps, clock, timeout
        self._broadcast, self._verify_attempts = broadcast, verify_attempts
        self.tokens = ZaloTokens(
            session,
            oauth_url=oauth_url,
            app_id=app_id,
            app_secret=app_secret,
            store=tokens,
            clock=clock,
            timeout=timeout,
            margin=refresh_margin,
            channel=channel,
        )

    def __repr__(self) -> str:
        return f"ZaloConnector(api_url={self._api_url!r}, tokens={self.tokens!r})"

    # -- the contract ------------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> Published:
        """Create, verify and (optionally) broadcast the article, resuming at the missing step."""
        steps = self._steps.load(post.post_id)
        article_id = steps.get("article_id")
        if not article_id:
            token = steps.get("token") or self._create(post)
            article_id = self._verify(post.post_id, token, int(steps.get("verify_tries", "0")))
        if self._broadcast and "broadcast" not in steps:
            self._send_broadcast(post.post_id, article_id)
        return Published(article_id, self._link(article_id))

    def find_existing(self, post: OutgoingPost) -> Published | None:
        """The article already made for this post: from the steps, else by title among the
        OA's articles, read back (newest first) until one older than the claim or the last
        one. Raises Transient ("cannot tell yet") when SEARCH_PAGES pages hold only newer
        articles; without a claim time, answers None after those pages."""
        article_id = self._steps.load(post.post_id).get("article_id")
        if article_id:
            return Published(article_id, self._link(article_id))
        wanted = comparable(fitted(post.title, "title"))
        for page in range(SEARCH_PAGES):
            medias = self._slice(page * PAGE)
            for media in medias:
                found = matching_id(media, wanted, post.claimed_at)
                if found:
                    self._steps.save(post.post_id, "article_id", found)
                    log.info("article.found", post_id=post.post_id, status="found")
                    return Published(found, text(media.get("link_view")) or None)
            if len(medias) < PAGE or any(made_before(m, post.claimed_at) for m in medias):
                return None
        if post.claimed_at is None:
            return None
        raise Transient(
            f"cannot tell yet: the OA's {SEARCH_PAGES * PAGE} latest articles are all newer "
            "than this post's attempt and none has its title; ask again later"
        )

    def check(self) -> Health:
        """Token state plus one cheap authenticated call (getoa)."""
        if self.tokens.stored() is None:
            return Health(False, seed_detail(self.tokens.channel))
        try:
            oa = self._call("GET", "/v2.0/oa/getoa")
        except ConnectorError as exc:
            pair = self.tokens.stored()
            return Health(False, str(exc), expires_at=pair.expires_at if pair else None)
        pair = self.tokens.stored() or TokenPair("", "", self._clock())
        notes = [
            f"OA {text(oa.get('name')) or '?'}",
            f"access token until {pair.expires_at:%Y-%m-%d %H:%M}Z",
        ]
        ok = True
        if pair.issued_at is not None:
            age = self._clock() - pair.issued_at
            notes.append(f"refresh token issued {age.days} days ago (lasts 90)")
            if age > REFRESH_TOKEN_LIFETIME - timedelta(days=10):
                ok = False
                notes.append("refresh now or re-consent before it expires")
        if self._broadcast and not oa.get("is_verified"):
            ok = False
            notes.append("broadcast needs a verified OA")
        return Health(ok, "; ".join(notes), expires_at=pair.expires_at)

    # -- rotating tokens (connectors.base.RefreshesTokens) -------------------------------------

    def refresh_if_due(self) -> None:
        """Refresh the pair when the access token expires within the margin (the daemon)."""
        self.tokens.access_token()

    def refresh_now(self) -> None:
        """Refresh the pair now (`tokens refresh`)."""
        self.tokens.refresh()

    # -- engagement (connectors.base.ReadsEngagement) ------------------------------------------

    def engagement(self, remote_id: str, metrics: frozenset[str]) -> Engagement:
        """The article's views (getdetail's `total_view`, research/zalo-oa.md §2). No
        documented endpoint gives an article's shares, comments or reactions: unknown."""
        if "views" not in metrics:
            return Engagement()
        data = self._call("GET", "/v2.0/article/getdetail", params={"id": remote_id})
        return Engagement(views=_count(data.get("total_view")))

    def _slice(self, offset: int) -> list[Any]:
        """One page of the OA's articles, newest first (research/zalo-oa.md §2, getslice)."""
        params = {"offset": offset, "limit": PAGE, "type": "normal"}
        medias = self._call("GET", "/v2.0/article/getslice", params=params).get("medias")
        return medias if isinstance(medias, list) else []

    # -- steps ---------------------------------------------------------------------------------

    def _create(self, post: OutgoingPost) -> str:
        data = self._call("POST", "/v2.0/article/create", payload=article(post), sent_matters=True)
        token = text(data.get("token"))
        if not token:
            raise Ambiguous("Zalo article/create answered without a token; reconcile first")
        self._steps.save(post.post_id, "token", token)
        log.info("article.created", post_id=post.post_id, status="processing")
        return token

    def _verify(self, post_id: int, token: str, tries: int) -> str:
        try:
            data = self._call("POST", "/v2.0/article/verify", payload={"token": token})
        except StillProcessing as exc:
            tries += 1
            self._steps.save(post_id, "verify_tries", str(tries))
            if tries >= self._verify_attempts:
                raise Ambiguous(
                    f"{exc} after {tries} verifications; the article was created and may appear "
                    "later (its token is kept, so a retry verifies instead of creating)"
                ) from None
            raise StillProcessing(
                f"{exc} (verification {tries} of {self._verify_attempts})"
            ) from None
        article_id = text(data.get("id")) or text(data.get("article_id"))
        if not article_id:
            raise Transient("Zalo article/verify answered without an id")
        self._steps.save(post_id, "article_id", article_id)
        log.info("article.verified", post_id=post_id, status="published", article_id=article_id)
        return article_id

    def _send_broadcast(self, post_id: int, article_id: str) -> None:
        """At most once, best effort: the article is already published whatever happens here."""
        if in_quiet_hours(self._clock()):
            self._steps.save(post_id, "broadcast", "skipped: quiet hours 22:00-06:00")
            log.info("broadcast.skipped", post_id=post_id, status="quiet_hours")
            return
        self._steps.save(post_id, "broadcast", "sending")
        try:
            data = self._call(
                "POST", "/v2.0/oa/message", payload=broadcast(article_id), sent_matters=True
            )
        except ConnectorError as exc:
            self._steps.save(post_id, "broadcast", f"failed: {exc}")
            log.warning(
                "broadcast.failed", post_id=post_id, status=type(exc).__name__, error=str(exc)
            )
            return
        self._steps.save(post_id, "message_id", text(data.get("message_id")))
        self._steps.save(post_id, "broadcast", "sent")
        log.info("broadcast.sent", post_id=post_id, status="sent")

    def _link(self, article_id: str) -> str | None:
        """The article's public link (getdetail's link_view), if Zalo gives one."""
        try:
            data = self._call("GET", "/v2.0/article/getdetail", params={"id": article_id})
        except ConnectorError as exc:
            log.warning("article.link_missing", article_id=article_id, status=type(exc).__name__)
            return None
        return text(data.get("link_view")) or None

    # -- HTTP ----------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        payload: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        sent_matters: bool = False,
    ) -> dict[str, Any]:
        """One authenticated call; a refused access token is refreshed once and the call repeated
        (a refused call was not carried out, so repeating even `create` is safe)."""
        access = self.tokens.access_token()
        try:
            return self._send(method, path, access, payload, params, sent_matters)
        except TokenRejected:
            access = self.tokens.refresh_rejected(access)
        try:
            return self._send(method, path, access, payload, params, sent_matters)
        except TokenRejected as exc:
            raise AuthProblem(f"{exc} even after a token refresh; re-consent the OA") from None

    def _send(
        self,
        method: str,
        path: str,
        access: str,
        payload: dict[str, Any] | None,
        params: dict[str, Any] | None,
        sent_matters: bool,
    ) -> dict[str, Any]:
        try:
            response = self._session.request(
                method,
                self._api_url + path,
                json=payload,
                params=params,
                headers={"access_token": access},
                timeout=self._timeout,
                allow_redirects=False,  # a redirect would carry the access token elsewhere
            )
        except requests.RequestException as exc:
            what = f"Zalo {path}: {type(exc).__name__}"
            if sent_matters and not never_sent(exc):
                raise Ambiguous(f"{what} after sending; it may have been carried out") from None
            raise Transient(what) from None
        return self._answer(path, response, sent_matters)

    def _answer(self, path: str, response: requests.Response, sent_matters: bool) -> dict[str, Any]:
        status = response.status_code
        if 300 <= status < 400:
            setting = f"channels.{self.tokens.channel}.api_url"
            raise redirect_refused(
                f"Zalo {path}", status, response.headers.get("Location"), setting
            )
        if status >= 500:
            raise (Ambiguous if sent_matters else Transient)(f"Zalo {path}: HTTP {status}")
        if status == 429:
            raise RateLimited(f"Zalo {path}: HTTP 429", timedelta(minutes=1))
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if status == 200:
                raise (Ambiguous if sent_matters else Transient)(f"Zalo {path}: answer is not JSON")
            if status in (401, 403):
                raise TokenRejected(f"Zalo {path}: HTTP {status}")
            raise AuthProblem(f"Zalo {path}: HTTP {status}; check channels api_url")
        code = body.get("error", 0)
        if code not in (0, "0", None):
            message = redact(str(body.get("message", ""))[:300], self.tokens.secrets())
            raise classify(int(code), message, self._clock())
        data = body.get("data")
        return data if isinstance(data, dict) else {}


# -- pure helpers ------------------------------------------------------------------------------


def _count(value: object) -> int | None:
    """A counter as Zalo sends it (a number, or digits in a string); None for anything else."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def never_sent(exc: requests.RequestException) -> bool:
    """Whether the request certainly never left (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout | UNSENDABLE):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError)
