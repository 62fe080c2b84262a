"""HTML listing sources through the poller (issue #13), over real HTTP on both databases: a
commune's listing page becomes stored items like a feed's; a new item the listing leaves
without a summary or an image is completed from its article page, fetched once; robots.txt is
honoured; a redesign is the error `selectors_broken`, never an empty success."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlmodel import col

from storage.models import FeedState, Item
from storage.session import reading
from syndicator.settings_models import FeedSettings
from tests.helpers.httpserver import LocalServer, Reply
from tests.helpers.polling import make_poller

HTML = {"Content-Type": "text/html; charset=utf-8"}
TITLES = (
    "UBND xã Tịnh Phong tổ chức hội nghị triển khai nhiệm vụ phát triển kinh tế - xã hội năm 2027",
    "Thông báo lịch tiếp công dân của Chủ tịch UBND xã Tịnh Phong tháng 12 năm 2026",
    "Xã Tịnh Phong ra quân tổng vệ sinh môi trường hưởng ứng Ngày Chủ nhật xanh",
)
SUMMARY = "Sáng ngày 7/12, UBND xã tổ chức hội nghị triển khai nhiệm vụ năm 2027 với các thôn."


def listing(*rows: tuple[str, str, str, str]) -> bytes:
    """A commune portal's news list: (slug, title, date, summary or "") per article."""
    items = "".join(
        f'<li class="news-item"><a class="title" href="/tin-tuc/{slug}.html">{title}</a>'
        f'<span class="date">{date}</span>'
        + (f'<p class="sapo">{summary}</p><img src="/anh/{slug}.jpg">' if summary else "")
        + "</li>"
        for slug, title, date, summary in rows
    )
    page = (
        "<!DOCTYPE html><html lang='vi'><head><title>Tin tức - Xã Tịnh Phong</title></head>"
        f"<body><nav><a href='/'>Trang chủ</a></nav><ul class='news-list'>{items}</ul></body></html>"
    )
    return page.encode()


ROWS = (
    ("hoi-nghi-2027", TITLES[0], "27/10/2026 08:30", SUMMARY),
    ("lich-tiep-cong-dan", TITLES[1], "25/10/2026 14:00", ""),
    ("chu-nhat-xanh", TITLES[2], "21/10/2026 07:15", SUMMARY),
)
ARTICLE = (
    "<html><head><meta property='og:description' content='Lịch tiếp công dân định kỳ của "
    "Chủ tịch UBND xã trong tháng 12 năm 2026 tại trụ sở xã.'>"
    "<meta property='og:image' content='/anh/tiep-cong-dan.jpg'></head><body></body></html>"
).encode()


def feed(server: LocalServer, item: str = "li.news-item") -> FeedSettings:
    return FeedSettings.model_validate(
        {
            "id": "xa-tinh-phong",
            "name": "Xã Tịnh Phong",
            "url": server.url("/tin-tuc"),
            "type": "html",
            "selectors": {
                "item": item,
                "link": "a.title",
                "date": "span.date",
                "date_format": "%d/%m/%Y %H:%M",
                "summary": "p.sapo",
                "image": "img",
            },
        }
    )


def serve(server: LocalServer, robots: str = "User-agent: *\nDisallow: /admin/\n") -> None:
    server.route("/tin-tuc", Reply(listing(*ROWS), headers=HTML))
    server.route("/tin-tuc/lich-tiep-cong-dan.html", Reply(ARTICLE, headers=HTML))
    server.route("/robots.txt", Reply(robots.encode(), headers={"Content-Type": "text/plain"}))


def stored(engine: Engine) -> dict[str, tuple[str, str | None, str]]:
    with reading(engine) as session:
        rows = session.execute(
            select(col(Item.title), col(Item.summary), col(Item.image), col(Item.published_at))
        ).all()
    return {
        title: (summary, image, f"{published:%Y-%m-%d %H:%M}")
        for title, summary, image, published in rows
    }


def state(engine: Engine) -> FeedState:
    with reading(engine) as session:
        found = session.get(FeedState, "xa-tinh-phong")
        assert found is not None
        return found


def test_a_listing_becomes_items_and_a_new_bare_item_is_completed_from_its_article(
    engine: Engine,
) -> None:
    with LocalServer() as server:
        serve(server)
        (outcome,) = make_poller(engine, robots=True).poll([feed(server)])
        hits = server.hits("/tin-tuc/lich-tiep-cong-dan.html")
        other_articles = server.hits("/tin-tuc/hoi-nghi-2027.html")
    assert (outcome.status, outcome.new) == ("ok", 3)
    items = stored(engine)
    assert items[TITLES[0]] == (SUMMARY, server.url("/anh/hoi-nghi-2027.jpg"), "2026-10-27 01:30")
    summary, image, published = items[TITLES[1]]
    assert summary.startswith("Lịch tiếp công dân định kỳ") and published == "2026-10-25 07:00"
    assert image == server.url("/anh/tiep-cong-dan.jpg")
    assert (hits, other_articles) == (1, 0)  # only the bare item's article is read


def test_an_article_is_read_only_while_its_item_is_new(engine: Engine) -> None:
    """The second poll of a changed listing finds the bare item stored: no second fetch."""
    with LocalServer() as server:
        serve(server)
        poller = make_poller(engine, robots=True)
        poller.poll([feed(server)])
        changed = (
            (
                "moi",
                "Thông báo mới của UBND xã Tịnh Phong về lịch cắt điện tháng 12",
                "28/10/2026 09:00",
                SUMMARY,
            ),
            *ROWS,
        )
        server.route("/tin-tuc", Reply(listing(*changed), headers=HTML))
        (outcome,) = poller.poll([feed(server)])
        hits = server.hits("/tin-tuc/lich-tiep-cong-dan.html")
    assert (outcome.status, outcome.new, hits) == ("ok", 1, 1)


def test_robots_txt_forbidding_the_listing_is_an_error_and_nothing_is_fetched(
    engine: Engine,
) -> None:
    with LocalServer() as server:
        serve(server, robots="User-agent: *\nDisallow: /tin-tuc\n")
        (outcome,) = make_poller(engine, robots=True).poll([feed(server)])
        listing_hits = server.hits("/tin-tuc")
    assert (outcome.status, outcome.reason, listing_hits) == ("error", "robots_disallowed", 0)
    assert state(engine).error_reason == "robots_disallowed"


def test_robots_txt_forbidding_articles_keeps_the_listing_items_as_they_are(
    engine: Engine,
) -> None:
    with LocalServer() as server:
        serve(server, robots="User-agent: *\nDisallow: /tin-tuc/lich-tiep-cong-dan.html\n")
        (outcome,) = make_poller(engine, robots=True).poll([feed(server)])
        hits = server.hits("/tin-tuc/lich-tiep-cong-dan.html")
    assert (outcome.status, outcome.new, hits) == ("ok", 3, 0)
    assert stored(engine)[TITLES[1]][:2] == ("", None)


def test_a_redesign_is_selectors_broken_not_an_empty_success(engine: Engine) -> None:
    with LocalServer() as server:
        serve(server)
        (outcome,) = make_poller(engine, robots=True).poll([feed(server, item="div.tin-bai")])
    assert (outcome.status, outcome.reason) == ("error", "selectors_broken")
    assert "div.tin-bai" in (outcome.error or "")
    assert state(engine).consecutive_failures == 1 and stored(engine) == {}
