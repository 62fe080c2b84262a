"""The daemon: its jobs and intervals, one full cycle for cron, one daemon per SQLite file,
and a clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from apscheduler.triggers.cron import CronTrigger
from click.testing import CliRunner

from syndicator.app import build_app
from syndicator.cli.commands import cli
from syndicator.ops.daemon import AlreadyRunning, build_scheduler, single_daemon
from tests.helpers.httpserver import LocalServer, Reply, unused_port
from tests.helpers.paths import ROOT
from tests.helpers.portal import rss

ROOT = ROOT


def settings(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(
        '[polling]\nparse_processes = 0\nbackfill = 5\nallow_networks = ["127.0.0.0/8"]\n'
        '[channels.sandbox]\nfolder = "var/outbox"\n'
        '[web]\nlisten = "127.0.0.1:0"\n'
        '[pacing.sandbox]\nquiet_hours = ""\nmin_spacing = "0s"\n'
        f'[[feeds]]\nid = "skhcn"\nname = "Sở KH&CN"\nurl = "{url}"\nreview = "auto"\n'
        'channels = ["sandbox"]\n',
        encoding="utf-8",
    )
    return path


def test_scheduler_wiring(tmp_path: Path) -> None:
    """poll, publish, alerts, classify and reach tick every minute, tokens every 15 minutes, a token check daily and a
    maintenance weekly, the report on Mondays (tests/ops/test_report_job.py); one instance
    each, missed runs coalesced."""
    app = build_app(settings(tmp_path, "https://a.gov.vn/rss"))
    jobs = {job.id: job for job in build_scheduler(app).get_jobs()}
    assert isinstance(jobs.pop("report").trigger, CronTrigger)
    intervals = {name: job.trigger.interval.total_seconds() for name, job in jobs.items()}
    assert intervals == {
        "poll": 60,
        "publish": 60,
        "alerts": 60,
        "classify": 60,
        "reach": 60,
        "tokens": 900,
        "check_tokens": 86400,
        "maintain": 604800,
    }
    for job in jobs.values():
        assert job.max_instances == 1 and job.coalesce is True
    scheduler = build_scheduler(app)
    scheduler.start(paused=True)
    try:
        assert all(job.next_run_time is not None for job in scheduler.get_jobs())  # none paused
    finally:
        scheduler.shutdown(wait=False)


def test_run_once_polls_and_publishes(tmp_path: Path) -> None:
    """`run --once` polls the due feed and publishes its backfilled article to the sandbox."""
    with LocalServer() as server:
        server.route(
            "/rss",
            Reply(
                rss("Hội nghị triển khai nhiệm vụ khoa học năm 2027"),
                headers={"Content-Type": "application/rss+xml"},
            ),
        )
        config = settings(tmp_path, server.url("/rss"))
        result = CliRunner().invoke(cli, ["--config", str(config), "run", "--once"])
    assert result.exit_code == 0 and "polled 1 feed, handled 1 post" in result.stdout
    assert list((tmp_path / "var" / "outbox").glob("post-*.json"))
    # The cycle ends with the classify job: the new item's category is stored for the report.
    import sqlite3

    with sqlite3.connect(tmp_path / "var" / "syndicator.db") as connection:
        rules = connection.execute("SELECT category, category_rules FROM item_source").fetchall()
    assert len(rules) == 1 and rules[0][0] == "" and len(rules[0][1]) == 16


def test_bundled_feeds_backfill_into_the_review_queue(tmp_path: Path) -> None:
    """The bundled settings' first poll takes each feed's newest few articles (polling.backfill)
    into the review queue: with the bundled review rule (required) they wait for a person and
    nothing is published; the older articles are history."""
    import sqlite3

    from syndicator.config import load_settings

    bundled = load_settings(ROOT / "settings.toml")
    backfill = bundled.polling.backfill
    assert 0 < backfill < 6 and all(feed.review == "required" for feed in bundled.feeds)
    titles = [f"Thông báo số {n} về việc triển khai nhiệm vụ năm 2027" for n in range(6)]
    with LocalServer() as server:
        server.route("/rss", Reply(rss(*titles), headers={"Content-Type": "application/rss+xml"}))
        config = settings(tmp_path, server.url("/rss"))
        config.write_text(
            config.read_text(encoding="utf-8")
            .replace("backfill = 5", f"backfill = {backfill}")
            .replace('review = "auto"\n', ""),
            encoding="utf-8",
        )
        result = CliRunner().invoke(cli, ["--config", str(config), "run", "--once"])
    assert result.exit_code == 0 and "handled 0 posts" in result.stdout
    with sqlite3.connect(tmp_path / "var" / "syndicator.db") as database:
        statuses = [row[0] for row in database.execute("SELECT status FROM post")]
    assert statuses == ["pending_review"] * backfill
    assert not list((tmp_path / "var" / "outbox").glob("post-*.json"))


def test_web_disabled_listens_nowhere(tmp_path: Path) -> None:
    """With web.enabled = false the daemon starts no web server."""
    from syndicator.ops.daemon import Monitor, _start_web

    config = settings(tmp_path, "https://a.gov.vn/rss")
    config.write_text(
        config.read_text(encoding="utf-8").replace("[web]\n", "[web]\nenabled = false\n"),
        encoding="utf-8",
    )
    app = build_app(config)
    assert _start_web(app, build_scheduler(app), Monitor(), site=None) is None


def test_run_once_raises_and_resolves_alerts_like_the_daemon_tick(tmp_path: Path) -> None:
    """Cron mode hears about a paused channel: `run --once` opens the alert and POSTs it to the
    webhook; once the pause is over, the next `run --once` resolves it and sends nothing more."""
    from datetime import UTC, datetime, timedelta

    from storage import alerts as alert_store
    from storage import publishing as publishing_store
    from storage.session import reading, writing

    now = datetime.now(UTC)
    with LocalServer() as server, LocalServer() as receiver:
        server.route(
            "/rss",
            Reply(
                rss("Hội nghị triển khai nhiệm vụ khoa học năm 2027"),
                headers={"Content-Type": "application/rss+xml"},
            ),
        )
        receiver.route("/hook", Reply(b"ok"))
        config = settings(tmp_path, server.url("/rss"))
        with config.open("a", encoding="utf-8") as extra:
            extra.write(f'[alerts]\nwebhook_url = "{receiver.url("/hook")}"\n')
        app = build_app(config)
        engine = app.migrated_engine()

        def pause_until(until: datetime) -> None:
            with writing(engine) as session:
                publishing_store.set_pause(
                    session, "sandbox", until, "RateLimited: quá nhiều yêu cầu", now
                )

        pause_until(now + timedelta(hours=1))
        first = CliRunner().invoke(cli, ["--config", str(config), "run", "--once"])
        assert first.exit_code == 0 and "opened 1 alert\n" in first.stdout
        assert receiver.hits("/hook") == 1
        pause_until(now - timedelta(minutes=1))  # the platform's wait is over
        second = CliRunner().invoke(cli, ["--config", str(config), "run", "--once"])
        assert second.exit_code == 0 and "opened 0 alerts" in second.stdout
        assert receiver.hits("/hook") == 1
        with reading(engine) as session:
            (alert,) = alert_store.recent(session)
        app.close()
    assert alert.key == "channel_paused:sandbox"
    assert alert.webhook_sent_at is not None and alert.resolved_at is not None


def test_web_listen_in_use_exits_2_with_one_line(tmp_path: Path) -> None:
    """`run` with web.listen on a port another program holds exits 2 with one line naming
    web.listen and the address, no traceback."""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as other:
        listen = f"127.0.0.1:{other.getsockname()[1]}"
        config = settings(tmp_path, f"http://127.0.0.1:{unused_port()}/rss")
        config.write_text(
            config.read_text(encoding="utf-8").replace('"127.0.0.1:0"', f'"{listen}"'),
            encoding="utf-8",
        )
        result = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--config", str(config), "run"],
            capture_output=True,
            text=True,
            env={**os.environ, "SYNDICATOR_LOGGING__LEVEL": "warning"},
            timeout=60,
        )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"configuration error: web.listen: {listen} is already in use (another syndicator or "
        "program?): change [web] listen or stop the other program"
    )


def test_second_daemon_is_refused(tmp_path: Path) -> None:
    """A second daemon on the same SQLite file stops with the holder's pid."""
    with (
        single_daemon("sqlite:///x.db", tmp_path),
        pytest.raises(AlreadyRunning) as error,
        single_daemon("sqlite:///x.db", tmp_path),
    ):
        pass
    assert f"pid {os.getpid()}" in str(error.value)
    with (
        single_daemon("postgresql+psycopg://x/y", tmp_path),
        single_daemon("postgresql+psycopg://x/y", tmp_path),
    ):
        pass  # PostgreSQL lifts the limit


