"""An HTML page's bytes → a parsed tree: its charset found, refused when it is not HTML."""

from __future__ import annotations

import codecs
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from syndicator.errors import HostileFeed, NotAFeed
from syndicator.ingest.normalize.sniff import mend_utf8
from syndicator.ingest.normalize.text import tidy
from syndicator.ingest.normalize.urls import absolute_url

_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_META_SCAN = 16_384  # portals put their <meta charset> after long comment banners
# What may precede the first element; then the first element must be an HTML one (an RSS,
# Atom or sitemap root is XML, not a listing page).
_PROLOG_SKIP = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|meta|title|link|script|style|base|div|p|table|form"
    rb"|header|main|section|article|nav|ul|ol|h[1-6]|center|iframe|noscript|span|a|img)[\s/>]",
    re.IGNORECASE,
)
# Never text of an item: code, styling and fallbacks.
_NOT_TEXT = ["script", "style", "noscript", "template"]
# Lexbor spends time in proportion to the open elements on each block it inserts: a page of
# 200,000 unclosed <div> takes it minutes. Real pages nest a hundred deep at most, and 512
# open elements keep the worst page under the byte cap to a second or two.
MAX_NESTING = 512
_TAG = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
# Elements that never stay open: void ones, and those the parser closes by itself.
_NEVER_OPEN = frozenset(
    b"area base br col embed hr img input link meta source track wbr param keygen "
    b"p li dt dd option optgroup tr td th thead tbody tfoot a".split()
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def parse_page(body: bytes, content_type: str | None) -> LexborHTMLParser:
    """The page's tree, scripts and styles removed; NotAFeed("not_html") for anything else."""
    check_html(body)
    check_nesting(body)
    tree = LexborHTMLParser(decode_page(body, content_type))
    tree.strip_tags(_NOT_TEXT)
    return tree


def check_html(body: bytes) -> None:
    """Raise NotAFeed("not_html") unless `body` opens like an HTML document."""
    data = body[:_META_SCAN]
    for bom, _ in _BOMS:
        data = data.removeprefix(bom)
    pos = 0
    while match := _PROLOG_SKIP.match(data, pos):
        pos = match.end()
    if not data[pos:].strip():
        raise NotAFeed("not_html", "the server answered with an empty body, not a web page")
    if not _HTML_START.match(data, pos):
        what = "an RSS or Atom feed" if _looks_like_feed(data[pos:]) else "no HTML page"
        raise NotAFeed("not_html", f"the server answered with {what}: a listing needs a web page")


def check_nesting(body: bytes) -> None:
    """Raise HostileFeed("hostile_html") for elements nested deeper than any real page."""
    depth = 0
    for match in _TAG.finditer(body):
        name = match.group(2).lower()
        if name in _NEVER_OPEN:
            continue
        depth += -1 if match.group(1) else 1
        if depth > MAX_NESTING:
            raise HostileFeed(
                "hostile_html", f"the page nests elements more than {MAX_NESTING} deep: refused"
            )
        depth = max(depth, 0)


def _looks_like_feed(head: bytes) -> bool:
    return re.match(rb"<(?:[\w.-]+:)?(?:rss|feed|rdf)\b", head, re.IGNORECASE) is not None


def decode_page(body: bytes, content_type: str | None) -> str:
    """Text of the page: the header's charset, else a <meta> one, else UTF-8 (a few bad bytes
    replaced) or, for bytes that are mostly not UTF-8, Windows-1252, so that legacy TCVN3 or
    VNI text reaches the repair in clean_text as the Latin-1 letters it expects."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    encoding = _known(_header_charset(content_type)) or _known(_meta_charset(body))
    if encoding is not None and encoding not in ("utf-8", "utf-16"):
        return body.decode(encoding, errors="replace")
    mended, _ = mend_utf8(body, None)
    try:
        return mended.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252" if encoding is None else "utf-8", errors="replace")


def _header_charset(content_type: str | None) -> bytes | None:
    match = _CHARSET.search((content_type or "").encode("ascii", "replace"))
    return match.group(1) if match else None


def _meta_charset(body: bytes) -> bytes | None:
    for tag in _META.findall(body, 0, _META_SCAN):
        match = _CHARSET.search(tag)
        if match:
            return match.group(1)
    return None


def _known(name: bytes | None) -> str | None:
    """Python's name for a declared charset; None when absent or unknown."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.decode("ascii", "replace")).name
    except LookupError:
        return None
    # A page cannot really be UTF-16 once its <meta> was readable as ASCII.
    return "utf-8" if codec.startswith("utf-16") or codec == "utf-8" else codec


def page_base(tree: LexborHTMLParser, url: str) -> str:
    """The URL relative links resolve against: <base href> when the page sets one."""
    base = tree.css_first("base[href]")
    href = base.attributes.get("href") if base is not None else None
    return absolute_url(href, url) or url


def node_text(node: LexborNode) -> str:
    """Visible text of an element, whitespace collapsed (not yet repaired or NFC'd)."""
    return tidy(node.text(separator=" "))


def page_title(tree: LexborHTMLParser) -> str:
    """Raw text of the page's <title>."""
    title = tree.css_first("title")
    return node_text(title) if title is not None else ""
