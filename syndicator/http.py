"""The only module that builds HTTP sessions: one pooled, shared session for all feed fetches.

Within a feed fetch, its connections dial only the addresses the fetch's policy permits
(checked on every address DNS returns, right before connecting to it, so a rebinding name
cannot slip between a check and the connect), a pooled connection is reused only if it was
dialled under that same policy, and the fetch's deadline watchdog can cut them
(syndicator.ingest.deadline). Other requests (connectors, alert webhooks) are not limited.
"""

from __future__ import annotations

import re
import socket
import sys
import time
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from ipaddress import ip_address
from typing import Any

import requests
from requests.adapters import DEFAULT_POOLBLOCK, HTTPAdapter
from urllib3 import HTTPResponse, ProxyManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    LocationParseError,
    NameResolutionError,
    NewConnectionError,
)
from urllib3.util.connection import allowed_gai_family

from syndicator import __version__
from syndicator.ingest.addresses import AddressPolicy, BlockedAddress, literal_address
from syndicator.ingest.deadline import (
    Guard,
    current_guard,
    current_policy,
    release_connection,
    shut_down,
    take_connection,
)

MAX_REDIRECTS = 5
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
_UNSAFE_IN_HEADER = re.compile(r"[\x00-\x1f\x7f()]+")


def user_agent(contact: str) -> str:
    """The User-Agent portals see, naming a contact so their admins can reach the operator."""
    cleaned = " ".join(_UNSAFE_IN_HEADER.sub(" ", contact).split())
    if not cleaned:
        return f"Syndicator/{__version__}"
    return f"Syndicator/{__version__} (+contact: {cleaned})"


def build_session(*, user_agent: str, pool_size: int, hosts: int = 0) -> requests.Session:
    """One shared session: keep-alive pools for `pool_size` threads, no hidden retries.

    `pool_size` is the number of fetch threads, so at most that many connections to one host
    are ever in use; `hosts` is how many hosts the feeds live on, so each keeps its pool.
    Failures are not retried here (the schedule backs off instead), and more than
    MAX_REDIRECTS redirects is an error, so a loop is clear.
    """
    if pool_size < 1:
        raise ValueError(f"pool_size must be at least 1, not {pool_size}")
    session = requests.Session()
    # One kept-alive pool per host polled: with fewer, rotating over many portals would evict a
    # pool (and its TLS session) at every request.
    pools = max(pool_size, hosts)
    adapter = GuardedAdapter(pool_connections=pools, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.max_redirects = MAX_REDIRECTS
    # Reading proxy variables and ~/.netrc on every request costs a tenth of a 304 cycle, and
    # netrc credentials have no business in feed requests; proxies set in the environment
    # (with their no_proxy exceptions) keep working.
    session.trust_env = bool(urllib.request.getproxies())
    session.headers.update({"User-Agent": user_agent, "Accept": FEED_ACCEPT})
    return session


# Name lookups run here so a resolver that does not answer cannot hold a fetch past its
# deadline (getaddrinfo itself cannot be interrupted; its thread finishes on its own).
_RESOLVER = ThreadPoolExecutor(max_workers=16, thread_name_prefix="resolve")
AddrInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, tuple[Any, ...]]


def resolve(host: str, port: int, seconds: float | None) -> Sequence[AddrInfo]:
    """getaddrinfo as urllib3 calls it, given up after `seconds` (TimeoutError)."""
    family = allowed_gai_family()
    if literal_address(host) is not None:  # no lookup to wait for
        return socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    try:
        lookup = _RESOLVER.submit(socket.getaddrinfo, host, port, family, socket.SOCK_STREAM)
    except RuntimeError:  # the interpreter is exiting and starts no threads: look up here
        return socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    return lookup.result(timeout=seconds)


def open_socket(
    host: str,
    port: int,
    timeout: float | None,
    source_address: tuple[str, int] | None,
    socket_options: list[tuple[int, int, int | bytes]] | None,
) -> socket.socket:
    """urllib3's create_connection, dialling only addresses the fetch's policy permits, and
    all of it (lookup and connect) within the connect timeout and the fetch's deadline."""
    policy, deadline = current_policy(), _connect_deadline(timeout)
    refused: BlockedAddress | None = None
    failed: OSError | None = None
    for family, kind, proto, _, address in resolve(host, port, _left(deadline)):
        try:
            if policy is not None:
                policy.check(ip_address(address[0]))
        except BlockedAddress as blocked:
            refused = refused or blocked
            continue
        sock = socket.socket(family, kind, proto)
        try:
            for option in socket_options or ():
                sock.setsockopt(*option)
            sock.settimeout(_left(deadline))
            if source_address:
                sock.bind(source_address)
            sock.connect(address)
            return sock
        except OSError as error:
            sock.close()
            failed = error
    raise failed or refused or OSError("getaddrinfo returned no address")


