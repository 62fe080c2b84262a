"""Adding a portal in a real browser: the address typed on the feeds page, the result page read
on a 375 px phone (no wider than the screen, no request to the portal, no script run, no
console error), then saved and listed (screenshots kept as test artifacts)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.services import added_feeds
from tests.helpers.apps import app_over
from tests.helpers.browser import PHONE, SignIn, Watch
from tests.helpers.httpserver import LocalServer, Reply, local_server
from tests.helpers.paths import FIXTURES
from tests.helpers.portal_pages import HTML, RSS, rss

pytestmark = pytest.mark.slow
local_server = local_server  # the fixture, used by name

SETTINGS = """
timezone = "Asia/Ho_Chi_Minh"

[database]
url = "{url}"

[render]
templates = "{templates}"

[polling]
contact = "it@skhcn.example.gov.vn"
allow_networks = ["127.0.0.0/8"]

[channels.facebook]
page_id = "1234567890"
"""


@pytest.fixture
def app(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    monkeypatch.setenv("SYNDICATOR_SECRET_KEY", "k" * 48)
    built = app_over(engine, tmp_path, SETTINGS)
    yield built
    built.close()


def test_admin_adds_a_portal_on_a_phone(
    app: App, site: str, signed_in_page: SignIn, local_server: LocalServer, artifacts: Path
) -> None:
    news = (FIXTURES / "portals" / "nukeviet-news.html").read_bytes()
    feed = rss("Tin Tức", [timedelta(hours=2), timedelta(days=1)], app.clock.now())
    feed = feed.replace(
        b"<title>Huy", b"<title>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; Huy"
    )
    local_server.route("/vi/news/", Reply(news, 200, HTML))
    local_server.route("/vi/news/rss/", Reply(feed, 200, RSS))
    page = signed_in_page("admin", PHONE)
    watch = Watch().on(page)
    page.goto(f"{site}/feeds")
    page.get_by_label("Địa chỉ cổng thông tin (trang chủ hoặc trang tin tức)").fill(
        local_server.url("/vi/news/")
    )
    page.get_by_role("button", name="Tìm nguồn tin").click()
    expect(page.get_by_role("heading", name="Kết quả tìm kiếm")).to_be_visible()
    expect(
        page.get_by_text("<script>alert(1)</script> Huyện Đông Sơn", exact=False)
    ).to_be_visible()
    page.screenshot(path=artifacts / "add-portal-phone.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the result page is {overflow} px too wide at 375 px"
    page.get_by_role("checkbox", name="facebook").check()
    page.get_by_role("button", name="Lưu cổng thông tin").click()
    page.wait_for_url(f"{site}/feeds?done=added&name=127-0-0-1")
    expect(page.get_by_role("status")).to_contain_text("Đã thêm cổng thông tin 127-0-0-1")
    expect(page.get_by_role("button", name="Gỡ Tin tức - Cổng thông tin điện tử")).to_be_visible()
    assert watch.dialogs == [] and watch.errors == []
    assert all(url.startswith(site) for url in watch.requests), watch.requests
    (added,) = added_feeds.added_feeds(app)
    assert added.feed.url == local_server.url("/vi/news/rss/") and added.feed.channels == [
        "facebook"
    ]
