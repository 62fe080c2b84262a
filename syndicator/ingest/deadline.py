"""A fetch's total deadline, enforced on its socket by a watchdog thread.

A per-read socket timeout cannot stop a server that sends its headers (or TLS handshake, or
body) one byte a second: every read returns in time. So each fetch runs inside `guarding()`,
which registers its deadline with one watchdog thread; the connection pool records which
connection the fetch holds, and when the deadline passes the watchdog shuts that socket down,
so the blocked read returns at once and the fetch ends as a timeout.

The guard travels in a context variable because the sockets are reached only through
urllib3's pool, which has no way to pass it along; the address policy rides with it, so the
connection that dials knows what it may connect to. Requests made outside a fetch (the
connectors, alert webhooks) go to addresses the operator configured, so they are not limited.
"""

from __future__ import annotations

import contextlib
import math
import socket
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Protocol

from syndicator.ingest.addresses import AddressPolicy

# One lock for the watchdog and for handing connections between fetches, so the watchdog never
# shuts down a connection that has gone back to the pool (and maybe on to another fetch).
LOCK = threading.Condition()


class Interruptible(Protocol):
    guard: Guard | None  # the fetch using this connection now, if any

    def interrupt(self) -> None:
        """Shut the socket down so a blocked read or handshake returns (called under LOCK)."""


class Guard:
    """One fetch: its deadline, the addresses it may reach and the connection it holds."""

    __slots__ = ("connection", "deadline", "fired", "policy")

    def __init__(self, deadline: float, policy: AddressPolicy) -> None:
        self.deadline = deadline
        self.policy = policy
        self.fired = False  # the watchdog cut the fetch: whatever the socket said is incomplete
        self.connection: Interruptible | None = None

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def fire(self) -> None:
        """Called under LOCK when the deadline passes."""
        self.fired = True
        if self.connection is not None and self.connection.guard is self:
            self.connection.interrupt()


_current: ContextVar[Guard | None] = ContextVar("syndicator_fetch_guard", default=None)


def current_guard() -> Guard | None:
    return _current.get()


def current_policy() -> AddressPolicy | None:
    """The running fetch's address policy; None outside a fetch (nothing to limit)."""
    guard = _current.get()
    return guard.policy if guard is not None else None


def take_connection(connection: Interruptible) -> None:
    """The running fetch (if any) now uses `connection`: its watchdog may cut it."""
    guard = _current.get()
    with LOCK:
        connection.guard = guard
        if guard is not None:
            guard.connection = connection
            if guard.fired:  # the deadline passed between two redirect hops
                connection.interrupt()


def release_connection(connection: Interruptible) -> None:
    """`connection` goes back to the pool: the fetch that held it may no longer cut it."""
    with LOCK:
        guard, connection.guard = connection.guard, None
        if guard is not None and guard.connection is connection:
            guard.connection = None


class _Watchdog:
    """One daemon thread that fires the guards whose deadline has passed."""

    def __init__(self) -> None:
        self._armed: set[Guard] = set()
        self._wake_at = math.inf
        self._thread: threading.Thread | None = None

    def arm(self, guard: Guard) -> None:
        with LOCK:
            self._armed.add(guard)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="fetch-watchdog", daemon=True
                )
                self._thread.start()
            if guard.deadline < self._wake_at:
                LOCK.notify()

    def disarm(self, guard: Guard) -> None:
        with LOCK:
            self._armed.discard(guard)  # the thread wakes at the old time and finds nothing due

    def _run(self) -> None:
        with LOCK:
            while True:
                now = time.monotonic()
                for guard in [guard for guard in self._armed if guard.deadline <= now]:
                    self._armed.discard(guard)
                    guard.fire()
                self._wake_at = min((guard.deadline for guard in self._armed), default=math.inf)
                LOCK.wait(None if self._wake_at == math.inf else self._wake_at - now)


_watchdog = _Watchdog()


@contextlib.contextmanager
def guarding(deadline: float, policy: AddressPolicy) -> Iterator[Guard]:
    """Run a fetch under a deadline (time.monotonic()) and an address policy."""
    guard = Guard(deadline, policy)
    token = _current.set(guard)
    _watchdog.arm(guard)
    try:
        yield guard
    finally:
        _watchdog.disarm(guard)
        _current.reset(token)


def shut_down(sock: socket.socket | None) -> None:
    """Shut a socket down for both directions without touching a TLS layer over it (the base
    method: SSLSocket.shutdown would drop its SSL object under the reading thread)."""
    if sock is not None:
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
