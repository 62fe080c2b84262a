"""What editors and approvers do to posts: approve, reject, edit, render again.

Each action is one transaction that names the version it saw (compare-and-set) and writes its
audit event; two reviewers acting at once get one success and one clear conflict. An approval
is tied to the text the approver saw: to the version they name, or else it waits while someone
else's edit is fresh (RECENT_EDIT).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from storage import items as item_store
from storage import posts as post_store
from storage.models import Item, Post
from storage.session import writing
from storage.states import PostAction, PostStatus, check_move, sources
from syndicator.posts.campaign import campaign_tags
from syndicator.posts.maker import (
    Conflict,
    PostNotFound,
    TransitionRefused,
    publishable,
    refused_by_platform,
    render_post,
    stored_item,
)
from syndicator.posts.render import Rendered, Renderer
from syndicator.reach_settings import ReachSettings
from syndicator.settings_models import ChannelSettings, FeedSettings

log = structlog.get_logger("syndicator.posts.maker")

# What a reviewer may do from each state (the publisher's own moves live with the publisher).
# A failed post may be approved, edited or rendered again only when the platform refused it
# (its last move was the publisher's `refuse`): nothing was published, so sending it again makes
# no duplicate. One that failed after giving up on errors may be on the platform after all; it
# can only be rejected (`syndicator repost` makes a new post, once someone has looked).
# The states each action starts from come from the one table (storage/states.py).
APPROVABLE = sources(PostAction.APPROVE)
REJECTABLE = sources(PostAction.REJECT)
EDITABLE = sources(PostAction.EDIT)
ONLY_AFTER_REFUSAL = {PostAction.APPROVE, PostAction.EDIT, PostAction.RERENDER}
# Approving without naming the version seen is refused while another person's change to the
# text (an edit or a new rendering) is at most this old: the approver may not have seen it.
RECENT_EDIT = timedelta(minutes=10)
TEXT_CHANGES = (PostAction.EDIT, PostAction.RERENDER)


class ReviewQueue:
    """What editors and approvers do to posts. Each action is one transaction."""

    def __init__(
        self,
        engine: Engine,
        renderer: Renderer,
        channels: dict[str, ChannelSettings],
        feeds: Sequence[FeedSettings] = (),
        reach: ReachSettings | None = None,  # None: links go out untagged
    ) -> None:
        self.engine, self.renderer, self.channels = engine, renderer, channels
        self.feeds = {feed.id: feed for feed in feeds}
        self.reach = reach

    def approve(self, post_id: int, actor: str, now: datetime, version: int | None = None) -> Post:
        """Approve the post at `version` (what the approver saw); without it, refused while
        someone else's change is fresh. A post whose template failed needs a text first."""
        with writing(self.engine) as session:
            post = self._load(session, post_id)
            _check_seen(session, post, actor, now, version)
            _check_state(session, post, PostAction.APPROVE, APPROVABLE)
            if not publishable(post):
                raise TransitionRefused(_needs_text(post))
            changes = {"status": PostStatus.APPROVED, "approved_by": actor, "approved_at": now}
            changes |= _fresh_start(post)
            self._apply(session, post, changes, actor, now, PostAction.APPROVE, None)
            return self._load(session, post_id)

    def reject(self, post_id: int, actor: str, reason: str, now: datetime) -> Post:
        reason = reason.strip()
        if not reason:
            raise TransitionRefused("a rejection needs a reason (--reason TEXT)")
        with writing(self.engine) as session:
            post = self._load(session, post_id)
            _check_state(session, post, PostAction.REJECT, REJECTABLE)
            changes: dict[str, object] = {"status": PostStatus.REJECTED}
            self._apply(session, post, changes, actor, now, PostAction.REJECT, reason)
            _tombstone_item(session, post.item_id, reason, now)
            return self._load(session, post_id)

    def edit(self, post_id: int, actor: str, text: str, now: datetime) -> Post:
        """Keep the rendering, store the edited text; the post goes (back) to review."""
        with writing(self.engine) as session:
            post = self._load(session, post_id)
            problem = self.renderer.check_text(self._channel_type(post), text)
            if problem:
                raise TransitionRefused(problem)
            _check_state(session, post, PostAction.EDIT, EDITABLE)
            changes = {"edited_text": text, "edited_by": actor, "edited_at": now}
            changes |= {"status": PostStatus.PENDING_REVIEW, **_fresh_start(post)}
            self._apply(session, post, changes, actor, now, PostAction.EDIT, "edited")
            return self._load(session, post_id)

    def rerender(self, post_id: int, actor: str, now: datetime) -> Post:
        """Render the post again from its article with the templates as they are now (after a
        template was fixed); it waits for review with the new text. While the template still
        fails, nothing changes and the error says why."""
        with writing(self.engine) as session:
            post = self._load(session, post_id)
            _check_state(session, post, PostAction.RERENDER, sources(PostAction.RERENDER))
            rendered = self._render_again(session, post)
            if rendered.error:
                raise TransitionRefused(
                    f"Mẫu bài đăng vẫn lỗi: {rendered.error} "
                    f"(post {post_id}: the template still fails; nothing changed)"
                )
            changes: dict[str, object] = {
                "rendered": rendered.to_json(),
                "flags": _reflagged(post.flags, rendered),
                "status": PostStatus.PENDING_REVIEW,
            }
            changes |= _fresh_start(post)
            self._apply(session, post, changes, actor, now, PostAction.RERENDER, None)
            return self._load(session, post_id)

    def _render_again(self, session: Session, post: Post) -> Rendered:
        feed, item = self.feeds.get(post.feed_id), session.get(Item, post.item_id)
        if feed is None or item is None:
            raise TransitionRefused(
                f"Nguồn tin {post.feed_id} không còn trong cấu hình; hãy tự viết nội dung bằng "
                f"`syndicator queue edit {post.id}` (feed {post.feed_id} is no longer configured)"
            )
        channel_type = self._channel_type(post)
        settings = self.channels.get(post.channel)
        tags = campaign_tags(self.reach, feed, post.channel, channel_type, settings)
        return render_post(self.renderer, feed, stored_item(item), channel_type, tags)

    def _channel_type(self, post: Post) -> str:
        channel = self.channels.get(post.channel)
        # A channel removed from the settings: the type it was rendered for (always stored).
        return channel.type if channel else str(post.rendered["channel_type"])

    @staticmethod
    def _apply(
        session: Session,
        post: Post,
        changes: dict[str, object],
        actor: str,
        now: datetime,
        action: PostAction,
        reason: str | None,
    ) -> None:
        post_id, from_status = post.id or 0, post.status  # read before the update refreshes them
        move = check_move(from_status, action, str(changes["status"]))
        changes = changes | {"updated_at": now}
        if not post_store.compare_and_set(session, post_id, post.version, changes, move):
            raise Conflict(
                f"post {post_id} was changed by someone else; look at it again "
                f"(`syndicator queue show {post_id}`) and retry"
            )
        to_status = move.target
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
    def _load(session: Session, post_id: int) -> Post:
        post = post_store.get(session, post_id)
        if post is None:
            raise PostNotFound(f"no post {post_id}; `syndicator queue list` shows the ids")
        return post


