"""The poller: host interleaving, per-host cap, one feed's storage error isolated, hostile content."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler

import pytest
from sqlalchemy import Engine, func
from sqlalchemy.exc import DataError
from sqlmodel import select

from storage import items as item_store
from storage.models import FeedState, Item
from storage.session import reading
from syndicator.ingest.poller import HostLimiter, interleave_hosts
from syndicator.settings_models import FeedSettings
from tests.helpers.httpserver import LocalServer, Reply
from tests.helpers.polling import make_poller


def rss(*titles: str, host: str = "xa.example.gov.vn") -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>https://{host}/{n}</link><guid>{n}</guid></item>"
        for n, t in enumerate(titles)
    )
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def feed(feed_id: str, url: str) -> FeedSettings:
    return FeedSettings(id=feed_id, name=feed_id, url=url)


def test_interleave_hosts_round_robin() -> None:
    """Feeds are ordered round-robin over hosts, keeping each host's own order."""
    feeds = [
        feed("a1", "https://a.vn/1"),
        feed("a2", "https://a.vn/2"),
        feed("a3", "https://A.vn/3"),
        feed("b1", "https://b.vn/1"),
    ]
    assert [f.id for f in interleave_hosts(feeds)] == ["a1", "b1", "a2", "a3"]


def test_host_limiter_shares_one_slot_per_host() -> None:
    """Every URL of one host (any case) gets the same semaphore, other hosts their own."""
    limiter = HostLimiter(2)
    assert limiter.slot("https://A.gov.vn/x") is limiter.slot("http://a.gov.vn/y")
    assert limiter.slot("https://a.gov.vn/x") is not limiter.slot("https://b.gov.vn/x")


def test_per_host_cap_is_respected(sqlite_engine: Engine) -> None:
    """With per_host = 2, never more than two requests reach one host at once."""
    lock, active, peak = threading.Lock(), [0], [0]
    release = threading.Event()

    def counted(request: BaseHTTPRequestHandler) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            if active[0] >= 2:
                release.set()
        release.wait(5)  # let concurrent requests pile up if the cap were broken
        with lock:
            active[0] -= 1
        Reply(rss("Tin"), headers={"Content-Type": "application/rss+xml"})(request)

    with LocalServer() as server:
        server.route("/f", counted)
        feeds = [feed(f"f{n}", server.url(f"/f?n={n}")) for n in range(8)]
        outcomes = make_poller(sqlite_engine, workers=8, per_host=2).poll(feeds)
    assert len(outcomes) == 8 and peak[0] == 2


def test_storage_error_costs_one_feed(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database error while storing one feed marks it store_failed; the other feeds are stored."""
    real_insert = item_store.insert_items

    def refuse_boom(session, rows):  # type: ignore[no-untyped-def]
        if any("BOOM" in row["title"] for row in rows):
            raise DataError("INSERT", {}, Exception("invalid byte sequence"))
        return real_insert(session, rows)

    monkeypatch.setattr(item_store, "insert_items", refuse_boom)
    with LocalServer() as server:
        server.route(
            "/good",
            Reply(rss("Tin tốt", host="good.vn"), headers={"Content-Type": "application/rss+xml"}),
        )
        server.route(
            "/bad",
            Reply(rss("BOOM", host="bad.vn"), headers={"Content-Type": "application/rss+xml"}),
        )
        outcomes = {
            o.feed: o
            for o in make_poller(engine, workers=4, per_host=4).poll(
                [feed("good", server.url("/good")), feed("bad", server.url("/bad"))]
            )
        }
    assert outcomes["good"].status == "ok" and outcomes["good"].new == 1
    assert outcomes["bad"].status == "error" and outcomes["bad"].reason == "store_failed"
    with reading(engine) as session:
        assert session.exec(select(func.count()).select_from(Item)).one() == 1
        bad = session.get(FeedState, "bad")
        assert bad is not None and bad.error_reason == "store_failed" and bad.etag is None


def test_control_characters_never_reach_the_database(engine: Engine) -> None:
    """NUL and other control characters in guids, links and text are dropped (PostgreSQL refuses NUL)."""
    body = (
        b'<rss version="2.0"><channel><title>x</title><item><title>a\x00b</title>'
        b'<link>http://xa.vn/1\x00x</link><guid isPermaLink="false"> g\x00 </guid>'
        b"<description>d\x01e</description></item></channel></rss>"
    )
    with LocalServer() as server:
        server.route("/n", Reply(body, headers={"Content-Type": "application/rss+xml"}))
        (outcome,) = make_poller(engine, workers=4, per_host=4).poll([feed("n", server.url("/n"))])
    assert outcome.status == "ok" and outcome.new == 1
    with reading(engine) as session:
        item = session.exec(select(Item)).one()
    assert (item.title, item.guid, item.link) == ("a b", "g", "http://xa.vn/1x")
