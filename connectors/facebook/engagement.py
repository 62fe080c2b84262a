"""What a Page post's engagement reads ask Graph and how its answers become counters (issue #14).

Pure: no I/O, tested with plain values. Two kinds of read:

- the post's own counters, one call: `GET /{post-id}?fields=reactions.summary(total_count)
  .limit(0),comments.summary(total_count).limit(0),shares` (pages_read_engagement). Graph leaves
  `shares` out when nobody shared the post, so its absence is 0, not unknown;
- post insights, one call per metric: `GET /{post-id}/insights?metric=...` (read_insights and
  pages_read_engagement), answering `{"data": [{"name", "period": "lifetime", "values":
  [{"value": N}]}]}`. One call each because Graph refuses a whole request when one of its
  metrics is invalid, and a refusal must name its metric. Meta deprecated the `impressions`
  metrics on 2025-11-15 ("replaced by the views metric"; a deprecated metric answers an invalid
  metric error, #100): the post's views are `post_media_view`, stored as our `impressions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

# Our metric -> its field on the post.
COUNTER_FIELDS = {
    "reactions": "reactions.summary(total_count).limit(0)",
    "comments": "comments.summary(total_count).limit(0)",
    "shares": "shares",
}
# Our metric -> the post insight giving it.
INSIGHT_METRICS = {"impressions": "post_media_view", "clicks": "post_clicks"}

# Reading counters yields to publishing: above this share of any Graph quota (the usage headers
# of the connector's last answer, publishing's or a read's), reads stop and publishing keeps
# the rest. Publishing itself stops at 90 % (errors.USAGE_LIMIT).
READ_USAGE_LIMIT = 50.0
# How long a usage reading holds without a newer answer: after it, one read goes out (and
# brings a fresh reading) even when the last one was high, since quotas drain with time.
USAGE_READING_LIFE = timedelta(minutes=5)


def counter_fields(metrics: frozenset[str]) -> str:
    """The `fields` of the counters call for the counters among `metrics` ('' when none)."""
    return ",".join(field for name, field in COUNTER_FIELDS.items() if name in metrics)


def counters_of(answer: Mapping[str, Any], metrics: frozenset[str]) -> dict[str, int | None]:
    """The counters among `metrics` from the post's answer; None where Graph gave no number."""
    found: dict[str, int | None] = {}
    for name in ("reactions", "comments"):
        if name in metrics:
            found[name] = _count(_mapping(_mapping(answer.get(name)).get("summary")), "total_count")
    if "shares" in metrics:
        shares = answer.get("shares")
        found["shares"] = 0 if shares is None else _count(_mapping(shares), "count")
    return found


def insight_value(answer: Mapping[str, Any], metric: str) -> int | None:
    """The lifetime value of insight `metric` in an insights answer; None when Graph gave none
    (a Page under 100 likes gets no insights data, and an empty `data` says only that)."""
    rows = answer.get("data")
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict) and row.get("name") == metric:
            values = row.get("values")
            if isinstance(values, list) and values and isinstance(values[-1], dict):
                return _count(values[-1], "value")
    return None


def _count(holder: Mapping[str, Any], key: str) -> int | None:
    value = holder.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
