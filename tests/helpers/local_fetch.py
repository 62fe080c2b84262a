"""A Fetcher as the App builds it, allowed to reach the local test servers on 127.0.0.0/8."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from ipaddress import ip_network

from syndicator.clock import Clock
from syndicator.http import build_session, user_agent
from syndicator.ingest.fetch import Fetcher

AGENT = user_agent("it@skhcn.example.gov.vn")


@contextmanager
def local_fetcher(clock: Clock, *, max_bytes: int = 2 * 1024 * 1024) -> Iterator[Fetcher]:
    """A Fetcher over a session of its own (closed afterwards), 5 s per request."""
    with build_session(user_agent=AGENT, pool_size=4) as session:
        yield Fetcher(
            session,
            timeout=timedelta(seconds=5),
            connect_timeout=timedelta(seconds=2),
            max_bytes=max_bytes,
            clock=clock,
            allow_networks=[ip_network("127.0.0.0/8")],
        )
