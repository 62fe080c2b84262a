"""Alerts through the service: newest first, open only on request, closed by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from storage.models import Alert
from storage.session import writing
from syndicator.app import App
from syndicator.services.alerts import AlertNotFound, list_alerts, resolve
from tests.helpers.posts import NOW


def add_alerts(engine: Engine) -> None:
    with writing(engine) as session:
        session.add(
            Alert(
                key="feed_broken:xa-tan-lap",
                kind="feed_broken",
                subject="Nguồn tin Xã Tân Lập bị lỗi",
                detail="12 lần lỗi liên tiếp: http_404",
                opened_at=NOW - timedelta(days=1),
                resolved_at=NOW - timedelta(hours=2),
            )
        )
        session.add(
            Alert(
                key="channel_paused:facebook",
                kind="channel_paused",
                subject="Kênh facebook tạm dừng",
                detail="Page token expired: set SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN",
                opened_at=NOW,
            )
        )


def test_list_and_resolve(engine: Engine, app: App) -> None:
    """Newest first; --open leaves out resolved ones; resolving stamps the clock's time once."""
    assert list_alerts(app) == []
    add_alerts(engine)
    newest, older = list_alerts(app)
    assert newest.kind == "channel_paused" and newest.open and not older.open
    assert [a.key for a in list_alerts(app, open_only=True)] == ["channel_paused:facebook"]
    closed = resolve(app, newest.id)
    assert closed.resolved_at == app.clock.now()
    assert resolve(app, older.id).resolved_at == NOW - timedelta(hours=2)  # already closed
    assert list_alerts(app, open_only=True) == []
    with pytest.raises(AlertNotFound):
        resolve(app, 424242)
