"""Pure normalization of feed content: text, legacy encodings, HTML, URLs, dates, images.

Nothing here does I/O or reads the clock; every function takes plain values and returns them.
"""

from __future__ import annotations

from syndicator.normalize.dates import item_date, parse_date
from syndicator.normalize.entry import normalize_entry
from syndicator.normalize.images import pick_image
from syndicator.normalize.legacy import convert_tcvn3, convert_vni, legacy_converter
from syndicator.normalize.markup import first_image, html_to_text, sanitize_html
from syndicator.normalize.text import (
    clean_text,
    normalize_text,
    repair_encoding,
    repair_mojibake,
    title_key,
    truncate_words,
)
from syndicator.normalize.urls import absolute_url, canonical_url

__all__ = [
    "absolute_url",
    "canonical_url",
    "clean_text",
    "convert_tcvn3",
    "convert_vni",
    "first_image",
    "html_to_text",
    "item_date",
    "legacy_converter",
    "normalize_entry",
    "normalize_text",
    "parse_date",
    "pick_image",
    "repair_encoding",
    "repair_mojibake",
    "sanitize_html",
    "title_key",
    "truncate_words",
]
