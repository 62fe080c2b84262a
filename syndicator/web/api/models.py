"""What the API sends and accepts. Its rows are the services' own frozen dataclasses, answered
as they are (FastAPI documents them from their docstrings: syndicator/services/schemas.py);
the models here are only what the API shapes itself: the envelopes of a list (the services
return bare lists), a refusal, the request bodies, and a post, whose preview differs from the
service's (see Preview). Feed text is data: JSON strings, never HTML."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from syndicator.services.channels import ChannelRow
from syndicator.services.feeds import FeedRow
from syndicator.services.queue import Failure, HistoryLine, QueueRow, Reason


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Error(Out):
    error: str = Field(description="Why the request was refused: the service's message.")


# The lists come in an object (the services return bare lists), so an answer can grow, as the
# queue's `next_before_id` did, without breaking a client.
class QueuePage(Out):
    posts: list[QueueRow]
    next_before_id: int | None = Field(
        description="Pass as `before_id` for the next page; null on the last page."
    )


class PreviewField(Out):
    label: str
    value: str


# Shaped here, not the service's Preview (services/posts.py) as it is: its `fields` are
# (label, value) pairs, which would come out as bare two-item arrays (clients read {label,
# value} objects), and its `link_host` is a property, here a field read from it.
class Preview(Out):
    """How the post will appear: the text, and what the channel shows around it (the card)."""

    channel_type: str
    fields: list[PreviewField] = Field(description="What the channel shows besides the text.")
    text: str = Field(description="What will be published.")
    link: str | None
    template_error: str | None
    original_text: str | None = Field(description="The rendering, when an editor replaced it.")
    edited_by: str | None
    cover: str | None = Field(description="The picture a link card or an article shows.")
    title: str = Field(description="The article's own title; empty for a one-message channel.")
    author: str = Field(description="The article's author; empty for a one-message channel.")
    description: str = Field(description="The article's summary; empty for a one-message channel.")
    link_host: str | None = Field(
        description='The link\'s host, as a link card shows it under the picture ("skhcn.gov.vn").'
    )

    @field_validator("fields", mode="before")
    @classmethod
    def _labelled(cls, pairs: Any) -> Any:
        """The services give (label, value) pairs; the API names the two."""
        if isinstance(pairs, (list, tuple)):
            return [
                {"label": p[0], "value": p[1]} if isinstance(p, (list, tuple)) else p for p in pairs
            ]
        return pairs


# The service's PostDetail with the Preview above; it leaves out `other_channels`, the page's
# side-by-side view of the item's posts on other channels.
class PostDetail(Out):
    """One post in full: its article, how it will appear, why it waits, and its history."""

    id: int
    item_id: int
    channel: str
    status: str
    version: int = Field(description="Send it back with an approval.")
    feed: str
    title: str
    source_url: str | None
    preview: Preview
    reasons: list[Reason]
    failure: Failure | None
    history: list[HistoryLine]
    next_slot: datetime | None


class Feeds(Out):
    feeds: list[FeedRow]


class Channels(Out):
    channels: list[ChannelRow]


class Approval(In):
    version: int = Field(description="The version of the post the approver saw.")


class Rejection(In):
    reason: str = Field(description="Why the post is rejected (required).")


class Edit(In):
    text: str = Field(description="The text to publish instead of the rendering.")
