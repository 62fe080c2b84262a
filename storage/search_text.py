"""The form a title is searched in: people type "hoi nghi" for "Hội nghị", and no SQL both
databases share compares without accents, so each item keeps its title in that form
(item.search_text) and a search is a plain LIKE on it."""

from __future__ import annotations

import unicodedata

# Characters kept: a title's words people search for are in its first few lines, and a bound
# keeps the column indexable (PostgreSQL refuses an index entry over about 2,700 bytes).
SEARCH_TEXT_MAX = 500


def search_text(text: str) -> str:
    """The text folded (NFC, case-folded), its accents and marks removed, đ as d, runs of white
    space as one space."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("đ", "d")
    plain = unicodedata.normalize("NFD", folded)
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).split())


def stored_search_text(title: str) -> str:
    """What item.search_text keeps of a title: its searched form, cut to SEARCH_TEXT_MAX."""
    return search_text(title)[:SEARCH_TEXT_MAX]


def like_pattern(words: str) -> str:
    """A LIKE pattern (escape character backslash) for titles containing `words`, folded."""
    escaped = search_text(words).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
