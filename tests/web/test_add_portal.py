"""Adding a portal from its address on the feeds page (issue #13): discovery against a portal on
127.0.0.1, its findings and preview, the save form checked again by the service, removal; only
admins; whatever the portal says stays escaped."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from storage import stored_feeds as store
from storage.session import reading, writing
from syndicator.app import App
from syndicator.services import added_feeds, audit
from tests.helpers.apps import app_over
from tests.helpers.httpserver import LocalServer, Reply, local_server
from tests.helpers.paths import FIXTURES
from tests.helpers.portal_pages import HTML, RSS, page, rss

local_server = local_server  # the fixture, used by name

SignIn = Callable[[str], str]
NUKEVIET_PAGE = (FIXTURES / "portals" / "nukeviet-news.html").read_bytes()
SHAREPOINT_PAGE = (FIXTURES / "portals" / "sharepoint-tin-tuc.html").read_bytes()
# The portals are on 127.0.0.1, which the fetcher refuses unless the settings allow it.
PORTAL_SETTINGS = """
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

[channels.zalo]
app_id = "123"
enabled = false

[[feeds]]
id = "skhcn"
name = "Sở Khoa học và Công nghệ"
url = "https://skhcn.gov.vn/rss"
channels = ["facebook", "zalo"]

[[report.categories]]
id = "tin-tuc"
name = "Tin tức, sự kiện"

