"""`syndicator feeds discover URL [--json]` end to end: a portal on 127.0.0.1, the real CLI."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from syndicator.cli.commands import cli
from syndicator.settings_models import FeedSettings
from tests.helpers.httpserver import LocalServer, Reply, local_server
from tests.helpers.paths import FIXTURES
from tests.helpers.portal_pages import HTML, RSS, rss

local_server = local_server  # the fixture, used by name

NUKEVIET_PAGE = (FIXTURES / "portals" / "nukeviet-news.html").read_bytes()


def settings_file(tmp_path: Path, feeds: str = "") -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(
        '[polling]\ncontact = "it@dongson.example.gov.vn"\nallow_networks = ["127.0.0.0/8"]\n'
        + feeds,
        encoding="utf-8",
    )
    return path


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "feeds", "discover", *args])


def nukeviet(server: LocalServer) -> None:
    """The NukeViet portal: its news page, its advertised feed, an HTML decoy at /feed."""
    now = datetime.now(UTC)
    server.route("/vi/news/", Reply(NUKEVIET_PAGE, 200, HTML))
    server.route("/vi/news/rss/", Reply(rss("Tin Tức", [timedelta(hours=2)] * 3, now), 200, RSS))
    server.route("/feed", Reply(NUKEVIET_PAGE, 200, HTML))


def test_plain_text_lists_each_candidate_then_the_block(
    tmp_path: Path, local_server: LocalServer
) -> None:
    """Each candidate with its verdict, the proposed feed with its latest items, and a block
    that loads as a feed of the settings."""
    nukeviet(local_server)
    result = run(settings_file(tmp_path), local_server.url("/vi/news/"))
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"OK  {local_server.url('/vi/news/rss/')}  [advertised RSS “Tin Tức”]" in out
    assert "a feed with 3 items, newest item 2h ago" in out
    assert f"no  {local_server.url('/rss')}  [usual path]\n      http_404:" in out
    assert f"no  {local_server.url('/feed')}  [usual path]\n      html_page:" in out
    assert "proposed source: feed" in out and "Huyện Đông Sơn ra mắt mô hình" in out
    block = out[out.index("[[feeds]]") :]
    feed = FeedSettings.model_validate(tomllib.loads(block)["feeds"][0])
    assert feed.url == local_server.url("/vi/news/rss/") and feed.id == "127-0-0-1"
    assert feed.name == "Tin tức - Cổng thông tin điện tử huyện Đông Sơn"


def test_json_is_one_object_with_every_finding(tmp_path: Path, local_server: LocalServer) -> None:
    """--json prints one object: the candidates with their reasons, the kind, the block."""
    nukeviet(local_server)
    result = run(settings_file(tmp_path), local_server.url("/vi/news/"), "--json")
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    found = json.loads(line)
    assert found["kind"] == "rss" and found["source_url"] == local_server.url("/vi/news/rss/")
    reasons = {row["url"]: row["reason"] for row in found["candidates"]}
    assert reasons[local_server.url("/rss")] == "http_404"
    assert reasons[local_server.url("/vi/news/rss/")] == "ok"
    assert found["preview"][0]["published"].endswith("+00:00")
    assert tomllib.loads(found["block"])["feeds"][0]["url"] == found["source_url"]
    assert found["refused_reason"] is None and found["selectors"] is None


def test_a_configured_feed_is_named_and_the_id_stays_free(
    tmp_path: Path, local_server: LocalServer
) -> None:
    """A feed already in the settings is named, and the proposed id does not collide."""
    nukeviet(local_server)
    configured = (
        f'\n[[feeds]]\nid = "127-0-0-1"\nname = "Đông Sơn"\n'
        f'url = "{local_server.url("/vi/news/rss/")}"\n'
    )
    result = run(settings_file(tmp_path, configured), local_server.url("/vi/news/"))
    assert "already in the settings as feed '127-0-0-1'" in result.output
    assert 'id = "127-0-0-1-2"' in result.output


def test_robots_txt_refusal_exits_1_with_the_reason(
    tmp_path: Path, local_server: LocalServer
) -> None:
    """A page closed by robots.txt: exit 1 and the reason, nothing else fetched."""
    nukeviet(local_server)
    local_server.route("/robots.txt", Reply(b"User-agent: *\nDisallow: /vi/\n", 200))
    result = run(settings_file(tmp_path), local_server.url("/vi/news/"))
    assert result.exit_code == 1 and "robots_disallowed" in result.output
    assert local_server.hits("/vi/news/") == 0


def test_a_site_without_feed_gets_a_listing_block(
    tmp_path: Path, local_server: LocalServer
) -> None:
    """No feed anywhere: the block proposed is a type = "html" source with its selectors."""
    body = (FIXTURES / "portals" / "sharepoint-tin-tuc.html").read_bytes()
    local_server.route("/Pages/tin-tuc.aspx", Reply(body, 200, HTML))
    result = run(settings_file(tmp_path), local_server.url("/Pages/tin-tuc.aspx"), "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["kind"] == "html" and found["preview"]
    feed = FeedSettings.model_validate(tomllib.loads(found["block"])["feeds"][0])
    assert feed.type == "html" and feed.selectors is not None
    assert feed.selectors.model_dump(exclude_none=True) == found["selectors"]
    assert feed.url == local_server.url("/Pages/tin-tuc.aspx")


def test_nothing_found_exits_1(tmp_path: Path, local_server: LocalServer) -> None:
    """A page with no feed and no article list: every candidate shown, then why, exit 1."""
    local_server.route(
        "/", Reply(b"<html><head><title>Trang</title></head><body></body></html>", 200, HTML)
    )
    result = run(settings_file(tmp_path), local_server.url("/"))
    assert result.exit_code == 1
    assert "no working feed, and no listing to propose" in result.output
