"""Where a portal's feed may be: the feeds its page advertises, then the usual paths of the
platforms Vietnamese portals run on (NukeViet, Liferay, WordPress-like), de-duplicated."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from syndicator.ingest.normalize.text import normalize_text
from syndicator.ingest.normalize.urls import absolute_url

MAX_CANDIDATES = 40  # a hostile page may advertise thousands; nobody checks that many
MAX_ASSET_PUBLISHERS = 4
# Feed types a <link rel="alternate"> may declare (JSON Feed's own, and the generic one).
FEED_TYPES = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/rdf+xml": "RDF",
    "application/feed+json": "JSON Feed",
    "application/json": "JSON Feed",
}
# Paths from the site root: the common ones, then NukeViet's news module (with and without
# the language prefix).
ROOT_PATHS = ("/rss", "/rss.xml", "/feed", "/feed/", "/vi/news/rss/", "/news/rss/")
# The same, relative to the page, for a portal that lives in a folder (/vi/, /portal/).
PAGE_PATHS = ("rss", "rss.xml", "feed", "feed/", "news/rss/")
_ASSET_LINK = re.compile(r"^(?P<prefix>.*?)/-/asset_publisher/(?P<id>[A-Za-z0-9_]{1,40})(?:/|$)")
# The portlet's box: Liferay 7 names it by class, Liferay 6 by its number (101).
_ASSET_BOX = re.compile(
    r"^p_p_id_(?:com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet|101)"
    r"_INSTANCE_(?P<id>[A-Za-z0-9]{1,40})_$"
)


class Origin(StrEnum):
    """Why a URL is a candidate; also the order of preference between equal feeds."""

    GIVEN = "given"  # the address itself answered with a feed
    ADVERTISED = "advertised"  # <link rel="alternate"> in the page
    GUESSED = "guessed"  # a usual path of a platform


@dataclass(frozen=True)
class FeedCandidate:
    """A URL that may be a feed, and where it came from (`hint`: one line for people)."""

    url: str
    origin: Origin
    hint: str


def page_candidates(tree: LexborHTMLParser, page_url: str, base: str) -> list[FeedCandidate]:
    """Advertised feeds first (in page order), then Liferay asset publishers' feeds, then the
    usual paths from the site root and from the page; each URL once, at most MAX_CANDIDATES."""
    found = [
        *advertised_feeds(tree, base),
        *asset_publisher_feeds(tree, base, page_url),
        *usual_paths(page_url),
    ]
    return unique(found)[:MAX_CANDIDATES]


def advertised_feeds(tree: LexborHTMLParser, base: str) -> list[FeedCandidate]:
    """<link rel="alternate" type="application/rss+xml" href="..."> and its Atom/JSON kin."""
    found: list[FeedCandidate] = []
    for link in tree.css("link[href]"):
        rel = (link.attributes.get("rel") or "").lower().split()
        declared = (link.attributes.get("type") or "").split(";")[0].strip().lower()
        url = absolute_url(link.attributes.get("href"), base)
        if "alternate" in rel and declared in FEED_TYPES and url:
            title = normalize_text(link.attributes.get("title") or "")[:120]  # no controls
            hint = f"advertised {FEED_TYPES[declared]}" + (f" “{title}”" if title else "")
            found.append(FeedCandidate(url, Origin.ADVERTISED, hint))
        if len(found) >= MAX_CANDIDATES:
            break
    return found


def asset_publisher_feeds(tree: LexborHTMLParser, base: str, page_url: str) -> list[FeedCandidate]:
    """A Liferay asset publisher's feed, /…/-/asset_publisher/<id>/rss, for each publisher
    whose article links (or whose portlet box) the page holds."""
    feeds: dict[str, str] = {}  # id -> URL of its feed
    for anchor in tree.css('a[href*="/-/asset_publisher/"]'):
        url = absolute_url(anchor.attributes.get("href"), base)
        parts = urlsplit(url) if url else None
        match = _ASSET_LINK.match(parts.path) if parts else None
        if parts and match and match["id"] not in feeds:
            path = f"{match['prefix']}/-/asset_publisher/{match['id']}/rss"
            feeds[match["id"]] = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    page = urlsplit(page_url)
    for box in tree.css('[id*="_INSTANCE_"]'):
        match = _ASSET_BOX.match(box.attributes.get("id") or "")
        if match and match["id"] not in feeds:
            path = f"{page.path.rstrip('/')}/-/asset_publisher/{match['id']}/rss"
            feeds[match["id"]] = urlunsplit((page.scheme, page.netloc, path, "", ""))
    chosen = list(feeds.items())[:MAX_ASSET_PUBLISHERS]
    return [
        FeedCandidate(url, Origin.GUESSED, f"Liferay asset publisher {key}") for key, url in chosen
    ]


def usual_paths(page_url: str) -> list[FeedCandidate]:
    """The platforms' usual feed paths, from the site root and then from the page's folder."""
    root = [urljoin(page_url, path) for path in ROOT_PATHS]
    beside = [urljoin(page_url, path) for path in PAGE_PATHS]
    return [FeedCandidate(url, Origin.GUESSED, "usual path") for url in [*root, *beside]]


def unique(candidates: list[FeedCandidate]) -> list[FeedCandidate]:
    """The first candidate of each URL (scheme and host case and the fragment ignored)."""
    seen: set[str] = set()
    kept: list[FeedCandidate] = []
    for candidate in candidates:
        key = same_url_key(candidate.url)
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return kept


def same_url_key(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))