[[report.categories]]
id = "thu-tuc-hanh-chinh"
name = "Thủ tục hành chính"
"""
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
HOSTILE = 'Cổng "Đông Sơn" <script>alert(1)</script>'


@pytest.fixture
def app(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    monkeypatch.setenv("SYNDICATOR_SECRET_KEY", "k" * 48)
    built = app_over(engine, tmp_path, PORTAL_SETTINGS)
    yield built
    built.close()


def nukeviet(server: LocalServer, app: App) -> None:
    """A NukeViet portal: its news page advertising its feed, and decoys at /rss (404) and
    /feed (an HTML page)."""
    ages = [timedelta(hours=2), timedelta(hours=5), timedelta(days=1)]
    server.route("/vi/news/", Reply(NUKEVIET_PAGE, 200, HTML))
    server.route("/vi/news/rss/", Reply(rss("Tin Tức", ages, app.clock.now()), 200, RSS))
    server.route("/feed", Reply(NUKEVIET_PAGE, 200, HTML))


def discover(client: TestClient, token: str, url: str) -> str:
    answer = client.post("/feeds/discover", data={"csrf": token, "url": url})
    assert answer.status_code == 200, answer.text
    return answer.text


def save_form(page: str) -> dict[str, str | list[str]]:
    """The save form's hidden and prefilled fields, as the browser would send them."""
    form = page[page.index('action="/feeds/add"') : page.index("</form>", page.index("/feeds/add"))]
    fields: dict[str, str | list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        fields[name] = unescape(value)
    for name in ("id", "name", "agency"):
        found = re.search(rf'name="{name}" value="([^"]*)"', form)
        assert found, name
        fields[name] = unescape(found.group(1))
    return fields | {"review": "required"}


def added_ids(app: App) -> list[str]:
    return [portal.feed.id for portal in added_feeds.added_feeds(app)]


def test_admin_discovers_a_feed_previews_and_saves_it(
    app: App, client: TestClient, sign_in: SignIn, local_server: LocalServer
) -> None:
    """Each candidate with its verdict, the feed proposed with its latest items (dates in the
    settings' timezone, links that carry no referrer), then saved: listed on the feeds page,
    polled by the daemon (app.feeds()) and recorded in the audit trail."""
    nukeviet(local_server, app)
    token = sign_in("admin")
    feeds_page = client.get("/feeds").text
    assert 'action="/feeds/discover"' in feeds_page and "có thể mất đến một phút" in feeds_page
    shown = discover(client, token, local_server.url("/vi/news/"))
    feed_url = local_server.url("/vi/news/rss/")
    assert "Dùng được" in shown and f"{feed_url}</span>" in shown
    assert "do trang giới thiệu" in shown and "Tin Tức" in shown
    assert "không có trang này: <code>http_404</code>" in shown
    assert "một trang web, không phải nguồn tin: <code>html_page</code>" in shown
    assert f"Nguồn đề xuất: nguồn tin RSS này. <code>{feed_url}</code>" in shown
    link = "https://dongson.example.gov.vn/vi/news/tin-hoat-dong/bai-0.html"
    first = f'<a href="{link}" rel="noopener noreferrer nofollow">'
    assert first + "Huyện Đông Sơn ra mắt mô hình “Dân vận khéo”" in shown
    two_hours_ago = app.clock.now() - timedelta(hours=2)
    assert two_hours_ago.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") in shown
    fields = save_form(shown)
    assert fields["id"] == "127-0-0-1" and fields["url"] == feed_url and fields["type"] == "rss"
    assert fields["name"] == "Tin tức - Cổng thông tin điện tử huyện Đông Sơn"
    sent = fields | {
        "agency": "UBND huyện Đông Sơn",
        "category": "tin-tuc",
        "channels": ["facebook"],
    }
    answer = client.post("/feeds/add", data=sent)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/feeds?done=added&name=127-0-0-1"
    listed = client.get(answer.headers["location"]).text
    assert "Đã thêm cổng thông tin 127-0-0-1" in listed
    assert (
        "Do admin-so-khcn thêm trên trang này" in listed
        and 'name="feed" value="127-0-0-1"' in listed
    )
    (feed,) = [feed for feed in app.feeds() if feed.id == "127-0-0-1"]
    assert (feed.url, feed.type, feed.channels, feed.category) == (
        feed_url,
        "rss",
        ["facebook"],
        "tin-tuc",
    )
    assert feed.agency == "UBND huyện Đông Sơn" and feed.review == "required"
    again = discover(client, token, local_server.url("/vi/news/"))
    assert "Nguồn này đã được thêm trên trang này với mã 127-0-0-1" in again
    (event, *_) = audit.recent_admin_events(app)
    assert (event.action, event.subject, event.actor) == ("feed_add", "127-0-0-1", "admin-so-khcn")


def test_a_portal_without_feed_is_saved_as_a_listing(
    app: App, client: TestClient, sign_in: SignIn, local_server: LocalServer
) -> None:
    """A SharePoint news list without feed: the selectors proposed are shown, carried as hidden
    fields, and saved as a type = "html" source."""
    local_server.route("/Pages/tin-tuc.aspx", Reply(SHAREPOINT_PAGE, 200, HTML))
    token = sign_in("admin")
    shown = discover(client, token, local_server.url("/Pages/tin-tuc.aspx"))
    assert "hệ thống đề xuất tự đọc danh sách tin của trang này" in shown
    assert "Bộ chọn item" in shown and "Các tin mới nhất" in shown
    fields = save_form(shown)
    selectors = {k.removeprefix("selector_"): v for k, v in fields.items() if "selector_" in k}
    assert fields["type"] == "html" and {"item", "link"} <= selectors.keys()
    answer = client.post("/feeds/add", data=fields | {"id": "so-tnmt"})
    assert answer.status_code == 303, answer.text
    (feed,) = [feed for feed in app.feeds() if feed.id == "so-tnmt"]
    assert feed.type == "html" and feed.selectors is not None
    assert feed.selectors.model_dump(exclude_none=True) == selectors
    assert feed.url == local_server.url("/Pages/tin-tuc.aspx") and feed.channels == []


def test_a_hostile_portal_stays_escaped(
    app: App, client: TestClient, sign_in: SignIn, local_server: LocalServer
) -> None:
    """A page title and an item title holding markup and quotes are shown as text, in the page
    and in the form's values; the name is saved as it was and shown escaped on the feeds page."""
    escaped = HOSTILE.replace("<", "&lt;").replace(">", "&gt;")
    head = '<link rel="alternate" type="application/rss+xml" href="/tin.rss">'
    body = page(head).replace(b"<title>", f"<title>{escaped} - ".encode())
    feed = rss("Tin", [timedelta(hours=1)], app.clock.now()).replace(
        b"<title>Huy", b'<title>&amp;lt;script&amp;gt;alert("2")&amp;lt;/script&amp;gt; Huy'
    )
    local_server.route("/", Reply(body, 200, HTML))
    local_server.route("/tin.rss", Reply(feed, 200, RSS))
    token = sign_in("admin")
    shown = discover(client, token, local_server.url("/"))
    assert "<script>alert" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "&lt;script&gt;alert(&#34;2&#34;)&lt;/script&gt; Huyện" in shown
    assert 'value="Cổng &#34;Đông Sơn&#34; &lt;script&gt;' in shown
    fields = save_form(shown)
    assert str(fields["name"]).startswith(HOSTILE)
    assert client.post("/feeds/add", data=fields).status_code == 303
    listed = client.get("/feeds").text
    assert "<script>alert" not in listed and "Cổng &#34;Đông Sơn&#34; &lt;script&gt;" in listed


@pytest.mark.parametrize("role", ["editor", "approver"])
def test_only_admins_add_or_remove_portals(
    app: App, client: TestClient, sign_in: SignIn, local_server: LocalServer, role: str
) -> None:
    """Others see the feeds but neither form; their posts are refused before the portal is
    read or anything is saved or removed."""
    nukeviet(local_server, app)
    added_feeds.add_feed(
        app,
        {"id": "dong-son", "name": "Đông Sơn", "url": local_server.url("/vi/news/rss/")},
        by="admin",
    )
    token = sign_in(role)
    listed = client.get("/feeds").text
    assert "Đông Sơn" in listed and "Do admin thêm trên trang này" in listed
    assert "/feeds/discover" not in listed and "/feeds/remove" not in listed
    url = local_server.url("/vi/news/")
    assert client.post("/feeds/discover", data={"csrf": token, "url": url}).status_code == 403
    assert local_server.seen == []
    table = {
        "id": "dong-son-2",
        "name": "Đông Sơn",
        "url": local_server.url("/vi/news/rss/"),
        "type": "rss",
    }
    assert client.post("/feeds/add", data=table | {"csrf": token}).status_code == 403
    assert client.post("/feeds/remove", data={"csrf": token, "feed": "dong-son"}).status_code == 403
    assert added_ids(app) == ["dong-son"]


def test_posts_without_the_form_token_are_refused(
    app: App, client: TestClient, sign_in: SignIn, local_server: LocalServer
) -> None:
    nukeviet(local_server, app)
    sign_in("admin")
    answer = client.post("/feeds/discover", data={"url": local_server.url("/vi/news/")})
    assert answer.status_code == 403 and local_server.seen == []
    table = {
        "id": "dong-son",
        "name": "Đông Sơn",
        "url": local_server.url("/vi/news/rss/"),
        "type": "rss",
    }
    assert client.post("/feeds/add", data=table).status_code == 403
    assert added_ids(app) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "Đông Sơn"}, "id: Value error, &#39;Đông Sơn&#39; is not a slug"),
        ({"id": "d" * 65}, "is not a slug"),
        ({"id": "skhcn"}, "the id &#39;skhcn&#39; is already a feed of the settings file"),
        ({"id": "dong-son"}, "the id &#39;dong-son&#39; is already a portal added here"),
        ({"channels": ["facebook", "khong-co"]}, "unknown channel"),
        ({"category": "khong-co"}, "unknown category &#39;khong-co&#39;"),
        ({"review": "never"}, "review: Input should be &#39;required&#39; or &#39;auto&#39;"),
        ({"type": "html"}, "type = &#34;html&#34; reads a listing page"),
        (
            {"selector_item": "li.news", "selector_link": "a"},
            "selectors are read only with type = &#34;html&#34;",
        ),
        (
            {"type": "html", "selector_item": "li", "selector_link": "a", "selector_js": "x"},
            "selectors.js: Extra inputs are not permitted",
        ),
        ({"type": "html", "selector_item": "li[", "selector_link": "a"}, "selectors.item:"),
        ({"url": "ftp://127.0.0.1/tin.rss"}, "url:"),
    ],
)
def test_a_refused_form_is_shown_again_and_saves_nothing(
    app: App,
    client: TestClient,
    sign_in: SignIn,
    local_server: LocalServer,
    change: dict[str, object],
    message: str,
) -> None:
    """A bad or taken id, a channel or category the settings lack, tampered hidden fields: the
    form again with what the admin typed, the Vietnamese lead and the service's reason, and
    nothing saved."""
    nukeviet(local_server, app)
    rss_url = local_server.url("/vi/news/rss/")
    added_feeds.add_feed(app, {"id": "dong-son", "name": "Đông Sơn", "url": rss_url}, by="admin")
    token = sign_in("admin")
    sent = {"csrf": token, "id": "dong-son-2", "name": "Tin tức Đông Sơn", "url": rss_url}
    sent |= {"type": "rss", "agency": "UBND huyện Đông Sơn", "review": "required"}
    answer = client.post("/feeds/add", data=sent | change)
    assert answer.status_code == 409
    assert "Chưa lưu được cổng thông tin" in answer.text and message in answer.text
    assert 'value="UBND huyện Đông Sơn"' in answer.text and 'action="/feeds/add"' in answer.text
    assert added_ids(app) == ["dong-son"]


