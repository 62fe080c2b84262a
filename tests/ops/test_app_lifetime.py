"""What lives as long as the daemon (issue #8, item 11): one set of connectors and one
publisher per App, and the schema checked once at start, not at every tick."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage import migrate
from syndicator.app import build_app
from syndicator.ops import daemon
from tests.helpers.clock import FakeClock
from tests.helpers.fake_graph import FakeGraph
from tests.helpers.posts import feed, make_posts, parsed
from tests.helpers.publishing import post

NOW = datetime(2026, 11, 1, 3, 30, tzinfo=UTC)
SANDBOX = '[channels.sandbox]\nfolder = "var/outbox"\n'


def write_settings(tmp_path: Path, channel: str, name: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(
        # the fake Graph API listens on loopback, which the HTTP session refuses by default
        '[polling]\nallow_networks = ["127.0.0.0/8"]\n'
        f'[web]\nenabled = false\n{channel}\n[pacing.{name}]\nquiet_hours = ""\n'
        'min_spacing = "0s"\n',
        encoding="utf-8",
    )
    return path


def test_a_connectors_self_pause_lasts_across_ticks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Graph's usage header asks for 20 minutes of quiet after a post: at the next tick the
    same connector still keeps quiet, so the next post waits without a request."""
    clock = FakeClock(NOW)
    with FakeGraph(clock=clock.now) as graph:
        monkeypatch.setenv("SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN", graph.token)
        channel = (
            f'[channels.facebook]\npage_id = "{graph.page_id}"\ngraph_url = "{graph.url}"\n'
            f'api_version = "{graph.version}"\n'
        )
        app = build_app(write_settings(tmp_path, channel, "facebook"), clock)
        engine: Engine = app.migrated_engine()
        make_posts(engine, feed(review="auto"), parsed(n=1))
        usage = [{"type": "pages", "call_count": 50, "estimated_time_to_regain_access": 20}]
        graph.usage_headers["X-Business-Use-Case-Usage"] = json.dumps({graph.page_id: usage})
        assert daemon.publish_due(app) == 1 and len(graph.posts) == 1
        (second,) = make_posts(
            engine, feed(review="auto"), parsed("Hội nghị tổng kết công tác năm 2026", n=2)
        )
        clock.advance(minutes=1)
        daemon.publish_due(app)
        assert len(graph.posts) == 1 and post(engine, second).status == "approved"
        clock.advance(minutes=20)
        daemon.publish_due(app)
        assert len(graph.posts) == 2 and post(engine, second).status == "published"
    app.close()


def test_connectors_and_publisher_are_built_once(tmp_path: Path) -> None:
    """Every tick gets the same connectors and the same publisher (one worker id)."""
    app = build_app(write_settings(tmp_path, SANDBOX, "sandbox"))
    (first, _), (again, _) = app.connectors(), app.connectors()
    assert first["sandbox"] is again["sandbox"]
    assert app.publisher() is app.publisher()
    assert app.publisher().connectors["sandbox"] is first["sandbox"]
    app.close()


def test_migrations_are_checked_once_across_ticks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Poll, publish and alert ticks ask for the database many times; the schema is checked
    once."""
    real, checks = migrate.upgrade, []

    def counted(engine: Engine) -> tuple[str | None, str]:
        checks.append(engine)
        return real(engine)

    monkeypatch.setattr(migrate, "upgrade", counted)
    app = build_app(write_settings(tmp_path, SANDBOX, "sandbox"), FakeClock(NOW))
    for _ in range(3):
        daemon.poll_due(app)
        daemon.publish_due(app)
        daemon.raise_alerts(app)
    assert len(checks) == 1
    app.close()
