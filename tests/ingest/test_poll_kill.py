"""A poll killed with SIGKILL midway loses no committed item, leaves no process behind, and the
next poll stores no duplicate."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from storage.engine import make_engine
from storage.models import Item, ItemSource
from storage.session import reading
from tests.helpers.httpserver import LocalServer, Reply, stopping
from tests.helpers.paths import ROOT
from tests.helpers.processes import children_of, command_line, still_running, watch

ROOT = ROOT
FEEDS, ITEMS = 12, 5
GATE = 8  # the feed whose request blocks until the poller has been killed


def feed_xml(number: int) -> bytes:
    items = "".join(
        f"<item><title>Cổng {number}: thông báo số {n} về thủ tục hành chính</title>"
        f"<link>https://xa{number}.example.gov.vn/tin/{n}.html</link><guid>news_{n}</guid>"
        f"<pubDate>Sun, 01 Nov 2026 0{n}:00:00 +0700</pubDate></item>"
        for n in range(ITEMS)
    )
    channel = f"<channel><title>{number}</title>{items}</channel>"
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0">{channel}</rss>'.encode()


def settings(tmp_path: Path, server: LocalServer) -> Path:
    body = '[polling]\nworkers = 2\nper_host = 2\nallow_networks = ["127.0.0.0/8"]\n'
    for number in range(FEEDS):
        body += f'[[feeds]]\nid = "xa{number}"\nname = "Xã {number}"\nurl = "{server.url(f"/{number}.rss")}"\n'
    path = tmp_path / "settings.toml"
    path.write_text(body, encoding="utf-8")
    return path


def poll(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--config", str(config), "poll"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "SYNDICATOR_LOGGING__FORMAT": "json"},
    )


def test_sigkill_midway_then_repoll(tmp_path: Path) -> None:
    """Kill -9 while one feed's request hangs: its parser worker ends too (no resource tracker
    either), and a second poll ends with every article exactly once."""
    arrived, released = threading.Event(), threading.Event()

    def gate(request: BaseHTTPRequestHandler) -> None:
        if not released.is_set():
            arrived.set()
            stopping(request).wait(60)  # hang until the server stops; the poller is killed first
            return
        Reply(feed_xml(GATE), headers={"Content-Type": "application/rss+xml"})(request)

    with LocalServer() as server:
        for number in range(FEEDS):
            server.route(
                f"/{number}.rss",
                gate
                if number == GATE
                else Reply(feed_xml(number), headers={"Content-Type": "application/rss+xml"}),
            )
        config = settings(tmp_path, server)
        victim = poll(config)
        assert arrived.wait(60), "the poller never reached the gate feed"
        children = children_of(victim.pid)  # the parser worker: earlier feeds were parsed
        orphans = watch(children)
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(30) == -signal.SIGKILL
        left = still_running(orphans, timeout=30)
        assert children, "the poll had started no parser worker"
        assert [command_line(pid) for pid in left] == []
        released.set()
        survivor = poll(config)
        assert survivor.wait(120) == 0

    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'syndicator.db'}")
    with reading(engine) as session:
        items = session.exec(select(func.count()).select_from(Item)).one()
        query = select(ItemSource.feed_id, func.count()).group_by(ItemSource.feed_id)
        per_feed = {feed: count for feed, count in session.exec(query)}
    engine.dispose()
    assert items == FEEDS * ITEMS
    assert per_feed == {f"xa{n}": ITEMS for n in range(FEEDS)}
