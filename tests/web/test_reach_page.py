"""The reach page (/reach) and a post's counters on its page, over the province with known
counters (tests/helpers/reach_province.py), on SQLite and PostgreSQL: every role reads it,
linked from the header; its totals say unknown apart from 0; top posts, totals per portal,
category and channel; two SVG charts and the pacing suggestions, in Vietnamese; a bad period is
a 400; hostile titles are text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from storage.models import Item, Post
from storage.session import writing
from syndicator.app import App
from syndicator.services import users
from syndicator.web.app import create_app
from tests.helpers.markup import parsed
from tests.helpers.reach_province import fill_reach
from tests.helpers.report_province import province_app

PASSWORD = "mật khẩu đủ dài 2027"
FORM_TOKEN = re.compile(r'name="csrf" value="([^"]+)"')
HOSTILE = '<script>alert("xss")</script><img src=x onerror=alert(1)> Thông báo "khẩn" & gấp'


@pytest.fixture
def ids(engine: Engine) -> dict[tuple[str, str], int]:
    """The province, its posts rendered as the sandbox channels render them."""
    found = fill_reach(engine)
    rendered = {
        "channel_type": "sandbox",
        "text": "Sở KH&CN thông báo: xem chi tiết tại cổng thông tin điện tử của Sở.",
        "link": "https://skhcn.quangngai.gov.vn/tin-tuc/thong-bao",
    }
    with writing(engine) as session:
        session.execute(update(Post).values(rendered=rendered))
    return found


@pytest.fixture
def app(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ids: object
) -> Iterator[App]:
    monkeypatch.setenv("SYNDICATOR_SECRET_KEY", "k" * 48)
    built = province_app(engine, tmp_path)
    yield built
    built.close()


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app), follow_redirects=False) as test_client:
        yield test_client


def token_in(page: str) -> str:
    found = FORM_TOKEN.search(page)
    assert found, page
    return found.group(1)


def sign_in(app: App, client: TestClient, role: str) -> None:
    name = f"{role}-so-khcn"
    users.add_user(app, name, role, PASSWORD, by="test")
    token = token_in(client.get("/login").text)
    answer = client.post(
        "/login", data={"name": name, "password": PASSWORD, "csrf": token, "next": "/"}
    )
    assert answer.status_code == 303, answer.text


def test_a_stranger_is_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/reach")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


@pytest.mark.parametrize("role", ["editor", "approver", "admin"])
def test_every_role_reads_the_figures(app: App, client: TestClient, role: str) -> None:
    """The 30 days to now: 4 posts, each counter's sum with the posts that did not give it
    apart ("—" where none did), in Vietnamese, linked from the header."""
    sign_in(app, client, role)
    answer = client.get("/reach")
    assert answer.status_code == 200
    page = parsed(answer.text)
    text = page.text
    assert (
        "Tổng hợp Bài đã đăng 4 Cảm xúc 47 (2 không rõ) Bình luận 5 (2 không rõ) Chia sẻ 5 "
        "(1 không rõ) Lượt xem (Facebook) 900 (3 không rõ) Lượt nhấp — Lượt xem (Zalo) 150 "
        "(3 không rõ)"
    ) in text
    (current,) = [tag for tag in page.named("a") if tag.attrs.get("aria-current") == "page"]
    assert current.attrs["href"] == "/reach" and current.text == "Lan tỏa"
    assert all("style" not in tag.attrs for tag in page.tags)
    assert not page.named("script")
    assert len(page.with_class("chart-hours")) == 1 and len(page.with_class("chart-weekdays")) == 1


def test_top_posts_and_the_totals_per_portal_category_and_channel(
    app: App, client: TestClient, ids: dict[tuple[str, str], int]
) -> None:
    sign_in(app, client, "editor")
    page = parsed(client.get("/reach").text)
    links = [
        tag.attrs["href"]
        for tag in page.named("a")
        if (tag.attrs["href"] or "").startswith("/posts/")
    ]
    # By engagement: a on fanpage (48), b (7), a on zalo-oa (2); h gave nothing.
    assert links == [
        f"/posts/{ids[key]}" for key in (("a", "fanpage"), ("b", "fanpage"), ("a", "zalo-oa"))
    ]
    text = page.text
    portals = text[text.index("Theo cổng thông tin") : text.index("Theo lĩnh vực")]
    assert (
        "Sở Khoa học và Công nghệ 3 47 (1 không rõ) 5 (1 không rõ) 5 900 (2 không rõ) — 150 (2 không rõ)"
        in portals
    )
    assert "Sở Y tế 1 — — — — — —" in portals
    categories = text[text.index("Theo lĩnh vực") : text.index("Theo kênh")]
    assert "Tin tức, sự kiện 3 40 (2 không rõ)" in categories
    assert "Thông tin đấu thầu 1 7 0 0 — — —" in categories
    channels = text[text.index("Theo kênh") : text.index("Khi nào người đọc ở đó")]
    assert "fanpage 3 47 (1 không rõ)" in channels and "zalo-oa 1 — — 2 — — 150" in channels
    assert "fanpage : Quá ít bài biết được tương tác (2, cần ít nhất 5) để gợi ý khung giờ." in text


def test_ranked_by_another_counter(
    app: App, client: TestClient, ids: dict[tuple[str, str], int]
) -> None:
    sign_in(app, client, "editor")
    page = parsed(client.get("/reach", params={"by": "views", "since": "12w"}).text)
    links = [
        tag.attrs["href"]
        for tag in page.named("a")
        if (tag.attrs["href"] or "").startswith("/posts/")
    ]
    assert links == [f"/posts/{ids[('a', 'zalo-oa')]}"]
    (chosen,) = [tag for tag in page.named("option") if "selected" in tag.attrs]
    assert chosen.attrs["value"] == "views"


@pytest.mark.parametrize(("params", "says"), [
    ({"since": "0s"}, "không phải là một khoảng thời gian"),
    ({"since": "<b>7d</b>"}, "“&lt;b&gt;7d&lt;/b&gt;”"),
    ({"by": "<i>likes</i>"}, "Không thể xếp hạng bài theo “&lt;i&gt;likes&lt;/i&gt;”"),
])  # fmt: skip
def test_a_bad_period_or_counter_is_a_400(
    app: App, client: TestClient, params: dict[str, str], says: str
) -> None:
    sign_in(app, client, "editor")
    answer = client.get("/reach", params=params)
    assert answer.status_code == 400 and says in answer.text
    assert "<b>7d" not in answer.text and "<i>likes" not in answer.text


def test_hostile_titles_are_text(app: App, client: TestClient, engine: Engine) -> None:
    with writing(engine) as session:
        session.execute(update(Item).values(title=HOSTILE))
    sign_in(app, client, "editor")
    answer = client.get("/reach")
    assert "<script>" not in answer.text and "<img src=x" not in answer.text
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in answer.text
    page = parsed(answer.text)
    assert not page.named("script") and not page.named("img")


def test_the_post_page_shows_its_counters_by_age_and_a_sparkline(
    app: App, client: TestClient, ids: dict[tuple[str, str], int]
) -> None:
    """b on fanpage: 1h and 24h read, 7 days still to come; unknown as "—", never 0; the
    sparkline draws its two known points."""
    sign_in(app, client, "editor")
    page = parsed(client.get(f"/posts/{ids[('b', 'fanpage')]}").text)
    text = page.text
    assert "Lan tỏa" in text
    assert "1h 03/12/2026 08:00 3 0 0 120 — —" in text
    assert "1d 04/12/2026 07:00 7 0 0 — — —" in text
    assert "Còn chờ thu thập sau: 1w" in text
    (spark,) = page.with_class("sparkline")
    assert spark.attrs["aria-label"] == "Tương tác theo thời gian sau khi đăng: 1h: 3, 1d: 7"
    assert len(page.named("circle")) == 2 and len(page.named("polyline")) == 1


def test_a_post_not_collected_yet_says_so(
    app: App, client: TestClient, ids: dict[tuple[str, str], int]
) -> None:
    sign_in(app, client, "editor")
    page = parsed(client.get(f"/posts/{ids[('h', 'fanpage')]}").text)
    assert "Chưa thu thập số liệu nào." in page.text
    (spark,) = page.with_class("sparkline")
    assert spark.attrs["aria-label"] == "Tương tác theo thời gian sau khi đăng: chưa thu thập"
