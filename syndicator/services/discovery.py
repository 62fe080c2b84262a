"""Discovery of a portal's source from its page address (`feeds discover`, the admin page's
"add a portal"): the candidates checked, the proposed source and its ready settings block."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from collections.abc import Sequence

    from syndicator.app import App
    from syndicator.ingest.discover import CandidateCheck, Discovery
    from syndicator.records import ParsedItem
    from syndicator.settings_models import FeedSettings


@dataclass(frozen=True)
class CandidateRow:
    """One URL that may be the portal's feed, and the verdict on it."""

    url: str
    origin: str  # given, advertised, guessed
    hint: str  # where it came from, for people
    works: bool
    reason: str  # "ok", or why not: http_404, html_page, empty, json_feed_unsupported, ...
    message: str
    final_url: str | None
    title: str
    items: int
    newest: datetime | None


@dataclass(frozen=True)
class PreviewItem:
    """One of the latest items the proposed source gives, as the poller would read it."""

    title: str
    url: str | None
    published: datetime | None
    summary: str
    image: str | None


@dataclass(frozen=True)
class PortalDiscovery:
    """What discovery found at one address, and the source it proposes (if any)."""

    url: str
    page_url: str
    page_title: str
    checked_at: datetime
    refused_reason: str | None  # the page itself could not be read (robots, HTTP, timeout)
    refused: str | None
    candidates: tuple[CandidateRow, ...]
    kind: Literal["rss", "html"] | None  # the source proposed: a feed, a listing, or none
    source_url: str | None  # the feed's URL, or the listing page's
    feed_id: str | None
    name: str | None
    selectors: dict[str, str] | None  # for a listing
    preview: tuple[PreviewItem, ...]
    listing_problem: str | None  # why no listing is proposed either, when nothing is
    block: str | None  # ready to paste into settings.toml
    already_configured: str | None  # the id of a configured feed with the same URL


def discover_portal(app: App, url: str, *, with_added: bool = False) -> PortalDiscovery:
    """Check what `url` offers, as the poller would read it, and propose one source. The id
    proposed is free among the settings file's feeds, and with `with_added` (the admin page,
    which has the database at hand) among the portals added there too; the CLI does not open
    the database for a dry run."""
    from syndicator.ingest.discover import discover

    found = discover(
        app.fetcher,
        app.robots,  # robots.txt answers are kept a day per App, shared with the poller
        url.strip(),
        now=app.clock.now(),
        tz=ZoneInfo(app.settings.timezone),
    )
    return _portal(found, app.feeds() if with_added else app.settings.feeds)


def _portal(found: Discovery, feeds: Sequence[FeedSettings]) -> PortalDiscovery:
    from syndicator.ingest.feed_blocks import feed_block, feed_id_for, listing_block

    refused = found.refused
    taken = {feed.id for feed in feeds}
    best, listing = found.best, found.listing
    kind: Literal["rss", "html"] | None = "rss" if best else ("html" if listing else None)
    source_url = (best.url or best.candidate.url) if best else (found.page_url if listing else None)
    feed_id = feed_id_for(source_url, taken) if source_url else None
    name = _name(found, source_url or found.url)
    block = None
    if best and feed_id and source_url:
        block = feed_block(feed_id=feed_id, name=name, url=source_url)
    elif listing and feed_id and source_url:
        block = listing_block(
            feed_id=feed_id, name=name, url=source_url, selectors=listing.selectors
        )
    items = best.preview if best else (listing.items if listing else ())
    return PortalDiscovery(
        url=found.url,
        page_url=found.page_url,
        page_title=found.page_title,
        checked_at=found.checked_at,
        refused_reason=refused.reason if refused else None,
        refused=refused.message if refused else None,
        candidates=tuple(_row(check) for check in found.checks),
        kind=kind,
        source_url=source_url,
        feed_id=feed_id,
        name=name if kind else None,
        selectors=listing.selectors.model_dump(exclude_none=True) if listing and not best else None,
        preview=tuple(_preview(item) for item in items),
        listing_problem=found.listing_problem,
        block=block,
        already_configured=_configured(feeds, source_url),
    )


def _name(found: Discovery, url: str) -> str:
    """The page's title, else the feed's, else the host: the feed's name in the settings."""
    return found.page_title or found.feed_title or urlsplit(url).hostname or url


def _configured(feeds: Sequence[FeedSettings], url: str | None) -> str | None:
    if url is None:
        return None
    return next((feed.id for feed in feeds if feed.url == url), None)


def _row(check: CandidateCheck) -> CandidateRow:
    candidate = check.candidate
    return CandidateRow(
        url=candidate.url,
        origin=str(candidate.origin),
        hint=candidate.hint,
        works=check.works,
        reason=check.reason,
        message=check.message,
        final_url=check.url,
        title=check.title,
        items=check.items,
        newest=check.newest,
    )


def _preview(item: ParsedItem) -> PreviewItem:
    return PreviewItem(item.title, item.link, item.published, item.summary, item.image)
