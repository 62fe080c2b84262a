"""Per agency: its items of the period by category, and the required categories it left empty.

An agency is a feed's `agency`, or the feed's name when it has none. An article counts once per
agency and category, however many of the agency's portals carried it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from storage.report import PeriodItem
from storage.search_text import search_text
from syndicator.report.classify import UNCATEGORIZED, Classifier
from syndicator.report.model import AgencyCoverage, Category
from syndicator.settings_models import FeedSettings


def agency_of(feed: FeedSettings) -> str:
    return feed.agency.strip() or feed.name


def by_name(name: str) -> tuple[str, str]:
    """A sort key that puts "Ủy ban" among the U's, not after Z."""
    return search_text(name), name


def agency_coverage(
    rows: Iterable[PeriodItem],
    feeds: Sequence[FeedSettings],
    classifier: Classifier,
    categories: Sequence[Category],
) -> tuple[tuple[AgencyCoverage, ...], int]:
    """Every agency of `feeds` (by name) with its items per category; and how many distinct
    items the rows hold (the province's total)."""
    found: dict[str, dict[str, set[int]]] = {agency_of(f): defaultdict(set) for f in feeds}
    # Per feed id: its agency's sets and its default category (one look-up per row).
    by_feed = {feed.id: (found[agency_of(feed)], feed.category) for feed in feeds}
    every: set[int] = set()
    classify = classifier.stored_category
    for feed_id, item_id, stored, searched, title, link in rows:
        known = by_feed.get(feed_id)
        if known is None:  # a feed no longer in the settings
            continue
        if stored is None:  # the classify job has not reached it (or the rules changed)
            stored = classify(searched, title, link)
        known[0][stored or known[1]].add(item_id)
        every.add(item_id)
    order = [category.id for category in categories] + [UNCATEGORIZED]
    required = [category.id for category in categories if category.required]
    coverage = tuple(
        _agency(agency, found[agency], order, required) for agency in sorted(found, key=by_name)
    )
    return coverage, len(every)


def _agency(
    agency: str, items: dict[str, set[int]], order: list[str], required: list[str]
) -> AgencyCoverage:
    counts = {category: len(items[category]) for category in order if items.get(category)}
    counts |= {category: len(ids) for category, ids in items.items() if category not in counts}
    empty = tuple(category for category in required if category not in counts)
    return AgencyCoverage(agency=agency, items=counts, empty_required=empty)
