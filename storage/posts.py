"""Post and audit queries. Transitions are compare-and-set: they name the version they saw."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import tuple_, update
from sqlmodel import Session, col, select

from storage.flags import flagged_clause
from storage.models import AuditEvent, Item, ItemSource, Post
from storage.search_text import like_pattern
from storage.states import IllegalTransition, Move, PostStatus, allowed


def insert_post(session: Session, values: dict[str, Any]) -> int:
    PostStatus(values["status"])  # ValueError for a status the product does not know
    post = Post(**values)
    session.add(post)
    session.flush()
    if post.id is None:
        raise RuntimeError("the database gave the new post no id")
    return post.id


def record(
    session: Session,
    post_id: int,
    at: datetime,
    actor: str,
    action: str,
    from_status: str | None,
    to_status: str,
    reason: str | None = None,
) -> None:
    """Write one audit event (in the caller's transaction, beside the change it describes)."""
    session.add(
        AuditEvent(
            post_id=post_id,
            at=at,
            actor=actor,
            action=action,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
        )
    )


def compare_and_set(
    session: Session,
    post_id: int,
    version: int,
    changes: dict[str, Any],
    move: Move | None = None,
) -> bool:
    """Apply `changes` only if the post is still at `version` (and, for a `move`, still in its
    source status); bumps the version. True if applied. A change of status names its move, and
    a move the table (storage/states.py) does not allow raises IllegalTransition first."""
    where = [col(Post.id) == post_id, col(Post.version) == version]
    if move is not None:
        changes = changes | {"status": moved(move, changes)}
        where.append(col(Post.status) == move.source)
    elif "status" in changes:
        raise IllegalTransition(f"post {post_id}: a change of status must name its move")
    query = update(Post).where(*where).values(**changes, version=version + 1)
    changed: int = session.execute(query).rowcount  # type: ignore[attr-defined]
    return changed == 1


def moved(move: Move, changes: dict[str, Any]) -> PostStatus:
    """The move's target, once the table allows the move and `changes` agree with it."""
    if not allowed(move):
        raise IllegalTransition(f"a post may not move {move.source} -{move.action}-> {move.target}")
    if changes.get("status", move.target) != move.target:
        raise IllegalTransition(
            f"{move.action} moves a post to {move.target}, not {changes['status']}"
        )
    return move.target


def get(session: Session, post_id: int) -> Post | None:
    return session.get(Post, post_id, populate_existing=True)


def with_items(session: Session, post_ids: Collection[int]) -> list[tuple[Post, Item]]:
    query = (
        select(Post, Item)
        .join(Item, col(Item.id) == col(Post.item_id))
        .where(col(Post.id).in_(list(post_ids)))
    )
    return [(post, item) for post, item in session.exec(query)]


def listing(
    session: Session,
    *,
    status: str | None = None,
    feed: str | None = None,
    channel: str | None = None,
    limit: int = 500,
    before_id: int | None = None,
    flagged: bool = False,
    search: str | None = None,
) -> list[tuple[Post, Item]]:
    """Posts with their items, newest first, filtered as asked; with `before_id`, the page
    after that post (keyset pagination: as fast on the last page as on the first); with
    `search`, those whose title contains the words, in any case, with or without accents."""
    query = _filtered(select(Post.id), status, feed, channel, before_id, _flagged(session, flagged))
    if search:
        query = query.where(col(Post.item_id).in_(_items_titled(search)))
    # The page's ids first, then their rows: sorting the matches of a search by id must not
    # carry every matching row's texts (80 ms against 10 ms on 100,000 posts, SQLite).
    page = query.order_by(col(Post.id).desc()).limit(limit).scalar_subquery()
    rows = select(Post, Item).join(Item, col(Item.id) == col(Post.item_id))
    rows = rows.where(col(Post.id).in_(page)).order_by(col(Post.id).desc())
    return [(post, item) for post, item in session.exec(rows)]


def _items_titled(words: str) -> Any:
    """The ids of items whose title contains `words` (any case, with or without accents). A
    subquery: the database scans the small search_text index once, instead of reading each
    post's item row (a search matching nothing read them all: 255 ms against 8 ms on SQLite,
    100,000 posts)."""
    pattern = like_pattern(words)
    return select(Item.id).where(col(Item.search_text).like(pattern, escape="\\"))


def _filtered(
    query: Any,
    status: str | None,
    feed: str | None,
    channel: str | None,
    before_id: int | None,
    flagged: Any,
) -> Any:
    if before_id is not None:
        query = query.where(col(Post.id) < before_id)
    if status:
        query = query.where(col(Post.status) == status)
    if feed:
        query = query.where(col(Post.feed_id) == feed)
    if channel:
        query = query.where(col(Post.channel) == channel)
    if flagged is not None:
        query = query.where(flagged)
    return query


def _flagged(session: Session, wanted: bool) -> Any:
    """The `flagged` filter (storage/flags.py) in this session's database's SQL, if wanted."""
    return flagged_clause(session.get_bind().dialect.name) if wanted else None


def published_newest(
    session: Session, limit: int, before_id: int | None = None
) -> list[tuple[Post, Item]]:
    """Published posts with their items, the latest published first; with `before_id`, those
    that come after that post in this order (the next page: a keyset, so a deep page costs
    what the first does, and a post published meanwhile does not shift the pages)."""
    query = (
        select(Post, Item)
        .join(Item, col(Item.id) == col(Post.item_id))
        .where(col(Post.status) == PostStatus.PUBLISHED)
        .order_by(col(Post.published_at).desc(), col(Post.id).desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(_published_after(session, before_id))
    return [(post, item) for post, item in session.exec(query)]


def _published_after(session: Session, post_id: int) -> Any:
    """Rows after the post `post_id` in newest-published-first order (ties broken by id)."""
    moment = session.exec(select(Post.published_at).where(col(Post.id) == post_id)).first()
    if moment is None:  # no such published post (a hand-edited link): by id alone
        return col(Post.id) < post_id
    # A row comparison, which both databases match against the (status, published_at, id)
    # index; the same test written with OR made PostgreSQL filter instead of seek.
    return tuple_(col(Post.published_at), col(Post.id)) < tuple_(moment, post_id)


def last_error_on(session: Session, channel: str) -> tuple[str, datetime] | None:
    """The newest error a post on the channel recorded, with when."""
    query = (
        select(Post.last_error, Post.updated_at)
        .where(col(Post.channel) == channel, col(Post.last_error).is_not(None))
        .order_by(col(Post.updated_at).desc())
        .limit(1)
    )
    found = session.exec(query).first()
    return (found[0] or "", found[1]) if found else None


def trail(session: Session, post_id: int) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(col(AuditEvent.post_id) == post_id)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return list(session.exec(query))


def last_event(session: Session, post_id: int, actions: Collection[str]) -> AuditEvent | None:
    """The post's newest audit event among `actions`."""
    query = (
        select(AuditEvent)
        .where(col(AuditEvent.post_id) == post_id, col(AuditEvent.action).in_(list(actions)))
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


def in_status(session: Session, status: str) -> list[Post]:
    """Every post in `status`, oldest first."""
    return list(session.exec(select(Post).where(col(Post.status) == status).order_by(col(Post.id))))


def approved_on(session: Session, channel: str) -> list[tuple[Post, str]]:
    """Approved posts of a channel with their item's title."""
    query = (
        select(Post, Item.title)
        .join(Item, col(Item.id) == col(Post.item_id))
        .where(col(Post.channel) == channel, col(Post.status) == PostStatus.APPROVED)
    )
    return [(post, title) for post, title in session.exec(query)]


def published_since(session: Session, channel: str, since: datetime) -> list[datetime]:
    query = select(Post.published_at).where(
        col(Post.channel) == channel, col(Post.published_at) >= since
    )
    return [moment for moment in session.exec(query) if moment is not None]


def source_keys(session: Session, item_id: int) -> list[str]:
    query = select(ItemSource.source_key).where(col(ItemSource.item_id) == item_id)
    return list(session.exec(query))


def latest_for(session: Session, item_id: int, channel: str) -> Post | None:
    """The newest post (highest generation) of an item on a channel."""
    query = (
        select(Post)
        .where(col(Post.item_id) == item_id, col(Post.channel) == channel)
        .order_by(col(Post.generation).desc())
        .limit(1)
    )
    return session.exec(query).first()


def item_by(session: Session, item_id: int | None, url_key: str | None) -> Item | None:
    if item_id is not None:
        return session.get(Item, item_id)
    return session.exec(select(Item).where(col(Item.url_key) == url_key).limit(1)).first()


def channels_of(session: Session, item_id: int) -> list[str]:
    query = select(Post.channel).where(col(Post.item_id) == item_id).distinct()
    return sorted(session.exec(query))
