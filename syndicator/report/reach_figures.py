"""What the reach page and the report make of the counters storage/reach_views.py reads (issue
#14): each post's category, the totals per category, and the pacing windows the hours of most
engagement suggest beside each channel's quiet hours. Pure functions of plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import time

from storage.reach_views import LatestReach, ReachTotals, Slot, by_local_time, totals_of
from syndicator.posts.pacing import PacingSettings, quiet_window
from syndicator.report.classify import UNCATEGORIZED, Classifier
from syndicator.settings_models import FeedSettings

WINDOW_HOURS = 2  # the window suggested: two local hours in a row
MIN_MEASURED = 5  # posts with engagement a channel needs before a window is suggested
DASH = "\u2013"
MINUTES_A_DAY = 24 * 60

# Per post id: (stored category or None, folded title, title, link), storage's post_categories
CategoryFacts = Mapping[int, tuple[str | None, str | None, str | None, str | None]]


def categories_of(
    rows: Iterable[LatestReach],
    facts: CategoryFacts,
    feeds: Sequence[FeedSettings],
    classifier: Classifier,
) -> dict[int, str]:
    """Each post's category as the report gives its item on the post's portal: the stored one,
    else the rules' (classified now), else the feed's own, else "" (uncategorized)."""
    defaults = {feed.id: feed.category or UNCATEGORIZED for feed in feeds}
    found: dict[int, str] = {}
    for row in rows:
        stored, searched, title, link = facts.get(row.post_id, (None, None, row.title, None))
        if stored is None:
            stored = classifier.stored_category(searched, title, link)
        found[row.post_id] = stored or defaults.get(row.feed_id, UNCATEGORIZED)
    return found


def totals_per(rows: Sequence[LatestReach], key: Mapping[int, str]) -> dict[str, ReachTotals]:
    """The rows' totals grouped by key[post id] (a category)."""
    groups: dict[str, list[LatestReach]] = {}
    for row in rows:
        groups.setdefault(key[row.post_id], []).append(row)
    return {name: totals_of(members) for name, members in groups.items()}


@dataclass(frozen=True)
class PacingSuggestion:
    """A channel's hours of most engagement per post, beside its quiet hours."""

    channel: str
    measured: int  # its posts of the period with engagement known
    best_from: int | None  # the window's first local hour; None: too few measured posts
    per_post: float  # engagement per measured post in the window
    quiet_hours: str | None  # "22:00-06:00" as configured; None: none
    overlaps_quiet: bool  # the window falls (partly) in the quiet hours

    @property
    def window(self) -> str:
        """The window as "19:00-21:00" with an en dash ("" with no window)."""
        if self.best_from is None:
            return ""
        end = (self.best_from + WINDOW_HOURS) % 24
        return f"{self.best_from:02d}:00{DASH}{end:02d}:00"

    @property
    def quiet(self) -> str:
        return (self.quiet_hours or "").replace("-", DASH)

    @property
    def text(self) -> str:
        """The suggestion in plain English (the CLI's; the web page words it in Vietnamese)."""
        if self.best_from is None:
            return (
                f"too few posts with engagement known ({self.measured}, at least "
                f"{MIN_MEASURED}) to suggest a window"
            )
        if not self.quiet_hours:
            return f"most engagement {self.window}; no quiet hours"
        if self.overlaps_quiet:
            return (
                f"most engagement {self.window}; quiet hours {self.quiet} hold posts back "
                "then: consider shortening them"
            )
        return f"most engagement {self.window}; quiet hours {self.quiet} keep it"


def suggest_pacing(
    rows: Sequence[LatestReach],
    channels: Sequence[str],
    pacing: Mapping[str, PacingSettings],
    timezone: str,
) -> tuple[PacingSuggestion, ...]:
    """Per channel: the WINDOW_HOURS local hours in a row with the most engagement per post
    (best_window), compared with its quiet hours."""
    found = []
    for channel in channels:
        hours, _ = by_local_time((r for r in rows if r.channel == channel), timezone)
        quiet = (pacing.get(channel) or PacingSettings()).quiet_hours
        measured = sum(slot.engagement.known for slot in hours)
        best, per_post = best_window(hours) if measured >= MIN_MEASURED else (None, 0.0)
        overlaps = best is not None and _overlaps(best, quiet)
        found.append(PacingSuggestion(channel, measured, best, per_post, quiet, overlaps))
    return tuple(found)


def best_window(hours: Sequence[Slot]) -> tuple[int | None, float]:
    """The first hour of the WINDOW_HOURS in a row (across midnight too) whose hours have the
    highest engagement per post added up (an hour with none measured adds 0, so a window is
    not carried by one good hour beside an empty one), ties to the earliest; and the window's
    engagement per measured post. (None, 0.0) when no hour was measured."""
    best: tuple[int | None, float, float] = (None, 0.0, 0.0)
    for start in range(24):
        window = [hours[(start + step) % 24] for step in range(WINDOW_HOURS)]
        known = sum(slot.engagement.known for slot in window)
        if not known:
            continue
        score = sum(_rate(slot) for slot in window)
        if best[0] is None or score > best[1]:
            best = (start, score, sum(slot.engagement.total for slot in window) / known)
    return best[0], best[2]


def _rate(slot: Slot) -> float:
    known = slot.engagement.known
    return slot.engagement.total / known if known else 0.0


def _overlaps(first_hour: int, quiet_hours: str | None) -> bool:
    """Whether any minute of the window starting at `first_hour` is a quiet one."""
    window = quiet_window(quiet_hours)
    if window is None:
        return False
    start, end = (_minute(moment) for moment in window)
    for minute in range(first_hour * 60, (first_hour + WINDOW_HOURS) * 60):
        at = minute % MINUTES_A_DAY
        if (start <= at < end) if start < end else (at >= start or at < end):
            return True
    return False


def _minute(moment: time) -> int:
    return moment.hour * 60 + moment.minute
