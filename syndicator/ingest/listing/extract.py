"""A news listing page + its CSS selectors → a ParsedFeed whose items are normalized exactly as
feed items are: the page's facts become a feed-entry mapping handed to normalize_entry."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from syndicator.errors import FeedError
from syndicator.ingest.listing.dates import node_date
from syndicator.ingest.listing.page import node_text, page_base, page_title, parse_page
from syndicator.ingest.normalize.entry import normalize_entry
from syndicator.ingest.normalize.text import clean_text
from syndicator.ingest.normalize.urls import absolute_url
from syndicator.records import ParsedFeed, ParsedItem
from syndicator.settings_models import ListingSelectors

MAX_ITEMS = 200  # a listing page shows tens; more is a wrong selector or a hostile page
_IMAGE_ATTRIBUTES = ("src", "data-src", "data-original", "data-lazy-src")


def parse_listing(
    body: bytes,
    *,
    url: str,
    content_type: str | None,
    fetched_at: datetime,
    tz: ZoneInfo,
    selectors: ListingSelectors,
) -> ParsedFeed:
    """Read a listing page with its selectors; FeedError("selectors_broken") when they no longer
    find articles, NotAFeed("not_html") when the body is no web page."""
    tree = parse_page(body, content_type)
    matches = _select(tree, selectors.item)
    if not matches:
        raise FeedError(
            "selectors_broken",
            f"the item selector {selectors.item!r} matches nothing on the page (a redesign?)",
        )
    base = page_base(tree, url)
    entries = [_entry(node, selectors, base) for node in matches[:MAX_ITEMS]]
    _check_entries(entries, selectors)
    items = [normalize_entry(e, feed_url=base, fetched_at=fetched_at, tz=tz) for e in entries]
    return ParsedFeed(
        title=clean_text(page_title(tree))[0], link=url, items=_kept(items), problem=None
    )


def _select(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    try:
        return tree.css(selector)
    except SelectolaxError:  # settings validate selectors; this only guards a stale one
        return []


def _entry(item: LexborNode, selectors: ListingSelectors, base: str) -> dict[str, Any]:
    """The item's facts in the shape of a feedparser entry."""
    link_node = _first(item, selectors.link)
    entry: dict[str, Any] = {
        "link": _href(link_node, base),
        "title": html.escape(_title(item, link_node, selectors.title)),
    }
    summary = _first(item, selectors.summary)
    if summary is not None:
        entry["summary"] = node_text(summary)
        entry["summary_detail"] = {"type": "text/plain"}
    date = _first(item, selectors.date)
    published = node_date(date, selectors.date_format) if date is not None else None
    if published:
        entry["published"] = published
    image = _image(_first(item, selectors.image), base)
    if image:
        entry["media_content"] = [{"url": image, "medium": "image"}]
    return entry


def _first(item: LexborNode, selector: str | None) -> LexborNode | None:
    # Node.css also matches the item itself: an <a> item is its own link.
    if not selector:
        return None
    try:
        return item.css_first(selector)
    except SelectolaxError:
        return None


def _href(link: LexborNode | None, base: str) -> str | None:
    href = (link.attributes.get("href") or "").strip() if link is not None else ""
    if not href or href.startswith("#"):
        return None  # "#" and javascript: links lead nowhere
    return absolute_url(href, base)


def _title(item: LexborNode, link: LexborNode | None, selector: str | None) -> str:
    """Text of the title element, else the link's text, else the link's title attribute."""
    for node in (_first(item, selector), link):
        text = node_text(node) if node is not None else ""
        if text:
            return text
    return (link.attributes.get("title") or "") if link is not None else ""


def _image(node: LexborNode | None, base: str) -> str | None:
    if node is None:
        return None
    attributes = node.attributes
    for name in _IMAGE_ATTRIBUTES:
        value = (attributes.get(name) or "").strip()
        if value and not value.lower().startswith("data:"):
            return absolute_url(value, base)
    srcset = (attributes.get("srcset") or "").strip()
    return absolute_url(srcset.split()[0], base) if srcset else None


def _check_entries(entries: list[dict[str, Any]], selectors: ListingSelectors) -> None:
    """Items that matched but of which none has both a link and a title: selectors broken."""
    if any(e["link"] and e["title"] for e in entries):
        return
    linked = any(e["link"] for e in entries)
    titled = any(e["title"] for e in entries)
    if not linked:
        missing = f"a link (link selector {selectors.link!r})"
    elif not titled:
        missing = f"a title (title selector {selectors.title!r}, else the link's text)"
    else:
        missing = "both a link and a title"
    raise FeedError(
        "selectors_broken",
        f"the item selector {selectors.item!r} matches {len(entries)} element(s), "
        f"but none of them has {missing}",
    )


def _kept(items: list[ParsedItem]) -> tuple[ParsedItem, ...]:
    """Items with a link or a title, each link once: a featured article is often shown twice,
    the richer copy (summary, image, date) kept at the place of the first."""
    kept: list[ParsedItem] = []
    place: dict[str, int] = {}
    for item in items:
        if not item.link and not item.title:
            continue
        if item.url is None or item.url not in place:
            if item.url is not None:
                place[item.url] = len(kept)
            kept.append(item)
        elif _richness(item) > _richness(kept[place[item.url]]):
            kept[place[item.url]] = item
    return tuple(kept)


def _richness(item: ParsedItem) -> int:
    return bool(item.summary) + (item.image is not None) + (item.published is not None)
