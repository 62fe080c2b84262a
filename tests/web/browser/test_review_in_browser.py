"""The review done in a real browser: the first admin from the one-time link, sign-in, edit and
approve; feed markup shown as text with no script run; the pages at desktop and phone widths
(screenshots kept as test artifacts)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.services import queue, sign_in, users
from tests.helpers.browser import (
    DESKTOP,
    PASSWORD,
    PHONE,
    OpenPage,
    SignIn,
    Watch,
    log_in,
)
from tests.helpers.posts import feed, make_posts, parsed

pytestmark = pytest.mark.slow

TITLES = (
    "Triển khai chuyển đổi số năm 2027 tại các sở, ban, ngành",
    "Hội nghị tổng kết công tác khoa học và công nghệ năm 2026",
    "Thông báo lịch tiếp công dân của Giám đốc Sở tháng 11/2026",
)
EDITED = "Sở KH&CN thông báo: hội nghị tổng kết dời sang 8 giờ ngày 20/11/2026 tại hội trường tỉnh."
SCRIPT = "<script>alert(1)</script>"
HANDLER = "<img src=x onerror=alert(1)>"


def seed(engine: Engine) -> list[int]:
    """Three Vietnamese items, one Fanpage post each; their ids in the order of TITLES."""
    return [make_posts(engine, feed(), parsed(title, n))[0] for n, title in enumerate(TITLES, 1)]


def test_first_admin_edits_and_approves_a_post(
    app: App, engine: Engine, site: str, open_page: OpenPage
) -> None:
    """From the one-time link to an approved post: the admin is created, signs out and in,
    finds the post among those waiting, edits it, approves the version shown, and the post
    leaves the pending queue with both actions in its history under the admin's name."""
    post_ids = seed(engine)
    token = sign_in.first_admin_link(app)
    page = open_page(DESKTOP)
    page.goto(f"{site}/setup/{token}")
    page.get_by_label("Tên đăng nhập", exact=True).fill("quan-tri")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Tạo", exact=True).click()
    page.wait_for_url(f"{site}/")
    expect(page.get_by_text("quan-tri (Quản trị viên)")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{site}/login")
    log_in(page, site, "quan-tri")

    show_pending(page)
    page.get_by_role("link", name=TITLES[1]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[1])
    page.get_by_label("Nội dung sẽ đăng").fill(EDITED)
    page.get_by_role("button", name="Lưu nội dung").click()
    expect(page.get_by_role("status")).to_have_text("Đã lưu nội dung; bài đăng chờ duyệt lại.")
    expect(preview(page)).to_contain_text(EDITED)
    page.get_by_role("button", name="Duyệt phiên bản 1").click()
    expect(page.get_by_role("status")).to_have_text("Bài đã được duyệt.")

    page.get_by_role("navigation").get_by_role("link", name="Hàng chờ duyệt").click()
    show_pending(page)
    expect(page.get_by_role("link", name=TITLES[0])).to_be_visible()
    expect(page.get_by_role("link", name=TITLES[2])).to_be_visible()
    expect(page.get_by_role("link", name=TITLES[1])).to_have_count(0)
    shown = queue.show_post(app, post_ids[1])
    assert shown.status == "approved" and shown.preview.text == EDITED
    assert [(line.action, line.actor) for line in shown.history[1:]] == [
        ("edit", "quan-tri"),
        ("approve", "quan-tri"),
    ]


def show_pending(page: Page) -> None:
    """Filters the queue to the posts waiting for review, as a user does."""
    page.get_by_label("Trạng thái").select_option("pending_review")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url(re.compile(r"status=pending_review"))


def preview(page: Page) -> Locator:
    """The post's preview, found by its heading."""
    return page.get_by_role("region", name=re.compile("^Bài sẽ hiển thị trên"))


def test_markup_from_the_feed_runs_nothing(
    engine: Engine, site: str, signed_in_page: SignIn
) -> None:
    """A title with a script and a summary with an event handler show as text on the queue and
    on the post page: no dialog, no console error, no request for the image, no element made."""
    item = dataclasses.replace(
        parsed(f"Tin thử {SCRIPT}"), summary=f"Tóm tắt {HANDLER}", content_html=f"<p>{HANDLER}</p>"
    )
    (post_id,) = make_posts(engine, feed(), item)
    page = signed_in_page("approver", DESKTOP)
    watch = Watch().on(page)
    page.reload()
    expect(page.get_by_role("link", name=f"Tin thử {SCRIPT}")).to_be_visible()
    page.get_by_role("link", name=f"Tin thử {SCRIPT}").click()
    page.wait_for_url(f"{site}/posts/{post_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tin thử {SCRIPT}")
    expect(page.get_by_text(HANDLER).first).to_be_visible()
    for path in ("/", f"/posts/{post_id}"):
        page.goto(f"{site}{path}")  # returns once the page has loaded
        # The only picture is the preview's cover, from the item's https image.
        assert page.locator("body script, body img:not(.card-cover)").count() == 0, path
        assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0, path
    assert watch.dialogs == [] and watch.errors == []
    assert not [url for url in watch.requests if url.startswith(f"{site}/x")]


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_pages_fit_the_screen(
    engine: Engine, site: str, signed_in_page: SignIn, artifacts: Path, width: str
) -> None:
    """The queue and a post page fit the width (no sideways scrolling) at 1280 and 375 px;
    their screenshots are kept as test artifacts."""
    post_ids = seed(engine)
    page = signed_in_page("approver", {"desktop": DESKTOP, "phone": PHONE}[width])
    for name, path in (("queue", "/"), ("post", f"/posts/{post_ids[0]}")):
        page.goto(f"{site}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.screenshot(path=artifacts / f"{name}-{width}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} page is {overflow} px too wide at {width} width"
        assert (artifacts / f"{name}-{width}.png").stat().st_size > 0


FOCUSED = "(() => { const e = document.activeElement;"
FOCUSED += (
    " return (e.labels && e.labels[0] ? e.labels[0].textContent : e.textContent).trim(); })()"
)


def tab_to(page: Page, name: str, most: int = 60) -> None:
    """Presses Tab until the focused control is labelled `name` (or its text is): every control
    of the review must be reachable from the keyboard, in at most `most` presses."""
    seen = []
    for _ in range(most):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
        if seen[-1] == name:
            return
    raise AssertionError(f"{name!r} not reached with {most} presses of Tab: {seen}")


def test_the_review_works_from_the_keyboard_alone(
    app: App, engine: Engine, site: str, open_page: OpenPage
) -> None:
    """Sign in and approve a post with Tab, typing and Enter only: no mouse."""
    post_ids = seed(engine)
    users.add_user(app, "bien-tap-vien", "approver", PASSWORD, by="test")
    page = open_page(DESKTOP)
    page.goto(f"{site}/login")
    tab_to(page, "Tên đăng nhập")
    page.keyboard.type("bien-tap-vien")
    tab_to(page, "Mật khẩu")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/")
    page.goto(f"{site}/posts/{post_ids[0]}")
    tab_to(page, "Duyệt phiên bản 0")  # a new post: its first version
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Bài đã được duyệt.")
    assert queue.show_post(app, post_ids[0]).status == "approved"
