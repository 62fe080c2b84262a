"""The command line end to end: real HTTP on 127.0.0.1, a real SQLite file, exit codes and output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import select

from storage.engine import make_engine
from storage.models import Item, ItemSource
from storage.session import reading
from syndicator.cli.commands import cli
from tests.helpers.httpserver import LocalServer, Reply, static
from tests.helpers.paths import FIXTURES

FIXTURES = FIXTURES


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def settings_file(tmp_path: Path, feeds: dict[str, str], extra: str = "") -> Path:
    body = (
        '[polling]\nworkers = 2\nper_host = 2\ncontact = "ops@example.gov.vn"\n'
        'allow_networks = ["127.0.0.0/8"]\n' + extra
    )
    for feed_id, url in feeds.items():
        body += f'\n[[feeds]]\nid = "{feed_id}"\nname = "Portal {feed_id}"\nurl = "{url}"\n'
    path = tmp_path / "settings.toml"
    path.write_text(body, encoding="utf-8")
    return path


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def json_lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_poll_json_statuses_across_cycles(tmp_path: Path, server: LocalServer) -> None:
    """ok on the first poll, not_modified against a 304 server, unchanged for identical bytes."""
    body = (FIXTURES / "feeds" / "nukeviet.xml").read_bytes()
    other = (FIXTURES / "feeds" / "vnexpress.xml").read_bytes()
    server.route("/etag.rss", static(body, etag='"v1"'))
    server.route("/plain.rss", Reply(other, headers={"Content-Type": "application/rss+xml"}))
    config = settings_file(
        tmp_path, {"etag": server.url("/etag.rss"), "plain": server.url("/plain.rss")}
    )
    first = {o["feed"]: o for o in json_lines(run(config, "poll", "--json").stdout)}
    assert first["etag"]["status"] == first["plain"]["status"] == "ok"
    assert first["etag"]["new"] > 0 and first["plain"]["new"] > 0
    second = {o["feed"]: o for o in json_lines(run(config, "poll", "--json").stdout)}
    assert second["etag"]["status"] == "not_modified"
    assert second["plain"]["status"] == "unchanged"
    assert server.seen[-1].headers.get("User-Agent", "").startswith("Syndicator/")
    etag_requests = [s for s in server.seen if s.path == "/etag.rss"]
    assert etag_requests[-1].headers.get("If-None-Match") == '"v1"'


def test_poll_plain_lines_and_errors(tmp_path: Path, server: LocalServer) -> None:
    """Off a terminal, poll prints one line per feed and a summary; a 404 feed does not stop the others."""
    server.route("/good.rss", static((FIXTURES / "feeds" / "vnexpress.xml").read_bytes()))
    server.route("/gone.rss", Reply(b"not here", status=404))
    config = settings_file(
        tmp_path, {"good": server.url("/good.rss"), "gone": server.url("/gone.rss")}
    )
    result = run(config, "poll")
    assert result.exit_code == 0
    assert "gone: error http_404" in result.output
    assert "good: ok new=" in result.output
    assert "polled 2 feeds:" in result.output and "1 error\n" in result.output


def test_poll_due_skips_feeds_not_due(tmp_path: Path, server: LocalServer) -> None:
    """--due polls a feed once, then not again until its interval has passed."""
    server.route("/a.rss", static((FIXTURES / "feeds" / "nukeviet.xml").read_bytes()))
    config = settings_file(tmp_path, {"a": server.url("/a.rss")})
    assert len(json_lines(run(config, "poll", "--due", "--json").stdout)) == 1
    assert json_lines(run(config, "poll", "--due", "--json").stdout) == []
    assert server.hits("/a.rss") == 1


def test_poll_one_feed_and_unknown_feed(tmp_path: Path, server: LocalServer) -> None:
    """--feed ID polls just that feed; an unknown id is a usage error with exit code 2."""
    server.route("/a.rss", static((FIXTURES / "feeds" / "nukeviet.xml").read_bytes()))
    server.route("/b.rss", static((FIXTURES / "feeds" / "nukeviet.xml").read_bytes()))
    config = settings_file(tmp_path, {"a": server.url("/a.rss"), "b": server.url("/b.rss")})
    assert [o["feed"] for o in json_lines(run(config, "poll", "--feed", "b", "--json").stdout)] == [
        "b"
    ]
    result = CliRunner().invoke(cli, ["--config", str(config), "poll", "--feed", "zz"])
    assert result.exit_code == 2 and "unknown feed 'zz'" in result.stderr


def test_cross_portal_duplicate_becomes_a_source(tmp_path: Path, server: LocalServer) -> None:
    """The same article on a commune's and the province's portal is one item with two sources."""
    folder = FIXTURES / "cross-portal"
    server.route("/xa.rss", static((folder / "commune.xml").read_bytes()))
    server.route("/tinh.rss", static((folder / "province.xml").read_bytes()))
    config = settings_file(tmp_path, {"xa": server.url("/xa.rss")})
    run(config, "poll")
    config = settings_file(tmp_path, {"xa": server.url("/xa.rss"), "tinh": server.url("/tinh.rss")})
    run(config, "poll", "--feed", "tinh")
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'syndicator.db'}")
    with reading(engine) as session:
        found = []
        for item in session.exec(select(Item).order_by(Item.id)):
            sources = session.exec(select(ItemSource.feed_id).where(ItemSource.item_id == item.id))
            found.append({"title": item.title, "sources": sorted(sources)})
    engine.dispose()
    assert found == json.loads((folder / "expected.json").read_text(encoding="utf-8"))["items"]


def test_feeds_list_shows_state(tmp_path: Path, server: LocalServer) -> None:
    """feeds list reports successes, failures with their reason, and recent item counts."""
    server.route("/good.rss", static((FIXTURES / "feeds" / "nukeviet.xml").read_bytes()))
    server.route(
        "/page",
        Reply(
            b"<!DOCTYPE html><html><body>Trang chu</body></html>",
            headers={"Content-Type": "text/html"},
        ),
    )
    config = settings_file(tmp_path, {"good": server.url("/good.rss"), "page": server.url("/page")})
    run(config, "poll")
    rows = {r["feed"]: r for r in json_lines(run(config, "feeds", "list", "--json").stdout)}
    assert rows["good"]["last_success"] and rows["good"]["consecutive_failures"] == 0
    assert rows["page"]["error_reason"] == "html_page" and rows["page"]["consecutive_failures"] == 1
    assert rows["page"]["broken"] is False
    text = run(config, "feeds", "list").output
    assert "page  [failing x1]" in text and "last error html_page" in text


def test_feeds_check_prints_items_without_storing(tmp_path: Path, server: LocalServer) -> None:
    """feeds check shows each normalized item as JSON Lines and stores nothing."""
    server.route("/n.rss", static((FIXTURES / "feeds" / "nukeviet.xml").read_bytes()))
    config = settings_file(tmp_path, {})
    result = run(config, "feeds", "check", server.url("/n.rss"), "--json")
    records = json_lines(result.output)
    assert records and set(records[0]) == {
        "guid",
        "url",
        "title",
        "summary",
        "image",
        "published",
        "categories",
        "dedup_key",
        "flags",
    }
    assert str(records[0]["dedup_key"]).startswith("guid:news_")
    assert "+00:00" in str(records[0]["published"])
    assert not (tmp_path / "var" / "syndicator.db").exists()


def test_feeds_check_refuses_a_private_address(tmp_path: Path, server: LocalServer) -> None:
    """feeds check goes through the same guard as polling: without polling.allow_networks a
    feed on 127.0.0.1 fails with blocked_address, and no request reaches it."""
    server.route("/n.rss", static((FIXTURES / "feeds" / "nukeviet.xml").read_bytes()))
    config = tmp_path / "settings.toml"
    config.write_text('[polling]\ncontact = "ops@example.gov.vn"\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--config", str(config), "feeds", "check", server.url("/n.rss")]
    )
    assert result.exit_code == 1 and "blocked_address" in result.output
    assert server.seen == []


def test_feeds_check_refuses_a_web_page(tmp_path: Path, server: LocalServer) -> None:
    """feeds check on an HTML page fails with exit 1 and names the reason."""
    server.route(
        "/page",
        Reply(
            b"<html><head><title>x</title></head><body></body></html>",
            headers={"Content-Type": "text/html"},
        ),
    )
    result = CliRunner().invoke(
        cli, ["--config", str(settings_file(tmp_path, {})), "feeds", "check", server.url("/page")]
    )
    assert result.exit_code == 1 and "html_page" in result.output


def test_empty_channel_fails_check_and_poll(tmp_path: Path, server: LocalServer) -> None:
    """A well-formed channel with no items: feeds check exits 1 and poll records reason empty."""
    server.route("/empty.rss", static((FIXTURES / "feeds" / "empty-channel.xml").read_bytes()))
    config = settings_file(tmp_path, {"silent": server.url("/empty.rss")})
    check = CliRunner().invoke(
        cli, ["--config", str(config), "feeds", "check", server.url("/empty.rss")]
    )
    assert check.exit_code == 1
    assert "empty: the feed is valid but holds no items" in check.output
    (outcome,) = json_lines(run(config, "poll", "--json").stdout)
    assert outcome["status"] == "error" and outcome["reason"] == "empty"


def test_db_upgrade(tmp_path: Path) -> None:
    """db upgrade creates the schema, then says it is up to date."""
    config = settings_file(tmp_path, {})
    assert "upgraded from empty to" in run(config, "db", "upgrade").output
    assert "up to date" in run(config, "db", "upgrade").output


def test_feeds_check_reads_a_configured_listing_page(tmp_path: Path, server: LocalServer) -> None:
    """feeds check with a feed's id reads it as its type says: here a listing page with its
    selectors (issue #13); a redesign fails with selectors_broken and exit 1."""
    rows = "".join(
        f'<div class="tin"><a href="/tin-tuc/bai-{n}.html">{title}</a><i>0{n}/10/2026</i></div>'
        for n, title in enumerate(
            (
                "Ủy ban nhân dân xã Ba Tô triển khai kế hoạch chuyển đổi số năm 2027",
                "Thông báo tuyển dụng viên chức sự nghiệp giáo dục xã Ba Tô năm 2026",
            ),
            start=1,
        )
    )
    page = f"<html><head><title>Tin tức xã Ba Tô</title></head><body>{rows}</body></html>"
    server.route("/tin-tuc", Reply(page.encode(), headers={"Content-Type": "text/html"}))
    server.route("/robots.txt", Reply(b"", status=404))
    extra = (
        f'\n[[feeds]]\nid = "xa-ba-to"\nname = "Xã Ba Tô"\nurl = "{server.url("/tin-tuc")}"\n'
        'type = "html"\n[feeds.selectors]\nitem = "div.tin"\nlink = "a"\ndate = "i"\n'
        'date_format = "%d/%m/%Y"\nsummary = "p"\n'
    )
    config = settings_file(tmp_path, {}, extra)
    output = run(config, "feeds", "check", "xa-ba-to", "--json").output
    records = [r for r in json_lines(output) if "dedup_key" in r]  # log lines are JSON too
    assert [r["title"] for r in records] == [
        "Ủy ban nhân dân xã Ba Tô triển khai kế hoạch chuyển đổi số năm 2027",
        "Thông báo tuyển dụng viên chức sự nghiệp giáo dục xã Ba Tô năm 2026",
    ]
    assert records[1]["url"] == server.url("/tin-tuc/bai-2.html")
    assert str(records[0]["published"]).startswith("2026-09-30T17:00:00")
    redesigned = page.replace('class="tin"', 'class="news"').encode()
    server.route("/tin-tuc", Reply(redesigned, headers={"Content-Type": "text/html"}))
    failed = CliRunner().invoke(cli, ["--config", str(config), "feeds", "check", "xa-ba-to"])
    assert failed.exit_code == 1 and "selectors_broken" in failed.output
