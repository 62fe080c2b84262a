"""`[reach]` in settings.toml: what syndication brings back to the portals (issue #14): the
campaign parameters tagged onto the links that go out, and when each published post's
engagement counters are collected.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from connectors.settings import Text
from syndicator.settings_models import Duration, Section, at_least

# The placeholders a campaign parameter may hold: the channel's type ("facebook", "zalo"), its
# name in the settings, and the feed's id.
PLACEHOLDERS = ("{channel_type}", "{channel}", "{feed}")


def _known_placeholders(value: str) -> str:
    rest = value
    for placeholder in PLACEHOLDERS:
        rest = rest.replace(placeholder, "")
    if "{" in rest or "}" in rest:
        raise ValueError(
            f"{value!r} holds an unknown placeholder; use only {', '.join(PLACEHOLDERS)}"
        )
    return value


Campaign = Annotated[Text, AfterValidator(_known_placeholders)]
Age = Annotated[Duration, at_least(timedelta(minutes=5))]


class ReachSettings(Section):
    """`[reach]`: link tagging and engagement collection."""

    tag_links: bool = True  # feeds[].tag_links and channels.NAME.tag_links turn it off for one
    utm_source: Campaign = "{channel_type}"
    utm_medium: Campaign = "social"
    utm_campaign: Campaign = "{feed}"
    collect: bool = True  # the daemon's job collecting each published post's counters
    # After publishing, when the counters are read (each age once per post).
    ages: list[Age] = Field(
        default_factory=lambda: [timedelta(hours=1), timedelta(hours=24), timedelta(days=7)]
    )

    @field_validator("ages")
    @classmethod
    def _ages_distinct(cls, value: list[timedelta]) -> list[timedelta]:
        if len(set(value)) != len(value):
            raise ValueError("lists an age twice; list each once")
        return sorted(value)
