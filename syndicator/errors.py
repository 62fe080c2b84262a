"""One exception tree for the whole product, rooted at SyndicatorError."""

from __future__ import annotations


class SyndicatorError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigError(SyndicatorError):
    """A setting is wrong; the message names the key and the fix."""


class FeedError(SyndicatorError):
    """A feed could not be fetched or read; `reason` is a stable short code for reports."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __reduce__(self) -> tuple[type[FeedError], tuple[str, str]]:
        # Parse errors cross from parser processes; the default pickling would lose `reason`.
        return type(self), (self.reason, self.message)


class NotAFeed(FeedError):
    """The answer was not a feed: an HTML page, a JS challenge, an empty channel."""


class HostileFeed(FeedError):
    """The document tries something dangerous (entity expansion, external entities)."""
