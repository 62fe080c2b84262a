"""Propose listing selectors for a portal page that has no feed: find the repeated article
links (several sibling elements alike, each linking one article of the site), build selectors
for the most plausible group, and keep them only when parse_listing reads the page with them."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from syndicator.errors import FeedError
from syndicator.ingest.listing import fields
from syndicator.ingest.listing.css import classes, id_selector, own_selectors
from syndicator.ingest.listing.extract import parse_listing
from syndicator.ingest.listing.fields import Member
from syndicator.ingest.listing.page import node_text, page_base, parse_page
from syndicator.ingest.normalize.urls import absolute_url, canonical_url
from syndicator.settings_models import ListingSelectors

MIN_TITLE = 20  # characters of a real headline; menus and pagers have less
MIN_WORDS = 4
MAX_LINKS = 3000  # anchors looked at on one page
MAX_DEPTH = 6  # levels above a link where its repeated item may be
MAX_TRIED = 8  # groups verified with parse_listing, best first
_FILES = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|odt|rtf|zip|rar|7z|jpe?g|png|gif|webp|mp3|mp4|avi)$", re.I
)
# Where repeated links are page furniture, not news.
_CHROME = re.compile(
    r"menu|nav|footer|header|banner|breadcrumb|pagination|pager|paging|social|share|weblink"
    r"|lien-?ket",
    re.IGNORECASE,
)
_CHROME_TAGS = frozenset({"nav", "footer", "header", "aside"})
# Verification needs a clock value only to clamp dates; a fixed one keeps inference pure.
_CHECK_TIME = datetime(2100, 1, 1, tzinfo=UTC)
_CHECK_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class _Link:
    node: LexborNode
    url: str  # canonical
    text: str


@dataclass
class _Group:
    """Siblings with one tag and class list, each holding article links."""

    parent: LexborNode
    position: int  # of its first link on the page: ties go to the earlier group
    members: dict[LexborNode, list[_Link]]


def infer_selectors(body: bytes, *, url: str, content_type: str | None) -> ListingSelectors | None:
    """Selectors that read this page's list of articles, or None when no list is found."""
    try:
        tree = parse_page(body, content_type)
    except FeedError:
        return None
    base = page_base(tree, url)
    proposals = []
    for group in _groups(_article_links(tree, base, url)):
        selectors = _selectors(tree, group, base)
        if selectors is not None:
            proposals.append((-_score(group, selectors), group.position, selectors))
    proposals.sort(key=lambda p: (p[0], p[1]))
    for _, _, selectors in proposals[:MAX_TRIED]:
        if _reads(body, url, content_type, selectors):
            return selectors
    return None


def _article_links(tree: LexborHTMLParser, base: str, page_url: str) -> list[_Link]:
    """Links to pages of the same site with a headline's length, in page order."""
    site = _site(page_url)
    page = canonical_url(page_url)
    links = []
    for anchor in tree.css("a[href]")[:MAX_LINKS]:
        url = absolute_url(anchor.attributes.get("href"), base)
        if url is None or _site(url) != site or _FILES.search(urlsplit(url).path):
            continue
        text = node_text(anchor) or " ".join((anchor.attributes.get("title") or "").split())
        if len(text) < MIN_TITLE or len(text.split()) < MIN_WORDS:
            continue
        url = canonical_url(url)
        if url != page:
            links.append(_Link(anchor, url, text))
    return links


def _site(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _groups(links: list[_Link]) -> list[_Group]:
    """Every set of like siblings (same parent, tag and classes) holding the links, at each
    level above them; only sets of at least three, each of one article, are kept."""
    groups: dict[tuple[LexborNode, str, tuple[str, ...]], _Group] = {}
    for position, link in enumerate(links):
        node: LexborNode | None = link.node
        for _ in range(MAX_DEPTH):
            parent = node.parent if node is not None else None
            if node is None or parent is None or parent.tag in ("body", "html", None):
                break
            key = (parent, node.tag or "", classes(node))
            group = groups.setdefault(key, _Group(parent, position, defaultdict(list)))
            group.members[node].append(link)
            node = parent
    return [g for g in groups.values() if _one_article_each(g)]


def _one_article_each(group: _Group) -> bool:
    single = sum(len({link.url for link in links}) == 1 for links in group.members.values())
    return single >= fields.MIN_ITEMS and single >= 0.8 * len(group.members)


def _members(group: _Group) -> list[Member]:
    return [
        Member(node, links[0].url, max((link.text for link in links), key=len))
        for node, links in group.members.items()
        if len({link.url for link in links}) == 1
    ]


def _selectors(tree: LexborHTMLParser, group: _Group, base: str) -> ListingSelectors | None:
    members = _members(group)
    item = _item_selector(tree, group.parent, [m.node for m in members])
    link = fields.link_selector(members, base) if item else None
    if item is None or link is None:
        return None
    date = fields.date_selector(members)
    try:
        return ListingSelectors(
            item=item,
            link=link,
            title=fields.title_selector(members, link, base),
            date=date[0] if date else None,
            date_format=date[1] if date else None,
            image=fields.image_selector(members),
            summary=fields.summary_selector(members),
        )
    except ValidationError:
        return None


def _item_selector(
    tree: LexborHTMLParser, parent: LexborNode, members: list[LexborNode]
) -> str | None:
    """The shortest selector (own, then qualified by the parent or an ancestor's id) that
    matches exactly the group's elements on the page."""
    wanted = set(members)
    own = list(own_selectors(members[0]))
    for selector in own + [f"{q} {s}" for q in _qualifiers(parent) for s in own]:
        try:
            found = tree.css(selector)
        except SelectolaxError:  # a selector Lexbor refuses is just not a candidate
            continue
        if set(found) == wanted:
            return selector
    return None


def _qualifiers(parent: LexborNode) -> list[str]:
    """The parent by class (child combinator), then by id, then ancestors' ids."""
    qualifiers = [f"{s} >" for s in own_selectors(parent) if "." in s]
    node: LexborNode | None = parent
    for _ in range(MAX_DEPTH):
        if node is None or node.tag in ("body", "html", None):
            break
        by_id = id_selector(node)
        if by_id:
            qualifiers.append(f"{by_id} >" if node == parent else by_id)
        node = node.parent
    return qualifiers


def _score(group: _Group, selectors: ListingSelectors) -> float:
    """More items, with dates, pictures and summaries, with real headlines, out of the page's
    furniture: the news list rather than a menu or a "most read" box."""
    members = _members(group)
    fields_found = sum(x is not None for x in (selectors.date, selectors.image, selectors.summary))
    length = sum(len(m.title) for m in members) / len(members)
    furniture = 0.1 if _in_chrome(members[0].node) else 1.0
    return min(len(members), 50) * (1 + fields_found) * min(length, 60) / 60 * furniture


def _in_chrome(member: LexborNode) -> bool:
    node: LexborNode | None = member
    while node is not None and node.tag not in ("body", "html", None):
        if node.tag in _CHROME_TAGS or _CHROME.search(
            f"{node.attributes.get('id') or ''} {node.attributes.get('class') or ''}"
        ):
            return True
        node = node.parent
    return False


def _reads(body: bytes, url: str, content_type: str | None, selectors: ListingSelectors) -> bool:
    """True when parse_listing reads at least three items with a link and a title."""
    try:
        feed = parse_listing(
            body,
            url=url,
            content_type=content_type,
            fetched_at=_CHECK_TIME,
            tz=_CHECK_TZ,
            selectors=selectors,
        )
    except FeedError:
        return False
    return sum(bool(i.link and i.title) for i in feed.items) >= fields.MIN_ITEMS
