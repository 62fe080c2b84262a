"""Logging: one canonical line per feed poll, JSON off a terminal, secrets never printed."""

from __future__ import annotations

import io
import json

import structlog
from sqlalchemy import Engine

from syndicator.ops.logs import configure_logging
from syndicator.settings_models import FeedSettings, LoggingSettings
from tests.helpers.httpserver import LocalServer, Reply, static
from tests.helpers.paths import FIXTURES
from tests.helpers.polling import make_poller

FIXTURE = FIXTURES / "feeds" / "nukeviet.xml"


def test_one_line_per_feed_poll(sqlite_engine: Engine) -> None:
    """Each feed poll logs feed.polled with its status, duration, new and seen counts, and reason."""
    with LocalServer() as server:
        server.route("/ok.rss", static(FIXTURE.read_bytes()))
        server.route("/bad.rss", Reply(b"", status=500))
        feeds = [
            FeedSettings(id="ok", name="ok", url=server.url("/ok.rss")),
            FeedSettings(id="bad", name="bad", url=server.url("/bad.rss")),
        ]
        with structlog.testing.capture_logs() as logs:
            make_poller(sqlite_engine).poll(feeds)
    lines = {line["feed"]: line for line in logs if line["event"] == "feed.polled"}
    assert set(lines) == {"ok", "bad"}
    assert lines["ok"]["status"] == "ok" and lines["ok"]["new"] > 0 and "duration" in lines["ok"]
    assert lines["bad"]["status"] == "error" and lines["bad"]["reason"] == "http_500"


def test_json_off_a_terminal_and_secrets_redacted() -> None:
    """Off a terminal the log is JSON Lines; a field named like a secret is redacted."""
    stream = io.StringIO()
    configure_logging(LoggingSettings(), stream)
    structlog.get_logger().info("token.checked", page_token="EAAB-secret", status="ok")
    record = json.loads(stream.getvalue())
    assert record["event"] == "token.checked" and record["status"] == "ok"
    assert record["page_token"] == "[redacted]"
    assert "EAAB-secret" not in stream.getvalue()


def test_level_filters() -> None:
    """logging.level = warning drops info lines."""
    stream = io.StringIO()
    configure_logging(LoggingSettings(level="warning"), stream)
    structlog.get_logger().info("feed.polled")
    structlog.get_logger().warning("feed.broken")
    assert [json.loads(line)["event"] for line in stream.getvalue().splitlines()] == ["feed.broken"]
