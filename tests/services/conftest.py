"""An App over the test database (SQLite or PostgreSQL), with the Sở KH&CN feed going to a
Facebook Page and a Zalo OA, and a settable clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.config import load_settings
from tests.helpers.clock import FakeClock
from tests.helpers.posts import NOW, TEMPLATES

SETTINGS = """
timezone = "Asia/Ho_Chi_Minh"

[database]
url = "{url}"

[render]
templates = "{templates}"

[channels.facebook]
page_id = "1234567890"

[channels.zalo]
app_id = "123"
enabled = false  # no secret here: the queue only needs its type

[channels.sandbox]
folder = "var/outbox"

[pacing.facebook]
quiet_hours = ""
min_spacing = "15m"

[[feeds]]
id = "skhcn"
name = "Sở Khoa học và Công nghệ"
url = "https://skhcn.gov.vn/rss"
agency = "Sở KH&CN"
channels = ["facebook", "zalo"]

[[feeds]]
id = "soyte"
name = "Sở Y tế"
url = "https://soyte.gov.vn/rss"
channels = ["facebook"]
"""


def settings_file(tmp_path: Path, engine: Engine) -> Path:
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "settings.toml"
    path.write_text(SETTINGS.format(url=url, templates=TEMPLATES), encoding="utf-8")
    return path


@pytest.fixture
def app(engine: Engine, tmp_path: Path) -> Iterator[App]:
    """The App as a front end gets it, on the same database as `engine`."""
    built = App(load_settings(settings_file(tmp_path, engine)), FakeClock(NOW + timedelta(hours=1)))
    yield built
    built.close()
