"""Small CSS selectors built from the elements of a page, for the selectors inference proposes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborNode, SelectolaxError

# Class names and ids written bare only when they need no escaping (most do not).
_IDENTIFIER = re.compile(r"-?[_a-zA-Z][_a-zA-Z0-9-]*\Z")
_QUOTABLE = re.compile(r"[^\"\\\n\r\f]{1,120}\Z")
_MAX_CLASSES = 6


def classes(node: LexborNode) -> tuple[str, ...]:
    """The element's class names that can be written in a selector as they are."""
    names = (node.attributes.get("class") or "").split()
    return tuple(dict.fromkeys(n for n in names if _IDENTIFIER.match(n)))[:_MAX_CLASSES]


def id_selector(node: LexborNode) -> str | None:
    """`#id`, or `tag[id="…"]` for an id like ADF's "T:oc_7421region1:0:pgl2"; None without."""
    value = node.attributes.get("id") or ""
    if _IDENTIFIER.match(value):
        return f"#{value}"
    if value and _QUOTABLE.match(value):
        return f'{node.tag}[id="{value}"]'
    return None


def own_selectors(node: LexborNode) -> Iterator[str]:
    """tag.class for each class (classes first in their written order), then the bare tag."""
    tag = node.tag or ""
    for name in classes(node):
        yield f"{tag}.{name}"
    yield tag


def first_match(node: LexborNode, selector: str) -> LexborNode | None:
    """`node.css_first(selector)` (the node itself counts), None for a selector Lexbor refuses."""
    try:
        return node.css_first(selector)
    except SelectolaxError:
        return None


def inner_candidates(target: LexborNode, within: LexborNode) -> list[str]:
    """Selectors that may find `target` inside `within`: those unique there first, then ones
    whose first match it is, then the same qualified by the target's parent."""
    own = list(own_selectors(target))
    parent = target.parent
    if parent is not None and parent != within and parent.tag:
        own += [f"{p} {tag}" for p in own_selectors(parent) for tag in own[-1:]]

    def rank(selector: str) -> int:
        try:
            return 0 if len(within.css(selector)) == 1 else 1
        except SelectolaxError:
            return 2

    return sorted(own, key=rank)  # stable: written order kept within a rank