def test_admin_removes_an_added_portal_but_not_a_feed_of_the_file(
    app: App, client: TestClient, sign_in: SignIn, local_server: LocalServer
) -> None:
    """ "Gỡ" removes a portal added here (audited); the file's feeds have no such button, and a
    forged removal of one is refused."""
    rss_url = local_server.url("/vi/news/rss/")
    added_feeds.add_feed(app, {"id": "dong-son", "name": "Đông Sơn", "url": rss_url}, by="admin")
    token = sign_in("admin")
    listed = client.get("/feeds").text
    assert listed.count('action="/feeds/remove"') == 1 and 'aria-label="Gỡ Đông Sơn"' in listed
    answer = client.post("/feeds/remove", data={"csrf": token, "feed": "dong-son"})
    assert answer.status_code == 303
    assert "Đã gỡ cổng thông tin dong-son" in client.get(answer.headers["location"]).text
    assert added_ids(app) == [] and "dong-son" not in [feed.id for feed in app.feeds()]
    assert audit.recent_admin_events(app)[0].action == "feed_remove"
    refused = client.post("/feeds/remove", data={"csrf": token, "feed": "skhcn"})
    assert refused.status_code == 409 and "Chưa gỡ được cổng thông tin" in refused.text
    assert "&#39;skhcn&#39; is not a portal added on this page" in refused.text
    assert [feed.id for feed in app.feeds()] == ["skhcn"]


