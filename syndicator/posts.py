"""Posts: one per (item, channel), made when an item is stored, then moved through review.

Every transition is one transaction that names the version it saw (compare-and-set) and
writes its audit event; two reviewers acting at once get one success and one clear conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from storage import items as item_store
from storage import posts as post_store
from storage.models import Item, Post
from storage.session import writing
from syndicator.errors import SyndicatorError
from syndicator.records import ParsedItem
from syndicator.render import Rendered, Renderer, RenderInput
from syndicator.review import ReviewSubject, describe, reasons
from syndicator.settings_models import ChannelSettings, FeedSettings, ReviewSettings

log = structlog.get_logger("syndicator.posts")
SYSTEM = "syndicator"

PENDING, APPROVED, REJECTED = "pending_review", "approved", "rejected"
PUBLISHING, PUBLISHED, FAILED = "publishing", "published", "failed"
NEEDS_ATTENTION = "needs_attention"
STATUSES = (PENDING, APPROVED, PUBLISHING, PUBLISHED, REJECTED, FAILED, NEEDS_ATTENTION)
# What a reviewer may do from each state (the publisher's own moves live with the publisher).
APPROVABLE = {PENDING}
REJECTABLE = {PENDING, APPROVED, FAILED, NEEDS_ATTENTION}
EDITABLE = {PENDING, APPROVED}


class PostNotFound(SyndicatorError):
    """No post has that id."""


class TransitionRefused(SyndicatorError):
    """The post is in a state where that action makes no sense (e.g. approving a rejected post)."""


class Conflict(SyndicatorError):
    """Someone else changed the post between our read and our write."""


@dataclass(frozen=True, slots=True)
class NewItem:
    item_id: int
    item: ParsedItem
    published: datetime


class PostMaker:
    """Renders and files the posts of newly stored items (called inside the ingest transaction)."""

    def __init__(
        self, renderer: Renderer, channels: dict[str, ChannelSettings], review: ReviewSettings
    ) -> None:
        self.renderer, self.channels, self.review = renderer, channels, review

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
        rendered = self._render(feed, new, channel_type)
        found = reasons(_subject(new, rendered), self.review, now)
        if feed.review == "required":
            found.insert(0, "review_required")
        status = PENDING if found else APPROVED
        post_id = self._file(session, feed, new, channel, rendered, status, found, SYSTEM, now, {})
        why = "; ".join(describe(reason) for reason in found) or "nguồn tin tự động duyệt"
        post_store.record(session, post_id, now, SYSTEM, "create", None, status, why)

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
        """A new post of an item already posted (or not) on `channel`, linked to the last one."""
        rendered = self._render(feed, new, self.channels[channel].type)
        previous = post_store.latest_for(session, new.item_id, channel)
        status = APPROVED if approve else PENDING
        extra: dict[str, object] = {
            "generation": previous.generation + 1 if previous else 0,
            "repost_of": previous.id if previous else None,
        }
        post_id = self._file(
            session, feed, new, channel, rendered, status, ["repost"], actor, now, extra
        )
        post_store.record(
            session,
            post_id,
            now,
            actor,
            "repost",
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
        status: str,
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
                "approved_by": actor if status == APPROVED else None,
                "approved_at": now if status == APPROVED else None,
                "created_at": now,
                "updated_at": now,
                **extra,
            },
        )

    def _render(self, feed: FeedSettings, new: NewItem, channel_type: str) -> Rendered:
        item = new.item
        source = RenderInput(
            title=item.title,
            summary=item.summary,
            content_html=item.content_html,
            url=item.link,
            image=item.image,
            published=new.published,
            categories=item.categories,
            author=item.author,
            feed_id=feed.id,
            feed_name=feed.name,
            agency=feed.agency or feed.name,
        )
        template = f"{feed.template}.{channel_type}.j2" if feed.template else None
        return self.renderer.render(channel_type, source, template)


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


class ReviewQueue:
    """What editors and approvers do to posts: approve, reject, edit. Each is one transaction."""

    def __init__(
        self, engine: Engine, renderer: Renderer, channels: dict[str, ChannelSettings]
    ) -> None:
        self.engine, self.renderer, self.channels = engine, renderer, channels

    def approve(self, post_id: int, actor: str, now: datetime) -> Post:
        return self._move(
            post_id,
            actor,
            now,
            "approve",
            APPROVABLE,
            APPROVED,
            {"approved_by": actor, "approved_at": now},
        )

    def reject(self, post_id: int, actor: str, reason: str, now: datetime) -> Post:
        reason = reason.strip()
        if not reason:
            raise TransitionRefused("a rejection needs a reason (--reason TEXT)")

        def tombstone(session: Session, post: Post) -> None:
            _tombstone_item(session, post.item_id, reason, now)

        return self._move(
            post_id, actor, now, "reject", REJECTABLE, REJECTED, {}, reason, then=tombstone
        )

    def edit(self, post_id: int, actor: str, text: str, now: datetime) -> Post:
        """Keep the rendering, store the edited text; an approved post goes back to review."""
        with writing(self.engine) as session:
            post = self._load(session, post_id)
            channel_type = (
                self.channels[post.channel].type
                if post.channel in self.channels
                else post.rendered.get("channel_type", "facebook")
            )
            problem = self.renderer.check_text(channel_type, text)
            if problem:
                raise TransitionRefused(problem)
            self._check_state(post, "edit", EDITABLE)
            changes = {
                "edited_text": text,
                "edited_by": actor,
                "edited_at": now,
                "status": PENDING,
                "updated_at": now,
            }
            self._apply(session, post, changes, actor, now, "edit", "edited")
            return self._load(session, post_id)

    def _move(
        self,
        post_id: int,
        actor: str,
        now: datetime,
        action: str,
        allowed: set[str],
        to_status: str,
        extra: dict[str, object],
        reason: str | None = None,
        then: Callable[[Session, Post], None] | None = None,
    ) -> Post:
        with writing(self.engine) as session:
            post = self._load(session, post_id)
            self._check_state(post, action, allowed)
            changes = {"status": to_status, "updated_at": now, **extra}
            self._apply(session, post, changes, actor, now, action, reason)
            if then is not None:
                then(session, post)
            return self._load(session, post_id)

    def _apply(
        self,
        session: Session,
        post: Post,
        changes: dict[str, object],
        actor: str,
        now: datetime,
        action: str,
        reason: str | None,
    ) -> None:
        post_id, from_status = post.id or 0, post.status  # read before the update refreshes them
        if not post_store.compare_and_set(session, post_id, post.version, changes):
            raise Conflict(
                f"post {post_id} was changed by someone else; look at it again "
                f"(`syndicator queue show {post_id}`) and retry"
            )
        to_status = str(changes.get("status", from_status))
        post_store.record(session, post_id, now, actor, action, from_status, to_status, reason)
        log.info(
            "post.reviewed",
            post=post_id,
            action=action,
            actor=actor,
            from_status=from_status,
            status=to_status,
        )

    @staticmethod
    def _check_state(post: Post, action: str, allowed: set[str]) -> None:
        if post.status not in allowed:
            raise TransitionRefused(
                f"post {post.id} is {post.status}; cannot {action} it "
                f"(possible from: {', '.join(sorted(allowed))})"
            )

    @staticmethod
    def _load(session: Session, post_id: int) -> Post:
        post = post_store.get(session, post_id)
        if post is None:
            raise PostNotFound(f"no post {post_id}; `syndicator queue list` shows the ids")
        return post


def _tombstone_item(session: Session, item_id: int, reason: str, now: datetime) -> None:
    """A rejected article must not come back as a new item under another guid or URL."""
    item = session.get(Item, item_id)
    keys = [f"src:{key}" for key in post_store.source_keys(session, item_id)]
    if item is not None and item.url_key:
        keys.append(f"url:{item.url_key}")
    item_store.add_tombstones(session, keys, f"rejected: {reason}", now)
