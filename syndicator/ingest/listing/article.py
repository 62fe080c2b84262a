"""What an article page says of itself in its Open Graph and meta tags: the summary, picture
and date a listing page may leave out."""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser

from syndicator.errors import FeedError
from syndicator.ingest.listing.page import page_base, parse_page
from syndicator.ingest.normalize.dates import item_date, parse_date
from syndicator.ingest.normalize.entry import SUMMARY_LIMIT
from syndicator.ingest.normalize.markup import html_to_text, looks_like_markup
from syndicator.ingest.normalize.text import NO_FLAGS, clean_text, truncate_words
from syndicator.ingest.normalize.urls import absolute_url
from syndicator.records import Flag, ParsedItem

_DESCRIPTION_KEYS = ("og:description", "description", "twitter:description")
_IMAGE_KEYS = ("og:image", "og:image:secure_url", "og:image:url", "twitter:image")
_DATE_KEYS = ("article:published_time", "og:published_time", "datepublished", "pubdate")
_META_LIMIT = 300  # meta tags read: a page with thousands is not an article page


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """Facts from an article page's head; every field None when the page did not say."""

    description: str | None = None  # clean plain text
    image: str | None = None  # absolute http(s) URL
    published: datetime | None = None  # aware, UTC
    text_flags: frozenset[Flag] = NO_FLAGS  # repairs the description needed
    date_flags: frozenset[Flag] = NO_FLAGS  # DATE_ASSUMED_TZ, DATE_CLAMPED


def article_facts(
    body: bytes,
    *,
    url: str,
    content_type: str | None,
    tz: ZoneInfo,
    fetched_at: datetime | None = None,
) -> ArticleFacts:
    """Read an article page's meta tags; junk gives empty facts, never an error. With
    `fetched_at`, a date more than a day ahead is clamped as feed dates are."""
    try:
        tree = parse_page(body, content_type)
    except FeedError:
        return ArticleFacts()
    meta = _meta_values(tree)
    description, text_flags = _description(meta)
    published, date_flags = _published(meta, tz, fetched_at)
    return ArticleFacts(
        description=description,
        image=_image(meta, page_base(tree, url)),
        published=published,
        text_flags=text_flags,
        date_flags=date_flags,
    )


def _meta_values(tree: LexborHTMLParser) -> dict[str, str]:
    """property/name/itemprop (lower case) → content, the first of each name winning."""
    values: dict[str, str] = {}
    for node in tree.css("meta[content]")[:_META_LIMIT]:
        attributes = node.attributes
        content = (attributes.get("content") or "").strip()
        for key in ("property", "name", "itemprop"):
            name = (attributes.get(key) or "").strip().lower()
            if name and content:
                values.setdefault(name, content)
    return values


def _description(meta: dict[str, str]) -> tuple[str | None, frozenset[Flag]]:
    for key in _DESCRIPTION_KEYS:
        raw = meta.get(key, "")
        text, flags = clean_text(html_to_text(raw) if looks_like_markup(raw) else raw)
        if text:
            return truncate_words(text, SUMMARY_LIMIT), flags
    return None, NO_FLAGS


def _image(meta: dict[str, str], base: str) -> str | None:
    for key in _IMAGE_KEYS:
        url = meta.get(key, "")
        if url and not url.lower().startswith("data:"):
            resolved = absolute_url(url, base)
            if resolved:
                return resolved
    return None


def _published(
    meta: dict[str, str], tz: ZoneInfo, fetched_at: datetime | None
) -> tuple[datetime | None, frozenset[Flag]]:
    raw = next((meta[key] for key in _DATE_KEYS if meta.get(key)), "")
    if not raw:
        return None, NO_FLAGS
    if fetched_at is not None:
        published, flags = item_date({"published": raw}, fetched_at=fetched_at, tz=tz)
        return published, flags - {Flag.DATE_MISSING}
    found = parse_date(raw, tz)
    if found is None:
        return None, NO_FLAGS
    return found[0], frozenset({Flag.DATE_ASSUMED_TZ}) if found[1] else NO_FLAGS


def fill_from_article(item: ParsedItem, facts: ArticleFacts) -> ParsedItem:
    """The listing item with what it lacked (summary, image, date) taken from its article page;
    what the listing gave is never replaced."""
    changes: dict[str, object] = {}
    flags = set(item.flags)
    if not item.summary and facts.description:
        changes["summary"] = facts.description
        if not item.content_html:
            changes["content_html"] = _paragraphs(facts.description)
        flags |= facts.text_flags
    if item.image is None and facts.image:
        changes["image"] = facts.image
    if item.published is None and facts.published is not None:
        changes["published"] = facts.published
        flags = (flags - {Flag.DATE_MISSING}) | facts.date_flags
    if not changes:
        return item
    return dataclasses.replace(item, **changes, flags=frozenset(flags))  # type: ignore[arg-type]


def _paragraphs(text: str) -> str:
    # The body a feed's plain-text summary gets (normalize_entry does the same).
    return "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))
