"""Hashtags for posts: Vietnamese names folded to CamelCase ASCII ("Đắk Lắk" → "#DakLak")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_WORD = re.compile(r"[A-Za-z0-9]+")
_D_STROKE = str.maketrans({"đ": "d", "Đ": "D"})  # đ has no decomposition: NFD leaves it whole


def ascii_words(text: str) -> list[str]:
    """The ASCII words of `text` once Vietnamese marks are dropped: "Sở KH&CN" → ["So", "KH", "CN"]."""
    text = unicodedata.normalize("NFC", text).translate(_D_STROKE)
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return _WORD.findall(bare)


def hashtag(text: str) -> str | None:
    """A CamelCase tag for a name ("Sở KH&CN Đắk Lắk" → "#SoKHCNDakLak"); None when nothing is left.

    A leading "#" is accepted, so a tag already written as one comes back unchanged. A tag of
    digits only is dropped: Facebook does not link "#2026".
    """
    words = ascii_words(text.lstrip("#"))
    tag = "".join(word[:1].upper() + word[1:] for word in words)
    if not tag or tag.isdigit():
        return None
    return "#" + tag


def build_hashtags(names: Iterable[str]) -> tuple[str, ...]:
    """Tags for `names` in order, empty ones dropped, duplicates (ignoring case) kept once."""
    seen: set[str] = set()
    tags: list[str] = []
    for name in names:
        tag = hashtag(name)
        if tag is not None and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tuple(tags)