def test_sigterm_stops_cleanly_and_a_second_run_exits_1(tmp_path: Path) -> None:
    """A running daemon prints the first-admin link, serves the health endpoints and the admin
    page on one server, refuses a second daemon (exit 1), then stops cleanly on SIGTERM."""
    with LocalServer() as server:
        server.route("/rss", Reply(rss("Tin"), headers={"Content-Type": "application/rss+xml"}))
        config = settings(tmp_path, server.url("/rss"))
        env = {**os.environ, "SYNDICATOR_LOGGING__FORMAT": "json"}
        first = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--config", str(config), "run"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            assert first.stderr is not None
            port = 0
            for line in first.stderr:  # wait for the start line, not for a fixed time
                if "health.started" in line:
                    port = json.loads(line)["port"]
                if "daemon.started" in line:
                    break
            base = f"http://127.0.0.1:{port}"
            assert requests.get(f"{base}/healthz", timeout=10).text.strip() == "ok"
            assert "syndicator_items_total" in requests.get(f"{base}/metrics", timeout=10).text
            assert requests.get(f"{base}/readyz", timeout=10).json() == {"status": "ready"}
            login = requests.get(f"{base}/login", timeout=10)
            assert login.status_code == 200 and "<form" in login.text  # the admin page
            second = subprocess.run(
                [sys.executable, str(ROOT / "main.py"), "--config", str(config), "run"],
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
            )
            assert second.returncode == 1 and f"pid {first.pid}" in second.stderr
            assert "/setup/" not in second.stdout  # refused before it made a link
            first.send_signal(signal.SIGTERM)
            assert first.wait(60) == 0
            assert first.stdout is not None
            link = "create the first administrator: http://127.0.0.1:0/setup/"
            assert link in first.stdout.read()
        finally:
            if first.poll() is None:
                first.kill()


