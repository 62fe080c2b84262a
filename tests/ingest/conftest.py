"""Fixtures of the ingest tests that read pages over real HTTP: a Fetcher allowed to reach the
local test servers, and robots.txt rules over it, both on the test's fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from syndicator.ingest.fetch import Fetcher
from syndicator.ingest.robots import RobotsRules
from tests.helpers.clock import FakeClock
from tests.helpers.local_fetch import AGENT, local_fetcher


@pytest.fixture
def fetcher(clock: FakeClock) -> Iterator[Fetcher]:
    with local_fetcher(clock) as built:
        yield built


@pytest.fixture
def robots(fetcher: Fetcher, clock: FakeClock) -> RobotsRules:
    return RobotsRules(fetcher, user_agent=AGENT, clock=clock)
