"""Discovery over real HTTP: portals' pages served on 127.0.0.1, with decoys that must never be
reported as working feeds (a 404 /rss, an HTML /feed, an empty advertised feed)."""

from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

from syndicator.ingest.discover import MAX_CHECKED, CandidateCheck, Discovery, discover
from syndicator.ingest.fetch import Fetcher
from syndicator.ingest.robots import RobotsRules
from tests.helpers.clock import FakeClock
from tests.helpers.httpserver import LocalServer, Reply, local_server
from tests.helpers.paths import FIXTURES
from tests.helpers.portal_pages import HTML, RSS, page, rss

local_server = local_server  # the fixture, used by name

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PORTALS = FIXTURES / "portals"


def run(
    fetcher: Fetcher, robots: RobotsRules, url: str, clock: FakeClock, **limits: object
) -> Discovery:
    return discover(fetcher, robots, url, now=clock.now(), tz=TZ, **limits)  # type: ignore[arg-type]


def by_path(found: Discovery, server: LocalServer) -> dict[str, CandidateCheck]:
    prefix = server.url("")
    return {check.candidate.url.removeprefix(prefix): check for check in found.checks}


def test_nukeviet_page_whose_advertised_feed_wins(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """The NukeViet page advertises two feeds; the fuller one of equal freshness wins, the
    decoys (/rss 404, /feed an HTML page) are checked and never called working."""
    now = clock.now()
    ages = [timedelta(hours=h) for h in (2, 26, 50)]
    local_server.route("/vi/news/", Reply((PORTALS / "nukeviet-news.html").read_bytes(), 200, HTML))
    local_server.route("/vi/news/rss/", Reply(rss("Tin Tức", ages, now), 200, RSS))
    local_server.route(
        "/vi/news/rss/tin-hoat-dong/", Reply(rss("Tin hoạt động", ages[:1], now), 200, RSS)
    )
    local_server.route("/feed", Reply(page(body="<p>Trang chủ</p>"), 200, HTML))
    found = run(fetcher, robots, local_server.url("/vi/news/"), clock)
    checks = by_path(found, local_server)
    assert found.refused is None and found.page_title.startswith("Tin tức - Cổng thông tin")
    assert found.best is not None and found.best.candidate.url == local_server.url("/vi/news/rss/")
    assert (found.best.items, found.best.newest, found.best.title) == (3, now - ages[0], "Tin Tức")
    assert [c.candidate.origin for c in found.checks[:2]] == ["advertised", "advertised"]
    assert checks["/vi/news/rss/tin-hoat-dong/"].works
    assert (checks["/rss"].works, checks["/rss"].reason) == (False, "http_404")
    assert (checks["/feed"].works, checks["/feed"].reason) == (False, "html_page")
    assert found.listing is None and len(found.best.preview) == 3


def test_an_empty_advertised_feed_loses_to_a_guessed_working_one(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """An advertised feed with no items is reported as empty; the guessed /feed/ that works is
    the one proposed."""
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Tin</title></channel></rss>'
    head = '<link rel="alternate" type="application/rss+xml" href="/rss-trong.xml" title="Tin">'
    local_server.route("/", Reply(page(head), 200, HTML))
    local_server.route("/rss-trong.xml", Reply(empty, 200, RSS))
    local_server.route("/feed/", Reply(rss("Tin mới", [timedelta(days=3)], clock.now()), 200, RSS))
    found = run(fetcher, robots, local_server.url("/"), clock)
    checks = by_path(found, local_server)
    assert (checks["/rss-trong.xml"].works, checks["/rss-trong.xml"].reason) == (False, "empty")
    assert found.best is checks["/feed/"] and found.best.candidate.origin == "guessed"


def test_a_json_feed_is_advertised_but_not_usable(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """A JSON Feed is listed with its items counted, but not working: the poller reads RSS and
    Atom only."""
    head = '<link rel="alternate" type="application/feed+json" href="/feed.json">'
    json_feed = (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "Tin tức", "items": ['
        '{"id": "1", "url": "https://dongson.example.gov.vn/bai-1.html", "title": "Hội nghị"}]}'
    ).encode()
    local_server.route("/", Reply(page(head), 200, HTML))
    local_server.route(
        "/feed.json", Reply(json_feed, 200, {"Content-Type": "application/feed+json"})
    )
    found = run(fetcher, robots, local_server.url("/"), clock)
    check = by_path(found, local_server)["/feed.json"]
    assert (check.works, check.reason, check.items) == (False, "json_feed_unsupported", 1)
    assert "RSS and Atom" in check.message and found.best is None


def test_liferay_asset_publisher_feed_is_found(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """A Liferay page advertising nothing: its asset publisher's /-/asset_publisher/<id>/rss,
    built from the article links, is checked and proposed."""
    local_server.route(
        "/tin-tuc", Reply((PORTALS / "liferay-tin-tuc.html").read_bytes(), 200, HTML)
    )
    atom = (FIXTURES / "feeds" / "liferay-atom.xml").read_bytes()
    feed_path = "/-/asset_publisher/AbC123/rss"
    local_server.route(feed_path, Reply(atom, 200, {"Content-Type": "application/atom+xml"}))
    found = run(fetcher, robots, local_server.url("/tin-tuc"), clock)
    assert found.best is not None and found.best.candidate.url == local_server.url(feed_path)
    assert found.best.candidate.hint == "Liferay asset publisher AbC123"
    assert found.best.items == 2 and found.best.title == "Tin tức - sự kiện"
    assert found.checks[0].candidate.url == local_server.url(feed_path)


def test_the_freshest_feed_wins_over_an_advertised_stale_one(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """An advertised feed that stopped a year ago loses to a guessed one updated today, even
    with more items; undated items, or items dated ahead (set to the fetch time), never count
    as fresh."""
    now = clock.now()
    head = '<link rel="alternate" type="application/rss+xml" href="/rss.aspx">'
    local_server.route("/", Reply(page(head), 200, HTML))
    local_server.route("/rss.aspx", Reply(rss("Cũ", [timedelta(days=365)] * 5, now), 200, RSS))
    local_server.route("/rss", Reply(rss("Mới", [timedelta(hours=1)], now), 200, RSS))
    local_server.route("/feed", Reply(rss("Không ngày", [None, None], now), 200, RSS))
    ahead = [timedelta(days=-7)] * 2  # dated a week ahead: clamped to the fetch time
    local_server.route("/rss.xml", Reply(rss("Tương lai", ahead, now), 200, RSS))
    found = run(fetcher, robots, local_server.url("/"), clock)
    checks = by_path(found, local_server)
    assert found.best is checks["/rss"]
    assert checks["/feed"].works and checks["/feed"].newest is None
    assert checks["/rss.xml"].works and checks["/rss.xml"].newest is None


def test_on_a_tie_the_advertised_feed_wins(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """Same newest item, same count: the advertised feed is proposed before a guessed one."""
    body = rss("Tin tức", [timedelta(hours=3), timedelta(days=2)], clock.now())
    head = '<link rel="alternate" type="application/rss+xml" href="/tin-tuc.rss">'
    local_server.route("/", Reply(page(head), 200, HTML))
    local_server.route("/rss", Reply(body, 200, RSS))
    local_server.route("/tin-tuc.rss", Reply(body, 200, RSS))
    found = run(fetcher, robots, local_server.url("/"), clock)
    assert found.best is not None and found.best.candidate.url.endswith("/tin-tuc.rss")


def test_robots_txt_forbidding_the_page_refuses_discovery(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """robots.txt closes the page to us: nothing but robots.txt is fetched, and the refusal
    says so."""
    local_server.route("/robots.txt", Reply(b"User-agent: Syndicator\nDisallow: /vi/\n", 200))
    local_server.route("/vi/news/", Reply((PORTALS / "nukeviet-news.html").read_bytes(), 200, HTML))
    found = run(fetcher, robots, local_server.url("/vi/news/"), clock)
    assert found.refused is not None and found.refused.reason == "robots_disallowed"
    assert "robots.txt disallows" in found.refused.message and found.checks == ()
    assert [seen.path for seen in local_server.seen] == ["/robots.txt"]


def test_a_site_whose_robots_txt_fails_is_not_read(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """robots.txt answering 503: the site cannot say what it allows, so its page is not read."""
    local_server.route("/robots.txt", Reply(b"Service Unavailable", 503))
    local_server.route("/", Reply(page(), 200, HTML))
    found = run(fetcher, robots, local_server.url("/"), clock)
    assert found.refused is not None and found.refused.reason == "robots_unreachable"
    assert local_server.hits("/") == 0


def test_a_candidate_robots_txt_forbids_is_not_fetched(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """A guessed path closed by robots.txt is reported as such and never requested."""
    local_server.route("/robots.txt", Reply(b"User-agent: *\nDisallow: /rss\n", 200))
    local_server.route("/", Reply(page(), 200, HTML))
    found = run(fetcher, robots, local_server.url("/"), clock)
    checks = by_path(found, local_server)
    assert checks["/rss"].reason == checks["/rss.xml"].reason == "robots_disallowed"
    assert local_server.hits("/rss") == local_server.hits("/rss.xml") == 0
    assert local_server.hits("/feed") == 1


def test_a_page_that_cannot_be_fetched_is_refused(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """A 404 page address ends discovery with the fetch's reason."""
    found = run(fetcher, robots, local_server.url("/khong-co-trang-nay"), clock)
    assert found.refused is not None and found.refused.reason == "http_404"


def test_an_address_that_is_a_feed_is_proposed_as_given(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """Given a feed's own address, discovery reports that feed."""
    local_server.route(
        "/rss.xml", Reply(rss("Tin tức", [timedelta(hours=5)], clock.now()), 200, RSS)
    )
    found = run(fetcher, robots, local_server.url("/rss.xml"), clock)
    assert found.best is not None and found.best.candidate.origin == "given"
    assert len(found.checks) == 1 and local_server.hits("/rss.xml") == 1


def test_at_most_the_limit_of_candidates_is_fetched(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """A page advertising many feeds: the first MAX_CHECKED are checked, the next one is
    listed as not checked and never requested."""
    links = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="/rss/chuyen-muc-{n}.rss">'
        for n in range(MAX_CHECKED + 1)
    )
    local_server.route("/", Reply(page(links), 200, HTML))
    found = run(fetcher, robots, local_server.url("/"), clock)
    reasons = [check.reason for check in found.checks]
    assert reasons[:MAX_CHECKED] == ["http_404"] * MAX_CHECKED
    assert set(reasons[MAX_CHECKED:]) == {"not_checked"}
    assert local_server.hits(f"/rss/chuyen-muc-{MAX_CHECKED}.rss") == 0
    assert sum(1 for seen in local_server.seen if seen.path.startswith("/rss/")) == MAX_CHECKED


def test_no_check_starts_after_the_time_budget(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """With a 60 s budget and a timer that moves 25 s per reading, two checks start (at 25 s
    and 50 s); the third reading (75 s) is past the budget, and so are the rest."""
    readings = iter(range(0, 10_000, 25))
    lock = threading.Lock()

    def timer() -> float:
        with lock:
            return float(next(readings))

    local_server.route("/", Reply(page(), 200, HTML))
    found = run(
        fetcher, robots, local_server.url("/"), clock, budget=timedelta(seconds=60), timer=timer
    )
    started = [check for check in found.checks if check.reason != "not_checked"]
    assert len(started) == 2
    assert all("time budget" in c.message for c in found.checks if c.reason == "not_checked")


def test_a_site_without_any_feed_gets_a_listing_proposal(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """A SharePoint-style listing with no feed anywhere: every candidate fails, and the page's
    repeated article links are proposed as an HTML listing, with its items read."""
    body = (PORTALS / "sharepoint-tin-tuc.html").read_bytes()
    local_server.route("/Pages/tin-tuc.aspx", Reply(body, 200, HTML))
    found = run(fetcher, robots, local_server.url("/Pages/tin-tuc.aspx"), clock)
    assert found.best is None and all(not check.works for check in found.checks)
    assert found.listing is not None, found.listing_problem
    assert found.listing.count >= 3 and found.listing.items[0].title
    assert all(item.link and item.link.startswith("http") for item in found.listing.items)


def test_a_page_without_feed_or_article_list_says_why(
    local_server: LocalServer, fetcher: Fetcher, robots: RobotsRules, clock: FakeClock
) -> None:
    """A page with neither a feed nor repeated article links proposes nothing, with a reason."""
    local_server.route("/", Reply(page(body="<p>Trang đang được xây dựng.</p>"), 200, HTML))
    found = run(fetcher, robots, local_server.url("/"), clock)
    assert found.best is None and found.listing is None and found.listing_problem
