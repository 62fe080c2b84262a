"""Zalo OA error codes (HTTP 200, `error != 0`) grouped by what we do about them.

The table is research/zalo-oa.md §5: retry, refresh the token once, wait for a quota, ask a
person (AuthProblem pauses the channel and keeps the posts), or give up on this post.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from connectors.base import AuthProblem, ConnectorError, RateLimited, Rejected, Transient

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
QUIET_START, QUIET_END = time(22, 0), time(6, 0)  # no broadcast (-234) in this window
QUOTA_WAIT = timedelta(hours=24)

TOKEN_CODES = frozenset({-216, -220, -124})
QUOTA_CODES = frozenset({-211, -218})
RETRY_CODES = frozenset({-100, -200, -214})
OPERATOR_CODES = {
    -204: "the OA is disabled",
    -205: "the OA does not exist",
    -209: "the app is not activated for this API",
    -212: "the app has not registered this API",
    -219: "the app is removed or disabled",
    -221: "the OA must be verified for this feature",
    -224: "the OA needs a higher tier package",
    -242: "invalid appsecret_proof",
}


class TokenRejected(AuthProblem):
    """Zalo refused the access token: refresh once and repeat the call."""


class StillProcessing(Transient):
    """-214: Zalo is still fetching the article's media; verify again shortly."""


def in_quiet_hours(now: datetime) -> bool:
    """Whether `now` falls in 22:00-06:00 Vietnam time, when Zalo refuses broadcasts."""
    local = now.astimezone(VIETNAM).time()
    return local >= QUIET_START or local < QUIET_END


def until_morning(now: datetime) -> timedelta:
    """How long from `now` to the next 06:00 Vietnam time."""
    local = now.astimezone(VIETNAM)
    morning = local.replace(hour=QUIET_END.hour, minute=0, second=0, microsecond=0)
    if morning <= local:
        morning += timedelta(days=1)
    return morning - local


def classify(code: int, message: str, now: datetime) -> ConnectorError:
    """The classified error for a Zalo `{error, message}` answer."""
    text = f"Zalo error {code}: {message}"
    if code in TOKEN_CODES:
        return TokenRejected(text)
    if code == -214:
        return StillProcessing(text)
    if code in RETRY_CODES:
        return Transient(text)
    if code == -32:  # no estimate: the publisher's short, growing pause
        return RateLimited(f"{text} (per-minute call limit)")
    if code == -223:
        if "quota" in message.lower() or "limit" in message.lower():
            return RateLimited(f"{text} (article quota; resets on the package date)", QUOTA_WAIT)
        return AuthProblem(f"{text}: grant the app the 'quản lý bài viết' permission group")
    if code in QUOTA_CODES:
        return RateLimited(text, QUOTA_WAIT)
    if code == -234:
        return RateLimited(text, until_morning(now))
    if code in OPERATOR_CODES:
        return AuthProblem(f"{text} ({OPERATOR_CODES[code]})")
    return Rejected(text)
