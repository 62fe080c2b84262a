"""The review queue: the rows a reviewer scans, one post in full, and what reviewers do."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from storage import posts as post_store
from storage.flags import flags_to_check, standing_flags
from storage.models import AuditEvent, Item, Post
from storage.search_text import search_text
from storage.session import reading
from syndicator.errors import SyndicatorError
from syndicator.posts.maker import FAILED, refused_by_platform

# The states a front end shows and filters by, and what it catches for an unknown id.
from syndicator.posts.maker import PENDING as PENDING
from syndicator.posts.maker import STATUSES as STATUSES
from syndicator.posts.maker import PostNotFound as PostNotFound
from syndicator.posts.review import describe
from syndicator.posts.slots import next_slots
from syndicator.services.names import require_known
from syndicator.services.posts import Preview, current_text, preview
from syndicator.services.schemas import documented

if TYPE_CHECKING:
    from syndicator.app import App


@documented
@dataclass(frozen=True)
class QueueRow:
    """One post in the queue listing."""

    id: int
    item_id: int
    channel: str
    status: str
    feed: str
    title: str
    url: str | None
    flags: tuple[str, ...]
    """As stored: every reason the post was held for review."""
    reasons: tuple[str, ...]
    """The reasons that still hold: none once the post no longer waits for review."""
    next_slot: datetime | None
    """Approved posts: when the pacer will send it."""
    version: int = 0
    """What an approval from the listing names: the version listed."""
    to_check: tuple[str, ...] = ()
    """The standing reasons besides the feed's `review = "required"`: the post is flagged
    (the `flagged` filter lists it) exactly when there is one."""


@documented
@dataclass(frozen=True)
class Reason:
    """Why a post waits for review."""

    code: str
    """The reason's code: `watch_word`, `template_error`..."""
    text: str
    """The Vietnamese sentence editors read."""


@documented
@dataclass(frozen=True)
class HistoryLine:
    """One event of the post's audit trail: who did what, when, and why."""

    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str
    reason: str | None


@documented
@dataclass(frozen=True)
class Failure:
    """Why a failed post failed."""

    refused: bool
    """The platform refused the post: nothing was published."""
    error: str | None


@dataclass(frozen=True)
class ChannelPreview:
    """The same item's newest post on another channel, shown beside the post under review."""

    post_id: int
    channel: str
    status: str
    preview: Preview


@dataclass(frozen=True)
class PostDetail:
    """One post in full: its article, how it will appear, why it waits, and its history."""

    id: int
    item_id: int
    channel: str
    status: str
    version: int
    feed: str
    title: str
    source_url: str | None
    preview: Preview
    reasons: tuple[Reason, ...]
    failure: Failure | None
    history: tuple[HistoryLine, ...]
    next_slot: datetime | None
    other_channels: tuple[ChannelPreview, ...] = ()


@dataclass(frozen=True)
class ActionResult:
    """One post's outcome of an action on several posts: done, or the error why not."""

    post_id: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def standing_reasons(post: Post) -> tuple[str, ...]:
    """The review reasons that still hold. Only a post waiting for review waits for a reason;
    once approved, rejected or published they are history (kept in the post's flags). A
    template error no longer holds once an editor wrote the text. The rule is written beside
    the SQL of the `flagged` filter (storage/flags.py), so the two agree."""
    return tuple(standing_flags(post))


def list_posts(
    app: App,
    status: str | None = None,
    feed: str | None = None,
    channel: str | None = None,
    limit: int = 500,
    before_id: int | None = None,
    flagged: bool = False,
    search: str | None = None,
) -> list[QueueRow]:
    """Posts, newest first, filtered as asked, at most `limit`, with ids below `before_id` when
    given (the next page). `flagged`: waiting for review with a reason to check besides the
    feed's `review = "required"` that still holds (a watch word, a short body...; the rows
    whose `to_check` is not empty); `search`: words the
    title contains, in any case and with or without accents. A feed or channel the settings
    do not know is UnknownName, unless posts for it remain from before it was removed."""
    engine = app.migrated_engine()
    filters: dict[str, Any] = {
        "status": status,
        "feed": feed,
        "channel": channel,
        "flagged": flagged,
        "search": search if search and search_text(search) else None,
    }
    with reading(engine) as session:
        rows = post_store.listing(session, **filters, limit=limit, before_id=before_id)
    if not rows:
        require_known("feed", feed, (f.id for f in app.feeds()))
        require_known("channel", channel, app.settings.channels)
    slots = next_slots(engine, app.settings, app.clock.now()) if rows else {}
    return [_row(post, item, slots.get(post.id or 0)) for post, item in rows]


