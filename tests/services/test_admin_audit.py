"""The audit trail of actions not about a post: each user, API token and channel action writes
one admin_event row with who did it, in its own transaction; a refused action writes none, and
no row holds a password or a token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from storage import publishing as publish_store
from storage.session import writing
from syndicator.app import App
from syndicator.services import api_tokens, audit, channels, credentials, sign_in, users
from syndicator.services.audit import AdminEventRow
from syndicator.services.users import UserError

PASSWORD = "mật khẩu đủ dài 2026"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # tests need no real cost


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(credentials, "HASHER", CHEAP)


def events(app: App) -> list[tuple[str, str, str]]:
    """(actor, action, subject) of every admin event, oldest first."""
    rows = reversed(audit.recent_admin_events(app))
    return [(row.actor, row.action, row.subject) for row in rows]


def only_new(app: App, before: int) -> tuple[str, str, str]:
    (event,) = events(app)[before:]
    return event


def test_each_user_action_writes_one_event_naming_the_admin(app: App) -> None:
    sign_in_token = sign_in.first_admin_link(app)
    assert sign_in_token is not None
    sign_in.create_first_admin(app, sign_in_token, "Quản trị", PASSWORD)
    assert events(app) == [("Quản trị", "first_admin", "Quản trị")]
    users.add_user(app, "Nguyễn Thị An", "editor", PASSWORD, by="Quản trị")
    assert only_new(app, 1) == ("Quản trị", "user_add", "Nguyễn Thị An")
    users.set_role(app, "nguyễn thị an", "approver", by="Quản trị")
    assert only_new(app, 2) == ("Quản trị", "user_role", "Nguyễn Thị An")
    users.disable_user(app, "Nguyễn Thị An", by="Quản trị")
    assert only_new(app, 3) == ("Quản trị", "user_disable", "Nguyễn Thị An")
    newest = audit.recent_admin_events(app, limit=1)
    assert [row.detail for row in newest] == [None] and isinstance(newest[0], AdminEventRow)


def test_api_token_create_and_revoke_write_one_event_each_without_the_token(app: App) -> None:
    users.add_user(app, "an", "editor", PASSWORD, by="root")
    token = api_tokens.create_api_token(app, "an", "sao lưu", by="root")
    assert only_new(app, 1) == ("root", "api_token_create", "an")
    (row,) = api_tokens.list_api_tokens(app, "an")
    api_tokens.revoke_api_token(app, row.id, by="root")
    assert only_new(app, 2) == ("root", "api_token_revoke", "an")
    text = repr(audit.recent_admin_events(app))
    assert token not in text and token[len(api_tokens.TOKEN_PREFIX) :] not in text
    assert PASSWORD not in text


def test_resume_channel_writes_one_event(app: App) -> None:
    now = app.clock.now()
    with writing(app.migrated_engine()) as session:
        publish_store.set_pause(session, "facebook", now + timedelta(hours=2), "rate", now)
    channels.resume_channel(app, "facebook", by="Quản trị")
    assert events(app) == [("Quản trị", "channel_resume", "facebook")]


def test_refused_actions_write_no_event(app: App) -> None:
    users.add_user(app, "admin", "admin", PASSWORD, by="shell")
    with pytest.raises(UserError):
        users.disable_user(app, "admin", by="admin")
    with pytest.raises(UserError):
        users.set_role(app, "admin", "editor", by="admin")
    with pytest.raises(UserError):
        users.add_user(app, "ADMIN", "editor", PASSWORD, by="admin")
    with pytest.raises(UserError):
        api_tokens.revoke_api_token(app, 999, by="admin")
    with pytest.raises(channels.ChannelNotPaused):
        channels.resume_channel(app, "facebook", by="admin")
    assert events(app) == [("shell", "user_add", "admin")]


def test_newest_first_with_a_limit(app: App) -> None:
    for name in ("a1", "a2", "a3"):
        users.add_user(app, name, "editor", PASSWORD, by="shell")
    assert [row.subject for row in audit.recent_admin_events(app, limit=2)] == ["a3", "a2"]
