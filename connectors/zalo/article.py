"""The bodies Zalo's Article API takes (research/zalo-oa.md §2, §4), as pure functions."""

from __future__ import annotations

import html
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.base import OutgoingPost, Rejected
from connectors.zalo.limits import LIMITS

CLOCK_SLACK = timedelta(minutes=10)  # Zalo's clock against ours, for find_existing


def text(value: object) -> str:
    """A JSON scalar as a string ('' for null or a container)."""
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def fitted(value: str, name: str) -> str:
    """NFC, trimmed, cut to Zalo's limit for the field."""
    return unicodedata.normalize("NFC", value).strip()[: LIMITS[name]]


def comparable(value: object) -> str:
    """A title as find_existing compares it: NFC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", value).split()) if isinstance(value, str) else ""


def article(post: OutgoingPost) -> dict[str, Any]:
    """The article/create body for a normal article (research §2)."""
    if not post.cover:
        raise Rejected("a Zalo article needs a cover image (set the feed's default_image)")
    if not post.title.strip():
        raise Rejected("a Zalo article needs a title")
    body = list(post.body) or [
        {"type": "text", "content": f"<p>{html.escape(line.strip())}</p>"}
        for line in post.text.splitlines()
        if line.strip()
    ]
    return {
        "type": "normal",
        "title": fitted(post.title, "title"),
        "author": fitted(post.author, "author"),
        "description": fitted(post.description, "description"),
        "cover": {"cover_type": "photo", "photo_url": post.cover, "status": "show"},
        "body": body,
        "status": "show",
        "comment": "show",
    }


def broadcast(article_id: str) -> dict[str, Any]:
    """The v2.0 oa/message body that sends one article to all followers (research §4)."""
    element = {"media_type": "article", "attachment_id": article_id}
    template = {"template_type": "media", "elements": [element]}
    return {
        "recipient": {"target": {}},
        "message": {"attachment": {"type": "template", "payload": template}},
    }


def matching_id(media: object, title: str, since: datetime | None) -> str:
    """The id of a getslice entry with this comparable title, unless made_before `since`;
    else ''."""
    if not isinstance(media, dict) or comparable(media.get("title")) != title:
        return ""
    return "" if made_before(media, since) else text(media.get("id"))


def made_before(media: object, since: datetime | None) -> bool:
    """Whether a getslice entry was created before `since` less the clock slack, as far as its
    create_date (epoch milliseconds) says; an entry without one is not known to be older."""
    created = media.get("create_date") if isinstance(media, dict) else None
    return since is not None and type(created) is int and epoch_ms(created) < since - CLOCK_SLACK


def epoch_ms(value: int) -> datetime:
    """Zalo's create_date (milliseconds since the epoch; UNCONFIRMED unit) as a UTC time."""
    return datetime.fromtimestamp(value / 1000, UTC)
