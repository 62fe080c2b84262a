"""What the API sends and accepts: pydantic models mirroring the services' dataclasses (read from
their attributes), so the OpenAPI schema documents them. Feed text is data: JSON strings, never
HTML."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Error(Out):
    error: str = Field(description="Why the request was refused: the service's message.")


class QueueRow(Out):
    id: int
    item_id: int
    channel: str
    status: str
    feed: str
    title: str
    url: str | None
    flags: list[str] = Field(description="Every reason the post was held for review.")
    reasons: list[str] = Field(description="The reasons that still hold.")
    next_slot: datetime | None = Field(description="Approved posts: when it will be sent.")
    version: int = Field(description="What an approval names: the version listed.")


class QueuePage(Out):
    posts: list[QueueRow]
    next_before_id: int | None = Field(
        description="Pass as `before_id` for the next page; null on the last page."
    )


class PreviewField(Out):
    label: str
    value: str


class Preview(Out):
    channel_type: str
    fields: list[PreviewField] = Field(description="What the channel shows besides the text.")
    text: str = Field(description="What will be published.")
    link: str | None
    template_error: str | None
    original_text: str | None = Field(description="The rendering, when an editor replaced it.")
    edited_by: str | None

    @field_validator("fields", mode="before")
    @classmethod
    def _labelled(cls, pairs: Any) -> Any:
        """The services give (label, value) pairs; the API names the two."""
        if isinstance(pairs, (list, tuple)):
            return [
                {"label": p[0], "value": p[1]} if isinstance(p, (list, tuple)) else p for p in pairs
            ]
        return pairs


class Reason(Out):
    code: str
    text: str


class Failure(Out):
    refused: bool = Field(description="The platform refused the post: nothing was published.")
    error: str | None


class HistoryLine(Out):
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str
    reason: str | None


class PostDetail(Out):
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


class FeedRow(Out):
    feed: str
    name: str
    url: str
    enabled: bool
    last_success: datetime | None
    last_error: str | None
    error_reason: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    next_poll: datetime | None
    items_7d: int
    items_30d: int
    newest_item: datetime | None
    broken: bool


class Feeds(Out):
    feeds: list[FeedRow]


class TokenStatus(Out):
    channel: str
    ok: bool
    detail: str
    expires_at: datetime | None
    missing_permissions: list[str]


class ChannelRow(Out):
    name: str
    type: str
    enabled: bool
    token: TokenStatus | None = Field(description="Null for a disabled channel.")
    paused: bool
    paused_since: datetime | None
    paused_until: datetime | None = Field(description="Null while paused: until a person acts.")
    pause_reason: str | None
    last_error: str | None
    last_error_at: datetime | None


class Channels(Out):
    channels: list[ChannelRow]


class Approval(In):
    version: int = Field(description="The version of the post the approver saw.")


class Rejection(In):
    reason: str = Field(description="Why the post is rejected (required).")


class Edit(In):
    text: str = Field(description="The text to publish instead of the rendering.")
