"""Graph API answers turned into the contract's classified errors, and its usage headers read.

Grouped by what the publisher does about them (research/facebook-graph.md §3): wait (RateLimited,
PolicyBlocked), fix the token (AuthProblem), give up on this post (Rejected), try again
(Transient), or look on the Page first because the post may exist (Ambiguous). Pure functions:
no I/O, tested with plain values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
import urllib3

from connectors.base import (
    Ambiguous,
    AuthProblem,
    ConnectorError,
    PolicyBlocked,
    RateLimited,
    Rejected,
    Transient,
)

THROTTLING = frozenset({4, 17, 32, 341, 613, *range(80000, 80015)})
UNKNOWN = frozenset({1, 2})  # "temporary issue due to downtime"; the post may exist (koala#699)
HIGH_USAGE_WAIT = timedelta(minutes=1)  # a quota at 90 % with no estimate of ours to go by
POLICY_WAIT = timedelta(hours=6)
TOO_FAST_WAIT = timedelta(hours=1)  # 368/1390008: "we limit how often you can post"
USAGE_LIMIT = 90  # percent of any quota after which we stop sending
USAGE_HEADERS = ("X-App-Usage", "X-Page-Usage", "X-Business-Use-Case-Usage")
LINK_SCRAPE_FAILED = 1609005

_TOKEN_FIXES = {
    458: "the app was removed from the account that issued the token",
    459: "the token's user is checkpointed: log in on facebook.com to clear it",
    460: "the token's user changed their password",
    463: "page token expired",
    464: "the token's user is unconfirmed: log in on facebook.com to confirm",
    467: "page token invalid",
    492: "the token's user no longer has a role on the Page",
}


PERMISSION = frozenset({10, *range(200, 300)})  # "(#10)", "(#200) ... permission"


class MetricRefused(ConnectorError):
    """A read of engagement refused for want of a permission: that metric is off for the
    channel, the post's other counters are still read (raised only where a read asks)."""


class DuplicatePost(Rejected):
    """506: the same content is already the Page's latest post (perhaps our earlier attempt)."""


@dataclass(frozen=True, slots=True)
class GraphError:
    """The `error` object of a Graph answer."""

    code: int
    subcode: int | None
    message: str
    is_transient: bool = False

    def label(self) -> str:
        return f"#{self.code}/{self.subcode}" if self.subcode else f"#{self.code}"


