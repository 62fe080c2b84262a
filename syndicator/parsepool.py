"""Parse feeds in worker processes: the parser is CPU-bound Python, so threads share one core.

A pool of `processes` spawned workers (imports only the parser, not the database stack) runs
parse_feed. Each worker's address space is capped, so a hostile document can exhaust only its
own worker. A worker that dies takes the pool with it: the pool is rebuilt and the feed is
parsed once more; a feed that breaks a second pool is reported, not retried again.
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from syndicator.errors import FeedError
from syndicator.parseworker import parse_in_worker
from syndicator.records import FeedParser, ParsedFeed

MEGABYTE = 1024 * 1024


def _limit_worker(memory_limit: int) -> None:
    """Runs in each worker: cap its memory, and leave Ctrl-C to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))


class ParsePool:
    """A FeedParser that runs `function` (parse_feed) in worker processes; thread-safe."""

    def __init__(
        self, processes: int, memory_limit_mb: int, function: FeedParser = parse_in_worker
    ) -> None:
        self.processes, self.function = processes, function
        self.memory_limit = memory_limit_mb * MEGABYTE
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def __call__(
        self,
        body: bytes,
        *,
        url: str,
        content_type: str | None,
        fetched_at: datetime,
        tz: ZoneInfo,
    ) -> ParsedFeed:
        kwargs: dict[str, Any] = {
            "url": url,
            "content_type": content_type,
            "fetched_at": fetched_at,
            "tz": tz,
        }
        for attempt in (1, 2):
            executor = self._current()
            try:
                return executor.submit(self.function, body, **kwargs).result()
            except BrokenProcessPool:
                self._discard(executor)
                if attempt == 2:
                    raise FeedError(
                        "parse_crashed", "the parser process died on this feed"
                    ) from None
        raise AssertionError("unreachable")

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_limit_worker,
                    initargs=(self.memory_limit,),
                )
            return self._executor

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
