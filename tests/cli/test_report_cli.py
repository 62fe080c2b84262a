"""`syndicator report`: JSON or CSV or HTML on stdout or in a file (the format taken from the
file's extension), the period from --since or the settings, and one line for a wrong period or
a file that cannot be written; over the province's database on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine

import syndicator.app
from storage.reach_views import COUNTERS
from syndicator.cli.commands import cli
from syndicator.report.formats import BOM, CSV_COLUMNS, REACH_COLUMNS
from tests.helpers.clock import FakeClock
from tests.helpers.report_province import SETTINGS, UNTIL, fill


@pytest.fixture
def config(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The province's settings over its filled database; the commands' clock at UNTIL."""
    fill(engine)
    monkeypatch.setattr(syndicator.app, "SystemClock", lambda: FakeClock(UNTIL))
    path = tmp_path / "settings.toml"
    url = engine.url.render_as_string(hide_password=False)
    path.write_text(SETTINGS.format(url=url), encoding="utf-8")
    return path


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "report", *args])


def test_json_on_stdout(config: Path) -> None:
    """The 30 days to now, stalest portal first, with the documented keys."""
    result = run(config, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["until"] == UNTIL.isoformat()
    assert [p["feed"] for p in document["portals"]][:2] == ["xa-ba-to", "xa-tinh-phong"]
    assert document["totals"] == {
        "portals": 5,
        "stale": 2,
        "items": 7,
        "errors": 8,
        "published": {"fanpage": 3, "zalo-oa": 1},
        # No counter collected: four posts, every counter unknown (null), none counted as 0.
        "reach": {"posts": 4}
        | {name: None for name in COUNTERS}
        | {f"{name}_unknown": 4 for name in COUNTERS},
    }
    ba_to = document["categories"][2]
    assert ba_to == {
        "agency": "UBND xã Ba Tô",
        "items": {},
        "empty_required": ["van-ban", "thu-tuc-hanh-chinh", "dau-thau"],
    }


def test_csv_file_by_its_extension(config: Path, tmp_path: Path) -> None:
    """-o report.csv writes CSV (with its byte order mark) and says what it found on stderr."""
    out = tmp_path / "bao-cao.csv"
    result = run(config, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert (
        result.stderr == f"{out}: 5 portals, 2 stale, 3 agencies with an empty required category\n"
    )
    raw = out.read_bytes()
    assert raw.startswith(BOM.encode("utf-8"))
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == [*CSV_COLUMNS, "published_fanpage", "published_zalo-oa", *REACH_COLUMNS]
    assert [row[0] for row in rows[1:]] == [
        "xa-ba-to",
        "xa-tinh-phong",
        "syt",
        "skhcn-vanban",
        "skhcn",
    ]


def test_since_chooses_the_period(config: Path) -> None:
    """--since 7d: only the last week's items."""
    result = run(config, "--since", "7d", "--format", "json")
    assert result.exit_code == 0, result.output
    items = {p["feed"]: p["items"] for p in json.loads(result.stdout)["portals"]}
    assert items == {"skhcn": 3, "skhcn-vanban": 2, "syt": 0, "xa-tinh-phong": 0, "xa-ba-to": 0}


def test_html_by_default(config: Path, tmp_path: Path) -> None:
    """Without --format or a known extension the report is the HTML page."""
    out = tmp_path / "bao-cao"
    result = run(config, "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "Xã Tịnh Phong" in page


@pytest.mark.parametrize("since", ["0s", "ba mươi ngày", "-3d"])
def test_a_wrong_period_is_a_usage_error(config: Path, since: str) -> None:
    result = run(config, "--since", since)
    assert result.exit_code == 2
    assert "--since" in result.stderr


def test_a_file_that_cannot_be_written_is_one_line(config: Path, tmp_path: Path) -> None:
    result = run(config, "-o", str(tmp_path / "khong-co" / "bao-cao.json"))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot write ")
    assert len(result.stderr.splitlines()) == 1
