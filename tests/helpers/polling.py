"""A poller over real HTTP on a fake clock, allowed to reach the loopback test servers."""

from __future__ import annotations

from ipaddress import ip_network

from sqlalchemy import Engine

from syndicator.http import build_session
from syndicator.ingest.fetch import Fetcher
from syndicator.ingest.parse import parse_feed
from syndicator.ingest.poller import Poller
from syndicator.ingest.robots import RobotsRules
from syndicator.records import FeedParser
from syndicator.settings_models import PollingSettings
from tests.helpers.clock import FakeClock

# Test servers listen on loopback, which feeds may reach only when settings allow it.
LOOPBACK = [ip_network("127.0.0.0/8"), ip_network("::1")]


def make_poller(
    engine: Engine,
    *,
    workers: int = 2,
    per_host: int = 2,
    parse: FeedParser = parse_feed,
    robots: bool = False,
) -> Poller:
    """A Poller over real HTTP with default limits, on a fake clock (parsing in-process unless
    `parse` says otherwise), allowed to reach the loopback test servers; with `robots`, reading
    robots.txt for listing pages as the App's poller does."""
    polling = PollingSettings(workers=workers, per_host=per_host, allow_networks=LOOPBACK)
    fetcher = Fetcher(
        build_session(user_agent="syndicator-tests", pool_size=workers),
        timeout=polling.timeout,
        connect_timeout=polling.connect_timeout,
        max_bytes=polling.max_bytes,
        clock=FakeClock(),
        allow_networks=polling.allow_networks,
    )
    clock = FakeClock()
    rules = RobotsRules(fetcher, user_agent="syndicator-tests", clock=clock) if robots else None
    return Poller(
        engine=engine,
        fetcher=fetcher,
        clock=clock,
        polling=polling,
        timezone="Asia/Ho_Chi_Minh",
        parse=parse,
        robots=rules,
    )