def _row(post: Post, item: Item, slot: datetime | None) -> QueueRow:
    return QueueRow(
        id=post.id or 0,
        item_id=post.item_id,
        channel=post.channel,
        status=post.status,
        feed=post.feed_id,
        title=item.title,
        url=item.link,
        flags=tuple(post.flags),
        reasons=standing_reasons(post),
        next_slot=slot,
        version=post.version,
        to_check=tuple(flags_to_check(post)),
    )


def show_post(app: App, post_id: int) -> PostDetail:
    """The post as it will appear, why it waits, its history and next slot (PostNotFound)."""
    engine = app.migrated_engine()
    with reading(engine) as session:
        found = post_store.with_items(session, [post_id])
        if not found:
            raise PostNotFound(f"no post {post_id}; `syndicator queue list` shows the ids")
        post, item = found[0]
        events = post_store.trail(session, post_id)
        others = _other_channels(session, post)
    slot = next_slots(engine, app.settings, app.clock.now()).get(post_id)
    return PostDetail(
        id=post_id,
        item_id=post.item_id,
        channel=post.channel,
        status=post.status,
        version=post.version,
        feed=post.feed_id,
        title=item.title,
        source_url=item.link,
        preview=preview(post),
        reasons=tuple(Reason(f.partition(":")[0], describe(f)) for f in standing_reasons(post)),
        failure=Failure(refused_by_platform(events), post.last_error)
        if post.status == FAILED
        else None,
        history=tuple(_history(event) for event in events),
        next_slot=slot,
        other_channels=others,
    )


def _other_channels(session: Session, post: Post) -> tuple[ChannelPreview, ...]:
    """The item's newest post on each other channel, for a side-by-side preview."""
    channels = [c for c in post_store.channels_of(session, post.item_id) if c != post.channel]
    latest = [post_store.latest_for(session, post.item_id, channel) for channel in channels]
    return tuple(
        ChannelPreview(other.id or 0, other.channel, other.status, preview(other))
        for other in latest
        if other is not None
    )


def _history(event: AuditEvent) -> HistoryLine:
    return HistoryLine(
        event.at, event.actor, event.action, event.from_status, event.to_status, event.reason
    )


def text_to_edit(app: App, post_id: int) -> str:
    """The text an editor starts from (PostNotFound)."""
    with reading(app.migrated_engine()) as session:
        post = post_store.get(session, post_id)
    if post is None:
        raise PostNotFound(f"no post {post_id}; `syndicator queue list` shows the ids")
    return current_text(post)


def approve(
    app: App, post_ids: Sequence[int], actor: str, version: int | None = None
) -> list[ActionResult]:
    """Approve each post, at `version` when given (the version the approver saw)."""
    queue = app.review_queue()
    return _each(post_ids, lambda pid: queue.approve(pid, actor, app.clock.now(), version))


def approve_seen(app: App, seen: Mapping[int, int], actor: str) -> list[ActionResult]:
    """Approve each post at the version the approver saw it ({post id: version}), as a
    listing's bulk approval does; a post changed since is refused, the others go on."""
    queue = app.review_queue()
    return _each(list(seen), lambda pid: queue.approve(pid, actor, app.clock.now(), seen[pid]))


def reject(app: App, post_ids: Sequence[int], actor: str, reason: str) -> list[ActionResult]:
    queue = app.review_queue()
    return _each(post_ids, lambda pid: queue.reject(pid, actor, reason, app.clock.now()))


def edit(app: App, post_id: int, actor: str, text: str) -> None:
    """Store an editor's text; the post waits for approval again (SyndicatorError if refused)."""
    app.review_queue().edit(post_id, actor, text, app.clock.now())


def rerender(app: App, post_ids: Sequence[int], actor: str) -> list[ActionResult]:
    queue = app.review_queue()
    return _each(post_ids, lambda pid: queue.rerender(pid, actor, app.clock.now()))


def template_failures(app: App) -> list[int]:
    """The waiting posts whose template failed, oldest first."""
    with reading(app.migrated_engine()) as session:
        waiting = post_store.in_status(session, PENDING)
    return [post.id or 0 for post in waiting if post.rendered.get("error")]


def _each(post_ids: Sequence[int], action: Callable[[int], object]) -> list[ActionResult]:
    """Apply to every id; one post's refusal does not stop the others."""
    results = []
    for post_id in post_ids:
        try:
            action(post_id)
            results.append(ActionResult(post_id))
        except SyndicatorError as error:
            results.append(ActionResult(post_id, str(error)))
    return results
