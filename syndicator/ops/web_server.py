"""The daemon's web server: uvicorn on web.listen, in a thread, with bounded concurrency and a
deadline on reading each request.

uvicorn serves every connection from one event loop (no thread per connection). The socket is
bound here, before the thread starts, so a taken address is one clear ConfigError."""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
from dataclasses import dataclass

import structlog
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from syndicator.errors import ConfigError
from syndicator.ops.health import parse_listen
from syndicator.settings_models import WebSettings

log = structlog.get_logger("syndicator.ops.web_server")


def cannot_listen(listen: str, error: OSError) -> str:
    """Why web.listen cannot be bound, and what to do about it."""
    if error.errno == errno.EADDRINUSE:
        return (
            f"web.listen: {listen} is already in use (another syndicator or program?): "
            f"change [web] listen or stop the other program"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return f"web.listen: {listen} is not an address of this machine: change [web] listen"
    if error.errno == errno.EACCES:
        return f"web.listen: {listen} needs privileges: use a port above 1023"
    if isinstance(error, socket.gaierror):
        return f"web.listen: the host of {listen} is unknown: change [web] listen"
    return f"web.listen: cannot listen on {listen} ({error.strerror or type(error).__name__})"


def bind(listen: str) -> socket.socket:
    """A listening socket on web.listen; a ConfigError naming the setting when it cannot be."""
    try:
        host, port = parse_listen(listen)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        return socket.create_server((host, port), family=family, backlog=2048)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    except OSError as error:
        raise ConfigError(cannot_listen(listen, error)) from None


def deadline_protocol(request_timeout: float) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, plus what uvicorn lacks: a connection that has not sent a whole
    request head within `request_timeout` (a slowloris trickling bytes) is closed. The check
    re-arms while requests keep arriving; a request being answered is never cut."""

    class DeadlineH11(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None
        _seen: object = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._seen = self.cycle
            self._deadline = self.loop.call_later(request_timeout, self._check)

        def _check(self) -> None:
            answering = self.cycle is not None and not self.cycle.response_complete
            if self.cycle is self._seen and not answering:
                log.info("web.request_timed_out")
                self.transport.close()
                return
            self._arm()

    return DeadlineH11


def server_config(site: ASGIApp, web: WebSettings) -> uvicorn.Config:
    """uvicorn's settings from [web]: see README.md ("Health and metrics") for the mapping."""
    timeout = web.request_timeout.total_seconds()
    return uvicorn.Config(
        site,
        http=deadline_protocol(timeout),
        ws="none",
        lifespan="off",
        # uvicorn counts the connection asking, too: +1 admits max_connections of them.
        limit_concurrency=web.max_connections + 1,
        timeout_keep_alive=max(1, round(timeout)),
        timeout_graceful_shutdown=max(1, round(timeout)),
        server_header=False,
        log_config=None,
        access_log=False,
    )


@dataclass
class WebServer:
    """A running server: its port (web.listen's, or the one picked for port 0) and thread."""

    server: uvicorn.Server
    thread: threading.Thread
    port: int

    def stop(self, timeout: float = 15) -> None:
        """Stop accepting, let answers in flight finish (up to web.request_timeout), join."""
        self.server.should_exit = True
        self.thread.join(timeout)


def start_web_server(site: ASGIApp, web: WebSettings) -> WebServer:
    """Serve `site` on web.listen from a thread of this process."""
    sock = bind(web.listen)
    server = uvicorn.Server(server_config(site, web))
    thread = threading.Thread(target=_serve, args=(server, sock), name="web", daemon=True)
    thread.start()
    port = int(sock.getsockname()[1])
    log.info("health.started", listen=web.listen, port=port)
    return WebServer(server, thread, port)


def _serve(server: uvicorn.Server, sock: socket.socket) -> None:
    try:
        server.run(sockets=[sock])
    except BaseException:  # a dead web server must not pass silently; the daemon goes on
        log.exception("web.failed")
    finally:
        sock.close()


def serve_here(site: ASGIApp, web: WebSettings) -> None:
    """Serve `site` on web.listen in this thread until Ctrl-C or SIGTERM (`syndicator serve`)."""
    sock = bind(web.listen)
    try:
        uvicorn.Server(server_config(site, web)).run(sockets=[sock])
    finally:
        sock.close()