def test_sigterm_during_a_publish_finishes_it_and_a_restart_sends_nothing(tmp_path: Path) -> None:
    """SIGTERM while a Facebook request is in flight: the daemon waits for it, records it and
    exits 0; the next cycle finds nothing to send; the Page has the post once."""
    import threading
    from http.server import BaseHTTPRequestHandler

    from tests.helpers.fake_graph import FakeGraph

    arrived, answer = threading.Event(), threading.Event()
    with LocalServer() as server, FakeGraph() as graph:
        server.route(
            "/rss",
            Reply(
                rss("Hội nghị triển khai nhiệm vụ khoa học năm 2027"),
                headers={"Content-Type": "application/rss+xml"},
            ),
        )

        def held(request: BaseHTTPRequestHandler) -> None:
            arrived.set()
            answer.wait(60)  # until the test has sent SIGTERM
            graph._publish(request)

        graph.server.route(f"/{graph.version}/{graph.page_id}/feed", held)
        config = tmp_path / "settings.toml"
        config.write_text(
            '[polling]\nparse_processes = 0\nbackfill = 5\nallow_networks = ["127.0.0.0/8"]\n'
            '[web]\nlisten = "127.0.0.1:0"\n'
            '[daemon]\ntick = "1s"\n'
            f'[channels.facebook]\npage_id = "{graph.page_id}"\ngraph_url = "{graph.url}"\n'
            f'api_version = "{graph.version}"\n'
            '[pacing.facebook]\nquiet_hours = ""\nmin_spacing = "0s"\n'
            f'[[feeds]]\nid = "skhcn"\nname = "Sở KH&CN"\nurl = "{server.url("/rss")}"\n'
            'review = "auto"\nchannels = ["facebook"]\n',
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "SYNDICATOR_LOGGING__FORMAT": "json",
            "SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN": graph.token,
            "SYNDICATOR_SECRET_KEY": "k" * 40,
        }
        daemon = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--config", str(config), "run"],
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            assert arrived.wait(60), "the daemon never published"
            daemon.send_signal(signal.SIGTERM)
            answer.set()
            assert daemon.wait(60) == 0
        finally:
            if daemon.poll() is None:
                daemon.kill()
        again = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--config", str(config), "run", "--once"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert again.returncode == 0 and "handled 0 posts" in again.stdout
        assert len(graph.posts) == 1


def test_maintenance_prunes_leftovers_but_keeps_posts_and_audit(tmp_path: Path) -> None:
    """Weekly maintenance drops old step results and old resolved alerts, never posts or audit."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import func
    from sqlmodel import select

    from storage.models import Alert, AuditEvent, Post, PostStep
    from storage.session import reading, writing
    from syndicator.ops.daemon import maintain
    from tests.helpers.clock import FakeClock
    from tests.helpers.posts import feed, make_posts, parsed

    now = datetime(2026, 11, 1, tzinfo=UTC)
    app = build_app(settings(tmp_path, "https://a.gov.vn/rss"), FakeClock(now))
    engine = app.migrated_engine()
    (post_id,) = make_posts(engine, feed(review="auto"), parsed(n=1))
    with writing(engine) as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.status, post.updated_at = "published", now - timedelta(days=40)
        session.add(PostStep(post_id=post_id, step="token", value="t", at=now - timedelta(days=40)))
        session.add(
            Alert(
                key="feed_broken:x",
                kind="feed_broken",
                subject="s",
                detail="d",
                opened_at=now - timedelta(days=800),
                resolved_at=now - timedelta(days=700),
            )
        )
    maintain(app)
    with reading(engine) as session:
        assert session.exec(select(func.count()).select_from(PostStep)).one() == 0
        assert session.exec(select(func.count()).select_from(Alert)).one() == 0
        assert session.exec(select(func.count()).select_from(Post)).one() == 1
        assert session.exec(select(func.count()).select_from(AuditEvent)).one() >= 1
