"""Inference, inside one group of listing items: where each item keeps its link, title, date,
picture and summary, as selectors relative to the item."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from syndicator.ingest.listing.css import first_match, inner_candidates
from syndicator.ingest.listing.page import node_text
from syndicator.ingest.normalize.urls import absolute_url, canonical_url

SHARE_PRESENT = 0.75  # a field counts when this share of the items (at least 3) has it
MIN_ITEMS = 3
MIN_SUMMARY = 40  # characters of a summary paragraph
MAX_DATE_TEXT = 80  # an element holding a date, not a paragraph that mentions one
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_DAY_FIRST = re.compile(
    r"(?<!\d)\d{1,2}(?P<sep>[/.-])\d{1,2}(?P=sep)\d{4}(?!\d)"
    r"(?:(?P<gap>\s*,?\s*)\d{1,2}:\d{2}(?P<seconds>:\d{2})?)?"
)
_ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")


@dataclass(frozen=True)
class Member:
    """One repeated element of a group, with the article it links to."""

    node: LexborNode
    url: str  # canonical URL of its article
    title: str  # the longest link text to that article


Check = Callable[[Member, LexborNode | None, LexborNode], bool]


def common_selector(
    members: Sequence[Member], targets: Sequence[LexborNode | None], ok: Check
) -> str | None:
    """A selector that finds each item's target (by `ok`), for enough of the items."""
    present = [(m, t) for m, t in zip(members, targets, strict=True) if t is not None]
    if len(present) < max(MIN_ITEMS, math.ceil(SHARE_PRESENT * len(members))):
        return None
    first_member, first_target = present[0]
    for candidate in inner_candidates(first_target, first_member.node):
        if all(ok(m, first_match(m.node, candidate), t) for m, t in present):
            return candidate
    return None


def _same(_: Member, found: LexborNode | None, target: LexborNode) -> bool:
    return found is not None and found == target


def link_selector(members: Sequence[Member], base: str) -> str | None:
    """Where each item's article link is: "a" when it is the first link, else more precise."""

    def leads_there(member: Member, found: LexborNode | None, _: LexborNode) -> bool:
        href = found.attributes.get("href") if found is not None else None
        url = absolute_url(href, base)
        return url is not None and canonical_url(url) == member.url

    targets = [_text_link(m, base) for m in members]
    return common_selector(members, targets, leads_there)


def _text_link(member: Member, base: str) -> LexborNode | None:
    for anchor in member.node.css("a[href]"):
        url = absolute_url(anchor.attributes.get("href"), base)
        if url and canonical_url(url) == member.url and node_text(anchor) == member.title:
            return anchor
    return None


def title_selector(members: Sequence[Member], link: str, base: str) -> str | None:
    """A heading holding the title; else the text link when the link selector finds another
    (an image link) first; else None (the link's text is the title)."""

    def titled(member: Member, found: LexborNode | None, _: LexborNode) -> bool:
        return found is not None and node_text(found) == member.title

    headings = [_heading(_text_link(m, base), m.node) for m in members]
    heading = common_selector(members, headings, titled)
    if heading is not None:
        return heading
    if all(titled(m, first_match(m.node, link), m.node) for m in members):
        return None
    return common_selector(members, [_text_link(m, base) for m in members], titled)


def _heading(anchor: LexborNode | None, within: LexborNode) -> LexborNode | None:
    node = anchor
    while node is not None and node != within:
        if node.tag in _HEADINGS:
            return node
        node = node.parent
    return None


def date_selector(members: Sequence[Member]) -> tuple[str, str | None] | None:
    """(selector, strptime format) of each item's date, when nearly every item shows one."""
    targets = [_date_node(m) for m in members]
    selector = common_selector(members, targets, _same)
    if selector is None:
        return None
    first = next(t for t in targets if t is not None)
    if first.tag == "time" and first.attributes.get("datetime"):
        return selector, None  # read from its datetime attribute
    return selector, date_format(node_text(first))


def _date_node(member: Member) -> LexborNode | None:
    """The smallest element of the item whose short text holds a date (or a <time datetime>)."""
    best: LexborNode | None = None
    best_length = MAX_DATE_TEXT + 1
    for node in member.node.css("*"):
        if node.tag == "time" and node.attributes.get("datetime"):
            return node
        text = node_text(node)
        if len(text) <= best_length and (_DAY_FIRST.search(text) or _ISO_DATE.search(text)):
            best, best_length = node, len(text)  # later (deeper) wins a tie
    return best


def date_format(text: str) -> str | None:
    """The strptime format of a day-first date ("07/12/2026 08:30" → "%d/%m/%Y %H:%M"); None
    for ISO dates and the rest, which the feed date reader knows without one."""
    match = _DAY_FIRST.search(text)
    if match is None:
        return None
    sep = match["sep"]
    form = f"%d{sep}%m{sep}%Y"
    if match["gap"] is not None:
        form += " %H:%M" + (":%S" if match["seconds"] else "")
        if "," in match["gap"]:
            form = form.replace(" %H", ", %H")
    return form


def image_selector(members: Sequence[Member]) -> str | None:
    """Where each item's picture is, when nearly every item has one."""
    return common_selector(members, [_image_node(m) for m in members], _same)


def _image_node(member: Member) -> LexborNode | None:
    for image in member.node.css("img"):
        attributes = image.attributes
        if any(attributes.get(k) for k in ("src", "data-src", "data-original", "srcset")):
            return image
    return None


def summary_selector(members: Sequence[Member]) -> str | None:
    """Where each item's summary is: a text of paragraph length beside the title."""
    return common_selector(members, [_summary_node(m) for m in members], _same)


def _summary_node(member: Member) -> LexborNode | None:
    found: LexborNode | None = None
    for node in member.node.css("p, div, span, section"):
        text = node_text(node)
        if len(text) < MIN_SUMMARY or member.title in text or _DAY_FIRST.fullmatch(text):
            continue
        if found is None or _contains(found, node):
            found = node  # the innermost element that holds the text
    return found


def _contains(outer: LexborNode, inner: LexborNode) -> bool:
    node = inner.parent
    while node is not None:
        if node == outer:
            return True
        node = node.parent
    return False
