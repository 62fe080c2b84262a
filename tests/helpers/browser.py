"""What the browser tests share: the viewport sizes, signing in through the form, and a watch
on what a page did (dialogs, console errors, page errors, requests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import ConsoleMessage, Dialog, Page, Request, ViewportSize

PASSWORD = "mật khẩu đủ dài 2027"
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=375, height=740)

OpenPage = Callable[[ViewportSize], Page]  # the open_page fixture
SignIn = Callable[[str, ViewportSize], Page]  # the signed_in_page fixture


def log_in(page: Page, site: str, name: str) -> None:
    """Signs in through the login form, as a person does, and lands on the queue."""
    page.goto(f"{site}/login")
    page.get_by_label("Tên đăng nhập", exact=True).fill(name)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{site}/")


@dataclass
class Watch:
    """What a page did that feed text must never make it do; dialogs are dismissed."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def on(self, page: Page) -> Watch:
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", self._request)
        return self

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)
