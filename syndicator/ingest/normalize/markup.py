"""Feed HTML: sanitized for display (absolute links), flattened to text, searched for an image."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "a",
        "img",
        "strong",
        "em",
        "b",
        "i",
        "ul",
        "ol",
        "li",
        "blockquote",
        "h2",
        "h3",
        "h4",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "figure",
        "figcaption",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_URL_ATTRIBUTES = frozenset({"href", "src"})
# Removed with their content: code, styling and fallbacks that are not article text.
_DROPPED_CONTENT = {"script", "style", "noscript", "template", "title"}

# Tags that break text into lines (or, for cells, into words) when HTML becomes plain text.
_BREAK_TAGS = {
    "br",
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "blockquote",
    "pre",
    "hr",
    "dd",
    "dt",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "figcaption",
    "section",
    "article",
    "header",
    "footer",
    "td",
    "th",
}
# nh3's output keeps only _BREAK_TAGS, bare (no attributes), and escapes every other "<", so a
# tag in it is exactly "<name>" or "</name>": safe to find with a pattern.
_CELL_TAG = re.compile(r"</?t[dh]>")
_ANY_TAG = re.compile(r"<[^>]*>")
_ABSOLUTE_WEB = re.compile(r"https?://[^\s/?#]+(?:[/?#][^\s]*)?\Z", re.IGNORECASE)
_TRACKING_PIXEL_SIZES = frozenset({"0", "1", "1px"})
_SANITIZED_IMG = re.compile(r"<img\b[^>]*>")
_IMAGE_ATTRIBUTES = frozenset({"src", "width", "height"})
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def looks_like_markup(text: str) -> bool:
    """True when `text` may hold a tag or an entity, so plain-text shortcuts do not apply."""
    return "<" in text or "&" in text


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment: entities decoded, blocks on their own lines."""
    if not looks_like_markup(markup):
        return markup
    bare = nh3.clean(
        markup,
        tags=_BREAK_TAGS,
        attributes={},
        link_rel=None,
        clean_content_tags=_DROPPED_CONTENT,
    )
    text = _ANY_TAG.sub("\n", _CELL_TAG.sub(" ", bare))
    return html.unescape(text)


def sanitize_html(markup: str, base: str | None) -> str:
    """Safe HTML for display: an allow-list of tags, no scripts or handlers, absolute URLs."""
    if not markup.strip():
        return ""

    def absolutize(tag: str, attribute: str, value: str) -> str | None:
        return _safe_link(value, base) if attribute in _URL_ATTRIBUTES else value

    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(LINK_SCHEMES),
        attribute_filter=absolutize,
        clean_content_tags=_DROPPED_CONTENT,
        link_rel="noopener noreferrer",
    ).strip()


def _safe_link(value: str, base: str | None) -> str | None:
    if _ABSOLUTE_WEB.match(value):  # the usual case, and urljoin is the slow part
        return value
    # nh3 reports a raising filter through sys.unraisablehook; never let it get there.
    try:
        resolved = urljoin(base, value.strip()) if base else value.strip()
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return None
    return resolved if scheme in LINK_SCHEMES else None


def first_image(markup: str, *, sanitized: bool = False) -> str | None:
    """The src of the first real picture in HTML: no data: URI, no 1x1 pixel.

    `sanitized=True` says the markup is sanitize_html's output. Other markup is first reduced
    to its <img> tags by nh3, in linear time (html.parser takes quadratic time on unclosed
    tags: 30 KB of "<img<a <a …" cost it seconds). Either way every attribute is then
    double-quoted with its quotes escaped, so a pattern finds the tags exactly and fast.
    """
    if "<img" not in markup:
        return None
    if not sanitized:
        markup = nh3.clean(
            markup,
            tags={"img"},
            attributes={"img": set(_IMAGE_ATTRIBUTES)},
            url_schemes={"http", "https"},
            link_rel=None,
            clean_content_tags=_DROPPED_CONTENT,
        )
    return _first_sanitized_image(markup)


def _first_sanitized_image(markup: str) -> str | None:
    for tag in _SANITIZED_IMG.findall(markup):
        values = {name: html.unescape(value).strip() for name, value in _ATTRIBUTE.findall(tag)}
        src = values.get("src", "")
        if src and not src.lower().startswith("data:") and not _is_pixel(values):
            return src
    return None


def _is_pixel(attrs: dict[str, str]) -> bool:
    return (
        attrs.get("width") in _TRACKING_PIXEL_SIZES and attrs.get("height") in _TRACKING_PIXEL_SIZES
    )
