"""Searching post titles as people type them: in any case, with or without Vietnamese accents
("hoi nghi" finds "Hội nghị"), which no SQL both databases share can do; so the titles are
scanned newest first, a batch at a time, until a page of matches is found."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from storage import posts as post_store
from syndicator.ingest.normalize.text import fold

if TYPE_CHECKING:
    from sqlmodel import Session

# Titles read per query: a few hundred kilobytes; 100,000 posts take 50 queries at most.
BATCH = 2000


def search_key(text: str) -> str:
    """The text as compared: folded (NFC, case-folded), accents and marks removed, đ as d,
    runs of white space as one space."""
    plain = unicodedata.normalize("NFD", fold(text).replace("đ", "d"))
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).split())


def matching_ids(
    session: Session, search: str, filters: dict[str, Any], limit: int, before_id: int | None
) -> list[int]:
    """Ids of up to `limit` posts, newest first, below `before_id`, matching `filters` and
    whose title contains `search`."""
    wanted, found = search_key(search), list[int]()
    while len(found) < limit:
        batch = post_store.titles(session, **filters, limit=BATCH, before_id=before_id)
        found += [post_id for post_id, title in batch if wanted in search_key(title)]
        if len(batch) < BATCH:
            break
        before_id = batch[-1][0]
    return found[:limit]
