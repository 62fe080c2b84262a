"""The weekly maintenance prunes failed-poll counts older than about 400 days, and keeps the
day at the edge and every later one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from storage import feeds as feed_store
from storage.models import FeedErrorDay
from storage.session import reading, writing
from syndicator.app import build_app
from syndicator.ops.daemon import ERROR_DAYS_KEPT, maintain
from tests.helpers.clock import FakeClock

NOW = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)


def test_maintenance_prunes_failed_poll_days_past_400(tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "s.db"}"\n', encoding="utf-8")
    app = build_app(config, FakeClock(NOW))
    edge = (NOW - ERROR_DAYS_KEPT).date()
    days = [edge - timedelta(days=1), edge, NOW.date() - timedelta(days=1)]
    with writing(app.migrated_engine()) as session:
        for day in days:
            feed_store.count_failed_poll(session, "xa-tinh-phong", day)
    maintain(app)
    with reading(app.engine) as session:
        kept = sorted(session.execute(select(FeedErrorDay.day)).scalars())
    assert timedelta(days=400) == ERROR_DAYS_KEPT
    assert kept == days[1:]
    app.close()
