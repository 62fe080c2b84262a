"""The admin page served for real (uvicorn in a thread, on a port the OS picks on 127.0.0.1)
to a real headless Chromium: Debian's /usr/bin/chromium driven by Playwright (Playwright's own
browser download does not work here). Without that browser the tests skip, except under CI,
where they fail: .ci/run installs it."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import httpx2 as httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.services import users
from syndicator.web.app import create_app
from tests.helpers.browser import DESKTOP, PASSWORD, OpenPage, SignIn, log_in

CHROMIUM = Path("/usr/bin/chromium")
READY_WITHIN_S = 15.0


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    """SQLite only: these tests are about the browser; the pages' queries run on both
    databases in tests/web/."""
    return sqlite_engine


def _missing(reason: str) -> NoReturn:
    """No browser here: a failure under CI (.ci/run installs it), a skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; .ci/run must install it", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium under Playwright, shared by the session's tests."""
    if not CHROMIUM.exists():
        _missing(f"no browser at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


# A 1x1 transparent GIF.
BLANK_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """Opens a page at a viewport size, in a fresh context (no cookies) that prefers
    Vietnamese; all are closed after the test."""
    contexts: list[BrowserContext] = []

    def opened(viewport: ViewportSize = DESKTOP) -> Page:
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        context.set_default_timeout(10_000)
        # Tests never reach the internet: a feed's https picture (a preview's cover) is answered
        # here with a blank image.
        context.route(
            "https://**/*", lambda route: route.fulfill(body=BLANK_GIF, content_type="image/gif")
        )
        contexts.append(context)
        return context.new_page()

    yield opened
    for context in contexts:
        context.close()


@pytest.fixture
def site(app: App) -> Iterator[str]:
    """The app served by uvicorn in a thread; yields its base URL once it answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    config = uvicorn.Config(create_app(app), log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        _wait_until_serving(server, thread, base)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        with contextlib.suppress(OSError):
            listener.close()


def _wait_until_serving(server: uvicorn.Server, thread: threading.Thread, base: str) -> None:
    """Until uvicorn says it started and the login page answers, within READY_WITHIN_S."""
    deadline = time.monotonic() + READY_WITHIN_S
    while not server.started:
        thread.join(timeout=0.05)  # waits on the server thread: returns at once if it died
        if not thread.is_alive():
            pytest.fail("the web server stopped while starting")
        if time.monotonic() > deadline:
            pytest.fail(f"the web server did not start within {READY_WITHIN_S} s")
    answer = httpx.get(f"{base}/login", timeout=max(deadline - time.monotonic(), 1.0))
    assert answer.status_code == 200, answer.text


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Where screenshots are kept: $SYNDICATOR_TEST_ARTIFACTS/browser, or tmp_path/browser."""
    folder = Path(os.environ.get("SYNDICATOR_TEST_ARTIFACTS") or tmp_path) / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def signed_in_page(app: App, site: str, open_page: OpenPage) -> SignIn:
    """Adds a user of `role` (named after it) and signs them in through the login form."""

    def sign_in(role: str, viewport: ViewportSize = DESKTOP) -> Page:
        name = f"{role}-so-khcn"
        if name not in {user.name for user in users.list_users(app)}:
            users.add_user(app, name, role, PASSWORD, by="test")
        page = open_page(viewport)
        log_in(page, site, name)
        return page

    return sign_in
