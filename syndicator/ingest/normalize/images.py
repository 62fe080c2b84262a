"""The one picture that represents an item, in the order publishers mean it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from syndicator.ingest.normalize.markup import first_image
from syndicator.ingest.normalize.urls import absolute_url

_IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp)(?:$|[?#])", re.IGNORECASE)
_PIXEL = frozenset({"0", "1", "1px"})


def pick_image(
    entry: Mapping[str, Any],
    html_sources: Iterable[str],
    base: str | None,
    *,
    sanitized: str = "",
) -> str | None:
    """media:content image, media:thumbnail, image/* enclosure, then the first <img> of the
    `sanitized` body, then of the raw `html_sources`."""
    candidates = (
        *(m.get("url") for m in _dicts(entry.get("media_content")) if _is_image_media(m)),
        *(m.get("url") for m in _dicts(entry.get("media_thumbnail")) if not _is_pixel(m)),
        *(e.get("href") for e in _enclosures(entry) if _is_image_type(e)),
    )
    for candidate in candidates:
        url = _usable(candidate, base)
        if url:
            return url
    url = _usable(first_image(sanitized, sanitized=True), base)
    for markup in html_sources:
        url = url or _usable(first_image(markup), base)
    return url


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _enclosures(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    # feedparser computes "enclosures" from links on access; a plain dict copy only has links.
    listed = _dicts(entry.get("enclosures"))
    return listed or [link for link in _dicts(entry.get("links")) if link.get("rel") == "enclosure"]


def _usable(url: Any, base: str | None) -> str | None:
    if not isinstance(url, str) or url.strip().lower().startswith("data:"):
        return None
    return absolute_url(url, base)


def _is_image_media(media: Mapping[str, Any]) -> bool:
    if _is_pixel(media):
        return False
    medium, kind = media.get("medium"), media.get("type")
    if medium or kind:
        return medium == "image" or _is_image_type(media)
    return bool(_IMAGE_PATH.search(str(media.get("url") or "")))


def _is_image_type(item: Mapping[str, Any]) -> bool:
    return str(item.get("type") or "").lower().startswith("image/")


def _is_pixel(media: Mapping[str, Any]) -> bool:
    return str(media.get("width")) in _PIXEL and str(media.get("height")) in _PIXEL
