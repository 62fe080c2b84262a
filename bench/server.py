"""A loopback feed server in its own process, so it does not compete for the benchmark's GIL.

Feed i is served at http://127.0.0.<2 + i % hosts>:<port>/feed/<i>.xml: each loopback address
is its own host name to the poller, so its per-host cap (polling.per_host, default 2) stays at
its default, as it would for real portals, which mostly live on distinct hosts.

Modes, switched with GET <control>/mode/<mode>:
- "validators": ETag and Last-Modified on every 200; a matching If-None-Match or
  If-Modified-Since gets 304 with no body.
- "no-validators": always 200 with the same bytes, no ETag or Last-Modified, conditional
  headers ignored.
GET <control>/stats gives the server's CPU seconds, its answers by status and the connections
it accepted for feeds ("new_connections": few when clients keep connections alive), as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from types import TracebackType

import _repo  # noqa: F401  (puts the repository on sys.path)

from bench.feeds import NEWEST, generate

MODES = ("validators", "no-validators")
CONTENT_TYPE = "application/rss+xml; charset=utf-8"


@dataclass
class Site:
    """The feeds, their validators, the current mode and the answers given, shared by all hosts."""

    bodies: list[bytes]
    etags: list[str]
    last_modified: str = format_datetime(NEWEST.astimezone(UTC), usegmt=True)
    mode: str = "validators"
    answers: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str) -> None:
        with self.lock:
            self.answers[what] += 1

    def stats(self) -> dict[str, object]:
        times = os.times()
        return {"cpu": times.user + times.system, "answers": dict(self.answers), "mode": self.mode}


class FeedHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 drops SYNs when 8 workers connect at once

    def __init__(self, address: tuple[str, int], site: Site) -> None:
        super().__init__(address, FeedHandler)
        self.site = site


class FeedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 60
    server: FeedHTTPServer
    served = 0  # requests answered on this connection

    def do_GET(self) -> None:
        if self.path.startswith("/_control/"):
            self._control(self.path.removeprefix("/_control/"))
            return
        if not self.served:
            self.server.site.count("new_connections")
        self.served += 1
        name = self.path.removeprefix("/feed/").removesuffix(".xml")
        site = self.server.site
        if not name.isdigit() or int(name) >= len(site.bodies):
            self._reply(404, b"not found", {"Content-Type": "text/plain"})
            return
        index = int(name)
        if site.mode == "no-validators":
            self._reply(200, site.bodies[index], {"Content-Type": CONTENT_TYPE})
            return
        validators = {"ETag": site.etags[index], "Last-Modified": site.last_modified}
        if self._not_modified(site.etags[index]):
            self._reply(304, b"", validators)
            return
        headers = {"Content-Type": CONTENT_TYPE, **validators}
        self._reply(200, site.bodies[index], headers)

    def _not_modified(self, etag: str) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            return etag in [tag.strip().removeprefix("W/") for tag in match.split(",")]
        since = self.headers.get("If-Modified-Since")
        try:
            return since is not None and parsedate_to_datetime(since) >= NEWEST
        except (TypeError, ValueError):
            return False

    def _control(self, command: str) -> None:
        site = self.server.site
        if command.startswith("mode/") and command.removeprefix("mode/") in MODES:
            site.mode = command.removeprefix("mode/")
        body = json.dumps(site.stats()).encode()
        self._reply(200, body, {"Content-Type": "application/json"}, counted=False)

    def _reply(
        self, status: int, body: bytes, headers: dict[str, str], counted: bool = True
    ) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if counted:
            self.server.site.count(str(status))

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(count: int, seed: int, hosts: int, conn: Connection) -> None:
    """The server process: bind one listener per host, build the feeds, report the URLs, serve."""
    addresses = [f"127.0.0.{2 + h}" for h in range(min(hosts, count))]
    site = Site([], [])
    servers = [FeedHTTPServer((address, 0), site) for address in addresses]
    bases = [f"http://{a}:{s.server_port}" for a, s in zip(addresses, servers, strict=True)]
    site.bodies = generate(seed, [bases[i % len(bases)] for i in range(count)])
    site.etags = ['"' + hashlib.sha256(body).hexdigest()[:20] + '"' for body in site.bodies]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    urls = [f"{bases[i % len(bases)]}/feed/{i}.xml" for i in range(count)]
    conn.send((urls, f"{bases[0]}/_control", [len(body) for body in site.bodies]))
    conn.recv()  # block until the parent says stop (or dies: EOFError)


class FeedServer:
    """Runs `serve` in a spawned process for the duration of a `with` block."""

    def __init__(self, count: int, seed: int = 1, hosts: int = 50) -> None:
        self.count, self.seed, self.hosts = count, seed, hosts
        self.urls: list[str] = []
        self.control = ""
        self.sizes: list[int] = []

    def __enter__(self) -> FeedServer:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=serve, args=(self.count, self.seed, self.hosts, child), daemon=True
        )
        self._process.start()
        self.urls, self.control, self.sizes = self._conn.recv()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with contextlib.suppress(OSError):
            self._conn.send("stop")
        self._process.join(5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()

    @property
    def pid(self) -> int:
        return self._process.pid or 0


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve generated feeds on loopback until Ctrl-C.")
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with FeedServer(args.feeds, args.seed, args.hosts) as server:
        print(f"control: {server.control}\n" + "\n".join(server.urls[:20]), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
