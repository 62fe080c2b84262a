"""Deciding what is new: a pure decider over parsed items and what the database already knows.

Keys, in order of trust: the guid scoped to its feed (guid + link where the feed repeats a guid),
else the canonical URL, else the normalized title and date. Across portals, a canonical URL, or a
long enough title published within a day, already stored from another feed makes the item another
source of the stored one instead of a new item. Tombstoned keys never come back. The database
holds fixed-length digests of these keys, never their text: a headline may be any length.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from syndicator.ingest.normalize.text import title_key
from syndicator.records import ParsedItem

SAME_STORY_WINDOW = timedelta(days=1)
# Short titles ("Thông báo", "Lịch công tác tuần") recur across portals for different news.
MIN_TITLE_MATCH_CHARS = 24
MIN_TITLE_MATCH_WORDS = 5


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def title_digest(title: str) -> str:
    """What the database stores and indexes for "same title": a fixed-length digest of the
    normalized title, since most Vietnamese headlines are longer than any sensible key column."""
    return digest(title_key(title))


@dataclass(frozen=True, slots=True)
class Candidate:
    """A parsed item with the keys the decider and the database use."""

    item: ParsedItem
    dedup_key: str  # readable: "guid:…", "guid+link:…", "url:…", "title:…"
    source_key: str  # digest of dedup_key, stored per feed
    url_key: str | None  # digest of the canonical URL
    title_key: str  # digest of the normalized title (title_digest)
    title_matchable: bool  # long and specific enough to join another portal's item
    published: datetime  # the item's date, or the fetch time when it had none

    @property
    def tombstone_keys(self) -> tuple[str, ...]:
        return (f"src:{self.source_key}",) + ((f"url:{self.url_key}",) if self.url_key else ())


def dedup_key(item: ParsedItem, guid_repeated: bool, published: datetime) -> str:
    if item.guid and not guid_repeated:
        return f"guid:{item.guid}"
    if item.guid:
        return f"guid+link:{item.guid}|{item.url or ''}"
    if item.url:
        return f"url:{item.url}"
    return f"title:{title_key(item.title)}|{published.date().isoformat()}"


def candidates(items: Sequence[ParsedItem], fetched_at: datetime) -> list[Candidate]:
    """Key every item of one fetch; a guid the feed repeats falls back to guid + link."""
    guid_counts = Counter(item.guid for item in items if item.guid)
    result = []
    for item in items:
        published = item.published or fetched_at
        key = dedup_key(item, guid_counts[item.guid] > 1 if item.guid else False, published)
        normalized_title = title_key(item.title)
        result.append(
            Candidate(
                item=item,
                dedup_key=key,
                source_key=digest(key),
                url_key=digest(item.url) if item.url else None,
                title_key=digest(normalized_title),
                title_matchable=title_matchable(normalized_title),
                published=published,
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class StoredItem:
    """What the decider needs to know of an item already in the database."""

    item_id: int
    feed_ids: frozenset[str]
    published: datetime | None


@dataclass(slots=True)
class Known:
    """The database's answers for one batch of candidates."""

    source_keys: set[str] = field(default_factory=set)  # this feed's existing source keys
    by_url: dict[str, StoredItem] = field(default_factory=dict)
    by_title: dict[str, list[StoredItem]] = field(default_factory=dict)
    tombstones: set[str] = field(default_factory=set)


class Verdict(StrEnum):
    NEW = "new"  # store a new item
    NEW_SOURCE = "new_source"  # the same article from another portal: add a source
    SEEN = "seen"  # this feed gave it before
    TOMBSTONED = "tombstoned"  # removed or rejected earlier: never again


@dataclass(frozen=True, slots=True)
class Decision:
    candidate: Candidate
    verdict: Verdict
    item_id: int | None = None  # the stored item, for NEW_SOURCE


def decide(feed_id: str, batch: Iterable[Candidate], known: Known) -> list[Decision]:
    """Classify each candidate of one feed's fetch; duplicates within the batch count as seen."""
    decisions = []
    taken: set[str] = set()
    for candidate in batch:
        verdict, item_id = _verdict(feed_id, candidate, known)
        batch_keys = {candidate.source_key} | ({candidate.url_key} if candidate.url_key else set())
        if verdict in (Verdict.NEW, Verdict.NEW_SOURCE) and batch_keys & taken:
            verdict, item_id = Verdict.SEEN, None
        taken |= batch_keys
        decisions.append(Decision(candidate, verdict, item_id))
    return decisions


def _verdict(feed_id: str, candidate: Candidate, known: Known) -> tuple[Verdict, int | None]:
    if known.tombstones.intersection(candidate.tombstone_keys):
        return Verdict.TOMBSTONED, None
    if candidate.source_key in known.source_keys:
        return Verdict.SEEN, None
    stored = known.by_url.get(candidate.url_key) if candidate.url_key else None
    stored = stored or _same_story(feed_id, candidate, known)
    if stored is None:
        return Verdict.NEW, None
    if feed_id in stored.feed_ids:
        return Verdict.SEEN, None
    return Verdict.NEW_SOURCE, stored.item_id


def _same_story(feed_id: str, candidate: Candidate, known: Known) -> StoredItem | None:
    if not candidate.title_matchable:
        return None
    for stored in known.by_title.get(candidate.title_key, ()):
        if feed_id in stored.feed_ids or stored.published is None:
            continue
        if abs(stored.published - candidate.published) <= SAME_STORY_WINDOW:
            return stored
    return None


def title_matchable(normalized_title: str) -> bool:
    """Only long, specific titles may join two portals' items without a shared URL (judged on
    the normalized title, before it is digested)."""
    return (
        len(normalized_title) >= MIN_TITLE_MATCH_CHARS
        and len(normalized_title.split()) >= MIN_TITLE_MATCH_WORDS
    )
