"""Parse feeds in worker processes: the parser is CPU-bound Python, so threads share one core.

`processes` workers (`python -m syndicator.ingest.parseworker`, which imports only the parser) each
parse one feed at a time. A hostile document can cost only its own worker: its address space
is capped, and a parse that runs past `timeout` (CPU time, counted by the kernel, or wall-clock
time, counted here) has its worker killed and the feed reported as `parse_timeout`. A worker
that dies otherwise is replaced and the feed parsed once more; a feed that kills a second
worker is `parse_crashed`. Plain pipes and subprocess, no multiprocessing: no resource tracker
is left behind, and a worker leaves as soon as the pipe from its parent closes, even when the
parent was SIGKILLed.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from syndicator.errors import FeedError
from syndicator.ingest.parseworker import HEADER, frame, parse_in_worker
from syndicator.records import FeedParser, ParsedFeed

MEGABYTE = 1024 * 1024
STARTUP_TIMEOUT = 60.0  # seconds for a new worker to import the parser and say it is ready
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # where `syndicator` can be imported


class _Expired(Exception):
    """The worker did not answer before the deadline."""


class _Gone(Exception):
    """The worker's pipe closed: it died (or was killed by the kernel's CPU limit)."""


@dataclass(frozen=True)
class _Process:
    """A running worker and the two pipes this process holds to it."""

    popen: subprocess.Popen[bytes]
    requests: IO[bytes]  # its stdin, non-blocking: _exchange writes what fits
    answers: IO[bytes]  # its stdout


class _Worker:
    """One worker slot: its process, started when first needed; used by one thread at a time."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.process: _Process | None = None

    def ask(self, request: bytes, timeout: float) -> bytes:
        """Send one request and return the answer, within `timeout` seconds of sending it."""
        process = self.process or self._start()
        return _exchange(process, request, time.monotonic() + timeout)

    def _start(self) -> _Process:
        # close_fds (the default) keeps the pipe to this worker out of every other child, so
        # that its end means that this parent has gone. The worker reads hostile documents:
        # it gets none of our settings, so no secret.
        popen = subprocess.Popen(
            [sys.executable, "-m", "syndicator.ingest.parseworker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=_PACKAGE_ROOT,
            env={k: v for k, v in os.environ.items() if not k.startswith("SYNDICATOR_")},
        )
        if popen.stdin is None or popen.stdout is None:
            raise _Gone
        os.set_blocking(popen.stdin.fileno(), False)
        self.process = process = _Process(popen, popen.stdin, popen.stdout)
        try:
            ready = _exchange(
                process, pickle.dumps(self.settings), time.monotonic() + STARTUP_TIMEOUT
            )
        except _Expired:
            raise _Gone from None  # a worker that cannot start is a crash, not a slow feed
        if ready != b"ready":
            raise _Gone
        return process

    def stop(self, *, kill: bool) -> int | None:
        """End the process, killed at once or asked to leave (its stdin closes); its exit code."""
        process, self.process = self.process, None
        if process is None:
            return None
        if kill:
            process.popen.kill()
        for pipe in (process.requests, process.answers):
            with contextlib.suppress(BrokenPipeError):
                pipe.close()
        try:
            return process.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.popen.kill()
            return process.popen.wait()


def _exchange(process: _Process, payload: bytes, deadline: float) -> bytes:
    """Write one frame and read one back, never waiting past `deadline` (time.monotonic)."""
    to_worker, from_worker = process.requests, process.answers
    outgoing = memoryview(frame(payload))
    incoming = bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(to_worker, selectors.EVENT_WRITE)
        selector.register(from_worker, selectors.EVENT_READ)
        while not _complete(incoming):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not (events := selector.select(remaining)):
                raise _Expired
            for key, _ in events:
                if key.fileobj is to_worker:
                    outgoing = outgoing[_write_some(to_worker, outgoing) :]
                    if not outgoing:
                        selector.unregister(to_worker)
                else:
                    incoming += _read_some(from_worker)
    return bytes(incoming[HEADER.size :])


def _complete(incoming: bytearray) -> bool:
    if len(incoming) < HEADER.size:
        return False
    size: int = HEADER.unpack_from(incoming)[0]
    return len(incoming) >= HEADER.size + size


def _write_some(pipe: IO[bytes], data: memoryview) -> int:
    try:
        return os.write(pipe.fileno(), data)
    except BlockingIOError:
        return 0
    except BrokenPipeError:
        raise _Gone from None


def _read_some(pipe: IO[bytes]) -> bytes:
    chunk = os.read(pipe.fileno(), 1024 * 1024)
    if not chunk:
        raise _Gone
    return chunk


class ParsePool:
    """A FeedParser that runs `function` (parse_feed) in worker processes; thread-safe."""

    def __init__(
        self,
        processes: int,
        memory_limit_mb: int,
        function: FeedParser = parse_in_worker,
        *,
        timeout: timedelta = timedelta(seconds=30),
    ) -> None:
        if processes < 1:
            raise ValueError("a ParsePool needs at least one process")
        self.function, self.timeout = function, timeout.total_seconds()
        settings = {
            "path": [os.path.abspath(entry) for entry in sys.path],
            "memory_limit": memory_limit_mb * MEGABYTE,
            "cpu_seconds": self.timeout,
        }
        self._workers = [_Worker(settings) for _ in range(processes)]
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        for worker in self._workers:
            self._idle.put(worker)

    def __call__(
        self,
        body: bytes,
        *,
        url: str,
        content_type: str | None,
        fetched_at: datetime,
        tz: ZoneInfo,
    ) -> ParsedFeed:
        kwargs = {"url": url, "content_type": content_type, "fetched_at": fetched_at, "tz": tz}
        request = pickle.dumps((self.function, body, kwargs))
        worker = self._idle.get()  # waits while every worker is busy
        try:
            # Only our own worker writes this pipe: its answers are as trusted as our code.
            status, value = pickle.loads(self._ask(worker, request))  # noqa: S301
        finally:
            self._idle.put(worker)
        if status == "error":
            raise value
        result: ParsedFeed = value
        return result

    def _ask(self, worker: _Worker, request: bytes) -> bytes:
        for attempt in (1, 2):
            try:
                return worker.ask(request, self.timeout)
            except _Expired:
                worker.stop(kill=True)
                raise self._timed_out() from None
            except _Gone:
                if worker.stop(kill=True) == -signal.SIGXCPU:  # the kernel's CPU-time limit
                    raise self._timed_out() from None
                if attempt == 2:
                    raise FeedError(
                        "parse_crashed", "the parser process died on this feed twice"
                    ) from None
        raise AssertionError("unreachable")

    def _timed_out(self) -> FeedError:
        return FeedError(
            "parse_timeout",
            f"parsing took longer than {self.timeout:g} s; the parser process was stopped",
        )

    def close(self) -> None:
        """Let every worker leave (they exit when their stdin closes)."""
        for worker in self._workers:
            worker.stop(kill=False)
