"""A real HTTP server on 127.0.0.1 for tests and benchmarks (its thread may sleep; tests never).

    with LocalServer() as server:
        server.route("/rss", static(b"<rss/>", etag='"v1"'))
        server.route("/slow", trickle(every=1.0))
        fetch(server.url("/rss")); assert server.hits("/rss") == 1

A route is a path (query ignored) mapped to a `Reply` (static answer) or a handler: any callable
taking the `BaseHTTPRequestHandler` of the request. Long-running handlers should wait with
`stopping(request).wait(seconds)` so the server stops promptly. Every request is recorded in
`server.seen` (method, path with query, headers, client port). HTTP/1.1 with keep-alive.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import socketserver
import sys
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import cast

import pytest

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass(frozen=True)
class Reply:
    """A static answer. Content-Length is added; HEAD gets the headers only."""

    body: bytes = b""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, request: BaseHTTPRequestHandler) -> None:
        request.send_response(self.status)
        for name, value in self.headers.items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(self.body)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(self.body)


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    client_port: int


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    routes: dict[str, Handler]
    seen: list[Seen]
    lock: threading.Lock
    stopping: threading.Event

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up mid-answer is expected here (cut bodies); anything else is shown."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Dispatcher(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._dispatch()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_GET

    def _dispatch(self) -> None:
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.seen.append(
                Seen(self.command, self.path, dict(self.headers.items()), self.client_address[1])
            )
            handler = self.server.routes.get(path)
        if self.command in ("POST", "PUT") and self.headers.get("Content-Length"):
            self.rfile.read(int(self.headers["Content-Length"]))
        (handler or Reply(b"no such route", 404))(self)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read `server.seen` instead of stderr."""


class LocalServer:
    """A ThreadingHTTPServer on 127.0.0.1 (or another loopback address), port chosen by the OS,
    run in a daemon thread."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._server = _Server((host, 0), _Dispatcher)
        self._server.routes, self._server.seen = {}, []
        self._server.lock, self._server.stopping = threading.Lock(), threading.Event()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, answer: Handler) -> None:
        """Serve `path` with a Reply or a handler (replacing any earlier one)."""
        with self._server.lock:
            self._server.routes[path] = answer

    @property
    def seen(self) -> list[Seen]:
        with self._server.lock:
            return list(self._server.seen)

    def hits(self, path: str) -> int:
        """How many requests reached `path` (query ignored)."""
        return sum(1 for request in self.seen if request.path.split("?", 1)[0] == path)

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A started LocalServer, stopped after the test (import this fixture into a test module)."""
    with LocalServer() as server:
        yield server


def stopping(request: BaseHTTPRequestHandler) -> threading.Event:
    """Set when the server stops; long handlers wait on it instead of sleeping."""
    return cast(_Server, request.server).stopping


def static(
    body: bytes,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    content_type: str = "application/rss+xml; charset=utf-8",
    headers: Mapping[str, str] | None = None,
) -> Handler:
    """A feed that answers 304 to a matching If-None-Match, or to If-Modified-Since equal to
    its Last-Modified (when no If-None-Match was sent), and 200 with the body otherwise."""
    sent = {"Content-Type": content_type, **(headers or {})}
    if etag:
        sent["ETag"] = etag
    if last_modified:
        sent["Last-Modified"] = last_modified
    validators: dict[str, str] = {
        name: sent[name] for name in ("ETag", "Last-Modified") if name in sent
    }

    def answer(request: BaseHTTPRequestHandler) -> None:
        match = request.headers.get("If-None-Match")
        since = request.headers.get("If-Modified-Since")
        fresh = bool(etag and match in (etag, "*"))
        fresh |= bool(match is None and last_modified and since == last_modified)
        if fresh:
            Reply(b"", 304, validators)(request)
        else:
            Reply(body, 200, sent)(request)

    return answer


def gzipped(
    body: bytes,
    *,
    content_type: str = "application/rss+xml",
    headers: Mapping[str, str] | None = None,
) -> Reply:
    """The body gzip-compressed, with Content-Encoding: gzip."""
    sent = {"Content-Type": content_type, "Content-Encoding": "gzip", **(headers or {})}
    return Reply(gzip.compress(body), headers=sent)


def gzip_of_zeros(size: int) -> bytes:
    """A gzip stream of `size` zero bytes, built in pieces (50 MB of zeros → about 50 KB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    piece, parts = bytes(1024 * 1024), []
    for start in range(0, size, len(piece)):
        parts.append(packer.compress(piece[: size - start]))
    parts.append(packer.flush())
    return b"".join(parts)


def trickle(*, every: float = 1.0, total: int = 1000, byte: bytes = b"<") -> Handler:
    """Announce `total` bytes, then send one byte every `every` seconds (waiting in the server)."""

    def answer(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Content-Length", str(total))
        request.end_headers()
        for _ in range(total):
            request.wfile.write(byte)
            request.wfile.flush()
            if stopping(request).wait(every):
                break
        request.close_connection = True

    return answer


def trickle_headers(*, every: float = 1.0) -> Handler:
    """A status line and headers sent one byte every `every` seconds, then a short feed."""

    def answer(request: BaseHTTPRequestHandler) -> None:
        body = b"<rss version='2.0'><channel><title>Tin</title></channel></rss>"
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        request.close_connection = True
        for index in range(len(head)):
            request.wfile.write(head[index : index + 1])
            request.wfile.flush()
            if stopping(request).wait(every):
                return
        request.wfile.write(body)

    return answer


def delayed(answer: Handler, seconds: float) -> Handler:
    """`answer`, given after the server has waited `seconds` (a slow portal)."""

    def wait_then_answer(request: BaseHTTPRequestHandler) -> None:
        if not stopping(request).wait(seconds):
            answer(request)

    return wait_then_answer


def endless(*, chunk: bytes = b"<item>" * 10_000) -> Handler:
    """A body with no length that never ends (until the client hangs up or the server stops)."""

    def answer(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Connection", "close")
        request.end_headers()
        request.close_connection = True
        while not stopping(request).is_set():
            request.wfile.write(chunk)

    return answer


def redirect(location: str, status: int = 302) -> Reply:
    """A redirect to `location` (absolute, or a path on this server); point two at each other
    (or one at itself) for a loop."""
    return Reply(b"", status, {"Location": location})


def unused_port() -> int:
    """A local port nothing listens on (bound, then released), for connection-refused tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def tcp_trickle(prefix: bytes, *, every: float, total: int) -> Iterator[int]:
    """A bare TCP server on 127.0.0.1 (its port is yielded) that answers each connection with
    `prefix`, then `total` zero bytes one every `every` seconds: a TLS record begun and never
    finished holds a handshake, whose every read still returns in time."""
    done = threading.Event()

    class Trickler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            with contextlib.suppress(OSError):
                self.request.sendall(prefix)
                for _ in range(total):
                    if done.wait(every):
                        return
                    self.request.sendall(b"\0")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Trickler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        done.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
