"""`syndicator reach [--since DURATION] [--json]` over the province with known counters (tests/
helpers/reach_province.py), on SQLite and PostgreSQL: with --json one object per published
post with exactly the documented keys, null for what the platform did not say; a plain table
and the totals by default; a wrong period is a usage error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine

import syndicator.app
from syndicator.cli.commands import cli
from tests.helpers.clock import FakeClock
from tests.helpers.reach_province import fill_reach
from tests.helpers.report_province import SETTINGS, UNTIL

KEYS = [
    "post", "feed", "channel", "remote_id", "published_at", "collected_at",
    "reactions", "comments", "shares", "impressions", "clicks", "views",
]  # fmt: skip


@pytest.fixture
def config(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(syndicator.app, "SystemClock", lambda: FakeClock(UNTIL))
    path = tmp_path / "settings.toml"
    url = engine.url.render_as_string(hide_password=False)
    path.write_text(SETTINGS.format(url=url), encoding="utf-8")
    return path


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "reach", *args])


def test_json_one_object_per_published_post(engine: Engine, config: Path) -> None:
    """Newest first, the keys exactly, times in ISO 8601 with their offset, unknown as null
    (never 0), known zeros as 0; a post before the period is not there."""
    ids = fill_reach(engine)
    result = run(config, "--json")
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(list(found) == KEYS for found in objects)
    assert [found["post"] for found in objects] == [
        ids[("a", "zalo-oa")], ids[("a", "fanpage")], ids[("b", "fanpage")], ids[("h", "fanpage")]
    ]  # fmt: skip
    zalo, fanpage, b, h = objects
    assert zalo == {
        "post": ids[("a", "zalo-oa")], "feed": "skhcn", "channel": "zalo-oa",
        "remote_id": zalo["remote_id"],
        "published_at": "2026-12-06T23:00:00+00:00", "collected_at": "2026-12-07T00:00:00+00:00",
        "reactions": None, "comments": None, "shares": 2, "impressions": None, "clicks": None,
        "views": 150,
    }  # fmt: skip
    assert zalo["remote_id"].startswith("zalo-oa-")
    assert (fanpage["reactions"], fanpage["impressions"], fanpage["clicks"]) == (40, 900, None)
    assert (b["comments"], b["shares"], b["impressions"]) == (0, 0, None)
    assert h["collected_at"] is None and all(h[name] is None for name in KEYS[6:])


def test_since_bounds_the_period(engine: Engine, config: Path) -> None:
    """--since 2h: a's posts (2 h and 1 h ago); 1h59m: only the one an hour ago."""
    ids = fill_reach(engine)
    posts = [
        json.loads(line)["post"]
        for line in run(config, "--since", "2h", "--json").stdout.splitlines()
    ]
    assert posts == [ids[("a", "zalo-oa")], ids[("a", "fanpage")]]
    narrower = run(config, "--since", "119m", "--json").stdout.splitlines()
    assert [json.loads(line)["post"] for line in narrower] == [ids[("a", "zalo-oa")]]


def test_a_plain_table_and_the_totals(engine: Engine, config: Path) -> None:
    fill_reach(engine)
    result = run(config)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["published", "post", "channel", "reactions"]
    assert "2026-12-07 05:00 +07" in lines[2] and "Sở KH&CN tổ chức Hội nghị" in lines[2]
    assert lines[1].split()[5:11] == ["—", "—", "2", "—", "—", "150"]
    totals = next(line for line in lines if line.startswith("totals:"))
    assert totals == (
        "totals: 4 posts, reactions 47 (2 unknown), comments 5 (2 unknown), shares 5 "
        "(1 unknown), impressions 900 (3 unknown), clicks — (4 unknown), views 150 (3 unknown)"
    )
    assert any(line.startswith("fanpage: too few posts") for line in lines)


def test_an_empty_period_says_so(config: Path) -> None:
    result = run(config, "--since", "1d")
    assert result.exit_code == 0 and "no post published in this period" in result.stdout
    assert run(config, "--json").stdout == ""


@pytest.mark.parametrize("since", ["0s", "abc", "30"])
def test_a_wrong_period_is_a_usage_error(config: Path, since: str) -> None:
    result = run(config, "--since", since)
    assert result.exit_code == 2 and "--since" in result.output
