"""Running the daemon from a front end: one cycle for cron, or until stopped; one daemon per
SQLite file either way."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.types import ASGIApp

from syndicator.ops import daemon, web_server
from syndicator.ops.daemon import Cycle

if TYPE_CHECKING:
    from syndicator.app import App

__all__ = ["Cycle", "run_forever", "run_once", "serve_page"]


def run_once(app: App) -> Cycle:
    """Poll what is due, publish what is due, raise and resolve alerts, then return."""
    with daemon.single_daemon(app.settings.database_url(), app.settings.resolve_path("var")):
        app.migrated_engine()
        return daemon.run_once(app)


def run_forever(app: App, admin_page: Callable[[], ASGIApp | None] = lambda: None) -> None:
    """The daemon, until SIGTERM or Ctrl-C (work in flight finishes first). `admin_page` is
    called once this process holds the daemon lock (so a second `run` that is refused prints
    no first-admin link and makes none); what it returns is served beside the health
    endpoints."""
    with daemon.single_daemon(app.settings.database_url(), app.settings.resolve_path("var")):
        app.migrated_engine()
        site = admin_page()
        daemon.serve(app, app.settings.daemon.shutdown_grace.total_seconds(), site)


def serve_page(app: App, site: ASGIApp) -> None:
    """The admin page alone on web.listen, with the daemon's web server settings, until Ctrl-C
    or SIGTERM (`syndicator serve`)."""
    web_server.serve_here(site, app.settings.web)
