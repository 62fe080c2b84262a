"""robots.txt over real HTTP: our group of rules, kept 24 hours, RFC 9309's answers to errors."""

from __future__ import annotations

import threading

import pytest

from syndicator.ingest.robots import MAX_ROBOTS_BYTES, RobotsRules
from tests.helpers.clock import FakeClock
from tests.helpers.httpserver import LocalServer, Reply, delayed, local_server, unused_port
from tests.helpers.local_fetch import AGENT

local_server = local_server  # the fixture, used by name

ROBOTS = b"""# robots.txt - Cong thong tin dien tu So Khoa hoc va Cong nghe
User-agent: *
Disallow: /admin/
Disallow: /tim-kiem

User-agent: Syndicator
Disallow: /noi-bo/
"""
ARTICLE = "/tin-tuc/so-khoa-hoc-va-cong-nghe-trien-khai-ke-hoach-chuyen-doi-so-nam-2027.html"


def text(body: bytes) -> Reply:
    return Reply(body, headers={"Content-Type": "text/plain; charset=utf-8"})


def test_our_own_group_applies_before_the_star_group(
    local_server: LocalServer, robots: RobotsRules
) -> None:
    """The Syndicator group decides for us: /noi-bo/ is closed, /admin/ (closed to others) is
    not; the robots.txt request carries our User-Agent with its contact."""
    local_server.route("/robots.txt", text(ROBOTS))
    assert robots.allowed(local_server.url(ARTICLE))
    assert not robots.allowed(local_server.url("/noi-bo/bao-cao-thang-11.html"))
    assert robots.allowed(local_server.url("/admin/"))
    answer = robots.check(local_server.url("/noi-bo/"))
    assert answer.reason == "disallowed" and "robots.txt disallows" in answer.message
    (request,) = local_server.seen
    assert request.headers["User-Agent"] == AGENT


def test_the_star_group_applies_when_none_names_us(
    local_server: LocalServer, robots: RobotsRules
) -> None:
    """Without a group for Syndicator, the * group's rules are ours."""
    local_server.route("/robots.txt", text(b"User-agent: *\nDisallow: /admin/\n"))
    assert not robots.allowed(local_server.url("/admin/dang-nhap"))
    assert robots.allowed(local_server.url(ARTICLE))


def test_rules_are_kept_24_hours_then_fetched_again(
    local_server: LocalServer, robots: RobotsRules, clock: FakeClock
) -> None:
    """One fetch per origin serves every URL for 24 hours exactly; a second past, the new
    robots.txt is fetched and obeyed."""
    local_server.route("/robots.txt", text(ROBOTS))
    assert robots.allowed(local_server.url(ARTICLE))
    assert robots.allowed(local_server.url("/tin-tuc/"))
    local_server.route("/robots.txt", text(b"User-agent: *\nDisallow: /\n"))
    clock.advance(hours=24)
    assert robots.allowed(local_server.url(ARTICLE))
    assert local_server.hits("/robots.txt") == 1
    clock.advance(seconds=1)
    assert not robots.allowed(local_server.url(ARTICLE))
    assert local_server.hits("/robots.txt") == 2


@pytest.mark.parametrize("status", [404, 403, 410])
def test_a_4xx_robots_txt_allows_everything(
    local_server: LocalServer, robots: RobotsRules, status: int
) -> None:
    """RFC 9309: a robots.txt that is "unavailable" (4xx) sets no rules."""
    local_server.route("/robots.txt", Reply(b"Khong tim thay trang", status))
    assert robots.allowed(local_server.url("/noi-bo/bao-cao.html"))
    assert robots.check(local_server.url("/")).reason == "allowed"


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_5xx_robots_txt_disallows_everything_and_is_retried_after_an_hour(
    local_server: LocalServer, robots: RobotsRules, clock: FakeClock, status: int
) -> None:
    """A server error (or 429) means the site cannot say: nothing is fetched from it for an
    hour exactly; a second later robots.txt is asked again."""
    local_server.route("/robots.txt", Reply(b"Service Unavailable", status))
    answer = robots.check(local_server.url(ARTICLE))
    assert not answer.allowed and answer.reason == "robots_unreachable"
    assert f"http_{status}" in answer.message or "too_many_requests" in answer.message
    local_server.route("/robots.txt", text(ROBOTS))
    clock.advance(hours=1)
    assert not robots.allowed(local_server.url(ARTICLE))
    assert local_server.hits("/robots.txt") == 1
    clock.advance(seconds=1)
    assert robots.allowed(local_server.url(ARTICLE))
    assert local_server.hits("/robots.txt") == 2


