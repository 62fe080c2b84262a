"""The audit trail in a real browser: reached from the header, filtered with the keyboard alone
through its labelled choices, no wider than a 375 px phone with long names and labels
(screenshots kept as test artifacts), and a label carrying markup shown as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from syndicator.app import App
from syndicator.services import api_tokens, users
from tests.helpers.browser import PASSWORD, PHONE, SignIn, Watch

pytestmark = pytest.mark.slow

LONG_NAME = "Nguyễn Thị Minh Khai Phòng Thông tin"
LABEL = "<script>alert(1)</script> sao lưu bài đăng hằng đêm cho Cổng thông tin điện tử tỉnh"
# The focused control's name: its label's text, or its own (a button's).
FOCUSED = "(() => { const e = document.activeElement;"
FOCUSED += (
    " return (e.labels && e.labels[0] ? e.labels[0].textContent : e.textContent).trim(); })()"
)


def tab_to(page: Page, name: str, most: int = 30) -> None:
    """Presses Tab until the focused control is the one named `name`."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == name:
            return
    raise AssertionError(f"{name!r} not reached with {most} presses of Tab")


def test_audit_trail_on_a_phone_with_the_keyboard(
    app: App, site: str, signed_in_page: SignIn, artifacts: Path
) -> None:
    users.add_user(app, LONG_NAME, "editor", PASSWORD, by="admin-so-khcn")
    api_tokens.create_api_token(app, LONG_NAME, LABEL, by="admin-so-khcn")
    page = signed_in_page("admin", PHONE)
    watch = Watch().on(page)
    page.get_by_role("link", name="Nhật ký quản trị").click()
    page.wait_for_url(f"{site}/audit")
    expect(page.get_by_text(LABEL, exact=False)).to_be_visible()
    page.screenshot(path=artifacts / "audit-phone.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the audit page is {overflow} px too wide at 375 px"
    tab_to(page, "Thao tác")
    for _ in range(6):  # from "Tất cả" down to "Tạo mã API" (ADMIN_ACTIONS' order)
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Thao tác", exact=True)).to_have_value("api_token_create")
    tab_to(page, "Lọc")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/audit?actor=&action=api_token_create")
    expect(page.locator(".posts li")).to_have_count(1)
    assert watch.dialogs == [] and watch.errors == []
