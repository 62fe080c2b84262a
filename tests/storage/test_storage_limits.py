"""Real-length values fit every length-limited column, on both databases.

SQLite ignores VARCHAR lengths; PostgreSQL refuses a longer value and fails the whole batch, so
each test here runs on both (the `engine` fixture) with the lengths real portals produce.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, String, inspect
from sqlmodel import SQLModel, select

from storage import alerts as alert_store
from storage.models import (
    Alert,
    AuditEvent,
    ChannelPause,
    ChannelToken,
    FeedState,
    Item,
    ItemSource,
    Post,
)
from storage.session import reading, writing
from storage.states import PostStatus
from syndicator.config import Settings
from syndicator.ingest.harvest import store
from syndicator.ops import alerts
from syndicator.settings_models import AlertSettings, FeedSettings
from tests.helpers.docs import error_reasons
from tests.helpers.long_items import LONG_TITLE, POLLING, T0, harvest, liferay_link, long_article


def test_long_title_is_stored_and_joins_another_portal(engine: Engine) -> None:
    """A 102-character headline is stored, and the same headline from another portal the same
    day (another link) becomes a second source of that item."""
    assert len(liferay_link("sxd.thainguyen.gov.vn", 1)) > 300
    first = store(engine, harvest("sxd", [long_article("sxd.thainguyen.gov.vn", 1)]), POLLING, 0)
    copy = long_article("thainguyen.gov.vn", 9, published=T0 + timedelta(hours=3))
    second = store(engine, harvest("tinh", [copy]), POLLING, 0)
    assert (first.new, second.new, second.duplicates) == (1, 0, 1)
    with reading(engine) as session:
        (item,) = session.exec(select(Item)).all()
        feeds = session.exec(select(ItemSource.feed_id).order_by(ItemSource.feed_id)).all()
    assert item.title == LONG_TITLE and item.link == liferay_link("sxd.thainguyen.gov.vn", 1)
    assert feeds == ["sxd", "tinh"]


# Every length-limited column, and why whatever the code writes into it fits.
LIMITED_COLUMNS = {
    "feed_state.feed_id": 64,  # feeds[].id: a slug of at most 64 characters (settings)
    "feed_state.body_hash": 64,  # a sha256 hex digest
    "feed_state.last_status": 32,  # ok, not_modified, unchanged, error
    "feed_state.error_reason": 64,  # short reason codes (test_error_reasons_fit)
    "item.url_key": 64,  # dedup.digest: 40
    "item.title_key": 64,  # dedup.title_digest: 40
    "item.first_feed_id": 64,  # a feed id
    "item.search_text": 500,  # search_text.SEARCH_TEXT_MAX: stored_search_text cuts to it
    "item_source.feed_id": 64,  # a feed id
    "reach_metric_off.channel": 64,  # a channel name: a slug
    "reach_metric_off.metric": 32,  # one of the counters' names
    "reach_metric_off.reason": 500,  # cut by the collecting job
    "stored_feed.id": 64,  # a feed id: a slug (check_slug)
    "stored_feed.created_by": 64,  # a user's name (app_user.name)
    "item_source.category": 64,  # a category id: a slug of at most 64 (check_slug)
    "item_source.category_rules": 16,  # classify.rules_digest: 16 hex digits
    "item_source.source_key": 96,  # dedup.digest: 40
    "tombstone.key": 200,  # "src:" or "url:" and a 40-character digest
    "post.channel": 64,  # a channel name: a slug of at most 64 characters (settings)
    "post.feed_id": 64,  # a feed id
    "post.status": 32,  # PostStatus
    "audit_event.action": 32,  # the code's own verbs: create, approve, claim, retry, ...
    "audit_event.from_status": 32,  # PostStatus
    "audit_event.to_status": 32,  # PostStatus
    "post_step.step": 32,  # the connectors' step names: token, article_id, verify_tries, ...
    "channel_pause.channel": 64,  # a channel name
    "channel_token.channel": 64,  # a channel name
    "alert.key": 200,  # a kind, ":" and a channel name, feed id or post id
    "alert.kind": 32,  # alerts.CHANNEL_PAUSED, TOKEN_EXPIRING, FEED_BROKEN, NEEDS_ATTENTION
    "app_user.name": 64,  # user_rules.checked_name: at most 64 characters
    "app_user.name_key": 64,  # the name case-folded, checked to fit too
    "app_user.role": 16,  # Role: editor, approver, admin
    "setup_link.token_digest": 64,  # a sha256 hex digest
    "setup_link.purpose": 32,  # sign_in.FIRST_ADMIN
    "login_failure.name": 64,  # a typed name's key, cut to 64 (services.sign_in.authenticate)
    "login_failure.address": 64,  # an IP address (IPv6: 45), cut to 64
    "api_token.token_digest": 64,  # a sha256 hex digest
    "admin_event.actor": 64,  # a user's name (64), "shell" or "setup link"; cut to fit
    "admin_event.action": 32,  # the services' verbs: user_add, api_token_revoke, ...
    "admin_event.subject": 200,  # a user's name, a token's id, a channel name; cut to fit
    "admin_event.detail": 500,  # a role, a token's label (100); cut to fit
    "feed_error_day.feed_id": 64,  # a feed id
}
LONGEST_ID = "so-xay-dung-tinh-thai-nguyen-cong-thong-tin-dien-tu-tin-tuc-2026"  # 64 characters


def model_text_lengths() -> dict[str, int | None]:
    """Every text column of the models and its length (SQLModel's AutoString wraps String)."""
    lengths = {}
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            kind = getattr(column.type, "impl_instance", column.type)
            if isinstance(kind, String):
                lengths[f"{table.name}.{column.name}"] = kind.length
    return lengths


def test_every_length_limited_column_is_accounted_for() -> None:
    """A new length-limited column must be added above, with the reason its values fit."""
    limited = {name: length for name, length in model_text_lengths().items() if length}
    assert limited == LIMITED_COLUMNS


def test_postgres_column_lengths_are_the_models(postgres_engine: Engine) -> None:
    """The migrated PostgreSQL schema has exactly the models' lengths, unbounded ones included
    (Alembic's comparison does not report a model that dropped a limit without a migration)."""
    schema = inspect(postgres_engine)
    stored = {
        f"{table}.{column['name']}": getattr(column["type"], "length", None)
        for table in schema.get_table_names()
        for column in schema.get_columns(table)
    }
    wanted = model_text_lengths()
    assert {name: stored[name] for name in wanted} == wanted


def test_error_reasons_statuses_and_alert_kinds_fit() -> None:
    """Every feed error reason, post status and alert kind fits its column."""
    assert max(map(len, error_reasons())) <= LIMITED_COLUMNS["feed_state.error_reason"]
    assert max(map(len, PostStatus)) <= LIMITED_COLUMNS["post.status"]
    kinds = (alerts.CHANNEL_PAUSED, alerts.TOKEN_EXPIRING, alerts.FEED_BROKEN)
    assert max(map(len, (*kinds, alerts.NEEDS_ATTENTION))) <= LIMITED_COLUMNS["alert.kind"]


def test_feed_ids_and_channel_names_are_at_most_64_characters() -> None:
    """Settings accept a 64-character feed id or channel name and refuse a longer one, or one
    with a line break that a looser check would let through."""
    assert len(LONGEST_ID) == 64
    FeedSettings(id=LONGEST_ID, name="Sở Xây dựng", url="https://sxd.gov.vn/rss")
    Settings.model_validate({"channels": {LONGEST_ID: {"type": "sandbox"}}})
    for too_long in (LONGEST_ID + "x", LONGEST_ID + "\n"):
        with pytest.raises(ValidationError, match="slug"):
            FeedSettings(id=too_long, name="Sở Xây dựng", url="https://sxd.gov.vn/rss")
        with pytest.raises(ValidationError, match="slug"):
            Settings.model_validate({"channels": {too_long: {"type": "sandbox"}}})


def test_longest_names_fit_every_column_on_the_way(engine: Engine) -> None:
    """A 64-character feed id and channel name go through items, posts, pauses, tokens and
    alerts; an editor's long name and a worker id naming a long host are stored whole."""
    editor = "Nguyễn Thị Minh Khai, Phòng Thông tin - Báo chí, Sở Văn hóa, Thể thao và Du lịch " * 3
    host = "publisher-node-01.syndicator.so-thong-tin-truyen-thong.thainguyen.gov.vn.internal"
    worker = f"{host}:48213:9f2c1a7e"  # claims.worker_id: host, pid, random
    assert len(editor) > 128 and len(worker) > 64
    store(engine, harvest(LONGEST_ID, [long_article("sxd.thainguyen.gov.vn", 1)]), POLLING, 0)
    with writing(engine) as session:
        state = session.get(FeedState, LONGEST_ID)
        assert state is not None
        state.broken, state.last_error = True, "server answered 503"
        (item_id,) = session.exec(select(Item.id)).all()
        post = Post(
            item_id=item_id or 0,
            channel=LONGEST_ID,
            feed_id=LONGEST_ID,
            status=PostStatus.NEEDS_ATTENTION,
            claimed_by=worker,
            created_at=T0,
            updated_at=T0,
        )
        session.add(post)
        session.flush()
        session.add(
            AuditEvent(
                post_id=post.id or 0, at=T0, actor=editor, action="approve", to_status="approved"
            )
        )
        session.add(ChannelPause(channel=LONGEST_ID, until=None, reason="auth", since=T0))
        session.add(
            ChannelToken(
                channel=LONGEST_ID,
                access_token_enc="v1:" + "A" * 400,
                refresh_token_enc="v1:" + "B" * 400,
                expires_at=T0,
                updated_at=T0 - timedelta(days=89),
            )
        )
    with reading(engine) as session:
        found = alerts.conditions(alert_store.snapshot(session), AlertSettings(), T0)
    alerts.sync(engine, found, T0)
    with reading(engine) as session:
        keys = sorted(session.exec(select(Alert.key)).all())
        assert session.exec(select(AuditEvent.actor)).one() == editor
        assert session.exec(select(Post.claimed_by)).one() == worker
    kinds = (alerts.CHANNEL_PAUSED, alerts.TOKEN_EXPIRING, alerts.FEED_BROKEN)
    assert {f"{kind}:{LONGEST_ID}" for kind in kinds} <= set(keys)
    assert max(map(len, keys)) <= LIMITED_COLUMNS["alert.key"]
