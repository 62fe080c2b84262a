"""Functions that ParsePool tests run inside worker processes in place of parse_feed.

A worker imports this module to unpickle its request, within the parse's time limit: so it
imports little (no database, no test server), as the real parse function does.
"""

from __future__ import annotations

import math
import os
import resource
import sys
import threading

from syndicator.ingest.parse import parse_feed
from syndicator.records import ParsedFeed

SPIN = b"<!-- spin -->"  # a body holding this makes `spin` loop, as a parser gone quadratic


def parse_or_die(body: bytes, **kwargs: object) -> ParsedFeed:
    """Runs in the worker: a body saying DIE kills the worker outright, like a segfault."""
    if body == b"DIE":
        os._exit(13)
    return parse_feed(body, **kwargs)  # type: ignore[arg-type]


def hog(body: bytes, **kwargs: object) -> ParsedFeed:
    """Runs in the worker: tries to hold far more memory than the worker may have."""
    held = bytearray(600 * 1024 * 1024)
    raise AssertionError(f"allocated {len(held)} bytes past the cap")


def spin(body: bytes, **kwargs: object) -> ParsedFeed:
    """Runs in the worker: burns CPU for good on a body marked SPIN, else parses it."""
    if SPIN in body:
        print("spinning", file=sys.stderr, flush=True)  # tells a watching test it has begun
        while True:
            pass
    return parse_feed(body, **kwargs)  # type: ignore[arg-type]


def block(body: bytes, **kwargs: object) -> ParsedFeed:
    """Runs in the worker: waits for good without using any CPU."""
    threading.Event().wait()
    raise AssertionError("unreachable")


def cpu_limit(body: bytes, **kwargs: object) -> tuple[float, float]:
    """Runs in the worker: the CPU-time limit armed for this parse, and the CPU used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return resource.getrlimit(resource.RLIMIT_CPU)[0], usage.ru_utime + usage.ru_stime


def exhaust_cpu(body: bytes, **kwargs: object) -> ParsedFeed:
    """Runs in the worker: spins past a CPU limit one second away, as the kernel enforces it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    limit = math.ceil(usage.ru_utime + usage.ru_stime) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (limit, resource.getrlimit(resource.RLIMIT_CPU)[1]))
    while True:
        pass
