"""One feedparser entry → one ParsedItem: clean text, safe HTML, absolute URLs, a UTC date."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from syndicator.ingest.normalize.dates import item_date
from syndicator.ingest.normalize.images import pick_image
from syndicator.ingest.normalize.markup import html_to_text, looks_like_markup, sanitize_html
from syndicator.ingest.normalize.text import (
    NO_FLAGS,
    clean_text,
    repair_encoding,
    tidy,
    truncate_words,
)
from syndicator.ingest.normalize.urls import absolute_url, canonical_url
from syndicator.records import Flag, ParsedItem

SUMMARY_LIMIT = 1000
_PLAIN_TYPES = frozenset({"text/plain", "text"})


def normalize_entry(
    entry: Mapping[str, Any], *, feed_url: str, fetched_at: datetime, tz: tzinfo
) -> ParsedItem:
    """Build the ParsedItem for one feedparser entry."""
    # A plain-dict copy: FeedParserDict's key aliasing makes every .get() several times slower.
    entry = dict(entry)
    link = absolute_url(_string(entry.get("link")), feed_url)
    base = link or feed_url
    title, title_flags = field_text(entry, "title")
    (summary_raw, summary_plain), (content_raw, content_plain) = _sources(entry)
    summary, summary_flags = _summary(summary_raw, plain=summary_plain)
    content_html, content_flags = _content_html(content_raw, plain=content_plain, base=base)
    extra_html = () if summary_raw == content_raw or summary_plain else (summary_raw,)
    published, date_flags = item_date(entry, fetched_at=fetched_at, tz=tz)
    categories, category_flags = _categories(entry.get("tags"))
    author, author_flags = field_text(entry, "author")
    flags = {
        *title_flags,
        *summary_flags,
        *content_flags,
        *date_flags,
        *category_flags,
        *author_flags,
    }
    if not title:
        flags.add(Flag.NO_TITLE)
    if not link:
        flags.add(Flag.NO_LINK)
    return ParsedItem(
        guid=_guid(entry.get("id")),
        link=link,
        url=canonical_url(link) if link else None,
        title=title,
        summary=summary,
        content_html=content_html,
        image=pick_image(entry, extra_html, base, sanitized=content_html),
        published=published,
        categories=categories,
        author=author or None,
        flags=frozenset(flags),
    )


def field_text(data: Mapping[str, Any], key: str) -> tuple[str, frozenset[Flag]]:
    """A one-line text field (title, author): tags stripped, entities decoded, normalized."""
    value = _string(data.get(key))
    if looks_like_markup(value):
        value = html_to_text(value)
    return clean_text(value)


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _guid(value: Any) -> str | None:
    # NukeViet pads its CDATA guids ("news_123") with newlines and indentation; control
    # characters go too (PostgreSQL refuses NUL in text).
    guid = tidy(_string(value))
    return guid or None


Source = tuple[str, bool]  # raw text, and whether it is plain text rather than HTML


def _sources(entry: Mapping[str, Any]) -> tuple[Source, Source]:
    """(summary, content): description first for the summary, content:encoded for the body."""
    summary = (_string(entry.get("summary")), _is_plain(entry.get("summary_detail")))
    contents = [c for c in entry.get("content") or () if isinstance(c, Mapping)]
    content = next(
        (
            (_string(c.get("value")), _is_plain(c))
            for c in contents
            if _string(c.get("value")).strip()
        ),
        ("", False),
    )
    has_summary, has_content = bool(summary[0].strip()), bool(content[0].strip())
    return (summary if has_summary else content), (content if has_content else summary)


def _is_plain(detail: Any) -> bool:
    return isinstance(detail, Mapping) and detail.get("type") in _PLAIN_TYPES


def _summary(raw: str, *, plain: bool) -> tuple[str, frozenset[Flag]]:
    text = raw if plain else html_to_text(raw)
    text, flags = clean_text(text, keep_newlines=True)
    return truncate_words(text, SUMMARY_LIMIT), flags


def _content_html(raw: str, *, plain: bool, base: str) -> tuple[str, frozenset[Flag]]:
    if not raw.strip():
        return "", NO_FLAGS
    if plain:
        text, flags = clean_text(raw, keep_newlines=True)
        return "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n")), flags
    safe, flags = repair_encoding(sanitize_html(raw, base))
    return unicodedata.normalize("NFC", safe), flags


def _categories(tags: Any) -> tuple[tuple[str, ...], frozenset[Flag]]:
    seen: dict[str, None] = {}  # a dict keeps first-seen order
    flags: set[Flag] = set()
    for tag in tags if isinstance(tags, list) else ():
        term, term_flags = clean_text(_string(tag.get("term")) if isinstance(tag, Mapping) else "")
        if term:
            seen.setdefault(term)
            flags |= term_flags
    return tuple(seen), frozenset(flags)
