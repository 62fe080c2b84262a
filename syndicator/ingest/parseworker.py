"""A parser worker process: `python -m syndicator.ingest.parseworker`, started and fed by ParsePool.

Requests come on stdin and answers go out on stdout, one at a time, as length-prefixed pickles
(the parent is the only writer, so its frames are trusted). A thread keeps reading stdin: the
end of that pipe means the parent has gone, even by SIGKILL, and the worker leaves at once
instead of running on as an orphan. Each parse runs under a CPU-time limit set by the kernel.
"""

from __future__ import annotations

import math
import os
import pickle
import queue
import resource
import signal
import struct
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from syndicator.records import ParsedFeed

HEADER = struct.Struct("!Q")  # the length of the pickle that follows


def parse_in_worker(
    body: bytes, *, url: str, content_type: str | None, fetched_at: datetime, tz: ZoneInfo
) -> ParsedFeed:
    """parse_feed, imported on first use, so the parent process need not import the parser."""
    from syndicator.ingest.parse import parse_feed

    return parse_feed(body, url=url, content_type=content_type, fetched_at=fetched_at, tz=tz)


def read_frame(stream: IO[bytes]) -> bytes | None:
    """One frame's payload, or None at the end of the stream."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def main() -> None:
    """Serve parse requests until the parent closes the pipe or dies."""
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print() from a library must not corrupt the answer stream
    sys.stdout = sys.stderr
    requests = sys.stdin.buffer
    setup = read_frame(requests)
    if setup is None:
        return
    settings: dict[str, Any] = pickle.loads(setup)  # noqa: S301  # frames come from our parent
    _prepare(settings)
    inbox: queue.Queue[bytes] = queue.Queue(maxsize=1)
    threading.Thread(target=_watch_parent, args=(requests, inbox), daemon=True).start()
    _answer(answers, b"ready")
    while True:
        _answer(answers, _serve(inbox.get(), settings["cpu_seconds"]))


def _prepare(settings: dict[str, Any]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent to handle
    sys.path[:0] = [p for p in settings["path"] if p not in sys.path]  # the parent's modules
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file when the CPU limit hits
    if settings["memory_limit"]:
        limit = settings["memory_limit"]
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import syndicator.ingest.parse  # noqa: F401  # now, so that no parse's time limit pays for it


def _watch_parent(requests: IO[bytes], inbox: queue.Queue[bytes]) -> None:
    """Hand each request over; at the end of stdin (the parent closed it, or died) leave."""
    while (request := read_frame(requests)) is not None:
        inbox.put(request)
    os._exit(0)


def _serve(request: bytes, cpu_seconds: float) -> bytes:
    function: Callable[..., Any]
    function, body, kwargs = pickle.loads(request)  # noqa: S301  # from our parent
    _limit_cpu(cpu_seconds)
    try:
        return _pickled(("ok", function(body, **kwargs)))
    except BaseException as error:  # every failure, MemoryError too, goes back to the parent
        return _pickled(("error", error))


def _limit_cpu(seconds: float) -> None:
    """The kernel stops this process (SIGXCPU) once this parse has used `seconds` of CPU."""
    if seconds <= 0:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(used + seconds), hard))


def _pickled(answer: tuple[str, Any]) -> bytes:
    try:
        return pickle.dumps(answer)
    except Exception as error:  # an exception that cannot cross: say what it was
        from syndicator.errors import FeedError

        message = f"the parser failed with {type(answer[1]).__name__} ({error})"
        return pickle.dumps(("error", FeedError("parse_failed", message)))


def _answer(answers: IO[bytes], payload: bytes) -> None:
    try:
        answers.write(frame(payload))
        answers.flush()
    except BrokenPipeError:  # the parent has gone
        os._exit(0)


if __name__ == "__main__":
    main()
