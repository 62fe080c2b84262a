"""The only module that builds HTTP sessions: one pooled, shared session for all feed fetches."""

from __future__ import annotations

import re
import urllib.request

import requests
from requests.adapters import HTTPAdapter

from syndicator import __version__

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
    adapter = HTTPAdapter(pool_connections=pools, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.max_redirects = MAX_REDIRECTS
    # Reading proxy variables and ~/.netrc on every request costs a tenth of a 304 cycle, and
    # netrc credentials have no business in feed requests; proxies set in the environment
    # (with their no_proxy exceptions) keep working.
    session.trust_env = bool(urllib.request.getproxies())
    session.headers.update({"User-Agent": user_agent, "Accept": FEED_ACCEPT})
    return session
