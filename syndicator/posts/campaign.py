"""Campaign parameters on the links that go out (`[reach]`, issue #14), so that the portals'
own analytics can tell the visits syndication brought: Google Analytics and Matomo read utm_*
as the visit's campaign; the ministry's EMC tracking code records the address visited.

Only the published link is tagged: items are stored, and deduplicated, by the link as the feed
gave it, and every comparison with what a platform shows (reconcile) drops utm_* first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

from syndicator.ingest.normalize.urls import WEB_SCHEMES
from syndicator.reach_settings import ReachSettings
from syndicator.settings_models import ChannelSettings, FeedSettings

# The parameters we set, in the order they are appended; `[reach]` has one setting for each.
CAMPAIGN_KEYS = ("utm_source", "utm_medium", "utm_campaign")
# The rendering flag of a post whose link we tagged: the publisher, cleaning the link once more
# before sending, keeps these parameters only then (a link stored raw, before links were
# cleaned, may carry a portal's own utm_source=rss).
TAGGED = "tagged"

Tags = tuple[tuple[str, str], ...]  # (name, value) pairs, values not yet encoded

_PLACEHOLDER = re.compile(r"\{(channel_type|channel|feed)\}")


def campaign_tags(
    reach: ReachSettings | None,
    feed: FeedSettings,
    channel: str,
    channel_type: str,
    channel_settings: ChannelSettings | None,
) -> Tags:
    """The parameters for a post of `feed` on `channel`: none when tagging is off (`reach` is
    None, reach.tag_links, the feed's or the channel's tag_links false). A channel no longer in
    the settings (`channel_settings` None) follows `[reach]` and the feed."""
    if reach is None or not reach.tag_links or not feed.tag_links:
        return ()
    if channel_settings is not None and not channel_settings.tag_links:
        return ()
    values = {"channel_type": channel_type, "channel": channel, "feed": feed.id}
    return tuple(
        (key, _PLACEHOLDER.sub(lambda found: values[found.group(1)], getattr(reach, key)))
        for key in CAMPAIGN_KEYS
    )


def tagged_url(url: str | None, tags: Sequence[tuple[str, str]]) -> str | None:
    """`url` with `tags` appended to its query, replacing parameters of the same names (in any
    case: a portal's own utm_source=rss must not be doubled); the other parameters stay as they
    are, in their order. A link that is not http(s), or cannot be taken apart, stays untouched."""
    if not url or not tags:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        return url
    ours = {name.lower() for name, _ in tags}
    kept = [
        part
        for part in parts.query.split("&")
        if part and unquote_plus(part.partition("=")[0]).lower() not in ours
    ]
    added = [f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in tags]
    return urlunsplit(parts._replace(query="&".join(kept + added)))