def test_an_unreachable_host_is_disallowed(robots: RobotsRules) -> None:
    """No answer at all (connection refused) disallows the host."""
    answer = robots.check(f"http://127.0.0.1:{unused_port()}{ARTICLE}")
    assert not answer.allowed and "connect_failed" in answer.message


def test_each_origin_has_its_own_robots_txt(robots: RobotsRules) -> None:
    """Two ports of one host are two origins, each with its own rules."""
    with LocalServer() as open_site, LocalServer() as closed_site:
        open_site.route("/robots.txt", Reply(b"", 404))
        closed_site.route("/robots.txt", text(b"User-agent: *\nDisallow: /\n"))
        assert robots.allowed(open_site.url(ARTICLE))
        assert not robots.allowed(closed_site.url(ARTICLE))


def test_only_http_urls_are_allowed(robots: RobotsRules) -> None:
    """A URL that is not http(s) is never allowed (and nothing is fetched for it)."""
    answer = robots.check("ftp://skhcn.example.gov.vn/robots.txt")
    assert not answer.allowed and answer.reason == "bad_url"


def _cut_robots(extra_padding: int) -> bytes:
    """A robots.txt whose line "Disallow: /truoc/" ends exactly at 500 KiB (plus
    `extra_padding` bytes), followed by "Disallow: /sau/"."""
    head = b"User-agent: *\n# "
    rule = b"Disallow: /truoc/\n"
    padding = MAX_ROBOTS_BYTES - len(head) - len(rule) - 1 + extra_padding
    return head + b"x" * padding + b"\n" + rule + b"Disallow: /sau/\n"


def test_a_robots_txt_is_read_up_to_500_kib(local_server: LocalServer, robots: RobotsRules) -> None:
    """The line ending at 500 KiB is read; the one after is not."""
    body = _cut_robots(0)
    assert body.index(b"Disallow: /sau/") == MAX_ROBOTS_BYTES
    local_server.route("/robots.txt", text(body))
    assert not robots.allowed(local_server.url("/truoc/1.html"))
    assert robots.allowed(local_server.url("/sau/1.html"))


def test_a_line_cut_by_the_500_kib_limit_is_dropped(
    local_server: LocalServer, robots: RobotsRules
) -> None:
    """One byte more and the line crosses the limit: it is dropped, not read half."""
    local_server.route("/robots.txt", text(_cut_robots(1)))
    assert robots.allowed(local_server.url("/truoc/1.html"))


def test_a_byte_order_mark_does_not_hide_the_first_line(
    local_server: LocalServer, robots: RobotsRules
) -> None:
    """A UTF-8 BOM before "User-agent" (Windows editors) still opens the group."""
    local_server.route("/robots.txt", text(b"\xef\xbb\xbfUser-agent: *\nDisallow: /noi-bo/\n"))
    assert not robots.allowed(local_server.url("/noi-bo/"))


def test_threads_asking_at_once_fetch_robots_txt_once(
    local_server: LocalServer, robots: RobotsRules
) -> None:
    """Eight poller threads asking together about one host wait for one fetch (the server
    holds its answer 0.2 s, so they do ask while it runs)."""
    local_server.route("/robots.txt", delayed(text(ROBOTS), 0.2))
    start = threading.Barrier(8)
    answers: list[bool] = []

    def ask() -> None:
        start.wait()
        answers.append(robots.allowed(local_server.url(ARTICLE)))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [True] * 8
    assert local_server.hits("/robots.txt") == 1
