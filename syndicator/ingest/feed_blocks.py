"""Ready-to-paste `[[feeds]]` blocks for settings.toml, from what discovery found.

Names and titles come from portals (untrusted): every value is written as a TOML basic string
with its quotes, backslashes and control characters escaped, so a block always loads back to
the same values.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Collection
from urllib.parse import urlsplit

from syndicator.settings_models import ListingSelectors

# Host endings that say nothing about the portal: "skhcn.hagiang.gov.vn" -> "skhcn-hagiang".
_SUFFIXES = (".gov.vn", ".edu.vn", ".org.vn", ".com.vn", ".net.vn", ".vn", ".com", ".org", ".net")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG_LIMIT = 64
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')


def toml_string(value: str) -> str:
    """`value` as a TOML basic string, quotes included."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return _ESCAPES.get(char) or f"\\u{ord(char):04X}"

    return '"' + _NEEDS_ESCAPE.sub(escape, value) + '"'


def feed_id_for(url: str, taken: Collection[str] = ()) -> str:
    """A slug for the feed from its host, made unique against `taken` with -2, -3, ..."""
    host = _readable(urlsplit(url).hostname or "").removeprefix("www.")
    for suffix in _SUFFIXES:
        if host.endswith(suffix) and len(host) > len(suffix):
            host = host.removesuffix(suffix)
            break
    slug = _NOT_SLUG.sub("-", host).strip("-")[:_SLUG_LIMIT].strip("-") or "portal"
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        tail = f"-{number}"
        candidate = slug[: _SLUG_LIMIT - len(tail)].rstrip("-") + tail
    return candidate


def _readable(host: str) -> str:
    """The host in ASCII letters: an IDN label (xn--...) decoded, then its accents dropped."""
    with contextlib.suppress(UnicodeError):  # not IDNA: kept as it is
        host = host.encode("ascii").decode("idna")
    plain = unicodedata.normalize("NFD", host.lower().replace("đ", "d"))
    return "".join(char for char in plain if not unicodedata.combining(char))


def feed_block(*, feed_id: str, name: str, url: str) -> str:
    """A `[[feeds]]` block for an RSS or Atom feed."""
    return "\n".join(_head(feed_id, name, url)) + "\n"


def listing_block(*, feed_id: str, name: str, url: str, selectors: ListingSelectors) -> str:
    """A `[[feeds]]` block of `type = "html"` with its `[feeds.selectors]` table."""
    lines = [*_head(feed_id, name, url), 'type = "html"', "", "[feeds.selectors]"]
    for key, value in selectors.model_dump(exclude_none=True).items():  # in the model's order
        lines.append(f"{key} = {toml_string(str(value))}")
    return "\n".join(lines) + "\n"


def _head(feed_id: str, name: str, url: str) -> list[str]:
    return [
        "[[feeds]]",
        f"id = {toml_string(feed_id)}",
        f"name = {toml_string(name)}",
        f"url = {toml_string(url)}",
    ]
