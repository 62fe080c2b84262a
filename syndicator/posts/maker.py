"""Posts: one per (item, channel), made when an item is stored, then moved through review
(syndicator.posts.queue) and publishing (syndicator.publish.publisher).

Every transition is one transaction that names the version it saw (compare-and-set) and
writes its audit event; two reviewers acting at once get one success and one clear conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from connectors.rendering import Rendered, RenderInput
from storage import posts as post_store
from storage.models import AuditEvent, Item, Post
from storage.states import PostAction, PostStatus
from syndicator.errors import SyndicatorError
from syndicator.ingest.normalize.urls import shareable_url
from syndicator.posts.campaign import TAGGED, Tags, campaign_tags, tagged_url
from syndicator.posts.review import ReviewSubject, describe, reasons
from syndicator.reach_settings import ReachSettings
from syndicator.records import Flag, NewItem, ParsedItem
from syndicator.settings_models import ChannelSettings, FeedSettings, ReviewSettings

# The renderer (Jinja2 and its sandbox) is passed in: listing or deciding about posts that
# are already rendered must not load the template engine.
if TYPE_CHECKING:
    from syndicator.posts.render import Renderer

SYSTEM = "syndicator"

# Older names of the states (storage/states.py), kept while callers elsewhere move to the enums.
PENDING, APPROVED, REJECTED = PostStatus.PENDING_REVIEW, PostStatus.APPROVED, PostStatus.REJECTED
PUBLISHING, PUBLISHED, FAILED = PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.FAILED
NEEDS_ATTENTION = PostStatus.NEEDS_ATTENTION
STATUSES = tuple(
    status.value for status in PostStatus
)  # plain strings: click.Choice takes names of enum members
REFUSE = PostAction.REFUSE


class PostNotFound(SyndicatorError):
    """No post has that id."""


class TransitionRefused(SyndicatorError):
    """The post is in a state where that action makes no sense (e.g. approving a rejected post)."""


class Conflict(SyndicatorError):
    """Someone else changed the post between our read and our write."""


class PostMaker:
    """Renders and files the posts of newly stored items (called inside the ingest transaction)."""

    def __init__(
        self,
        renderer: Renderer,
        channels: dict[str, ChannelSettings],
        review: ReviewSettings,
        reach: ReachSettings | None = None,  # None: links go out untagged
    ) -> None:
        self.renderer, self.channels, self.review = renderer, channels, review
        self.reach = reach

    def create(
        self, session: Session, feed: FeedSettings, items: Sequence[NewItem], now: datetime
    ) -> int:
        """One post per enabled channel of the feed for each item; returns how many were made."""
        made = 0
        for new in items:
            for name in feed.channels:
                channel = self.channels.get(name)
                if channel is not None and channel.enabled:
                    self._create_one(session, feed, new, name, channel.type, now)
                    made += 1
        return made

    def _create_one(
        self,
        session: Session,
        feed: FeedSettings,
        new: NewItem,
        channel: str,
        channel_type: str,
        now: datetime,
    ) -> None:
        tags = campaign_tags(self.reach, feed, channel, channel_type, self.channels.get(channel))
        rendered = render_post(self.renderer, feed, new, channel_type, tags)
        found = reasons(_subject(new, rendered), self.review, now)
        if feed.review == "required":
            found.insert(0, "review_required")
        status = PostStatus.PENDING_REVIEW if found else PostStatus.APPROVED
        post_id = self._file(session, feed, new, channel, rendered, status, found, SYSTEM, now, {})
        why = "; ".join(describe(reason) for reason in found) or "nguồn tin tự động duyệt"
        post_store.record(session, post_id, now, SYSTEM, PostAction.CREATE, None, status, why)

    def repost(
        self,
        session: Session,
        feed: FeedSettings,
        new: NewItem,
        channel: str,
        actor: str,
        approve: bool,
        now: datetime,
    ) -> int:
        """A new post of an item already posted (or not) on `channel`, linked to the last one.
        A post whose template fails waits for review, even when asked to approve it."""
        settings = self.channels[channel]
        tags = campaign_tags(self.reach, feed, channel, settings.type, settings)
        rendered = render_post(self.renderer, feed, new, settings.type, tags)
        previous = post_store.latest_for(session, new.item_id, channel)
        flags = ["repost"] + ([f"template_error:{rendered.error}"] if rendered.error else [])
        approved = approve and not rendered.error
        status = PostStatus.APPROVED if approved else PostStatus.PENDING_REVIEW
        extra: dict[str, object] = {
            "generation": previous.generation + 1 if previous else 0,
            "repost_of": previous.id if previous else None,
        }
        post_id = self._file(
            session, feed, new, channel, rendered, status, flags, actor, now, extra
        )
        post_store.record(
            session,
            post_id,
            now,
            actor,
            PostAction.REPOST,
            None,
            status,
            f"repost of post {previous.id}" if previous else "repost",
        )
        return post_id

    @staticmethod
    def _file(
        session: Session,
        feed: FeedSettings,
        new: NewItem,
        channel: str,
        rendered: Rendered,
        status: PostStatus,
        flags: list[str],
        actor: str,
        now: datetime,
        extra: dict[str, object],
    ) -> int:
        return post_store.insert_post(
            session,
            {
                "item_id": new.item_id,
                "channel": channel,
                "feed_id": feed.id,
                "status": status,
                "priority": feed.priority,
                "rendered": rendered.to_json(),
                "flags": flags,
                "approved_by": actor if status is PostStatus.APPROVED else None,
                "approved_at": now if status is PostStatus.APPROVED else None,
                "created_at": now,
                "updated_at": now,
                **extra,
            },
        )


def render_post(
    renderer: Renderer, feed: FeedSettings, new: NewItem, channel_type: str, tags: Tags = ()
) -> Rendered:
    """The item's post for one channel type, from the feed's template or the channel's default;
    its link (the template's `url`) carries the campaign `tags` (syndicator.posts.campaign)."""
    item = new.item
    source = RenderInput(
        title=item.title,
        summary=item.summary,
        content_html=item.content_html,
        # What is published: no trackers but ours, valid for Graph.
        url=tagged_url(shareable_url(item.link), tags),
        image=item.image,
        published=new.published,
        categories=item.categories,
        author=item.author,
        feed_id=feed.id,
        feed_name=feed.name,
        agency=feed.agency or feed.name,
    )
    template = f"{feed.template}.{channel_type}.j2" if feed.template else None
    rendered = renderer.render(channel_type, source, template)
    return replace(rendered, flags=(*rendered.flags, TAGGED)) if tags else rendered


def stored_item(item: Item) -> NewItem:
    """A stored article as PostMaker takes it (to render it again, or to repost it)."""
    parsed = ParsedItem(
        guid=item.guid,
        link=item.link,
        url=item.canonical_url,
        title=item.title,
        summary=item.summary,
        content_html=item.content_html,
        image=item.image,
        published=item.published_at,
        categories=tuple(item.categories),
        author=item.author,
        flags=frozenset(Flag(flag) for flag in item.flags if flag in Flag._value2member_map_),
    )
    return NewItem(item.id or 0, parsed, item.published_at or item.created_at)


def publishable(post: Post) -> bool:
    """Whether the post has a text to publish: its template rendered, or an editor wrote one.
    The publisher's queue and approval both ask (a failed template leaves the text empty)."""
    return not post.rendered.get("error") or bool((post.edited_text or "").strip())


def refused_by_platform(trail: Sequence[AuditEvent]) -> bool:
    """Whether the post's last move into `failed` was the platform's refusal (`refuse`): nothing
    was published, so it may be fixed and approved again."""
    into_failed = [event for event in trail if event.to_status == PostStatus.FAILED]
    return bool(into_failed) and into_failed[-1].action == PostAction.REFUSE


def _subject(new: NewItem, rendered: Rendered) -> ReviewSubject:
    item = new.item
    return ReviewSubject(
        title=item.title,
        text=item.summary,
        published=new.published,
        item_flags=frozenset(str(flag) for flag in item.flags),
        render_flags=rendered.flags,
        render_error=rendered.error,
    )