def _check_state(
    session: Session, post: Post, action: PostAction, allowed: frozenset[PostStatus]
) -> None:
    if post.status not in allowed:
        raise TransitionRefused(
            f"post {post.id} is {post.status}; cannot {action} it "
            f"(possible from: {', '.join(sorted(allowed))})"
        )
    if post.status != PostStatus.FAILED or action not in ONLY_AFTER_REFUSAL:
        return
    if not refused_by_platform(post_store.trail(session, post.id or 0)):
        raise TransitionRefused(
            f"Bài {post.id} đăng không thành công sau nhiều lần thử và có thể đã lên nền tảng, "
            f"nên không gửi lại; hãy kiểm tra trang, rồi đăng lại bằng "
            f"`syndicator repost {post.item_id}` nếu cần (post {post.id} failed after errors, "
            f"not refused by the platform; it may be on the platform: cannot {action} it)"
        )


def _check_seen(
    session: Session, post: Post, actor: str, now: datetime, version: int | None
) -> None:
    """Refuse an approval of a text the approver may not have seen."""
    if version is not None:
        if version != post.version:
            raise Conflict(
                f"Bài {post.id} đã thay đổi từ khi bạn xem (phiên bản {version}, nay là "
                f"{post.version}); hãy xem lại: `syndicator queue show {post.id}` "
                f"(post {post.id} changed since version {version}; nothing was approved)"
            )
        return
    change = post_store.last_event(session, post.id or 0, TEXT_CHANGES)
    if change is not None and change.actor != actor and now - change.at <= RECENT_EDIT:
        minutes = int((now - change.at).total_seconds() // 60)
        raise Conflict(
            f"Bài {post.id} vừa được {change.actor} sửa {minutes} phút trước; hãy xem lại "
            f"(`syndicator queue show {post.id}`) rồi duyệt bằng "
            f"`syndicator queue approve {post.id} --version {post.version}` "
            f"(post {post.id} was changed by {change.actor} within "
            f"{RECENT_EDIT.seconds // 60} minutes; nothing was approved)"
        )


def _needs_text(post: Post) -> str:
    return (
        f"Mẫu bài đăng bị lỗi ({post.rendered.get('error')}), bài chưa có nội dung: sửa mẫu rồi "
        f"chạy `syndicator queue rerender {post.id}`, hoặc tự viết nội dung bằng "
        f"`syndicator queue edit {post.id}` (post {post.id} has no text: its template failed)"
    )


def _fresh_start(post: Post) -> dict[str, object]:
    """A refused post leaving `failed` starts again: no attempts, no error, no retry time."""
    if post.status != PostStatus.FAILED:
        return {}
    return {"attempts": 0, "last_error": None, "next_attempt_at": None}


def _reflagged(flags: list[str], rendered: Rendered) -> list[str]:
    """The post's review reasons after a new rendering: the template error gone, a missing
    cover noted (a failed rendering could not tell)."""
    kept = [flag for flag in flags if not flag.startswith("template_error")]
    if "no_image" in rendered.flags and "no_image" not in kept:
        kept.append("no_image")
    return kept


def _tombstone_item(session: Session, item_id: int, reason: str, now: datetime) -> None:
    """A rejected article must not come back as a new item under another guid or URL."""
    item = session.get(Item, item_id)
    keys = [f"src:{key}" for key in post_store.source_keys(session, item_id)]
    if item is not None and item.url_key:
        keys.append(f"url:{item.url_key}")
    item_store.add_tombstones(session, keys, f"rejected: {reason}", now)