def parse_error(body: object) -> GraphError | None:
    """The error in a decoded Graph answer, or None when it has none."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return None
    error: dict[str, Any] = body["error"]
    code, subcode = error.get("code"), error.get("error_subcode")
    message = error.get("error_user_msg") or error.get("message") or "no message"
    return GraphError(
        code=code if isinstance(code, int) else 0,
        subcode=subcode if isinstance(subcode, int) else None,
        message=str(message),
        is_transient=error.get("is_transient") is True,
    )


def token_fix(env_name: str) -> str:
    return f"create a new Page token and set {env_name}"


def metric_refusal(error: GraphError, env_name: str) -> MetricRefused:
    """A permission error answering a read of engagement: that metric is off until granted."""
    return MetricRefused(
        f"permission missing (Facebook {error.label()}: {error.message}): grant "
        f"pages_read_engagement and read_insights to the app, then {token_fix(env_name)}"
    )


def classify(
    status: int, error: GraphError | None, wait: timedelta | None, *, write: bool, env_name: str
) -> ConnectorError:
    """The classified error for a failed answer; `write` says whether it answered a POST."""
    if error is None:
        return _classify_status(status, wait, write=write)
    found = f"Facebook {error.label()}: {error.message}"
    if error.code in THROTTLING:
        return RateLimited(f"rate limited ({found})", wait)
    if error.code == 368:
        hold = TOO_FAST_WAIT if error.subcode == 1390008 else POLICY_WAIT
        return PolicyBlocked(
            f"posting blocked by Facebook policy ({found})", max(hold, wait or hold)
        )
    if error.code in (190, 102):
        what = _TOKEN_FIXES.get(error.subcode or 0, "page token invalid, expired or revoked")
        return AuthProblem(f"{what}: {token_fix(env_name)} ({found})")
    if error.code in (3, 10) or 200 <= error.code <= 299:
        return AuthProblem(
            "permission missing: grant pages_manage_posts and pages_read_engagement to the app, "
            f"then {token_fix(env_name)} ({found})"
        )
    if error.code == 506:
        return DuplicatePost(f"duplicate post ({found})")
    if error.subcode == LINK_SCRAPE_FAILED:
        return Transient(
            f"Facebook could not read the link; check the portal is reachable ({found})"
        )
    if error.code in UNKNOWN or error.is_transient or status >= 500:
        return Ambiguous(found) if write else Transient(found)
    return Rejected(found)


def _classify_status(status: int, wait: timedelta | None, *, write: bool) -> ConnectorError:
    """An answer without a Graph error body (a proxy, a load balancer, a cut answer)."""
    found = f"HTTP {status} without a Graph error"
    if status == 429:
        return RateLimited(f"rate limited ({found})", wait)
    if status >= 500 or status == 408 or status < 400:
        return Ambiguous(found) if write else Transient(found)
    return Transient(found)


def usage_wait(headers: Mapping[str, str]) -> timedelta | None:
    """How long to stop sending, from the usage headers: the platform's wait to regain access
    when it names one; a short hold while a quota is at 90 % or more without one (Graph's
    `estimated_time_to_regain_access: 0` says access is not restricted, so it is no reason to
    hold long); None while every quota is below 90 %."""
    estimate = usage_estimate(headers)
    if estimate is not None and estimate > timedelta(0):
        return estimate
    return HIGH_USAGE_WAIT if usage_percent(headers) >= USAGE_LIMIT else None


def usage_percent(headers: Mapping[str, str]) -> float:
    """The highest share of any quota the usage headers report, in percent; 0 without any
    header ("there is no header if the Page's utilization is effectively 0%")."""
    return max(
        (
            _number(usage.get(key))
            for name in USAGE_HEADERS
            for usage in _usage_entries(headers.get(name))
            for key in ("call_count", "total_cputime", "total_time")
        ),
        default=0.0,
    )


def usage_estimate(headers: Mapping[str, str]) -> timedelta | None:
    """Graph's own estimate of when access comes back (`estimated_time_to_regain_access`, in
    minutes; 0 included), the longest over the headers; None when no header gives one."""
    estimates = [
        timedelta(minutes=_number(usage["estimated_time_to_regain_access"]))
        for name in USAGE_HEADERS
        for usage in _usage_entries(headers.get(name))
        if "estimated_time_to_regain_access" in usage
    ]
    return max(estimates, default=None)


def throttle_estimate(headers: Mapping[str, str]) -> timedelta | None:
    """The platform's estimate for a throttling answer: Retry-After, else the usage headers'
    time to regain access, else None (the publisher then picks a short, growing pause)."""
    after = retry_after(headers)
    return after if after is not None else usage_estimate(headers)


def retry_after(headers: Mapping[str, str]) -> timedelta | None:
    """A Retry-After header in seconds (not documented for Graph, honoured when present)."""
    value = headers.get("Retry-After", "")
    digits = value.strip().isascii() and value.strip().isdigit()  # "²" passes isdigit alone
    return timedelta(seconds=int(value)) if digits else None


def _usage_entries(raw: str | None) -> list[dict[str, Any]]:
    """The usage objects in one header: X-App-Usage and X-Page-Usage hold one, BUC a list per id."""
    if not raw:
        return []
    try:
        decoded = json.loads(raw)
    except ValueError:
        return []
    if not isinstance(decoded, dict):
        return []
    if any(key in decoded for key in ("call_count", "total_cputime", "total_time")):
        return [decoded]
    return [
        entry
        for entries in decoded.values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]


def _number(value: object) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    return 0.0


def nothing_sent(error: requests.RequestException) -> bool:
    """The failure happened before the request left: connecting, resolving, TLS handshake."""
    if isinstance(error, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    seen: list[object] = [error]
    for _ in range(20):  # a bounded walk down args, causes and urllib3 reasons
        if not seen:
            break
        current = seen.pop()
        if isinstance(current, urllib3.exceptions.NewConnectionError):
            return True
        if isinstance(current, BaseException):
            seen.extend(current.args[:1])
            seen.extend(c for c in (current.__cause__, getattr(current, "reason", None)) if c)
    return False
