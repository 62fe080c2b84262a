"""Tell a feed from the other things a feed URL answers with: nothing, a web page, a bot wall."""

from __future__ import annotations

import re

from syndicator.errors import NotAFeed

_SNIFF_BYTES = 65_536
_SMALL_PAGE = 20_000  # challenge pages are a script and a few words
# What may come before the first element; a DOCTYPE says little ("html" ones sit atop RSS).
_PROLOG_SKIP = re.compile(
    rb"\s+|\xef\xbb\xbf|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>",
    re.DOTALL | re.IGNORECASE,
)
_HTML_ROOT = re.compile(
    rb"<(?:html|head|body|script|meta|title|div|p|iframe|noscript|form|link|style|table"
    rb"|center|frameset|h1)[\s/>]",
    re.IGNORECASE,
)
# Names of anti-bot walls: Cloudflare, DDoS-Guard, Imperva, Sucuri, and the slowAES cookie
# script common on Vietnamese shared hosting.
_WALL_MARKERS = (
    b"challenge-platform",
    b"cf-chl",
    b"cf_chl",
    b"jschl",
    b"just a moment",
    b"checking your browser",
    b"ddos-guard",
    b"_incapsula_resource",
    b"sucuri_cloudproxy",
    b"slowaes",
    b"tonumbers(",
)
_COOKIE_SET = b"document.cookie"
_RELOADS = (b"location.reload", b"location.href", b"location.replace", b"window.location")
_FEED_LINK = re.compile(rb"application/(?:rss|atom)\+xml", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
_MIN_GOOD_PER_BAD = 4  # a Latin-1 or cp1258 body mislabelled UTF-8 has almost no valid pairs
_FEED_ROOT = re.compile(rb"<(?:[\w.-]+:)?(?:channel|feed|rss|rdf)\b", re.IGNORECASE)


def check_body(data: bytes) -> None:
    """Raise NotAFeed for an empty body, an HTML page or a JavaScript challenge page."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise NotAFeed("empty_body", "the server answered with an empty body")
    pos = 0
    while match := _PROLOG_SKIP.match(data, pos):
        pos = match.end()
    if not _HTML_ROOT.match(data, pos):
        return
    head = data[:_SNIFF_BYTES].lower()
    if _is_challenge(head, len(data)):
        raise NotAFeed(
            "js_challenge",
            "the server answered with a JavaScript/cookie "
            "challenge page instead of the feed (an anti-bot wall)",
        )
    hint = " (the page links a feed; discover its URL)" if _FEED_LINK.search(head) else ""
    raise NotAFeed("html_page", f"the server answered with an HTML page, not a feed{hint}")


def _is_challenge(head: bytes, size: int) -> bool:
    if any(marker in head for marker in _WALL_MARKERS):
        return True
    reloads = any(reload in head for reload in _RELOADS)
    return size < _SMALL_PAGE and _COOKIE_SET in head and reloads


def has_feed_root(data: bytes) -> bool:
    """True when the document opens a feed element: rss, rdf:RDF, channel (CDF too) or feed."""
    return _FEED_ROOT.search(data, 0, _SNIFF_BYTES) is not None


def mend_utf8(data: bytes, content_type: str | None) -> tuple[bytes, int]:
    """Replace the few broken bytes of a UTF-8 document, so one bad byte cannot turn the whole
    feed into Windows-1252 mojibake (feedparser's fallback). Returns (bytes, bytes replaced).

    Only for documents that claim UTF-8 (or claim nothing) and are overwhelmingly valid UTF-8:
    a feed that is really Latin-1 under a wrong label is left to feedparser's fallback.
    """
    if data.isascii() or not _claims_utf8(data, content_type):
        return data, 0
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return data, 0
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = len(data) - len(text)  # continuation bytes of the valid multi-byte characters
    if good < _MIN_GOOD_PER_BAD * bad:
        return data, 0
    return text.encode("utf-8"), bad


def _claims_utf8(data: bytes, content_type: str | None) -> bool:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        return False  # UTF-16/32
    charset = _CHARSET.search(content_type or "")
    if charset and charset.group(1).lower() not in _UTF8_NAMES:
        return False
    declared = _DECLARED_ENCODING.match(data.lstrip(b"\xef\xbb\xbf \t\r\n"))
    return declared is None or declared.group(1).decode().lower() in _UTF8_NAMES