def test_a_stored_portal_that_no_longer_fits_is_listed_apart_to_be_removed(
    app: App, client: TestClient, sign_in: SignIn
) -> None:
    """A stored portal whose id the settings file now uses is not polled: shown apart, with
    its remove button, and the file's feed keeps no button of its own."""
    with writing(app.migrated_engine()) as session:
        table = {"name": "Sở KH&CN (thêm trên web)", "url": "https://skhcn.gov.vn/tin-tuc"}
        store.add_stored_feed(session, "skhcn", table, "admin", app.clock.now())
    token = sign_in("admin")
    listed = client.get("/feeds").text
    apart = listed[listed.index("Cổng thông tin đã thêm ở đây nhưng không được lấy tin") :]
    assert "Sở KH&amp;CN (thêm trên web)" in apart and 'name="feed" value="skhcn"' in apart
    assert listed.count('action="/feeds/remove"') == 1
    assert client.post("/feeds/remove", data={"csrf": token, "feed": "skhcn"}).status_code == 303
    with reading(app.migrated_engine()) as session:
        assert store.stored_feeds(session) == []
    assert [feed.url for feed in app.feeds()] == ["https://skhcn.gov.vn/rss"]


def test_a_page_closed_by_robots_shows_why_and_no_form(
    app: App, client: TestClient, sign_in: SignIn, local_server: LocalServer
) -> None:
    nukeviet(local_server, app)
    local_server.route("/robots.txt", Reply(b"User-agent: *\nDisallow: /vi/\n", 200))
    token = sign_in("admin")
    shown = discover(client, token, local_server.url("/vi/news/"))
    assert "Không đọc được trang." in shown and "<code>robots_disallowed</code>" in shown
    assert 'action="/feeds/add"' not in shown and 'action="/feeds/discover"' in shown
    assert local_server.hits("/vi/news/") == 0
