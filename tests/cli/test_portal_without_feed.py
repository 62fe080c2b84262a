"""Issue #13 end to end, with the real CLI over real HTTP: an operator points `feeds discover`
at a SharePoint-style portal that has no feed, pastes the listing block it prints into the
settings (adding a channel), and the portal's articles flow to the review queue like a feed's;
a second poll of the same page adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from syndicator.cli.commands import cli
from tests.helpers.httpserver import LocalServer, Reply
from tests.helpers.paths import FIXTURES

HTML = {"Content-Type": "text/html; charset=utf-8"}
BASE = (
    '[polling]\ncontact = "it@stnmt.example.gov.vn"\nallow_networks = ["127.0.0.0/8"]\n'
    "backfill = 5\nparse_processes = 0\n"
    '[channels.sandbox]\nfolder = "var/outbox"\n'
)


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def records(result: Result, key: str) -> list[dict[str, object]]:
    """The JSON objects of the output that have `key`, log lines (with their `event`) aside."""
    found = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    return [record for record in found if key in record and "event" not in record]


def test_a_portal_without_feed_reaches_the_queue_through_its_listing(tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text(BASE, encoding="utf-8")
    listing = (FIXTURES / "portals" / "sharepoint-tin-tuc.html").read_bytes()
    with LocalServer() as server:
        server.route("/Pages/tin-tuc.aspx", Reply(listing, 200, HTML))
        server.route("/robots.txt", Reply(b"User-agent: *\nDisallow: /_layouts/\n", 200))
        found = json.loads(
            run(config, "feeds", "discover", server.url("/Pages/tin-tuc.aspx"), "--json").output
        )
        assert found["kind"] == "html" and found["block"]
        # The operator pastes the block, adding the channel it posts to.
        block = found["block"].replace("[[feeds]]\n", '[[feeds]]\nchannels = ["sandbox"]\n', 1)
        config.write_text(BASE + "\n" + block, encoding="utf-8")
        first = records(run(config, "poll", "--json"), "status")
        second = records(run(config, "poll", "--json"), "status")
    (polled,) = first
    assert polled["status"] == "ok" and polled["new"] == len(found["preview"]) >= 3
    assert second[0]["new"] == 0
    queued = records(run(config, "queue", "list", "--json"), "title")
    titles = {str(post["title"]) for post in queued}
    assert titles <= {str(item["title"]) for item in found["preview"]}
    assert len(queued) == min(5, polled["new"])  # polling.backfill: the newest five are posted
    assert all(
        post["channel"] == "sandbox" and post["status"] == "pending_review" for post in queued
    )
