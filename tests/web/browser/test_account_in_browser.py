"""Passwords in a real browser on a 375 px phone: the account page reached from the header,
filled by its labels, and the users page with a password form per user, neither wider than
the screen (screenshots kept as test artifacts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from syndicator.app import App
from syndicator.services import users
from tests.helpers.browser import PASSWORD, PHONE, SignIn

pytestmark = pytest.mark.slow

NEW = "Hoa sen nở giữa đầm 2028"


def fits(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=artifacts / f"{name}-phone.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} page is {overflow} px too wide at 375 px"


def test_own_password_changed_on_a_phone(
    app: App, site: str, signed_in_page: SignIn, artifacts: Path
) -> None:
    """An editor follows the header's link, fills the three labelled fields, stays signed in
    and is told the other sessions ended; the page fits the phone."""
    page = signed_in_page("editor", PHONE)
    page.get_by_role("link", name="Tài khoản của tôi").click()
    page.wait_for_url(f"{site}/account")
    fits(page, artifacts, "account")
    page.get_by_label("Mật khẩu hiện tại", exact=True).fill(PASSWORD)
    page.get_by_label("Mật khẩu mới", exact=True).fill(NEW)
    page.get_by_label("Nhập lại mật khẩu mới", exact=True).fill(NEW)
    page.get_by_role("button", name="Đổi mật khẩu", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Đã đổi mật khẩu")
    fits(page, artifacts, "account-done")
    page.goto(f"{site}/")
    expect(page.get_by_text("editor-so-khcn (Biên tập viên)")).to_be_visible()


def test_users_page_with_password_forms_fits_a_phone(
    app: App, site: str, signed_in_page: SignIn, artifacts: Path
) -> None:
    """Each other user's password form is labelled with their name and fits the phone."""
    users.add_user(app, "Nguyễn Thị Minh Khai Phòng Thông tin", "editor", PASSWORD, by="test")
    page = signed_in_page("admin", PHONE)
    page.goto(f"{site}/users")
    label = "Mật khẩu mới cho Nguyễn Thị Minh Khai Phòng Thông tin (ít nhất 12 ký tự)"
    expect(page.get_by_label(label, exact=True)).to_be_visible()
    fits(page, artifacts, "users")