def _connect_deadline(timeout: float | None) -> float | None:
    limits = [time.monotonic() + timeout] if isinstance(timeout, int | float) else []
    guard = current_guard()
    if guard is not None:
        limits.append(guard.deadline)
    return min(limits, default=None)


def _left(deadline: float | None) -> float | None:
    """Seconds until `deadline`; a passed one still gives a tiny timeout, never a blocking 0."""
    return None if deadline is None else max(deadline - time.monotonic(), 0.001)


def dial(connection: HTTPConnection) -> socket.socket:
    """urllib3 2's HTTPConnection._new_conn over open_socket, raising what urllib3 raises."""
    host = connection._dns_host.strip("[]")
    try:
        host.encode("idna")
    except UnicodeError:
        raise LocationParseError(f"'{host}', label empty or too long") from None
    try:
        sock = open_socket(
            host,
            connection.port,
            connection.timeout,
            connection.source_address,
            connection.socket_options,
        )
    except socket.gaierror as error:
        raise NameResolutionError(connection.host, connection, error) from error
    except TimeoutError as error:
        message = (
            f"Connection to {connection.host} timed out. (connect timeout={connection.timeout})"
        )
        raise ConnectTimeoutError(connection, message) from error
    except OSError as error:
        message = f"Failed to establish a new connection: {error}"
        raise NewConnectionError(connection, message) from error
    sys.audit("http.client.connect", connection, connection.host, connection.port)
    return sock


def reuse_or_close(connection: GuardedHTTPConnection) -> None:
    """Keep a pooled connection only if it was dialled under the running fetch's policy (or
    both are outside any fetch): one a webhook opened to an intranet host must not carry a
    feed's request there. Closed, it dials again, under the policy."""
    if connection.sock is not None and connection.dialled_under != current_policy():
        connection.close()


class GuardedHTTPConnection(HTTPConnection):
    """Dials only permitted addresses; the running fetch's watchdog can cut it."""

    guard: Guard | None = None
    dialled_under: AddressPolicy | None = None  # the policy its socket was checked against
    _answering: socket.socket | None = None  # the socket of the answer being read

    def _new_conn(self) -> socket.socket:
        self.dialled_under = current_policy()
        return dial(self)

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3 does
        # An answer that ends at "Connection: close" takes the socket away from `self.sock`
        # while its body is still read; keep it within the watchdog's reach.
        self._answering = self.sock
        return super().getresponse()

    def interrupt(self) -> None:
        shut_down(self.sock)
        shut_down(self._answering)


class GuardedHTTPSConnection(GuardedHTTPConnection, HTTPSConnection):
    """The same over TLS. The handshake needs no watchdog: Python's ssl module counts the
    socket's timeout (the connect timeout, cut to what is left) over the whole handshake."""


class GuardedHTTPConnectionPool(HTTPConnectionPool):
    """Tells the running fetch which connection it holds, until the connection comes back."""

    ConnectionCls: type[HTTPConnection] = GuardedHTTPConnection

    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)
        if isinstance(connection, GuardedHTTPConnection):
            reuse_or_close(connection)
            take_connection(connection)
        return connection

    def _put_conn(self, conn: Any) -> None:
        if isinstance(conn, GuardedHTTPConnection):
            release_connection(conn)
        super()._put_conn(conn)


class GuardedHTTPSConnectionPool(GuardedHTTPConnectionPool, HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


GUARDED_POOLS: dict[str, type[HTTPConnectionPool]] = {
    "http": GuardedHTTPConnectionPool,
    "https": GuardedHTTPSConnectionPool,
}


class GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter whose pools (direct, or through an HTTP(S) proxy) use guarded connections."""

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = DEFAULT_POOLBLOCK, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = GUARDED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, ProxyManager):  # not SOCKS: requests has no SOCKS extra here
            manager.pool_classes_by_scheme = GUARDED_POOLS
        return manager
