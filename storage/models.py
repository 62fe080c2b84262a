"""The tables. Every change here comes with a migration in storage/migrations/versions/."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, event, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _time(index: bool = False, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), index=index, nullable=nullable))


class FeedState(SQLModel, table=True):
    """What the poller remembers about one configured feed between polls."""

    __tablename__ = "feed_state"

    feed_id: str = Field(primary_key=True, max_length=64)
    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = Field(default=None, max_length=64)
    initialized: bool = False
    last_polled_at: datetime | None = _time()
    last_success_at: datetime | None = _time()
    last_error_at: datetime | None = _time()
    last_status: str | None = Field(default=None, max_length=32)
    last_error: str | None = None
    error_reason: str | None = Field(default=None, max_length=64)
    consecutive_failures: int = 0
    broken: bool = False
    next_poll_at: datetime | None = _time(index=True)
    newest_item_at: datetime | None = _time()


class Item(SQLModel, table=True):
    """One article, however many portals carry it."""

    __tablename__ = "item"
    __table_args__ = (Index("ix_item_title_key_published", "title_key", "published_at"),)

    id: int | None = Field(default=None, primary_key=True)
    canonical_url: str | None = None
    url_key: str | None = Field(default=None, max_length=64, index=True)
    link: str | None = None
    guid: str | None = None
    title: str
    title_key: str = Field(max_length=64)  # digest of the normalized title (dedup.title_digest)
    # The title as searched (storage/search_text.py); null only for rows of a hand-made insert.
    search_text: str | None = Field(default=None, max_length=500, index=True)
    summary: str = ""
    content_html: str = ""
    image: str | None = None
    author: str | None = None
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    published_at: datetime | None = _time(index=True)  # the report's period (storage/report.py)
    first_feed_id: str = Field(max_length=64, index=True)
    postable: bool = True
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class ItemSource(SQLModel, table=True):
    """One portal's copy of an item: the same article seen on several feeds has several sources."""

    __tablename__ = "item_source"
    __table_args__ = (
        UniqueConstraint("feed_id", "source_key", name="uq_item_source_feed_key"),
        Index("ix_item_source_category_rules", "category_rules", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    feed_id: str = Field(max_length=64)
    source_key: str = Field(max_length=96)
    guid: str | None = None
    link: str | None = None
    seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # The report's category for this copy ("" when no rule matched: the feed's own category
    # applies), and the digest of the rules that gave it (storage/categories.py).
    category: str | None = Field(default=None, max_length=64)
    category_rules: str | None = Field(default=None, max_length=16)


class Tombstone(SQLModel, table=True):
    """A key that must never become an item again (a removed or rejected article)."""

    __tablename__ = "tombstone"

    key: str = Field(primary_key=True, max_length=200)
    reason: str
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Post(SQLModel, table=True):
    """One item rendered for one channel, through review to publication (DESIGN.md, states)."""

    __tablename__ = "post"
    __table_args__ = (
        UniqueConstraint(
            "item_id", "channel", "generation", name="uq_post_item_channel_generation"
        ),
        Index("ix_post_channel_status", "channel", "status"),
        # The pacer's recent history per channel (published_since), read by every queue page.
        Index("ix_post_channel_published_at", "channel", "published_at"),
        # The published page's order (published_newest) without sorting every published post.
        Index("ix_post_status_published", "status", "published_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    channel: str = Field(max_length=64)
    feed_id: str = Field(max_length=64, index=True)
    generation: int = 0  # 0 for the first post; a repost takes the next
    repost_of: int | None = Field(default=None, foreign_key="post.id")
    status: str = Field(max_length=32, index=True)
    version: int = 0  # bumped by every transition (compare-and-set)
    priority: int = 0
    rendered: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    edited_text: str | None = None
    edited_by: str | None = None
    edited_at: datetime | None = _time()
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    approved_by: str | None = None
    approved_at: datetime | None = _time()
    next_attempt_at: datetime | None = _time(index=True)
    attempts: int = 0
    published_at: datetime | None = _time()
    remote_id: str | None = None
    remote_url: str | None = None
    last_error: str | None = None
    claimed_by: str | None = None  # the worker's id (it names a host: no length limit)
    claim_expires_at: datetime | None = _time()
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AuditEvent(SQLModel, table=True):
    """Who did what to a post, when and why. Never updated or deleted by the product."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    actor: str  # an editor's name as given (--by), or the system: no length limit
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str = Field(max_length=32)
    reason: str | None = None


class PostStep(SQLModel, table=True):
    """A finished step of a multi-step publish (Zalo: create token, article id), per post."""

    __tablename__ = "post_step"

    post_id: int = Field(foreign_key="post.id", primary_key=True)
    step: str = Field(primary_key=True, max_length=32)
    value: str
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ChannelPause(SQLModel, table=True):
    """A channel that must not publish until `until` (rate limit, auth problem, policy block)."""

    __tablename__ = "channel_pause"

    channel: str = Field(primary_key=True, max_length=64)
    until: datetime | None = _time()  # None: until a person fixes it (auth problems)
    reason: str
    since: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # Throttles in a row without a success between; kept after a timed pause ends (the row
    # stays, with `until` past) so the next pause grows, and reset by a success.
    strikes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ChannelToken(SQLModel, table=True):
    """A channel's rotating OAuth pair (Zalo), encrypted with a key derived from the master key."""

    __tablename__ = "channel_token"

    channel: str = Field(primary_key=True, max_length=64)
    access_token_enc: str
    refresh_token_enc: str
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


# Open alerts: the partial unique index's condition, on both databases (as migration 0004 has
# it). Its PostgreSQL form is attached when the tables are created on PostgreSQL (see
# _partial_index_on_postgresql): naming `postgresql_where` here would load SQLAlchemy's
# PostgreSQL dialect at every import, on SQLite too (0.02 s of every start).
OPEN_ALERT = "resolved_at IS NULL"
OPEN_KEY_INDEX = Index("uq_alert_open_key", "key", unique=True, sqlite_where=text(OPEN_ALERT))


class Alert(SQLModel, table=True):
    """A condition an operator must know about, open from when it is seen until it goes away.

    One open alert per key (a partial unique index); a condition that comes back later opens a
    new row. `notified_at` is set once every configured destination has accepted it.
    """

    __tablename__ = "alert"
    __table_args__ = (OPEN_KEY_INDEX,)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)  # "channel_paused:facebook", "needs_attention:123"
    kind: str = Field(max_length=32, index=True)
    subject: str
    detail: str = ""
    opened_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    resolved_at: datetime | None = _time()
    webhook_sent_at: datetime | None = _time()
    emailed_at: datetime | None = _time()
    notified_at: datetime | None = _time()


@event.listens_for(Alert.__table__, "before_create")  # type: ignore[attr-defined]
def _partial_index_on_postgresql(_table: Any, connection: Any, **_kw: Any) -> None:
    if connection.dialect.name == "postgresql":  # the dialect is loaded by now
        OPEN_KEY_INDEX.dialect_kwargs["postgresql_where"] = text(OPEN_ALERT)


class AppUser(SQLModel, table=True):
    """A person who signs in to the admin page (editor, approver or admin). Never deleted:
    the audit trail names them; a user who leaves is disabled."""

    __tablename__ = "app_user"
    __table_args__ = (
        Index("uq_app_user_name", "name", unique=True),
        Index("uq_app_user_name_key", "name_key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)  # as the admin wrote it (NFC): shown in the audit trail
    name_key: str = Field(max_length=64)  # the name case-folded: what a login is looked up by
    role: str = Field(max_length=16)  # storage.states.Role
    password_hash: str  # argon2 (the password itself is never stored)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    disabled_at: datetime | None = _time()
    last_login_at: datetime | None = _time()
    # Sessions (signed cookies) that began before this end: a new password ends the others.
    password_changed_at: datetime | None = _time()


class SetupLink(SQLModel, table=True):
    """A one-time link (the first admin's): only the token's SHA-256 digest is kept."""

    __tablename__ = "setup_link"
    __table_args__ = (Index("uq_setup_link_token_digest", "token_digest", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    token_digest: str = Field(max_length=64)  # sha256 hex
    purpose: str = Field(max_length=32)  # "first_admin"
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = _time()


class LoginFailure(SQLModel, table=True):
    """One refused login, for the rate limit every process shares (kept only for its window)."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_name_at", "name", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)  # the name key as typed, cut to 64 (no user has more)
    address: str = Field(max_length=64)  # the client's IP address (IPv6: at most 45)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class ApiToken(SQLModel, table=True):
    """A user's token for scripts using the JSON API: only its SHA-256 digest is kept."""

    __tablename__ = "api_token"
    __table_args__ = (Index("uq_api_token_token_digest", "token_digest", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    name: str  # what the token is for, as its owner wrote it
    token_digest: str = Field(max_length=64)  # sha256 hex
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_used_at: datetime | None = _time()
    revoked_at: datetime | None = _time()


class AdminEvent(SQLModel, table=True):
    """Who did what that is not about a post (users, API tokens, channels), when. Never updated
    or deleted by the product; never holds a password or a token."""

    __tablename__ = "admin_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor: str = Field(max_length=64)  # a user's name, or "shell", "setup link"
    action: str = Field(max_length=32)  # storage.admin_events' callers: user_add, ...
    subject: str = Field(max_length=200)  # the user, token or channel acted on
    detail: str | None = Field(default=None, max_length=500)


class FeedErrorDay(SQLModel, table=True):
    """Failed polls of one feed on one day (UTC), for the report's errors in a period: a count
    per day rather than a row per poll, since a broken portal fails a thousand times a week."""

    __tablename__ = "feed_error_day"

    # The day first: the report and the weekly prune both read a range of days.
    day: date = Field(primary_key=True)
    feed_id: str = Field(primary_key=True, max_length=64)
    failures: int = 0


class StoredFeed(SQLModel, table=True):
    """A portal an admin added on the web page (issue #13), beside the feeds of settings.toml:
    its `[[feeds]]` table as JSON (storage/stored_feeds.py)."""

    __tablename__ = "stored_feed"

    id: str = Field(primary_key=True, max_length=64)  # the feed id: a slug
    settings: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=64)  # the admin's user name
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class PostReach(SQLModel, table=True):
    """A published post's engagement counters as its platform gave them at one age after
    publishing (issue #14: reach.ages, "1h", "24h", "7d"). None is "the platform did not say"
    (no permission, no such metric on it), never 0."""

    __tablename__ = "post_reach"
    __table_args__ = (UniqueConstraint("post_id", "age_seconds", name="uq_post_reach_age"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    age_seconds: int  # the age it was collected for (reach.ages), in seconds
    collected_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    impressions: int | None = None  # Facebook's post views (Meta replaced impressions by views)
    clicks: int | None = None
    views: int | None = None  # Zalo's article views


class ReachMetricOff(SQLModel, table=True):
    """A metric a channel cannot give (a missing permission, a metric the platform dropped):
    not asked again until `until`, so a missing permission is one alert, not one error a post."""

    __tablename__ = "reach_metric_off"

    channel: str = Field(primary_key=True, max_length=64)
    metric: str = Field(primary_key=True, max_length=32)
    reason: str = Field(max_length=500)
    since: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    until: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
